/** First retry waits up to this long; each further one doubles the ceiling. */
export const retryBaseMs = 5_000;
/** No retry waits longer than this (before Retry-After). */
export const retryCapMs = 2.5 * 3_600_000;
/** A receiver's Retry-After is honoured up to this long. */
export const retryAfterCapMs = 6 * 3_600_000;

/** The most the retry after attempt `attempt` (1-based) may wait: base × 2^(attempt-1), capped. */
export function retryCeilingMs(attempt: number, base = retryBaseMs, cap = retryCapMs): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * Exponential backoff with full jitter: a uniform wait between 0 and the ceiling, so receivers coming back are not
 * hit by every sender at once. With the defaults, the 29 waits of 30 attempts average about 24 hours in total.
 */
export function retryDelayMs(
  attempt: number,
  random: () => number = Math.random,
  base = retryBaseMs,
  cap = retryCapMs,
): number {
  return Math.max(100, Math.floor(random() * retryCeilingMs(attempt, base, cap)));
}

/** The expected time from a delivery's first attempt to its last with `maxAttempts` attempts (for the docs). */
export function expectedRetrySpanMs(maxAttempts: number, base = retryBaseMs, cap = retryCapMs): number {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt += 1) total += retryCeilingMs(attempt, base, cap) / 2;
  return total;
}
