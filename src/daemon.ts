import { formatIssue, loadConfigFile } from './config';
import type { Config, ConfigIssue } from './config/types';
import { createLogger, Logger } from './log';
import { NetlinkClient } from './netlink/client';
import { KernelEvents } from './netlink/events';
import { desiredShims, readMachineId } from './reconcile/desired';
import { Reconciler } from './reconcile/loop';
import { statusLine } from './reconcile/status';
import { createNotifier, Notifier } from './systemd/notify';

/** Milliseconds before an rtnetlink request without a reply counts as failed. */
const REQUEST_TIMEOUT_MS = 5000;

export interface DaemonOptions {
  configPath: string;
}

/**
 * Runs the daemon until SIGTERM or SIGINT. Resolves with the exit code:
 * 0 after a clean stop, 1 when it cannot start or cannot go on.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const log = createLogger('info');
  const notifier = createNotifier();
  const loaded = await loadConfigFile(options.configPath);
  logIssues(log, loaded.issues);
  if (!loaded.config) {
    log.fatal({ config: options.configPath }, 'config is invalid; not starting (run `macvlan-shim check` for details)');
    return 1;
  }
  log.level = loaded.config.log.level;
  return new Daemon(options, log, notifier).start(loaded.config);
}

function logIssues(log: Logger, issues: ConfigIssue[]): void {
  for (const issue of issues) {
    const fields = { code: issue.code, ...(issue.path ? { path: issue.path } : {}) };
    if (issue.severity === 'error') log.error(fields, formatIssue(issue));
    else log.warn(fields, formatIssue(issue));
  }
}

class Daemon {
  private readonly client: NetlinkClient;
  private readonly events: KernelEvents;
  private readonly reconciler: Reconciler;
  private readonly machineId = readMachineId();
  private config!: Config;
  private resyncTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private exit!: (code: number) => void;
  private stopped = false;
  private reloadRejected = false;

  constructor(
    private readonly options: DaemonOptions,
    private readonly log: Logger,
    private readonly notifier: Notifier,
  ) {
    const onSocketError = (error: Error) => this.onSocketError(error);
    this.client = new NetlinkClient({ timeoutMs: REQUEST_TIMEOUT_MS, onSocketError });
    this.events = new KernelEvents();
    this.reconciler = new Reconciler({
      client: this.client,
      log,
      onFatal: (error) => this.fatal(error),
      onStatusChange: () => notifier.status(this.statusText()),
    });
  }

  /** Subscribes before the first dump, so no change falls between the two. */
  async start(config: Config): Promise<number> {
    const exited = new Promise<number>((resolve) => (this.exit = resolve));
    this.events.on('change', (event) => this.reconciler.handleEvent(event));
    this.events.on('overflow', () => this.onOverflow());
    this.events.on('error', (error) => this.onSocketError(error));
    this.installSignals();
    if (!this.machineId) {
      this.log.warn('/etc/machine-id is missing or empty; new shims get a random MAC from the kernel');
    }

    await this.apply(config);
    if (this.stopped) return exited;
    const line = this.statusText();
    this.notifier.ready(line);
    this.log.info({ config: this.options.configPath, status: line }, 'ready');
    this.startWatchdog();
    return exited;
  }

  private async apply(config: Config): Promise<void> {
    this.config = config;
    this.log.level = config.log.level;
    this.log.info({ config: this.options.configPath, shims: config.shims.length }, 'config loaded');
    await this.reconciler.setDesired(desiredShims(config.shims, this.machineId));
    this.scheduleResync();
  }

  private installSignals(): void {
    process.on('SIGHUP', () => {
      this.reloading = this.reloading.then(() => this.reload());
    });
    process.once('SIGTERM', () => void this.stop('SIGTERM'));
    process.once('SIGINT', () => void this.stop('SIGINT'));
  }

  /** Re-reads the config; an invalid file leaves the running state as it was. */
  private async reload(): Promise<void> {
    this.notifier.reloading();
    this.log.info({ config: this.options.configPath }, 'reloading config');
    const loaded = await loadConfigFile(this.options.configPath);
    logIssues(this.log, loaded.issues);
    if (loaded.config) {
      this.reloadRejected = false;
      await this.apply(loaded.config);
      this.log.info('reload applied');
    } else {
      this.reloadRejected = true;
      this.log.error({ config: this.options.configPath }, 'reload rejected: the new config is invalid; keeping the previous config');
    }
    this.notifier.ready(this.statusText());
  }

  /**
   * Returns the STATUS= line. After a rejected reload it notes the rejection
   * until a reload succeeds, because the file on disk would now stop a restart.
   */
  private statusText(): string {
    const line = statusLine(this.reconciler.statusList());
    return this.reloadRejected ? `${line}; last reload rejected: config file invalid` : line;
  }

  private scheduleResync(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    if (this.config.resyncSeconds > 0) {
      this.resyncTimer = setInterval(() => this.reconciler.resync(), this.config.resyncSeconds * 1000);
      this.resyncTimer.unref();
    }
  }

  /**
   * Pings systemd at half WATCHDOG_USEC, but only after the reconcile loop
   * is idle and a netlink request succeeds, so a stuck loop or a dead socket
   * stops the pings and systemd restarts the daemon.
   */
  private startWatchdog(): void {
    const interval = this.notifier.watchdogIntervalMs();
    if (interval <= 0) return;
    this.watchdogTimer = setInterval(() => void this.watchdogCheck(), Math.max(1, Math.floor(interval / 2)));
  }

  private async watchdogCheck(): Promise<void> {
    try {
      await this.reconciler.idle();
      await this.client.linkIndex('lo');
      this.notifier.watchdog();
    } catch (error) {
      this.log.warn({ err: error }, 'watchdog check failed; not pinging systemd');
    }
  }

  private onOverflow(): void {
    this.log.warn('kernel event queue overflowed (ENOBUFS); resyncing from a full dump');
    this.reconciler.resync();
  }

  private onSocketError(error: Error): void {
    this.log.error({ err: error }, 'netlink socket error; resyncing from a full dump');
    this.reconciler.resync();
  }

  private fatal(error: Error): void {
    this.log.fatal({ err: error }, 'missing CAP_NET_ADMIN: the kernel rejected a change with EPERM; run as root or grant CAP_NET_ADMIN');
    this.notifier.status('failed: missing CAP_NET_ADMIN');
    this.shutdown(1);
  }

  private async stop(signal: string): Promise<void> {
    this.notifier.stopping();
    this.log.info({ signal }, 'stopping; shims stay in place');
    this.reconciler.stop();
    await this.reconciler.idle();
    this.shutdown(0);
  }

  private shutdown(code: number): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.reconciler.stop();
    this.events.close();
    this.client.close();
    this.exit(code);
  }
}
