import type { Prefix } from '../../../src/config/types';
import type { AddressState, LinkState, RouteState } from '../../../src/netlink/types';
import type { DesiredShim } from '../../../src/reconcile/desired';
import { SnapshotIndex } from '../../../src/reconcile/snapshot-index';

export function prefix(text: string): Prefix {
  const [address, length] = text.split('/');
  return { family: address.includes(':') ? 6 : 4, address, prefixLength: Number(length), text };
}

export function desired(overrides: Partial<DesiredShim> = {}): DesiredShim {
  return {
    name: 'shim0',
    parent: 'eth0',
    mode: 'bridge',
    promisc: true,
    addresses: [prefix('192.168.124.190/27')],
    routes: [prefix('192.168.124.160/27')],
    createMac: '02:00:00:00:00:01',
    ...overrides,
  };
}

export function link(overrides: Partial<LinkState> & Pick<LinkState, 'index' | 'name'>): LinkState {
  return { mac: '02:00:00:00:00:99', mtu: 1500, up: true, promisc: false, lowerUp: true, ...overrides };
}

export const parent = link({ index: 2, name: 'eth0', promisc: true });

export function shimLink(overrides: Partial<LinkState> = {}): LinkState {
  return link({
    index: 10,
    name: 'shim0',
    kind: 'macvlan',
    macvlanMode: 'bridge',
    parentIndex: 2,
    mac: '02:00:00:00:00:01',
    alias: 'managed by macvlan-shim',
    ...overrides,
  });
}

export function address(index: number, text: string, scope = 0): AddressState {
  const { family, address, prefixLength } = prefix(text);
  return { index, family, address, prefixLength, scope };
}

export function route(index: number, text: string, protocol = 233): RouteState {
  const { family, address, prefixLength } = prefix(text);
  return { index, family, destination: address, prefixLength, protocol, table: 254 };
}

export function kernel(links: LinkState[], addresses: AddressState[] = [], routes: RouteState[] = []): SnapshotIndex {
  return new SnapshotIndex({ links, addresses, routes });
}

/** A converged shim0 on eth0: the kernel state the default `desired()` describes. */
export function converged(): SnapshotIndex {
  return kernel(
    [parent, shimLink()],
    [address(10, '192.168.124.190/27'), address(10, 'fe80::1/64', 253)],
    [route(10, '192.168.124.160/27', 2)],
  );
}
