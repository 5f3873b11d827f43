import type { Logger } from '../log';
import type { NetlinkClient } from '../netlink/client';
import { isBusy, isPermission, NetlinkError } from '../netlink/errors';
import type { KernelEvent } from '../netlink/events';
import { isWireless } from '../netlink/sysfs';
import type { Action } from './actions';
import { applyActions } from './apply';
import { backoffDelay, RETRY_BACKOFF } from './backoff';
import { DesiredShim, shimFingerprint } from './desired';
import { KernelView } from './observe';
import { isOwned, setParentPromisc } from './ownership';
import { planShim } from './plan';
import { wirelessWarning } from './preflight';
import { applyRemoval, planRemovals } from './remove';
import { ERRNO_HINTS, logTransition, reportApplied } from './report';
import { RestoreGuard } from './restore-guard';
import { SnapshotIndex } from './snapshot-index';
import { outcome, ShimStatus } from './status';
import { formatSeconds, WakeTimers } from './timers';
import { Watchlist } from './watchlist';

/** Retry name for the kernel dump itself; no shim can be named this (it has spaces). */
const DUMP = 'kernel dump';

export interface ReconcilerOptions {
  client: NetlinkClient;
  log: Logger;
  /** Called once when the daemon cannot go on, such as without CAP_NET_ADMIN. */
  onFatal: (error: Error) => void;
  /** Called after each pass in which any shim changed state. */
  onStatusChange: (statuses: ShimStatus[]) => void;
}

/**
 * The reconcile loop. Every pass plans each shim against the kernel view
 * (kept current from events, refreshed by dumps where events cannot keep
 * it current) and applies the plan. Passes never overlap: events that
 * arrive during a pass set a flag, and one more pass follows, so a burst of
 * events costs at most two passes.
 */
export class Reconciler {
  private desired: DesiredShim[] = [];
  private toRemove: string[] = [];
  private readonly statuses = new Map<string, ShimStatus>();
  private readonly seen = new Set<string>();
  /** The parent ifindex each shim's Wi-Fi check last ran for; sysfs is read once per parent device. */
  private readonly wirelessChecked = new Map<string, number>();
  /** Shims whose settings changed since their last pass: additions are not restores. */
  private readonly reconfigured = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly timers = new WakeTimers(() => this.request());
  private readonly restores = new RestoreGuard(this.timers);
  private readonly watchlist = new Watchlist();
  private readonly view = new KernelView();
  private readonly promiscSetOn = new Set<number>();
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
      if (previous.get(shim.name) === shimFingerprint(shim)) continue;
      this.clearRetry(shim.name);
      this.reconfigured.add(shim.name);
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

  /** Keeps the kernel view current and starts a pass when the event concerns a shim. */
  handleEvent(event: KernelEvent): void {
    this.view.apply(event);
    if (this.watchlist.matches(event)) {
      this.options.log.debug({ event }, 'kernel event');
      this.request();
    }
  }

  /** Forgets the kernel view, so the next pass starts from a full dump. */
  resync(): void {
    this.view.markStale();
    this.request();
  }

  /** Resolves once no pass is running; used by the watchdog and on stop. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearAll();
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
      // Let the event socket's pending notifications reach the view before
      // the next pass plans on it.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async pass(): Promise<void> {
    const before = JSON.stringify(this.statusList());
    let kernel: SnapshotIndex;
    try {
      kernel = await this.observe();
      this.clearRetry(DUMP);
    } catch (error) {
      const delay = this.scheduleRetry(DUMP, (this.attempts.get(DUMP) ?? 0) + 1);
      this.options.log.warn({ err: error }, `reading links, addresses and routes failed; retrying in ${formatSeconds(delay)}`);
      return;
    }
    this.collectOrphans(kernel);
    this.watchlist.update(this.desired, this.toRemove, kernel);
    this.rememberPromisc(kernel);
    await this.removeDropped(kernel);
    // Shims are independent, and their requests share one socket that the
    // kernel serves in order, so they are applied side by side.
    await Promise.all(this.desired.map((shim) => this.reconcileShim(shim, kernel)));
    if (JSON.stringify(this.statusList()) !== before) {
      this.options.onStatusChange(this.statusList());
    }
  }

  /**
   * Queues for removal every macvlan marked as ours whose name the config no
   * longer lists: shims dropped from the config while the daemon was down,
   * and shims renamed by hand. The mark on the link is the only record, so
   * nothing on disk can go stale.
   */
  private collectOrphans(kernel: SnapshotIndex): void {
    const expected = new Set([...this.desired.map((shim) => shim.name), ...this.toRemove]);
    for (const link of kernel.snapshot.links) {
      if (link.kind === 'macvlan' && isOwned(link) && !expected.has(link.name)) {
        this.toRemove.push(link.name);
      }
    }
  }

  /** Notes the parents whose promiscuous mode one of our shims records setting. */
  private rememberPromisc(kernel: SnapshotIndex): void {
    for (const link of kernel.snapshot.links) {
      if (link.parentIndex !== undefined && setParentPromisc(link)) this.promiscSetOn.add(link.parentIndex);
    }
    for (const index of this.promiscSetOn) {
      const parent = kernel.linkAt(index);
      if (!parent || !parent.promisc) this.promiscSetOn.delete(index);
    }
  }

  /**
   * Returns the kernel view, dumping the parts that notifications could not
   * keep current. A pass that wrote to the kernel marks the view stale, so
   * the pass after it checks the result against a fresh dump.
   */
  private async observe(): Promise<SnapshotIndex> {
    const stale = this.view.stale();
    if (stale.links || stale.addresses || stale.routes) {
      this.view.replace(await this.options.client.dumpParts(stale));
    }
    return this.view.index();
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
      this.view.markStale();
      try {
        await applyRemoval(this.options.client, removal, log);
      } catch (error) {
        this.toRemove.push(removal.shim);
        this.handleFailure(removal.shim, log, error);
      }
    }
  }

  private async reconcileShim(desired: DesiredShim, kernel: SnapshotIndex): Promise<void> {
    // A shim waiting out a retry back-off is left alone, even when the
    // events of its own partial changes start a pass, so the announced
    // delay is kept.
    if (this.timers.has(`retry ${desired.name}`)) return;

    const log = this.options.log.child({ shim: desired.name, parent: desired.parent });
    const plan = planShim(desired, kernel, { promiscSetOn: this.promiscSetOn });
    this.warnWireless(log, desired, kernel);

    const previous = this.statuses.get(desired.name);
    const restoring = previous?.state === 'ready' && !this.reconfigured.has(desired.name);
    const context = { recreated: this.seen.has(desired.name), restoring };
    this.reconfigured.delete(desired.name);

    const actions = this.restores.filter(desired.name, plan.actions);
    const applied: Action[] = [];
    if (actions.length > 0) {
      log.debug({ actions }, 'plan');
      this.view.markStale();
    }

    try {
      const target = { name: desired.name, index: kernel.link(desired.name)?.index };
      const index = await applyActions(this.options.client, target, actions, (action) => applied.push(action));
      if (index !== undefined) this.watchlist.addIndex(index);
      reportApplied(log, applied, { index, ...context });
      if (context.restoring) this.restores.record(log, desired.name, actions);
      this.clearRetry(desired.name);
      this.transition(log, { shim: desired.name, parent: desired.parent, index, ...outcome(plan, actions) });
    } catch (error) {
      reportApplied(log, applied, { index: kernel.link(desired.name)?.index, ...context });
      const status = this.handleFailure(desired.name, log, error);
      this.transition(log, { shim: desired.name, parent: desired.parent, ...status });
    }
  }

  /**
   * Warns once per parent device: macvlan frames from extra MACs do not pass
   * most Wi-Fi links, so the shim is created but will likely not work.
   */
  private warnWireless(log: Logger, desired: DesiredShim, kernel: SnapshotIndex): void {
    const parent = kernel.link(desired.parent);
    if (!parent || this.wirelessChecked.get(desired.name) === parent.index) return;
    this.wirelessChecked.set(desired.name, parent.index);
    if (!isWireless(parent.name)) return;
    log.warn(wirelessWarning(parent.name));
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
      log.error({ err: error }, 'the kernel rejected the shim with EBUSY; waiting for the parent to change');
      return { state: 'conflict', reason: `${(error as Error).message}` };
    }
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    const delay = this.scheduleRetry(name, attempt);
    const hint = ERRNO_HINTS[errno];
    const message = `${(error as Error).message}${hint ? ` (${hint})` : ''}`;
    log.warn({ errno, attempt }, `${message}; retrying in ${formatSeconds(delay)}`);
    return { state: 'failed', reason: message };
  }

  private scheduleRetry(name: string, attempt: number): number {
    const delay = backoffDelay(RETRY_BACKOFF, attempt);
    this.attempts.set(name, attempt);
    this.timers.set(`retry ${name}`, delay);
    return delay;
  }

  private clearRetry(name: string): void {
    this.attempts.delete(name);
    this.timers.clear(`retry ${name}`);
  }

  private transition(log: Logger, next: ShimStatus): void {
    const previous = this.statuses.get(next.shim);
    this.statuses.set(next.shim, next);
    if (next.state === 'ready') this.seen.add(next.shim);
    if (previous?.state === next.state && previous.reason === next.reason) return;
    logTransition(log, previous, next);
  }
}
