import type { LinkState } from '../netlink/types';
import { RTPROT_MACVLAN_SHIM } from '../netlink/client';
import type { Action } from './actions';
import type { DesiredShim } from './desired';
import { sameDestination, toPrefix } from './prefixes';
import type { SnapshotIndex } from './snapshot-index';

/** Routes the kernel adds for an address's prefix (`proto kernel`). */
const RTPROT_KERNEL = 2;

/**
 * Returns why this shim must not be built on this parent: what the kernel
 * would reject, checked before asking, and settings that would cut the host
 * off the LAN. Undefined when the parent is fine.
 */
export function parentConflict(desired: DesiredShim, parent: LinkState, kernel: SnapshotIndex): string | undefined {
  if (parent.masterIndex !== undefined) {
    const master = kernel.linkAt(parent.masterIndex)?.name ?? `ifindex ${parent.masterIndex}`;
    return `parent '${parent.name}' is enslaved to '${master}', so it cannot carry a macvlan (the kernel answers EBUSY); use '${master}' as the parent`;
  }
  if (desired.mtu !== undefined && parent.mtu > 0 && desired.mtu > parent.mtu) {
    return `mtu ${desired.mtu} is larger than the mtu ${parent.mtu} of parent '${parent.name}'; lower the shim's mtu or raise the parent's`;
  }
  if (desired.mac !== undefined && desired.mac === parent.mac) {
    return `mac ${desired.mac} is the mac of parent '${parent.name}'; a macvlan needs its own mac`;
  }
  return lockoutRisk(desired, parent, kernel);
}

/**
 * Refuses the settings that take the parent's traffic away from it, the
 * classic ways to lose SSH with a macvlan recipe: the parent's own address
 * on the shim, or the parent's whole connected prefix routed via the shim.
 */
function lockoutRisk(desired: DesiredShim, parent: LinkState, kernel: SnapshotIndex): string | undefined {
  const taken = desired.addresses.find((address) =>
    kernel.addresses(parent.index).some((item) => item.family === address.family && item.address === address.address),
  );
  if (taken) {
    return `address ${taken.text} is already an address of parent '${parent.name}'; the host would lose it on the parent, so pick a free address in the containers' range`;
  }
  const connected = desired.routes.find((route) =>
    kernel.routes(parent.index).some((item) => item.protocol === RTPROT_KERNEL && sameDestination(item, route)),
  );
  if (connected) {
    return `route ${connected.text} is the whole connected prefix of parent '${parent.name}'; routing it via the shim would cut the host off the LAN, so route only the containers' range`;
  }
  return undefined;
}

/**
 * Takes back what the daemon put on its own shim that now cuts the host off
 * the LAN, such as a route to the parent's whole prefix added before the
 * parent got its address. The conflict alone would leave it in place.
 */
export function lockoutCleanup(shim: LinkState, parent: LinkState, kernel: SnapshotIndex): Action[] {
  const parentAddresses = kernel.addresses(parent.index);
  const connected = kernel.routes(parent.index).filter((item) => item.protocol === RTPROT_KERNEL);
  const actions: Action[] = [];
  for (const item of kernel.addresses(shim.index)) {
    if (parentAddresses.some((other) => other.family === item.family && other.address === item.address)) {
      actions.push({ kind: 'delete-address', address: toPrefix(item.family, item.address, item.prefixLength) });
    }
  }
  for (const item of kernel.routes(shim.index)) {
    const prefix = toPrefix(item.family, item.destination, item.prefixLength);
    if (item.protocol === RTPROT_MACVLAN_SHIM && connected.some((other) => sameDestination(other, prefix))) {
      actions.push({ kind: 'delete-route', route: prefix });
    }
  }
  return actions;
}
