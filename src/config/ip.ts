import { SocketAddress } from 'node:net';

import {
  IPv4,
  IPv4Prefix,
  IPv6,
  IPv6Prefix,
  Validator,
} from 'ip-num';

import type { Prefix } from './types';

/*
 * Address parsing and arithmetic for the checks, on top of ip-num. Values are
 * bigints so that IPv4 and IPv6 share one code path.
 */

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  value: bigint;
  /** Canonical text: dotted quad, or compressed lower-case IPv6 (RFC 5952). */
  text: string;
}

/** An address with a prefix length, such as 192.168.124.190/27. */
export interface IpBlock {
  address: IpAddress;
  prefixLength: number;
  /** The first and last address of the prefix. */
  first: IpAddress;
  last: IpAddress;
}

export type BlockParseResult =
  | { ok: true; block: IpBlock }
  | {
      ok: false;
      problem: 'missing-length' | 'invalid-length' | 'invalid-address';
    };

/** INET6_ADDRSTRLEN without the NUL: the longest IPv6 text (IPv4 tail). */
const MAX_ADDRESS_TEXT_LENGTH = 45;

const PREFIX_LENGTH_TEXT = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses an IPv4 or IPv6 address. Rejects zone indexes ('%eth0') and IPv4
 * octets with leading zeros, which some tools read as octal.
 */
export function parseAddress(text: string): IpAddress | undefined {
  if (text.length > MAX_ADDRESS_TEXT_LENGTH) {
    return undefined;
  }
  if (Validator.isValidIPv4String(text)[0]) {
    return ipv4Address(new IPv4(text).getValue());
  }
  const ipv6 =
    !text.includes('%') &&
    text.includes(':') &&
    Validator.isValidIPv6String(text)[0];
  if (ipv6) {
    try {
      return ipv6Address(new IPv6(text).getValue());
    } catch {
      // ip-num's validator and constructor disagree on a few odd forms.
      return undefined;
    }
  }
  return undefined;
}

/** Parses `address/length`, where the length is required. */
export function parseBlock(text: string): BlockParseResult {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) {
    return { ok: false, problem: 'invalid-address' };
  }
  if (slash === -1) {
    return { ok: false, problem: 'missing-length' };
  }
  const lengthText = text.slice(slash + 1);
  const prefixLength = Number(lengthText);
  const lengthValid =
    PREFIX_LENGTH_TEXT.test(lengthText) &&
    prefixLength <= maxLength(address.family);
  if (!lengthValid) {
    return { ok: false, problem: 'invalid-length' };
  }
  return { ok: true, block: makeBlock(address, prefixLength) };
}

export function maxLength(family: Family): number {
  return family === 4 ? 32 : 128;
}

function makeBlock(address: IpAddress, prefixLength: number): IpBlock {
  // ip-num gives the block size. Its CidrRange first/last would do the same
  // job through binary strings, about 100 times slower, which matters for a
  // file with thousands of entries.
  const length = BigInt(prefixLength);
  const size =
    address.family === 4
      ? new IPv4Prefix(length).toRangeSize()
      : new IPv6Prefix(length).toRangeSize();
  const first = address.value - (address.value % size);
  const makeAddress = address.family === 4 ? ipv4Address : ipv6Address;
  return {
    address,
    prefixLength,
    first: makeAddress(first),
    last: makeAddress(first + size - 1n),
  };
}

function ipv4Address(value: bigint): IpAddress {
  return { family: 4, value, text: IPv4.fromNumber(value).toString() };
}

function ipv6Address(value: bigint): IpAddress {
  // SocketAddress formats with inet_ntop, which gives the RFC 5952 form that
  // `ip address` shows. It gets eight full groups, because ip-num's own text
  // forms vary (it prints 0 as '::0' but 1 as '0:0:0:0:0:0:0:1').
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  const full = groups.join(':');
  const text = new SocketAddress({ address: full, family: 'ipv6' }).address;
  return { family: 6, value, text };
}

/** Returns the address `offset` places after `address` (no overflow check). */
export function addressAfter(address: IpAddress, offset: bigint): IpAddress {
  const value = address.value + offset;
  return address.family === 4 ? ipv4Address(value) : ipv6Address(value);
}

export function blockText(block: IpBlock): string {
  return `${block.address.text}/${block.prefixLength}`;
}

/** Returns whether the block's address is its first one (no host bits set). */
export function isNetworkAligned(block: IpBlock): boolean {
  return block.address.value === block.first.value;
}

/** Returns the block with host bits cleared: 10.1.2.3/8 gives 10.0.0.0/8. */
export function networkOf(block: IpBlock): IpBlock {
  return { ...block, address: block.first };
}

export function blockContains(block: IpBlock, address: IpAddress): boolean {
  return (
    block.address.family === address.family &&
    address.value >= block.first.value &&
    address.value <= block.last.value
  );
}

export function blockInside(inner: IpBlock, outer: IpBlock): boolean {
  return blockContains(outer, inner.first) && blockContains(outer, inner.last);
}

/**
 * Writes a block's span compactly for messages: for IPv4 the octets shared
 * by its first and last address are left out, so 192.168.178.200/29 gives
 * `.200–.207`. IPv6 spans are written in full.
 */
export function shortSpan(block: IpBlock): string {
  return shortRange(block.first, block.last);
}

/** Writes the span from `first` to `last` compactly, as `shortSpan` does. */
export function shortRange(first: IpAddress, last: IpAddress): string {
  if (first.family === 6) {
    return `${first.text}–${last.text}`;
  }
  const firstOctets = first.text.split('.');
  const lastOctets = last.text.split('.');
  let shared = 0;
  while (shared < 3 && firstOctets[shared] === lastOctets[shared]) {
    shared += 1;
  }
  if (shared === 0) {
    return `${first.text}–${last.text}`;
  }
  const tail = (octets: string[]): string =>
    `.${octets.slice(shared).join('.')}`;
  return `${tail(firstOctets)}–${tail(lastOctets)}`;
}

/** Converts a checked block to the contract's Prefix type. */
export function toPrefix(block: IpBlock): Prefix {
  return {
    family: block.address.family,
    address: block.address.text,
    prefixLength: block.prefixLength,
    text: blockText(block),
  };
}
