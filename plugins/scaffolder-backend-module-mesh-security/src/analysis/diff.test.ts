import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { unifiedDiff } from './diff';

/** Applies a unified diff to `before` (hunks in order, context checked): what `patch` does. */
function applyDiff(before: string, diff: string): string {
  const lines = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let next = 0;
  for (const hunk of diff.split(/^(?=@@ )/m).slice(1)) {
    const [header, ...body] = hunk.replace(/\n$/, '').split('\n');
    const start = Number(/^@@ -(\d+),(\d+)/.exec(header)![1]);
    const from = Number(/^@@ -\d+,(\d+)/.exec(header)![1]) ? start - 1 : start;
    out.push(...lines.slice(next, from));
    next = from;
    for (const line of body) {
      if (line[0] === '+') out.push(line.slice(1));
      else {
        expect(lines[next]).toBe(line.slice(1));
        if (line[0] === ' ') out.push(line.slice(1));
        next++;
      }
    }
  }
  out.push(...lines.slice(next));
  return `${out.join('\n')}\n`;
}

/** Length of the longest common subsequence of two line lists (quadratic; small inputs only). */
function lcsLength(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      table[i][j] =
        a[i] === b[j]
          ? table[i + 1][j + 1] + 1
          : Math.max(table[i + 1][j], table[i][j + 1]);
  return table[0][0];
}

/** A deterministic pseudo-random sequence (a linear congruential generator). */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

describe('unifiedDiff', () => {
  it('prints one hunk with three lines of context', () => {
    const before = `${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n')}\n`;
    const after = `${['a', 'b', 'c', 'd', 'X', 'e', 'f', 'g', 'h'].join(
      '\n',
    )}\n`;
    expect(unifiedDiff('p.yaml', before, after)).toBe(
      [
        '--- a/p.yaml',
        '+++ b/p.yaml',
        '@@ -2,6 +2,7 @@',
        ' b',
        ' c',
        ' d',
        '+X',
        ' e',
        ' f',
        ' g',
        '',
      ].join('\n'),
    );
  });

  it('shows a new file against /dev/null and nothing for equal texts', () => {
    expect(unifiedDiff('p.yaml', '', 'x: 1\n')).toBe(
      '--- /dev/null\n+++ b/p.yaml\n@@ -0,0 +1,1 @@\n+x: 1\n',
    );
    expect(unifiedDiff('p.yaml', 'x\n', 'x\n')).toBe('');
  });

  it('is a minimal diff that turns before into after (500 random edits)', () => {
    const next = random(42);
    for (let run = 0; run < 500; run++) {
      const alphabet = ['a', 'b', 'c', 'd', 'e'];
      const a = Array.from({ length: next(30) }, () => alphabet[next(5)]);
      const b = [...a];
      for (let edits = next(6); edits > 0; edits--) {
        const at = next(b.length + 1);
        if (next(2) && b.length > 0) b.splice(Math.min(at, b.length - 1), 1);
        else b.splice(at, 0, alphabet[next(5)]);
      }
      const before = a.length ? `${a.join('\n')}\n` : '';
      const after = `${b.join('\n')}\n`;
      if (before === after) continue;
      const diff = unifiedDiff('p.yaml', before, after);
      expect(applyDiff(before, diff)).toBe(after);
      const changed = diff
        .split('\n')
        .slice(2)
        .filter(l => l[0] === '+' || l[0] === '-').length;
      const bLines = after.replace(/\n$/, '').split('\n');
      expect(changed).toBe(a.length + bLines.length - 2 * lcsLength(a, bLines));
    }
  });

  it('diffs a 60,000-line file edited in two places within 2 GB of address space', () => {
    // The cost follows the lines changed, not the file's length squared (a line-by-line table
    // of this file would need 14 GB): run in a child process whose address space is capped.
    const script = `
      const { unifiedDiff } = require(${JSON.stringify(
        path.join(__dirname, 'diff.ts'),
      )});
      const lines = Array.from({ length: 60000 }, (_, i) => 'line ' + i);
      const before = lines.join('\\n') + '\\n';
      lines.splice(45000, 1, 'changed');
      lines.splice(100, 0, 'inserted');
      process.stdout.write(unifiedDiff('p.yaml', before, lines.join('\\n') + '\\n'));
    `;
    const child = spawnSync(
      'bash',
      [
        '-c',
        'ulimit -v 2000000 && exec node -r sucrase/register/ts -e "$0"',
        script,
      ],
      { encoding: 'utf8', timeout: 60_000, cwd: __dirname },
    );
    expect(child.status).toBe(0);
    expect(child.stdout.split('\n').filter(l => /^[-+][^-+]/.test(l))).toEqual([
      '+inserted',
      '-line 45000',
      '+changed',
    ]);
  });
});
