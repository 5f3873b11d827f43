import type { Prefix } from '../config/types';
import type { AddressState, RouteState } from '../netlink/types';

// Comparisons between kernel objects and configured prefixes.

/** Tells whether the config decides an address; IPv6 link-local ones belong to the kernel. */
export function isConfigurable(address: AddressState): boolean {
  return !(address.family === 6 && address.address.startsWith('fe80:'));
}

export function sameAddress(item: AddressState, prefix: Prefix): boolean {
  return item.family === prefix.family && item.address === prefix.address && item.prefixLength === prefix.prefixLength;
}

export function sameDestination(item: RouteState, prefix: Prefix): boolean {
  return item.family === prefix.family && item.destination === prefix.address && item.prefixLength === prefix.prefixLength && item.gateway === undefined;
}

export function toPrefix(family: 4 | 6, address: string, prefixLength: number): Prefix {
  return { family, address, prefixLength, text: `${address}/${prefixLength}` };
}
