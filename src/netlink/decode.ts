import type { MacvlanMode } from '../config/types';
import { parseAttributes, readString, readU32 } from './attributes';
import { formatIp, formatMac } from './ip-bytes';
import type { AddressState, LinkState, RouteState } from './types';

// Decoders for the RTM_NEWLINK, RTM_NEWADDR and RTM_NEWROUTE payloads the
// reconciler reads. They read only the fields it needs, which is much
// cheaper than decoding every attribute, and return undefined for messages
// they cannot use instead of throwing.

const AF_INET = 2;
const AF_INET6 = 10;

/** The main routing table, the only one the daemon reads or writes. */
export const RT_TABLE_MAIN = 254;

const IFF_UP = 0x1;
const IFF_PROMISC = 0x100;
const IFF_LOWER_UP = 0x10000;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_IFALIAS = 20;
const IFLA_AF_SPEC = 26;
const IFLA_PROP_LIST = 52;
const IFLA_ALT_IFNAME = 53;
const IFLA_INET_CONF = 1;
const IFLA_INET6_CONF = 2;
/** IPV4_DEVCONF_* ids; IFLA_INET_CONF stores id N at position N - 1. */
const IPV4_DEVCONF_PROMOTE_SECONDARIES = 20;
const IPV4_DEVCONF_ARP_NOTIFY = 22;
/** DEVCONF_* positions in IFLA_INET6_CONF. */
const DEVCONF_ACCEPT_RA = 3;
const DEVCONF_AUTOCONF = 5;
const DEVCONF_NDISC_NOTIFY = 29;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;

/** Size of struct ifinfomsg, which precedes the link attributes. */
const IFINFOMSG_SIZE = 16;
/** Size of struct ifaddrmsg. */
const IFADDRMSG_SIZE = 8;
/** Size of struct rtmsg. */
const RTMSG_SIZE = 12;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_TABLE = 15;

const MACVLAN_MODES: [number, MacvlanMode | 'source'][] = [
  [1, 'private'],
  [2, 'vepa'],
  [4, 'bridge'],
  [8, 'passthru'],
  [16, 'source'],
];

export function familyOf(value: number): 4 | 6 | undefined {
  if (value === AF_INET) return 4;
  if (value === AF_INET6) return 6;
  return undefined;
}

export function familyNumber(family: 4 | 6): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** Reads the ifindex of a link message without decoding its attributes. */
export function linkIndexOf(payload: Buffer): number | undefined {
  return payload.length >= IFINFOMSG_SIZE ? payload.readInt32LE(4) : undefined;
}

export function decodeLink(payload: Buffer): LinkState | undefined {
  if (payload.length < IFINFOMSG_SIZE) return undefined;
  const flags = payload.readUInt32LE(8);
  const attributes = parseAttributes(payload, IFINFOMSG_SIZE);
  const name = readString(attributes.get(IFLA_IFNAME));
  if (name === undefined) return undefined;
  const info = parseAttributes(attributes.get(IFLA_LINKINFO) ?? Buffer.alloc(0));
  const kind = readString(info.get(IFLA_INFO_KIND));
  const address = attributes.get(IFLA_ADDRESS);
  return {
    index: payload.readInt32LE(4),
    name,
    kind,
    parentIndex: readU32(attributes.get(IFLA_LINK)),
    macvlanMode: kind === 'macvlan' ? macvlanMode(info.get(IFLA_INFO_DATA)) : undefined,
    mac: address ? formatMac(address) : '',
    mtu: readU32(attributes.get(IFLA_MTU)) ?? 0,
    up: (flags & IFF_UP) !== 0,
    promisc: (flags & IFF_PROMISC) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    alias: readString(attributes.get(IFLA_IFALIAS)) || undefined,
    masterIndex: readU32(attributes.get(IFLA_MASTER)) || undefined,
    altNames: altNames(attributes.get(IFLA_PROP_LIST)),
    conf: deviceConf(attributes.get(IFLA_AF_SPEC)),
  };
}

function altNames(propList: Buffer | undefined): string[] | undefined {
  if (!propList) return undefined;
  const names: string[] = [];
  let position = 0;
  // IFLA_PROP_LIST repeats IFLA_ALT_IFNAME, so walk it rather than map it.
  while (position + 4 <= propList.length) {
    const length = propList.readUInt16LE(position);
    if (length < 4 || position + length > propList.length) break;
    if ((propList.readUInt16LE(position + 2) & 0x3fff) === IFLA_ALT_IFNAME) {
      names.push(readString(propList.subarray(position + 4, position + length)) ?? '');
    }
    position += (length + 3) & ~3;
  }
  return names.length > 0 ? names : undefined;
}

function deviceConf(afSpec: Buffer | undefined): LinkState['conf'] {
  if (!afSpec) return undefined;
  const families = parseAttributes(afSpec);
  const ipv4 = parseAttributes(families.get(AF_INET) ?? Buffer.alloc(0)).get(IFLA_INET_CONF);
  const ipv6 = parseAttributes(families.get(AF_INET6) ?? Buffer.alloc(0)).get(IFLA_INET6_CONF);
  const v4 = (id: number) => readS32(ipv4, (id - 1) * 4);
  const v6 = (position: number) => readS32(ipv6, position * 4);
  return {
    arpNotify: v4(IPV4_DEVCONF_ARP_NOTIFY),
    promoteSecondaries: v4(IPV4_DEVCONF_PROMOTE_SECONDARIES),
    acceptRa: v6(DEVCONF_ACCEPT_RA),
    autoconf: v6(DEVCONF_AUTOCONF),
    ndiscNotify: v6(DEVCONF_NDISC_NOTIFY),
  };
}

function readS32(bytes: Buffer | undefined, offset: number): number | undefined {
  return bytes && offset + 4 <= bytes.length ? bytes.readInt32LE(offset) : undefined;
}

function macvlanMode(data: Buffer | undefined): LinkState['macvlanMode'] {
  const bits = readU32(parseAttributes(data ?? Buffer.alloc(0)).get(IFLA_MACVLAN_MODE));
  return MACVLAN_MODES.find(([bit]) => bits === bit)?.[1] ?? 'unknown';
}

export function decodeAddress(payload: Buffer): AddressState | undefined {
  if (payload.length < IFADDRMSG_SIZE) return undefined;
  const family = familyOf(payload.readUInt8(0));
  const attributes = parseAttributes(payload, IFADDRMSG_SIZE);
  // IFA_LOCAL is the interface's own IPv4 address; IFA_ADDRESS differs from
  // it only on point-to-point links, and IPv6 sends IFA_ADDRESS alone.
  const bytes = attributes.get(IFA_LOCAL) ?? attributes.get(IFA_ADDRESS);
  if (!family || !bytes || bytes.length !== (family === 4 ? 4 : 16)) return undefined;
  return {
    index: payload.readUInt32LE(4),
    family,
    address: formatIp(bytes),
    prefixLength: payload.readUInt8(1),
    scope: payload.readUInt8(3),
  };
}

/** Reads the ifindex of an address message without decoding its attributes. */
export function addressIndexOf(payload: Buffer): number | undefined {
  return payload.length >= IFADDRMSG_SIZE ? payload.readUInt32LE(4) : undefined;
}

/** Decodes single-path routes; multipath and device-less routes return undefined. */
export function decodeRoute(payload: Buffer): RouteState | undefined {
  if (payload.length < RTMSG_SIZE) return undefined;
  const family = familyOf(payload.readUInt8(0));
  const attributes = parseAttributes(payload, RTMSG_SIZE);
  const index = readU32(attributes.get(RTA_OIF));
  if (!family || index === undefined) return undefined;
  const destination = attributes.get(RTA_DST) ?? Buffer.alloc(family === 4 ? 4 : 16);
  const gateway = attributes.get(RTA_GATEWAY);
  return {
    index,
    family,
    destination: formatIp(destination),
    prefixLength: payload.readUInt8(1),
    protocol: payload.readUInt8(5),
    table: readU32(attributes.get(RTA_TABLE)) ?? payload.readUInt8(4),
    gateway: gateway ? formatIp(gateway) : undefined,
  };
}

/** Reads the output ifindex of a route message; undefined for multipath routes. */
export function routeIndexOf(payload: Buffer): number | undefined {
  if (payload.length < RTMSG_SIZE) return undefined;
  return readU32(parseAttributes(payload, RTMSG_SIZE).get(RTA_OIF));
}
