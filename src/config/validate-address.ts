import { IPv4, IPv6 } from 'ip-num';

import type { CheckedList, CheckedString } from './checked';
import { stringItems } from './checked';
import {
  addressAfter,
  blockText,
  isNetworkAligned,
  networkOf,
  parseAddress,
  parseBlock,
  shortRange,
  shortSpan,
  type IpAddress,
  type IpBlock,
} from './ip';
import { IssueCollector, quote } from './issues';

/*
 * Checks of the shim's own addresses and routes: syntax, unicast, network
 * and broadcast addresses, host bits, and prefixes that would take over the
 * host's default route.
 */

/** A checked list item together with the block it parsed to. */
export interface BlockItem {
  item: CheckedString;
  block: IpBlock;
}

/**
 * Prefixes shorter than these cover a large share of all addresses. A route
 * that short through the shim overrides the default route for that share,
 * as VPN clients do on purpose with 0.0.0.0/1 and 128.0.0.0/1. Multicast
 * blocks such as 224.0.0.0/4 are exempt, because they do not take unicast
 * traffic away from the default route.
 */
const SHORT_PREFIX = { 4: 8, 6: 4 } as const;

/** Parses a prefix value and reports why it is invalid, if it is. */
export function readBlock(
  collector: IssueCollector,
  item: CheckedString,
): IpBlock | undefined {
  const result = parseBlock(item.value);
  if (result.ok) {
    return result.block;
  }
  const value = quote(item.value);
  const messages = {
    'missing-length': `${item.path} ${value} has no prefix length; add the length of its network, such as ${quote(exampleWithLength(item.value))}`,
    'invalid-length': `${item.path} ${value} has an invalid prefix length; IPv4 allows 0 to 32 and IPv6 0 to 128`,
    'invalid-address': `${item.path} ${value} is not an IPv4 or IPv6 address with prefix length, such as '192.168.1.10/24' or 'fd00::10/64'`,
  };
  collector.error('invalid-cidr', item, messages[result.problem], item.value);
  return undefined;
}

function exampleWithLength(address: string): string {
  const length = parseAddress(address)?.family === 6 ? 64 : 24;
  return `${address}/${length}`;
}

/** Reads the shim's `addresses` and reports every invalid one. */
export function readShimAddresses(
  collector: IssueCollector,
  list: CheckedList | undefined,
): BlockItem[] {
  const accepted: BlockItem[] = [];
  const seen = new Map<bigint, CheckedString>();
  for (const item of stringItems(list)) {
    const block = readBlock(collector, item);
    if (block === undefined || !checkShimAddress(collector, item, block)) {
      continue;
    }
    const earlier = seen.get(block.address.value);
    if (earlier !== undefined) {
      reportRepeat(collector, item, earlier);
      continue;
    }
    seen.set(block.address.value, item);
    accepted.push({ item, block });
  }
  return accepted;
}

/** Reads the shim's `routes` and reports every invalid one. */
export function readShimRoutes(
  collector: IssueCollector,
  list: CheckedList | undefined,
): BlockItem[] {
  const accepted: BlockItem[] = [];
  const seen = new Map<string, CheckedString>();
  for (const item of stringItems(list)) {
    const block = readBlock(collector, item);
    if (block === undefined || !checkRoute(collector, item, block)) {
      continue;
    }
    const earlier = seen.get(blockText(block));
    if (earlier !== undefined) {
      reportRepeat(collector, item, earlier);
      continue;
    }
    seen.set(blockText(block), item);
    accepted.push({ item, block });
  }
  return accepted;
}

function reportRepeat(
  collector: IssueCollector,
  item: CheckedString,
  earlier: CheckedString,
): void {
  collector.error(
    'duplicate-entry',
    item,
    `${item.path} ${quote(item.value)} repeats ${earlier.path} (line ${earlier.line}); remove one of them`,
    item.value,
  );
}

function checkShimAddress(
  collector: IssueCollector,
  item: CheckedString,
  block: IpBlock,
): boolean {
  const reason = nonUnicastReason(block.address);
  if (reason !== undefined) {
    collector.error(
      'non-unicast',
      item,
      `${item.path} ${quote(item.value)} is ${reason}`,
      item.value,
    );
    return false;
  }
  if (!checkPrefixBreadth(collector, item, block, 'address')) {
    return false;
  }
  return checkNetworkAndBroadcast(collector, item, block);
}

function checkRoute(
  collector: IssueCollector,
  item: CheckedString,
  block: IpBlock,
): boolean {
  if (!isNetworkAligned(block)) {
    const network = networkOf(block);
    collector.error(
      'host-bits-set',
      item,
      `${item.path} ${quote(item.value)} has host bits set; the block it falls in is ${blockText(network)} (${shortSpan(network)}), so write ${quote(blockText(network))}`,
      item.value,
    );
    return false;
  }
  return checkPrefixBreadth(collector, item, block, 'route');
}

/** Describes why an address cannot be a shim's own address, if it cannot. */
function nonUnicastReason(address: IpAddress): string | undefined {
  return address.family === 4
    ? ipv4NonUnicastReason(address)
    : ipv6NonUnicastReason(address);
}

function ipv4NonUnicastReason(address: IpAddress): string | undefined {
  const ip = new IPv4(address.value);
  if (ip.isUnspecified()) {
    return 'the unspecified address; use the address the shim should answer on';
  }
  if (ip.isBroadcast()) {
    return 'the limited broadcast address; use a unicast address';
  }
  if (ip.isMulticast()) {
    return 'a multicast address (224.0.0.0/4); use a unicast address';
  }
  if (ip.isLoopback()) {
    return 'a loopback address (127.0.0.0/8); use an address of the Docker network';
  }
  if (looksLikeNetmask(address.value)) {
    return "a netmask, not an address; write the shim's own address with a prefix length, such as '192.168.124.190/24'";
  }
  return undefined;
}

/**
 * Returns whether an IPv4 value is a contiguous netmask of /1 or longer,
 * such as 255.255.255.0: leading one bits followed only by zero bits.
 */
export function looksLikeNetmask(value: bigint): boolean {
  const inverted = ~value & 0xffffffffn;
  const contiguous = (inverted & (inverted + 1n)) === 0n;
  return contiguous && value >= 0x80000000n;
}

function ipv6NonUnicastReason(address: IpAddress): string | undefined {
  const ip = new IPv6(address.value);
  if (ip.isUnspecified()) {
    return "the unspecified address '::'; use the address the shim should answer on";
  }
  if (ip.isLoopback()) {
    return "the loopback address '::1'; use an address of the Docker network";
  }
  if (ip.isMulticast()) {
    return 'a multicast address (ff00::/8); use a unicast address';
  }
  if (ip.isLinkLocal()) {
    return 'an IPv6 link-local address (fe80::/10); the kernel adds an fe80:: address to every interface itself, so remove it';
  }
  return undefined;
}

function checkPrefixBreadth(
  collector: IssueCollector,
  item: CheckedString,
  block: IpBlock,
  role: 'address' | 'route',
): boolean {
  const covered = role === 'address' ? 'its prefix route' : 'the route';
  if (block.prefixLength === 0) {
    collector.error(
      'lockout-risk',
      item,
      `${item.path} ${quote(item.value)} has prefix length 0, so ${covered} would be a default route through the shim; it would replace the host's uplink route and can cut off SSH. Route only the Docker network's prefix`,
      item.value,
    );
    return false;
  }
  const short = block.prefixLength < SHORT_PREFIX[block.address.family];
  if (short && !isMulticastBlock(block)) {
    collector.warn(
      'lockout-risk',
      item,
      `${item.path} ${quote(item.value)} is a very short prefix, so ${covered} takes traffic for a large share of all addresses away from the host's default route; route only the Docker network's prefix`,
      item.value,
    );
  }
  return true;
}

/** Returns whether the whole block is IPv4 multicast, such as 224.0.0.0/4. */
function isMulticastBlock(block: IpBlock): boolean {
  return (
    block.address.family === 4 &&
    new IPv4(block.first.value).isMulticast() &&
    new IPv4(block.last.value).isMulticast()
  );
}

function checkNetworkAndBroadcast(
  collector: IssueCollector,
  item: CheckedString,
  block: IpBlock,
): boolean {
  // /31 (RFC 3021) and /32 have no network or broadcast address, and IPv6
  // has no broadcast at all.
  if (block.address.family !== 4 || block.prefixLength > 30) {
    return true;
  }
  const network = `${blockText(networkOf(block))} (${shortSpan(block)})`;
  const hosts = shortRange(
    addressAfter(block.first, 1n),
    addressAfter(block.last, -1n),
  );
  if (block.address.value === block.first.value) {
    collector.error(
      'network-address',
      item,
      `${item.path} ${quote(item.value)} is the network address of ${network}; use a host address (${hosts})`,
      item.value,
    );
    return false;
  }
  if (block.address.value === block.last.value) {
    collector.error(
      'broadcast-address',
      item,
      `${item.path} ${quote(item.value)} is the broadcast address of ${network}; use a host address (${hosts})`,
      item.value,
    );
    return false;
  }
  return true;
}
