import type { AddressState, LinkState, RouteState } from '../netlink/types';
import { RTPROT_MACVLAN_SHIM } from '../netlink/client';

import type { Action, ShimPlan } from './actions';
import type { DesiredShim } from './desired';
import { isOwned, ownerAlias, readMark, setParentPromisc } from './ownership';
import { handOverPromisc } from './remove';
import { lockoutCleanup, parentConflict } from './guards';
import { isConfigurable, sameAddress, sameDestination, toPrefix } from './prefixes';
import type { SnapshotIndex } from './snapshot-index';

/**
 * Compares one desired shim with the kernel and returns the changes that
 * make them match, in the order they must run. Pure: no I/O, no logging.
 */
/** State the loop keeps between passes that the kernel does not show. */
export interface PlanMemory {
  /**
   * ifindexes of parents whose promiscuous mode this daemon turned on, so a
   * shim recreated after someone deleted the recording one records it again.
   */
  promiscSetOn: ReadonlySet<number>;
}

const NO_MEMORY: PlanMemory = { promiscSetOn: new Set() };

export function planShim(desired: DesiredShim, kernel: SnapshotIndex, memory: PlanMemory = NO_MEMORY): ShimPlan {
  const base = { shim: desired.name, parent: desired.parent };
  const parent = kernel.link(desired.parent);
  const shim = kernel.link(desired.name);

  if (!parent) {
    return planWithoutParent(desired, shim, kernel);
  }
  if (shim && shim.kind !== 'macvlan') {
    const what = shim.kind ? `a ${shim.kind} device` : 'a device that is not a macvlan';
    return conflict(desired, `'${shim.name}' already exists and is ${what}; rename or delete it, or choose another shim name`);
  }
  const blocked = parentConflict(desired, parent, kernel);
  if (blocked) {
    const cleanup = shim && isOwned(shim) ? lockoutCleanup(shim, parent, kernel) : [];
    return { ...conflict(desired, blocked), actions: cleanup };
  }
  if (!shim) {
    const recorded = kernel.snapshot.links.some((link) => link.parentIndex === parent.index && setParentPromisc(link));
    const remembered = parent.promisc && memory.promiscSetOn.has(parent.index) && !recorded;
    return converging(base, createActions(desired, parent, remembered));
  }
  const mismatch = firstMismatch(desired, shim, parent, kernel);
  if (mismatch && !isOwned(shim)) {
    return conflict(desired, `'${shim.name}' is a macvlan not created by macvlan-shim and ${mismatch}; delete it or change the config to match`);
  }
  if (mismatch) {
    return converging(base, replaceActions(desired, shim, parent, mismatch, kernel));
  }
  return converging(base, updateActions(desired, shim, parent, kernel));
}

function planWithoutParent(
  desired: DesiredShim,
  shim: LinkState | undefined,
  kernel: SnapshotIndex,
): ShimPlan {
  const base = { shim: desired.name, parent: desired.parent };
  const reason = `parent '${desired.parent}' is not present`;
  if (shim && isOwned(shim) && shim.kind === 'macvlan') {
    // The parent was renamed away: this shim hangs off a device that no
    // longer has the configured name, so it no longer serves the config.
    const old = shim.parentIndex === undefined ? undefined : kernel.linkAt(shim.parentIndex);
    const why = `its parent is now named '${old?.name ?? 'unknown'}', not '${desired.parent}'`;
    const actions: Action[] = [{ kind: 'delete', index: shim.index, reason: why }, ...promiscCleanup(shim, kernel)];
    return { ...base, state: 'waiting-for-parent', reason, actions };
  }
  return { ...base, state: 'waiting-for-parent', reason, actions: [] };
}

function conflict(desired: DesiredShim, reason: string): ShimPlan {
  return { shim: desired.name, parent: desired.parent, state: 'conflict', reason, actions: [] };
}

function converging(base: { shim: string; parent: string }, actions: Action[]): ShimPlan {
  return { ...base, state: actions.length === 0 ? 'ready' : 'converging', actions };
}

/** Finds the first difference that a change in place cannot fix, with both values. */
function firstMismatch(
  desired: DesiredShim,
  shim: LinkState,
  parent: LinkState,
  kernel: SnapshotIndex,
): string | undefined {
  if (shim.parentIndex !== parent.index) {
    const actual = shim.parentIndex === undefined ? undefined : kernel.linkAt(shim.parentIndex);
    return `its parent is '${actual?.name ?? 'unknown'}', not '${parent.name}'`;
  }
  if (shim.macvlanMode !== desired.mode) {
    return `its mode is '${shim.macvlanMode ?? 'unknown'}', not '${desired.mode}'`;
  }
  return undefined;
}

/**
 * Deletes an own shim that a change in place cannot fix and creates it
 * anew. On the same parent the "parent promisc set" mark carries over. On
 * another parent the old one's promiscuous mode is handed over or undone,
 * as if the shim had been removed.
 */
function replaceActions(
  desired: DesiredShim,
  shim: LinkState,
  parent: LinkState,
  mismatch: string,
  kernel: SnapshotIndex,
): Action[] {
  const replace: Action = { kind: 'delete', index: shim.index, reason: mismatch };
  const mark = readMark(shim);
  if (shim.parentIndex === parent.index) {
    return [replace, ...createActions(desired, parent, mark.promiscSet)];
  }
  return [replace, ...promiscCleanup(shim, kernel), ...createActions(desired, parent)];
}

/** Undoes or hands over the "parent promisc set" record of a shim being deleted. */
function promiscCleanup(shim: LinkState, kernel: SnapshotIndex): Action[] {
  if (!readMark(shim).promiscSet) return [];
  const handOver = handOverPromisc(shim, new Set([shim.index]), kernel);
  const actions: Action[] = [];
  if (handOver.promiscOff) {
    actions.push({ kind: 'set-parent-promisc', parent: handOver.promiscOff.name, parentIndex: handOver.promiscOff.index, on: false });
  }
  if (handOver.markHeir) {
    const { link, alias } = handOver.markHeir;
    actions.push({ kind: 'remark', index: link.index, name: link.name, alias });
  }
  return actions;
}

/** `promiscSet` carries the "we set the parent promiscuous" mark over a replacement. */
function createActions(desired: DesiredShim, parent: LinkState, promiscSet = false): Action[] {
  const promisc = desired.promisc && !parent.promisc;
  return [
    {
      kind: 'create',
      parent: parent.name,
      parentIndex: parent.index,
      mode: desired.mode,
      mac: desired.createMac,
      mtu: desired.mtu,
    },
    { kind: 'mark', alias: ownerAlias({ promiscSet: promisc || promiscSet, adopted: false }), adopt: false, configure: true },
    ...(promisc ? [promiscAction(parent)] : []),
    // Addresses go on before the link comes up, so the gratuitous ARP and
    // unsolicited neighbour advertisements sent on link-up announce them.
    ...desired.addresses.map((address): Action => ({ kind: 'add-address', address })),
    { kind: 'set-up' },
    // The kernel refuses a route through a device that is down.
    ...desired.routes.map((route): Action => ({ kind: 'add-route', route })),
  ];
}

function updateActions(
  desired: DesiredShim,
  shim: LinkState,
  parent: LinkState,
  kernel: SnapshotIndex,
): Action[] {
  const actions: Action[] = [];
  const promisc = desired.promisc && !parent.promisc;
  const adopt = !isOwned(shim);
  const mark = readMark(shim);
  const configure = adopt || settingsDrifted(shim);
  if (configure || (promisc && !mark.promiscSet)) {
    const alias = ownerAlias({ promiscSet: promisc || mark.promiscSet, adopted: adopt || mark.adopted });
    actions.push({ kind: 'mark', alias, adopt, configure });
  }
  if (promisc) actions.push(promiscAction(parent));
  // Without `mtu:` the shim follows its parent, as a new macvlan does.
  const mtu = desired.mtu ?? parent.mtu;
  if (mtu > 0 && shim.mtu !== mtu) {
    actions.push({ kind: 'set-mtu', mtu });
  }
  const mac = expectedMac(desired, shim);
  if (mac !== undefined && shim.mac !== mac) {
    actions.push({ kind: 'set-mac', mac });
  }
  if (!shim.up) actions.push({ kind: 'set-up' });
  actions.push(...addressActions(desired, kernel.addresses(shim.index)));
  actions.push(...routeActions(desired, kernel.routes(shim.index)));
  return sortAddsBeforeDeletes(actions);
}

/**
 * Tells whether the shim's sysctls differ from what the daemon sets. The
 * kernel resets the IPv6 ones to the defaults (accept_ra=1) when the MTU
 * drops below 1280 and rises again, so they are checked on every pass.
 */
function settingsDrifted(shim: LinkState): boolean {
  const conf = shim.conf;
  if (!conf) return false;
  const ipv4 = conf.arpNotify !== undefined && (conf.arpNotify !== 1 || conf.promoteSecondaries !== 1);
  const ipv6 = conf.acceptRa !== undefined && (conf.acceptRa !== 0 || conf.autoconf !== 0 || conf.ndiscNotify !== 1);
  return ipv4 || ipv6;
}

function promiscAction(parent: LinkState): Action {
  return { kind: 'set-parent-promisc', parent: parent.name, parentIndex: parent.index, on: true };
}

/**
 * The MAC a live shim must have: the configured one, else the derived one
 * on shims the daemon created. Adopted shims keep theirs, because changing
 * it would disturb the neighbours' caches for no gain.
 */
function expectedMac(desired: DesiredShim, shim: LinkState): string | undefined {
  if (desired.mac !== undefined) return desired.mac;
  if (!isOwned(shim) || readMark(shim).adopted) return undefined;
  return desired.createMac;
}

function addressActions(desired: DesiredShim, present: AddressState[]): Action[] {
  const configured = present.filter(isConfigurable);
  const actions: Action[] = [];
  for (const address of desired.addresses) {
    if (!configured.some((item) => sameAddress(item, address))) {
      actions.push({ kind: 'add-address', address });
    }
  }
  for (const item of configured) {
    if (!desired.addresses.some((address) => sameAddress(item, address))) {
      actions.push({ kind: 'delete-address', address: toPrefix(item.family, item.address, item.prefixLength) });
    }
  }
  return actions;
}


function routeActions(desired: DesiredShim, present: RouteState[]): Action[] {
  const actions: Action[] = [];
  for (const route of desired.routes) {
    if (!present.some((item) => sameDestination(item, route))) {
      actions.push({ kind: 'add-route', route });
    }
  }
  for (const item of present) {
    const ours = item.protocol === RTPROT_MACVLAN_SHIM;
    if (ours && !desired.routes.some((route) => sameDestination(item, route))) {
      actions.push({ kind: 'delete-route', route: toPrefix(item.family, item.destination, item.prefixLength) });
    }
  }
  return actions;
}

/** Adds run first so that a changed address or route never leaves a gap. */
function sortAddsBeforeDeletes(actions: Action[]): Action[] {
  const isDelete = (action: Action) => action.kind === 'delete-address' || action.kind === 'delete-route';
  return [...actions.filter((action) => !isDelete(action)), ...actions.filter(isDelete)];
}
