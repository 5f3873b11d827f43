import type { Logger } from '../log';
import type { Action } from './actions';
import type { ShimStatus } from './status';

/**
 * Logs what a pass changed on one shim. A creation is one info line. Drift
 * repaired on an existing shim is one info line per repair, because each
 * shows that something else changed the kernel behind the daemon's back.
 */
export interface ApplyContext {
  index?: number;
  /** The daemon had this shim before in this run, so a creation is a recreation. */
  recreated: boolean;
  /** The shim was ready before this pass, so additions restore what was removed. */
  restoring: boolean;
}

export function reportApplied(log: Logger, actions: Action[], context: ApplyContext): void {
  const { index, recreated, restoring } = context;
  if (actions.length === 0) return;
  const create = actions.find((action) => action.kind === 'create');
  if (create) {
    const replaced = actions.find((action) => action.kind === 'delete');
    const message = replaced ? 'replaced macvlan shim' : recreated ? 'recreated macvlan shim' : 'created macvlan shim';
    log.info({ index, mode: create.mode, mac: create.mac, reason: replaced?.kind === 'delete' ? replaced.reason : undefined }, message);
    return;
  }
  for (const action of actions) {
    reportRepair(log, action, restoring ? 'restored' : 'added');
  }
}

function reportRepair(log: Logger, action: Action, verb: string): void {
  switch (action.kind) {
    case 'delete':
      return log.info({ reason: action.reason }, 'deleted shim');
    case 'mark':
      if (action.adopt) return log.info('adopted existing macvlan as shim');
      if (action.configure) return log.info('re-applied the shim sysctls (arp_notify, promote_secondaries, accept_ra, autoconf, ndisc_notify) that had changed');
      return log.debug({ alias: action.alias }, 'updated ownership mark');
    case 'set-parent-promisc':
      return log.info({ parent: action.parent }, action.on ? 'set parent promiscuous' : 'turned parent promiscuous mode off again');
    case 'remark':
      return log.info({ heir: action.name }, 'moved the parent-promisc mark to another shim on the same parent');
    case 'set-up':
      return log.info('brought shim up');
    case 'set-mtu':
      return log.info({ mtu: action.mtu }, 'set shim mtu');
    case 'set-mac':
      return log.info({ mac: action.mac }, 'set shim mac');
    case 'add-address':
      return log.info({ address: action.address.text }, `${verb} address`);
    case 'delete-address':
      return log.info({ address: action.address.text }, 'removed address not in the config');
    case 'add-route':
      return log.info({ route: action.route.text }, `${verb} route`);
    case 'delete-route':
      return log.info({ route: action.route.text }, 'removed route not in the config');
    case 'create':
      return;
  }
}

/** Hints for the retry warning: the usual meaning of an errno for a shim. */
export const ERRNO_HINTS: Record<string, string> = {
  EADDRINUSE: 'another interface on the same parent already uses this MAC; give the shim a different mac:',
  EINVAL: 'the kernel rejected a setting, such as passthru mode on a parent that already has macvlans',
  ENETDOWN: 'the shim went down while the daemon was changing it',
  ETIMEDOUT: 'no reply from the kernel in time',
};

export function logTransition(log: Logger, previous: ShimStatus | undefined, next: ShimStatus): void {
  switch (next.state) {
    case 'waiting-for-parent':
      return log.warn({ state: next.state }, `parent '${next.parent}' is not present; the shim will be created when it appears`);
    case 'conflict':
      return log.error({ state: next.state }, `${next.reason ?? 'conflict'}; leaving it alone until it changes`);
    case 'ready':
      if (previous?.state === 'waiting-for-parent') {
        log.info(`parent '${next.parent}' is back`);
      }
      return log.info({ state: next.state, index: next.index }, 'shim ready');
    case 'failed':
    case 'converging':
      return;
  }
}
