import { RT_TABLE_MAIN } from '../netlink/decode';
import type { KernelEvent } from '../netlink/events';
import type { AddressState, KernelSnapshot, LinkState, RouteState } from '../netlink/types';
import { SnapshotIndex } from './snapshot-index';


/** The parts of the view that no longer match the kernel and need a dump. */
export interface Staleness {
  links: boolean;
  addresses: boolean;
  routes: boolean;
}

/**
 * The daemon's picture of the kernel: filled by a full dump, then kept
 * current from notifications, so a pass after an event needs no dump. The
 * kernel does not announce everything: taking a device down or deleting it
 * drops its IPv4 routes without RTM_DELROUTE, so such changes mark the
 * routes (and, to be safe, the addresses) stale and the next pass dumps
 * them again. A lost notification (ENOBUFS) or a periodic resync marks the
 * whole view stale.
 */
export class KernelView {
  private links = new Map<number, LinkState>();
  private addresses = new Map<string, AddressState>();
  private routes = new Map<string, RouteState>();
  private staleness: Staleness = { links: true, addresses: true, routes: true };

  stale(): Staleness {
    return { ...this.staleness };
  }

  markStale(): void {
    this.staleness = { links: true, addresses: true, routes: true };
  }

  /** Replaces the parts of the view that a dump covered. */
  replace(dump: Partial<KernelSnapshot>): void {
    if (dump.links) {
      this.links = new Map(dump.links.map((link) => [link.index, link]));
      this.staleness.links = false;
    }
    if (dump.addresses) {
      this.addresses = new Map(dump.addresses.map((address) => [addressKey(address), address]));
      this.staleness.addresses = false;
    }
    if (dump.routes) {
      this.routes = new Map(dump.routes.filter(isMainTable).map((route) => [routeKey(route), route]));
      this.staleness.routes = false;
    }
  }

  index(): SnapshotIndex {
    return new SnapshotIndex({
      links: [...this.links.values()],
      addresses: [...this.addresses.values()],
      routes: [...this.routes.values()],
    });
  }

  apply(event: KernelEvent): void {
    switch (event.object) {
      case 'link':
        return this.applyLink(event.action, event.index, event.link);
      case 'address':
        return this.applyAddress(event.action, event.address);
      case 'route':
        return this.applyRoute(event.action, event.route);
    }
  }

  private applyLink(action: 'new' | 'del', index: number, link: LinkState | undefined): void {
    const previous = this.links.get(index);
    if (action === 'del') {
      this.links.delete(index);
      this.forgetInterface(index);
      return;
    }
    if (!link) {
      this.staleness.links = true;
      return;
    }
    this.links.set(index, link);
    // Taking a device down drops its IPv4 routes and IPv6 addresses; only
    // some of that is announced.
    if (previous?.up && !link.up) {
      this.staleness.routes = true;
      this.staleness.addresses = true;
    }
  }

  private forgetInterface(index: number): void {
    for (const [key, address] of this.addresses) {
      if (address.index === index) this.addresses.delete(key);
    }
    for (const [key, route] of this.routes) {
      if (route.index === index) this.routes.delete(key);
    }
    // Routes through other devices may have used this one as a gateway.
    this.staleness.routes = true;
  }

  private applyAddress(action: 'new' | 'del', address: AddressState | undefined): void {
    if (!address) {
      this.staleness.addresses = true;
      return;
    }
    // An IPv4 address going away also takes its prefix route, silently.
    if (action === 'del') {
      this.addresses.delete(addressKey(address));
      this.staleness.routes = true;
    } else {
      this.addresses.set(addressKey(address), address);
    }
  }

  private applyRoute(action: 'new' | 'del', route: RouteState | undefined): void {
    if (!route) {
      this.staleness.routes = true;
      return;
    }
    if (!isMainTable(route)) return;
    if (action === 'del') this.routes.delete(routeKey(route));
    else this.routes.set(routeKey(route), route);
  }
}

function isMainTable(route: RouteState): boolean {
  return route.table === RT_TABLE_MAIN;
}

function addressKey(address: AddressState): string {
  return `${address.index} ${address.address}/${address.prefixLength}`;
}

function routeKey(route: RouteState): string {
  return `${route.index} ${route.destination}/${route.prefixLength} ${route.gateway ?? ''}`;
}
