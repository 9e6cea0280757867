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

/**
 * The Mann–Whitney rank-sum test of two small samples (the benchmarks' repeated runs): `u`, the
 * number of pairs in which `b`'s value is the larger (ties count half), and the exact two-sided
 * p-value under the hypothesis that both come from one distribution — every split of the pooled
 * values into groups of `a`'s and `b`'s sizes enumerated, so keep the samples small (≤ 10 each).
 * `shift` is the Hodges–Lehmann estimate of how much larger `b` is: the median of `b_j − a_i`.
 */
export function rankSumTest(
  a: readonly number[],
  b: readonly number[],
): { u: number; p: number; shift: number } {
  const uOf = (x: readonly number[], y: readonly number[]) => {
    let u = 0;
    for (const xi of x)
      for (const yj of y) {
        if (yj > xi) u += 1;
        else if (yj === xi) u += 0.5;
      }
    return u;
  };
  const u = uOf(a, b);
  const mean = (a.length * b.length) / 2;
  const pooled = [...a, ...b];
  let extreme = 0;
  let splits = 0;
  // Every choice of a.length indices of the pooled values as "a".
  const chosen: number[] = [];
  const walk = (from: number) => {
    if (chosen.length === a.length) {
      const x = chosen.map(i => pooled[i]);
      const y = pooled.filter((_, i) => !chosen.includes(i));
      splits++;
      if (Math.abs(uOf(x, y) - mean) >= Math.abs(u - mean) - 1e-9) extreme++;
      return;
    }
    for (let i = from; i <= pooled.length - (a.length - chosen.length); i++) {
      chosen.push(i);
      walk(i + 1);
      chosen.pop();
    }
  };
  walk(0);
  const differences = a.flatMap(ai => b.map(bj => bj - ai));
  const sorted = differences.sort((x, y) => x - y);
  const mid = sorted.length / 2;
  const shift =
    sorted.length % 2 === 1
      ? sorted[Math.floor(mid)]
      : (sorted[mid - 1] + sorted[mid]) / 2;
  return { u, p: extreme / splits, shift };
}
