'use strict';

/**
 * Returns the p-th percentile (0 < p <= 100) of sorted values by the
 * nearest-rank method: the smallest value with at least p % of the samples at
 * or below it. With 200 samples, p99 is the 198th smallest.
 */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Summarizes samples as { n, min, median, p90, p99, max, mean }. */
function summarize(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? NaN : sorted.reduce((sum, v) => sum + v, 0) / n;

  return {
    n,
    min: n === 0 ? NaN : sorted[0],
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n === 0 ? NaN : sorted[n - 1],
    mean,
  };
}

/** Converts a bigint nanosecond interval to milliseconds as a number. */
function nsToMs(ns) {
  return Number(ns) / 1e6;
}

module.exports = { percentile, summarize, nsToMs };
