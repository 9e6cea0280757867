import { unifiedDiff } from './diff';

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
});
