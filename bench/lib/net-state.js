'use strict';

/** Routing table number of the main table (RT_TABLE_MAIN). */
const MAIN_TABLE = 254;

/**
 * The links, addresses and routes of one namespace, rebuilt from the
 * listener's records. IPv4 does not send RTM_DELROUTE for routes it flushes
 * when their device goes down or away, so this model drops them itself.
 */
class NetState {
  constructor() {
    this.reset();
  }

  reset() {
    this.links = new Map();
    this.indexByName = new Map();
    this.addresses = new Map();
    this.routes = new Map();
  }

  /** Applies one listener record (NEWLINK, DELADDR, …). */
  apply(record) {
    switch (record.type) {
      case 'DUMP_START':
        this.reset();
        return;
      case 'NEWLINK':
        this.applyNewLink(record);
        return;
      case 'DELLINK':
        this.forgetLink(record.index);
        return;
      case 'NEWADDR':
        this.addressSet(record.index).add(`${record.address}/${record.prefixLength}`);
        return;
      case 'DELADDR':
        this.addressSet(record.index).delete(`${record.address}/${record.prefixLength}`);
        return;
      case 'NEWROUTE':
        this.routeSet(record.oif).add(routeKey(record));
        return;
      case 'DELROUTE':
        this.routeSet(record.oif).delete(routeKey(record));
        return;
      default:
    }
  }

  applyNewLink(record) {
    const previous = this.links.get(record.index);
    if (previous && previous.name !== record.name) {
      this.indexByName.delete(previous.name);
    }
    this.links.set(record.index, record);
    this.indexByName.set(record.name, record.index);

    if (!record.up) {
      // The kernel flushes IPv4 routes through a device that goes admin down.
      this.routes.delete(record.index);
    }
  }

  forgetLink(index) {
    const link = this.links.get(index);
    if (link && this.indexByName.get(link.name) === index) {
      this.indexByName.delete(link.name);
    }
    this.links.delete(index);
    this.addresses.delete(index);
    this.routes.delete(index);
  }

  addressSet(index) {
    let set = this.addresses.get(index);
    if (!set) {
      set = new Set();
      this.addresses.set(index, set);
    }
    return set;
  }

  routeSet(oif) {
    let set = this.routes.get(oif);
    if (!set) {
      set = new Set();
      this.routes.set(oif, set);
    }
    return set;
  }

  linkNamed(name) {
    const index = this.indexByName.get(name);
    return index === undefined ? undefined : this.links.get(index);
  }

  /**
   * Returns which milestones of a shim hold: `created` (the link exists),
   * `link` (present, admin up and carrier up), `addresses` (every configured address on it), `routes`
   * (every configured route in the main table through it) and `full` (all
   * three).
   */
  shimMilestones(shim) {
    const link = this.linkNamed(shim.name);
    if (!link) {
      return { created: false, link: false, addresses: false, routes: false, full: false };
    }
    const present = this.addresses.get(link.index) ?? new Set();
    const routes = this.routes.get(link.index) ?? new Set();
    const linkUp = link.up && link.lowerUp;
    const addressesOk = shim.addresses.every((text) => present.has(text));
    const routesOk = shim.routes.every((text) =>
      routes.has(`${MAIN_TABLE} ${text}`),
    );

    return {
      created: true,
      link: linkUp,
      addresses: addressesOk,
      routes: routesOk,
      full: linkUp && addressesOk && routesOk,
    };
  }

  /** Returns whether every shim in the list is fully in place. */
  allFull(shims) {
    return shims.every((shim) => this.shimMilestones(shim).full);
  }
}

function routeKey(record) {
  return `${record.table} ${record.destination}/${record.prefixLength}`;
}

module.exports = { NetState, MAIN_TABLE };
