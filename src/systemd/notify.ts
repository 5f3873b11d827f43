/**
 * sd_notify(3) messages to the service manager. Without NOTIFY_SOCKET every
 * call is a no-op, so the daemon runs the same way outside systemd.
 */
export interface Notifier {
  ready(status: string): void;
  status(status: string): void;
  reloading(): void;
  stopping(): void;
  watchdog(): void;
  /** WATCHDOG_USEC in milliseconds when systemd expects pings for this process, else 0. */
  watchdogIntervalMs(): number;
}

interface SdNotifyBinding {
  sendState(state: string): void;
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env): Notifier {
  if (!env.NOTIFY_SOCKET) {
    return silentNotifier;
  }
  // Loaded only when needed: the native addon sends from the main process,
  // which is what NotifyAccess=main accepts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binding = require('sd-notify') as SdNotifyBinding;
  const send = (state: string) => binding.sendState(state);
  return {
    ready: (status) => send(`READY=1\nSTATUS=${oneLine(status)}\n`),
    status: (status) => send(`STATUS=${oneLine(status)}\n`),
    reloading: () => send(`RELOADING=1\nMONOTONIC_USEC=${monotonicMicros()}\n`),
    stopping: () => send('STOPPING=1\n'),
    watchdog: () => send('WATCHDOG=1\n'),
    watchdogIntervalMs: () => watchdogMs(env),
  };
}

const silentNotifier: Notifier = {
  ready: () => undefined,
  status: () => undefined,
  reloading: () => undefined,
  stopping: () => undefined,
  watchdog: () => undefined,
  watchdogIntervalMs: () => 0,
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}

/**
 * CLOCK_MONOTONIC in microseconds. process.hrtime reads the same clock on
 * Linux, which is what systemd compares RELOADING=1 against.
 */
function monotonicMicros(): string {
  return (process.hrtime.bigint() / 1000n).toString();
}

/** Honours WATCHDOG_PID the way sd_watchdog_enabled(3) does. */
function watchdogMs(env: NodeJS.ProcessEnv): number {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return 0;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return 0;
  return Math.floor(usec / 1000);
}
