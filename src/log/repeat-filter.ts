/**
 * Rate-limits identical warnings and errors: within `windowMs` of the first
 * one, the first `burst` copies pass and the rest are dropped and counted.
 * The next copy after the window carries the number that were dropped.
 */
export class RepeatFilter {
  private readonly seen = new Map<string, { at: number; passed: number; suppressed: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly burst = 1,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns undefined to drop the line, else how many copies were dropped before it. */
  admit(key: string): number | undefined {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.windowMs) {
      if (entry.passed < this.burst) {
        entry.passed += 1;
        return 0;
      }
      entry.suppressed += 1;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.seen.set(key, { at: now, passed: 1, suppressed: 0 });
    this.forgetOld(now);
    return suppressed;
  }

  private forgetOld(now: number): void {
    if (this.seen.size < 1000) return;
    for (const [key, entry] of this.seen) {
      if (now - entry.at >= this.windowMs) this.seen.delete(key);
    }
  }
}
