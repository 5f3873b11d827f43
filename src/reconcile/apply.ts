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
 * Runs a shim's actions and returns the shim's ifindex afterwards. All
 * requests go over one netlink socket, and the kernel handles a socket's
 * requests one at a time in the order they were sent, so the order of the
 * plan is kept without waiting for each reply: only a creation is awaited,
 * because the actions after it need the new ifindex. Adding what already
 * exists and deleting what is already gone count as success, because
 * another writer may have got there first. The first other failure, in
 * plan order, is thrown as a NetlinkError after every request has settled.
 */
export async function applyActions(
  client: NetlinkClient,
  target: ApplyTarget,
  actions: Action[],
  onApplied: ActionListener,
): Promise<number | undefined> {
  let index = target.index;
  const inFlight: Promise<void>[] = [];
  for (const action of actions) {
    if (action.kind === 'create') {
      await settleAll(inFlight.splice(0));
      index = await applyOne(client, target.name, index, action);
      onApplied(action);
      continue;
    }
    const shimIndex = index;
    inFlight.push(applyOne(client, target.name, shimIndex, action).then(() => onApplied(action)));
    if (action.kind === 'delete' && action.index === index) index = undefined;
  }
  await settleAll(inFlight);
  return index;
}

/** Waits for every request, then throws the first failure in send order, if any. */
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
      // Written before the request is sent, so the settings are in place
      // before the link-up that the next requests bring.
      configureShimIpv6(name);
      return client.setAliasAndIpv4Settings(index, name, action.alias);
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
