import type { Logger } from '../log';
import type { Action } from './actions';
import { FightDetector } from './fights';
import { formatSeconds, WakeTimers } from './timers';

/**
 * Holds back restores of an address or route that something else keeps
 * removing, and wakes the loop when a hold ends. Other actions pass through.
 */
export class RestoreGuard {
  private readonly fights = new FightDetector();

  constructor(private readonly timers: WakeTimers) {}

  /** Drops the restores that are on hold. */
  filter(shim: string, actions: Action[]): Action[] {
    return actions.filter((action) => {
      const key = restoreKey(shim, action);
      const until = key === undefined ? undefined : this.fights.heldUntil(key);
      if (until === undefined) return true;
      this.timers.set(`hold ${key}`, Math.max(0, until - Date.now()) + 1);
      return false;
    });
  }

  /** Counts restores just applied; warns once per back-off step. */
  record(log: Logger, shim: string, actions: Action[]): void {
    for (const action of actions) {
      const key = restoreKey(shim, action);
      const hold = key === undefined ? undefined : this.fights.recordRestore(key);
      if (!key || !hold) continue;
      const resource = key.slice(shim.length + 1);
      log.warn(
        { resource, step: hold.step },
        `${resource} keeps being removed by something else; next restore in ${formatSeconds(hold.delayMs)} (back-off step ${hold.step})`,
      );
      this.timers.set(`hold ${key}`, hold.delayMs + 1);
    }
  }
}

/** Names the address or route an action restores; other actions are never held. */
function restoreKey(shim: string, action: Action): string | undefined {
  if (action.kind === 'add-address') return `${shim} address ${action.address.text}`;
  if (action.kind === 'add-route') return `${shim} route ${action.route.text}`;
  return undefined;
}
