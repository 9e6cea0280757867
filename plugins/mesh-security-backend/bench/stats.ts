/*
 * Figures the benchmarks share: percentiles and the median of measured times.
 */
/**
 * The p-th percentile of `values` by the nearest-rank rule the benchmarks
 * have always used (the value at index ⌊p/100 · n⌋ of the sorted copy);
 * NaN for no values, so that a table prints "NaN" instead of throwing.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** The median as {@link percentile} reckons it. */
export const median = (values: readonly number[]): number =>
  percentile(values, 50);
