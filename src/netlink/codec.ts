import { AttrStream, ifla, rt } from 'netlink';
import type { MacvlanMode } from '../config/types';
import { formatIp, formatMac } from './ip-bytes';
import type { AddressState, LinkState, RouteState } from './types';

const AF_INET = 2;
const AF_INET6 = 10;
const RT_TABLE_MAIN = 254;

/** The bytes of a `netlink` stream value, for attributes the package wants raw. */
export function streamBytes(data: ReturnType<typeof ifla.formatInfo>): Buffer {
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

/** One netlink attribute: length, type, payload, padded to 4 bytes. */
export function encodeAttribute(type: number, payload: Buffer): Buffer {
  const length = 4 + payload.length;
  const bytes = Buffer.alloc(Math.ceil(length / 4) * 4);
  bytes.writeUInt16LE(length, 0);
  bytes.writeUInt16LE(type, 2);
  payload.copy(bytes, 4);
  return bytes;
}

const IFLA_INET_CONF = 1;
const IPV4_DEVCONF_ARP_NOTIFY = 22;

/**
 * IFLA_AF_SPEC for `sysctl net.ipv4.conf.IFACE.arp_notify=1`: the kernel
 * sends a gratuitous ARP for the device's address each time it comes up.
 */
export function encodeArpNotify(): Map<number, Buffer> {
  const setting = encodeAttribute(IPV4_DEVCONF_ARP_NOTIFY, encodeU32(1));
  return new Map([[AF_INET, encodeAttribute(IFLA_INET_CONF, setting)]]);
}

export function encodeU32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

/** Returns undefined for messages that lack the fields we rely on. */
export function decodeLink(message: rt.LinkMessage): LinkState | undefined {
  const { data, attrs } = message;
  if (data.index === undefined || attrs.ifname === undefined) {
    return undefined;
  }
  const info = decodeInfo(attrs.linkinfo);
  const flags = data.flags ?? {};
  return {
    index: data.index,
    name: attrs.ifname,
    kind: info.kind,
    parentIndex: attrs.link?.length === 4 ? attrs.link.readUInt32LE() : undefined,
    macvlanMode: info.kind === 'macvlan' ? decodeMacvlanMode(info.data) : undefined,
    mac: attrs.address ? formatMac(attrs.address) : '',
    mtu: attrs.mtu ?? 0,
    up: flags.up === true,
    promisc: flags.promisc === true,
    lowerUp: flags.lowerUp === true,
    alias: attrs.ifalias || undefined,
    masterIndex: attrs.master || undefined,
  };
}

function decodeInfo(linkinfo: Buffer | undefined): ifla.Info {
  if (!linkinfo) {
    return {};
  }
  try {
    return ifla.parseInfo(linkinfo);
  } catch {
    return {};
  }
}

function decodeMacvlanMode(data: Buffer | undefined): LinkState['macvlanMode'] {
  if (!data) {
    return 'unknown';
  }
  try {
    const mode = ifla.parseMacvlanMode(ifla.parseMacvlan(data).mode ?? 0);
    const names = ['bridge', 'private', 'vepa', 'passthru', 'source'] as const;
    return names.find((name) => mode[name] === true) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function familyOf(value: number | undefined): 4 | 6 | undefined {
  if (value === AF_INET) return 4;
  if (value === AF_INET6) return 6;
  return undefined;
}

export function familyNumber(family: 4 | 6): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function decodeAddress(message: rt.AddressMessage): AddressState | undefined {
  const { data, attrs } = message;
  const family = familyOf(data.family);
  // IFA_LOCAL is the interface's own IPv4 address; IFA_ADDRESS differs from
  // it only on point-to-point links, and IPv6 sends IFA_ADDRESS alone.
  const bytes = attrs.local ?? attrs.address;
  if (!family || !bytes || data.index === undefined) {
    return undefined;
  }
  return {
    index: data.index,
    family,
    address: formatIp(bytes),
    prefixLength: data.prefixlen ?? 0,
    scope: data.scope ?? 0,
  };
}

/** Decodes single-path routes; multipath and oif-less routes are skipped. */
export function decodeRoute(message: rt.RouteMessage): RouteState | undefined {
  const { data, attrs } = message;
  const family = familyOf(data.family);
  const table = attrs.table ?? data.table ?? 0;
  if (!family || attrs.oif === undefined) {
    return undefined;
  }
  const destination = attrs.dst
    ? formatIp(attrs.dst)
    : formatIp(Buffer.alloc(family === 4 ? 4 : 16));
  return {
    index: attrs.oif,
    family,
    destination,
    prefixLength: data.dstLen ?? 0,
    protocol: protocolNumber(data.protocol),
    table,
    gateway: attrs.gateway ? formatIp(attrs.gateway) : undefined,
  };
}

function protocolNumber(protocol: rt.Route['protocol']): number {
  if (typeof protocol === 'number') {
    return protocol;
  }
  return protocol === undefined ? 0 : rt.RouteProtocol[protocol];
}

export { RT_TABLE_MAIN };
