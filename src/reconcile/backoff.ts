export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const RETRY_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 60_000 };

/** Delay before retry number `attempt` (1-based): doubling, capped at maxMs. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(exponent, 30));
}
