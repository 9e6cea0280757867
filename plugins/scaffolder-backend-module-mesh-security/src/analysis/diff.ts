/**
 * A unified diff (3 lines of context) of two texts, as `git diff` prints it for one file.
 * Line-based longest common subsequence: policy files are small.
 */
export function unifiedDiff(
  path: string,
  before: string,
  after: string,
): string {
  if (before === after) return '';
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from(
    { length: n + 1 },
    () => new Uint32Array(m + 1),
  );
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Array<{
    t: ' ' | '-' | '+';
    line: string;
    ai: number;
    bi: number;
  }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j])
      ops.push({ t: ' ', line: a[i++], ai: i, bi: ++j });
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j]))
      ops.push({ t: '+', line: b[j++], ai: i, bi: j });
    else ops.push({ t: '-', line: a[i++], ai: i, bi: j });
  }
  const out = [
    `--- ${before === '' ? '/dev/null' : `a/${path}`}`,
    `+++ b/${path}`,
  ];
  const changedIdx = ops
    .map((o, k) => (o.t === ' ' ? -1 : k))
    .filter(k => k >= 0);
  let k = 0;
  while (k < changedIdx.length) {
    const start = Math.max(0, changedIdx[k] - 3);
    let end = changedIdx[k];
    while (k + 1 < changedIdx.length && changedIdx[k + 1] - end <= 7)
      end = changedIdx[++k];
    end = Math.min(ops.length - 1, end + 3);
    k++;
    const hunk = ops.slice(start, end + 1);
    const aStart =
      hunk[0].t === '+'
        ? hunk[0].ai
        : hunk[0].ai - (hunk[0].t === ' ' || hunk[0].t === '-' ? 1 : 0);
    const bStart = hunk[0].t === '-' ? hunk[0].bi : hunk[0].bi - 1;
    const aLen = hunk.filter(o => o.t !== '+').length;
    const bLen = hunk.filter(o => o.t !== '-').length;
    out.push(
      `@@ -${aLen ? aStart + 1 : aStart},${aLen} +${
        bLen ? bStart + 1 : bStart
      },${bLen} @@`,
    );
    for (const o of hunk) out.push(`${o.t}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
