import type { AddressState, KernelSnapshot, LinkState, RouteState } from '../netlink/types';

/** A kernel snapshot indexed for look-ups by name and ifindex. */
export class SnapshotIndex {
  private readonly byName = new Map<string, LinkState>();
  private readonly byIndex = new Map<number, LinkState>();
  private readonly addressesByIndex = new Map<number, AddressState[]>();
  private readonly routesByIndex = new Map<number, RouteState[]>();

  constructor(readonly snapshot: KernelSnapshot) {
    for (const link of snapshot.links) {
      for (const altName of link.altNames ?? []) {
        if (!this.byName.has(altName)) this.byName.set(altName, link);
      }
    }
    for (const link of snapshot.links) {
      this.byName.set(link.name, link);
      this.byIndex.set(link.index, link);
    }
    for (const address of snapshot.addresses) {
      push(this.addressesByIndex, address.index, address);
    }
    for (const route of snapshot.routes) {
      push(this.routesByIndex, route.index, route);
    }
  }

  link(name: string): LinkState | undefined {
    return this.byName.get(name);
  }

  linkAt(index: number): LinkState | undefined {
    return this.byIndex.get(index);
  }

  addresses(index: number): AddressState[] {
    return this.addressesByIndex.get(index) ?? [];
  }

  routes(index: number): RouteState[] {
    return this.routesByIndex.get(index) ?? [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}
