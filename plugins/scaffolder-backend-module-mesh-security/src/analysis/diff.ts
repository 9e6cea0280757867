/**
 * A unified diff (3 lines of context) of two texts, as `git diff` prints it for one file.
 *
 * Lines shared at the start and the end are set aside first, then the rest is compared with
 * Myers' O((N+M)·D) algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986), the
 * one git uses by default: an edit of a large policy file (thousands of documents) costs time
 * and memory in proportion to the lines it changes, not to the square of the file's length.
 */

/** Differing lines compared line by line at most; beyond, the changed region is shown whole. */
const MAX_EDIT_DISTANCE = 2000;

type Op = ' ' | '-' | '+';

/** The shortest edit script of `a` → `b`, or undefined when longer than `MAX_EDIT_DISTANCE`. */
function myers(a: string[], b: string[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v[-d-1 .. d+1] as it was before step d (what the backtrack reads).
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
          ? v[offset + k + 1]
          : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const saved = trace[d];
    const at = (k: number) => saved[k + d + 1];
    const k = x - y;
    const previousK =
      k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push(' ');
      x--;
      y--;
    }
    if (d > 0) {
      ops.push(x === previousX ? '+' : '-');
      x = previousX;
      y = previousY;
    }
  }
  return ops.reverse();
}

/** The unified diff of `before` → `after` for `path` (empty when equal; `/dev/null` for a new file). */
export function unifiedDiff(
  path: string,
  before: string,
  after: string,
): string {
  if (before === after) return '';
  const lines = (text: string) => text.replace(/\r?\n$/, '').split(/\r?\n/);
  const a = before === '' ? [] : lines(before);
  const b = lines(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix])
    prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const middle: Op[] = myers(middleA, middleB) ?? [
    ...middleA.map((): Op => '-'),
    ...middleB.map((): Op => '+'),
  ];
  const kinds: Op[] = [
    ...new Array<Op>(prefix).fill(' '),
    ...middle,
    ...new Array<Op>(suffix).fill(' '),
  ];
  // Each operation with its line and the 1-based positions reached in `a` and `b`.
  const ops: Array<{ t: Op; line: string; ai: number; bi: number }> = [];
  let i = 0;
  let j = 0;
  for (const t of kinds) {
    if (t === ' ') ops.push({ t, line: a[i++], ai: i, bi: ++j });
    else if (t === '+') ops.push({ t, line: b[j++], ai: i, bi: j });
    else ops.push({ t, line: a[i++], ai: i, bi: j });
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
