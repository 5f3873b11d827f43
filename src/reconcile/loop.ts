import type { Logger } from '../log';
import type { NetlinkClient } from '../netlink/client';
import { isBusy, isPermission, NetlinkError } from '../netlink/errors';
import type { KernelEvent } from '../netlink/events';
import type { Action, ShimState } from './actions';
import { applyActions } from './apply';
import { backoffDelay, RETRY_BACKOFF } from './backoff';
import { DesiredShim, shimFingerprint } from './desired';
import { FightDetector } from './fights';
import { planShim } from './plan';
import { planRemovals } from './remove';
import { reportApplied } from './report';
import { SnapshotIndex } from './snapshot-index';
import type { ShimStatus } from './status';
import { Watchlist } from './watchlist';

export interface ReconcilerOptions {
  client: NetlinkClient;
  log: Logger;
  /** Called once when the daemon cannot go on, such as without CAP_NET_ADMIN. */
  onFatal: (error: Error) => void;
  /** Called after each pass in which any shim changed state. */
  onStatusChange: (statuses: ShimStatus[]) => void;
}

/**
 * The reconcile loop. Every pass dumps links, addresses and routes, plans
 * each shim against that dump and applies the plan. Passes never overlap:
 * events that arrive during a pass set a flag, and one more pass follows, so
 * a burst of events costs at most two passes.
 */
export class Reconciler {
  private desired: DesiredShim[] = [];
  private toRemove: string[] = [];
  private readonly statuses = new Map<string, ShimStatus>();
  private readonly seen = new Set<string>();
  private readonly retries = new Map<string, { attempt: number; timer: NodeJS.Timeout }>();
  private readonly watchlist = new Watchlist();
  private readonly fights = new FightDetector();
  private readonly holdTimers = new Map<number, NodeJS.Timeout>();
  private pending = false;
  private scheduled = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * Replaces the desired shims and converges. Shims whose settings did not
   * change keep their state and see no kernel writes unless they drifted.
   */
  async setDesired(next: DesiredShim[]): Promise<void> {
    const nextNames = new Set(next.map((shim) => shim.name));
    const previous = new Map(this.desired.map((shim) => [shim.name, shimFingerprint(shim)]));
    for (const shim of this.desired) {
      if (!nextNames.has(shim.name)) this.toRemove.push(shim.name);
    }
    for (const shim of next) {
      if (previous.get(shim.name) !== shimFingerprint(shim)) this.clearRetry(shim.name);
    }
    for (const name of this.statuses.keys()) {
      if (!nextNames.has(name)) this.statuses.delete(name);
    }
    this.desired = next;
    await this.converge();
  }

  /** Runs passes until the kernel matches; resolves when no pass is pending. */
  converge(): Promise<void> {
    this.pending = true;
    return this.drain();
  }

  /** Schedules a pass for the next turn of the event loop, coalescing bursts. */
  request(): void {
    this.pending = true;
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  handleEvent(event: KernelEvent): void {
    if (this.watchlist.matches(event)) {
      this.options.log.debug({ event }, 'kernel event');
      this.request();
    }
  }

  /** Resolves once no pass is running; used by the watchdog and on stop. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    for (const name of [...this.retries.keys()]) this.clearRetry(name);
    for (const timer of this.holdTimers.values()) clearTimeout(timer);
    this.holdTimers.clear();
  }

  statusList(): ShimStatus[] {
    return this.desired.map(
      (shim) => this.statuses.get(shim.name) ?? { shim: shim.name, parent: shim.parent, state: 'converging' },
    );
  }

  private drain(): Promise<void> {
    this.running ??= this.runPasses().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runPasses(): Promise<void> {
    while (this.pending && !this.stopped) {
      this.pending = false;
      await this.pass();
    }
  }

  private async pass(): Promise<void> {
    const before = JSON.stringify(this.statusList());
    let kernel: SnapshotIndex;
    try {
      kernel = new SnapshotIndex(await this.options.client.snapshot());
    } catch (error) {
      this.options.log.warn({ err: error }, 'reading links, addresses and routes failed; retrying in 1 s');
      this.scheduleRetry('*dump*', 1);
      return;
    }
    this.watchlist.update(this.desired, this.toRemove, kernel);
    await this.removeDropped(kernel);
    for (const shim of this.desired) {
      await this.reconcileShim(shim, kernel);
    }
    if (JSON.stringify(this.statusList()) !== before) {
      this.options.onStatusChange(this.statusList());
    }
  }

  private async removeDropped(kernel: SnapshotIndex): Promise<void> {
    const removals = planRemovals(this.toRemove, kernel);
    this.toRemove = [];
    for (const removal of removals) {
      const log = this.options.log.child({ shim: removal.shim });
      if (removal.skipped) {
        log.info(`shim removed from the config; left in place because ${removal.skipped}`);
        continue;
      }
      try {
        if (removal.link) {
          await this.options.client.deleteLink(removal.link.index, removal.shim);
          log.info('deleted shim removed from the config');
        }
        if (removal.promiscOff) {
          await this.options.client.setPromisc(removal.promiscOff.index, removal.promiscOff.name, false);
          log.info({ parent: removal.promiscOff.name }, 'turned parent promiscuous mode off again');
        }
      } catch (error) {
        this.toRemove.push(removal.shim);
        this.handleFailure(removal.shim, log, error);
      }
    }
  }

  private async reconcileShim(desired: DesiredShim, kernel: SnapshotIndex): Promise<void> {
    const log = this.options.log.child({ shim: desired.name, parent: desired.parent });
    const plan = planShim(desired, kernel);
    const previous = this.statuses.get(desired.name);
    const restoring = previous?.state === 'ready';
    const actions = this.withoutHeld(desired.name, plan.actions);
    if (actions.length > 0) {
      log.debug({ actions }, 'plan');
    }
    try {
      const target = { name: desired.name, index: kernel.link(desired.name)?.index };
      const index = await applyActions(this.options.client, target, actions, () => undefined);
      if (index !== undefined) this.watchlist.addIndex(index);
      if (actions.length > 0) {
        reportApplied(log, actions, { index, recreated: this.seen.has(desired.name), restoring });
      }
      if (restoring) this.recordRestores(log, desired.name, actions);
      const held = actions.length < plan.actions.length;
      const state: ShimState = held ? 'failed' : plan.state === 'converging' ? 'ready' : plan.state;
      const reason = held ? 'restores on hold while something else keeps undoing them' : plan.reason;
      if (state === 'ready') this.seen.add(desired.name);
      this.clearRetry(desired.name);
      this.transition(log, { shim: desired.name, parent: desired.parent, state, reason, index });
    } catch (error) {
      const status = this.handleFailure(desired.name, log, error);
      this.transition(log, { shim: desired.name, parent: desired.parent, ...status });
    }
  }

  /** Drops restores that are on hold because something keeps undoing them. */
  private withoutHeld(shim: string, actions: Action[]): Action[] {
    return actions.filter((action) => {
      const key = restoreKey(shim, action);
      const until = key === undefined ? undefined : this.fights.heldUntil(key);
      if (until === undefined) return true;
      this.wakeAt(until);
      return false;
    });
  }

  private recordRestores(log: Logger, shim: string, actions: Action[]): void {
    for (const action of actions) {
      const key = restoreKey(shim, action);
      const hold = key === undefined ? undefined : this.fights.recordRestore(key);
      if (!hold) continue;
      const resource = action.kind === 'add-address' ? `address ${action.address.text}` : `route ${action.kind === 'add-route' ? action.route.text : ''}`;
      log.warn(
        { resource, step: hold.step },
        `${resource} keeps being removed by something else; next restore in ${formatSeconds(hold.delayMs)} (back-off step ${hold.step})`,
      );
      this.wakeAt(hold.until);
    }
  }

  private wakeAt(until: number): void {
    if (this.holdTimers.has(until)) return;
    const timer = setTimeout(() => {
      this.holdTimers.delete(until);
      this.request();
    }, Math.max(0, until - Date.now()) + 1);
    this.holdTimers.set(until, timer);
  }

  /** Logs a failure once and decides the shim's next state and retry. */
  private handleFailure(name: string, log: Logger, error: unknown): Pick<ShimStatus, 'state' | 'reason'> {
    const errno = error instanceof NetlinkError ? error.errno : 'EUNKNOWN';
    if (isPermission(error)) {
      this.options.onFatal(error as Error);
      return { state: 'failed', reason: errno };
    }
    if (isBusy(error)) {
      // EBUSY means the topology forbids the shim (the parent is enslaved or
      // carries a passthru macvlan): retrying cannot help until it changes.
      log.error({ err: error }, 'the kernel refused the shim as busy; waiting for the parent to change');
      return { state: 'conflict', reason: `${(error as Error).message}` };
    }
    const attempt = (this.retries.get(name)?.attempt ?? 0) + 1;
    const delay = this.scheduleRetry(name, attempt);
    log.warn({ err: error, errno, attempt }, `${(error as Error).message}; retrying in ${formatSeconds(delay)}`);
    return { state: 'failed', reason: (error as Error).message };
  }

  private scheduleRetry(name: string, attempt: number): number {
    this.clearRetry(name);
    const delay = backoffDelay(RETRY_BACKOFF, attempt);
    const timer = setTimeout(() => this.request(), delay);
    this.retries.set(name, { attempt, timer });
    return delay;
  }

  private clearRetry(name: string): void {
    const retry = this.retries.get(name);
    if (retry) clearTimeout(retry.timer);
    this.retries.delete(name);
  }

  private transition(log: Logger, next: ShimStatus): void {
    const previous = this.statuses.get(next.shim);
    this.statuses.set(next.shim, next);
    if (previous?.state === next.state && previous.reason === next.reason) return;
    logTransition(log, previous, next);
  }
}

function logTransition(log: Logger, previous: ShimStatus | undefined, next: ShimStatus): void {
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

/** Names the address or route an action restores; other actions are never held. */
function restoreKey(shim: string, action: Action): string | undefined {
  if (action.kind === 'add-address') return `${shim} address ${action.address.text}`;
  if (action.kind === 'add-route') return `${shim} route ${action.route.text}`;
  return undefined;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
