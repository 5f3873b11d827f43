import { backoffDelay, BackoffPolicy } from './backoff';

export interface FightPolicy {
  /** Restores of one resource within `windowMs` that count as a fight. */
  threshold: number;
  windowMs: number;
  backoff: BackoffPolicy;
}

export const FIGHT_POLICY: FightPolicy = {
  threshold: 3,
  windowMs: 10_000,
  backoff: { initialMs: 1000, maxMs: 300_000 },
};

/** A resource the daemon holds off restoring, and until when. */
export interface Hold {
  step: number;
  delayMs: number;
  until: number;
}

interface Record_ {
  restores: number[];
  step: number;
  until: number;
}

/**
 * Notices when something else keeps removing what the daemon restores (an
 * address, a route, the shim itself) and spaces out the restores with an
 * exponential back-off instead of fighting in a tight loop. A resource left
 * alone for a window after its hold ends starts again from step zero.
 */
export class FightDetector {
  private readonly records = new Map<string, Record_>();

  constructor(
    private readonly policy: FightPolicy = FIGHT_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns when the hold on `key` ends, or undefined when it may be restored now. */
  heldUntil(key: string): number | undefined {
    const record = this.records.get(key);
    return record && record.until > this.now() ? record.until : undefined;
  }

  /** Records one restore; returns a new hold when restores came too often. */
  recordRestore(key: string): Hold | undefined {
    const now = this.now();
    const record = this.records.get(key) ?? { restores: [], step: 0, until: 0 };
    if (record.step > 0 && now - record.until > this.policy.windowMs) {
      record.step = 0;
    }
    record.restores = [...record.restores.filter((at) => now - at < this.policy.windowMs), now];
    this.records.set(key, record);
    if (record.restores.length < this.policy.threshold) {
      return undefined;
    }
    record.step += 1;
    record.restores = [];
    const delayMs = backoffDelay(this.policy.backoff, record.step);
    record.until = now + delayMs;
    return { step: record.step, delayMs, until: record.until };
  }

  forget(prefix: string): void {
    for (const key of this.records.keys()) {
      if (key.startsWith(prefix)) this.records.delete(key);
    }
  }
}
