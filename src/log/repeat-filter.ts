/**
 * Suppresses a warning or error identical to one logged less than
 * `windowMs` ago, and counts it. The next identical line after the window
 * carries the number of copies that were suppressed.
 */
export class RepeatFilter {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns undefined to drop the line, else how many copies were dropped before it. */
  admit(key: string): number | undefined {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.windowMs) {
      entry.suppressed += 1;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.seen.set(key, { at: now, suppressed: 0 });
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
