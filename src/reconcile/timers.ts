/**
 * Named one-shot timers that all wake the reconcile loop. Setting a name
 * again replaces its timer, so each shim has at most one pending retry.
 */
export class WakeTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly wake: () => void) {}

  set(name: string, delayMs: number): void {
    this.clear(name);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.wake();
    }, delayMs);
    this.timers.set(name, timer);
  }

  has(name: string): boolean {
    return this.timers.has(name);
  }

  clear(name: string): void {
    const timer = this.timers.get(name);
    if (timer) clearTimeout(timer);
    this.timers.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.timers.keys()]) this.clear(name);
  }
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
