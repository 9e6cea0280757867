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

/**
 * The Wilcoxon signed-rank test of paired differences (each run's figure under one condition
 * less the same run's figure under the other): `w`, the sum of the ranks of the positive
 * differences by magnitude (tied magnitudes share their mean rank; zero differences are left
 * out), and the exact two-sided p-value under the hypothesis that each difference is as likely
 * positive as negative — every assignment of signs enumerated (2^n: keep n ≤ 16). With every
 * difference of one sign, 5 runs give p = 0.0625 and 6 runs 0.031: fewer than 6 cannot tell a
 * shift from noise at 0.05.
 */
export function signedRankTest(differences: readonly number[]): {
  w: number;
  p: number;
  n: number;
} {
  const nonzero = differences.filter(d => d !== 0);
  const n = nonzero.length;
  if (n === 0) return { w: 0, p: 1, n };
  const order = nonzero
    .map((d, i) => [Math.abs(d), i] as const)
    .sort((x, y) => x[0] - y[0]);
  const ranks: number[] = new Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let w = 0;
  for (let i = 0; i < n; i++) if (nonzero[i] > 0) w += ranks[i];
  const mean = (n * (n + 1)) / 4;
  let extreme = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let sum = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) sum += ranks[i];
    if (Math.abs(sum - mean) >= Math.abs(w - mean) - 1e-9) extreme++;
  }
  return { w, p: extreme / 2 ** n, n };
}
