import type { NetlinkClient } from '../netlink/client';
import { isExists, isNotFound } from '../netlink/errors';
import { configureShimIpv6 } from '../netlink/ipv6-conf';
import type { Action } from './actions';

/** The shim an apply step changes. */
export interface ApplyTarget {
  name: string;
  /** ifindex of the shim, or undefined when it does not exist yet. */
  index?: number;
}

/** Called after each action that changed the kernel, for logging. */
export type ActionListener = (action: Action) => void;

/**
 * Runs a shim's actions in order and returns the shim's ifindex afterwards.
 * Adding what already exists and deleting what is already gone count as
 * success, because another writer may have got there first. The first other
 * failure is thrown as a NetlinkError and stops the remaining actions.
 */
export async function applyActions(
  client: NetlinkClient,
  target: ApplyTarget,
  actions: Action[],
  onApplied: ActionListener,
): Promise<number | undefined> {
  let index = target.index;
  for (const batch of batches(actions)) {
    if (batch.length === 1) {
      index = await applyOne(client, target.name, index, batch[0]);
      onApplied(batch[0]);
      continue;
    }
    const shimIndex = index;
    await settleAll(batch.map((action) => applyOne(client, target.name, shimIndex, action).then(() => onApplied(action))));
  }
  return index;
}

/**
 * Groups neighbouring actions that do not depend on each other, so they go
 * to the kernel back to back instead of one per round trip. Marking the
 * shim, setting the parent promiscuous and adding addresses form one group;
 * route additions, address removals and route removals each group with
 * their own kind. Every other action is a batch of its own, so a removal
 * never overtakes the addition the plan put before it.
 */
function batches(actions: Action[]): Action[][] {
  const result: Action[][] = [];
  for (const action of actions) {
    const last = result.at(-1);
    const group = BATCH_GROUP[action.kind];
    if (last && group !== undefined && BATCH_GROUP[last[0].kind] === group) {
      last.push(action);
    } else {
      result.push([action]);
    }
  }
  return result;
}

const BATCH_GROUP: Partial<Record<Action['kind'], string>> = {
  mark: 'prepare',
  'set-parent-promisc': 'prepare',
  'add-address': 'prepare',
  'add-route': 'add-route',
  'delete-address': 'delete-address',
  'delete-route': 'delete-route',
};

/** Waits for every request, then throws the first failure, if any. */
async function settleAll(requests: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(requests);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

async function applyOne(
  client: NetlinkClient,
  name: string,
  index: number | undefined,
  action: Action,
): Promise<number | undefined> {
  switch (action.kind) {
    case 'create':
      return (await client.createMacvlan({ name, ...action })) ?? client.linkIndex(name);
    case 'delete':
      await tolerate(isNotFound, client.deleteLink(action.index, name));
      return action.index === index ? undefined : index;
    case 'set-parent-promisc':
      await client.setPromisc(action.parentIndex, action.parent, action.on);
      return index;
    case 'remark':
      await client.setAlias(action.index, action.name, action.alias);
      return index;
    default:
      await applyToShim(client, name, requireIndex(name, index), action);
      return index;
  }
}

async function applyToShim(client: NetlinkClient, name: string, index: number, action: Action): Promise<void> {
  switch (action.kind) {
    case 'mark':
      if (!action.configure) return client.setAlias(index, name, action.alias);
      await client.setAliasAndArpNotify(index, name, action.alias);
      return configureShimIpv6(name);
    case 'set-mtu':
      return client.setMtu(index, name, action.mtu);
    case 'set-mac':
      return client.setMac(index, name, action.mac);
    case 'set-up':
      return client.setUp(index, name);
    case 'add-address':
      return tolerate(isExists, client.addAddress(addressSpec(index, action.address), name));
    case 'delete-address':
      return tolerate(isNotFound, client.deleteAddress(addressSpec(index, action.address), name));
    case 'add-route':
      return tolerate(isExists, client.addRoute(routeSpec(index, action.route), name));
    case 'delete-route':
      return tolerate(isNotFound, client.deleteRoute(routeSpec(index, action.route), name));
    case 'create':
    case 'delete':
    case 'set-parent-promisc':
    case 'remark':
      throw new TypeError(`action ${action.kind} does not act on an existing shim`);
  }
}

function requireIndex(name: string, index: number | undefined): number {
  if (index === undefined) {
    throw new TypeError(`shim '${name}' has no ifindex; the plan must create it first`);
  }
  return index;
}

async function tolerate(accept: (error: unknown) => boolean, request: Promise<void>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!accept(error)) throw error;
  }
}

function addressSpec(index: number, prefix: { family: 4 | 6; address: string; prefixLength: number }) {
  return { index, family: prefix.family, address: prefix.address, prefixLength: prefix.prefixLength };
}

function routeSpec(index: number, prefix: { family: 4 | 6; address: string; prefixLength: number }) {
  return { index, family: prefix.family, destination: prefix.address, prefixLength: prefix.prefixLength };
}
