import { AttrStream, ifla } from 'netlink';
import type { MacvlanMode } from '../config/types';

const AF_INET = 2;

/** Converts a `netlink` stream value to bytes, for attributes the package takes raw. */
function streamBytes(data: ReturnType<typeof ifla.formatInfo>): Buffer {
  const stream = new AttrStream();
  stream.emit(data);
  return Buffer.concat(stream.bufs);
}

/** IFLA_LINKINFO for a macvlan: `ip link add ... type macvlan mode MODE`. */
export function encodeMacvlanInfo(mode: MacvlanMode): Buffer {
  const modeBits = ifla.formatMacvlanMode({ [mode]: true });
  const data = streamBytes(ifla.formatMacvlan({ mode: modeBits }));
  return streamBytes(ifla.formatInfo({ kind: 'macvlan', data }));
}

/** Encodes one netlink attribute: length, type, payload, padded to 4 bytes. */
export function encodeAttribute(type: number, payload: Buffer): Buffer {
  const length = 4 + payload.length;
  const bytes = Buffer.alloc(Math.ceil(length / 4) * 4);
  bytes.writeUInt16LE(length, 0);
  bytes.writeUInt16LE(type, 2);
  payload.copy(bytes, 4);
  return bytes;
}

const IFLA_INET_CONF = 1;
const IPV4_DEVCONF_PROMOTE_SECONDARIES = 20;
const IPV4_DEVCONF_ARP_NOTIFY = 22;

/**
 * IFLA_AF_SPEC for the shim's IPv4 settings:
 * - `net.ipv4.conf.IFACE.arp_notify=1`: the kernel sends a gratuitous ARP
 *   for the device's address each time it comes up.
 * - `net.ipv4.conf.IFACE.promote_secondaries=1`: removing the first address
 *   of a prefix keeps the others. Without it, swapping .190/27 for .189/27
 *   (new one added first) would take the new address down with the old.
 */
export function encodeIpv4Settings(): Map<number, Buffer> {
  const settings = Buffer.concat([
    encodeAttribute(IPV4_DEVCONF_PROMOTE_SECONDARIES, encodeU32(1)),
    encodeAttribute(IPV4_DEVCONF_ARP_NOTIFY, encodeU32(1)),
  ]);
  return new Map([[AF_INET, encodeAttribute(IFLA_INET_CONF, settings)]]);
}

export function encodeU32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}
