import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Hostile inputs against the real command (bin/mesh-security), each in a child process with a
 * small heap that is killed after a minute: an input that is not refused fast and with little
 * memory fails by the child's exit (out of memory, killed), never by a timing assertion. Every
 * hostile file is generated here, at run time.
 */
const HEAP_MB = 96;
const KILL_AFTER_MS = 60_000;
const BIN = path.resolve(__dirname, '../bin/mesh-security');
/** Just under the default per-file limit (16 MiB). */
const BOMB_BYTES = 16 * 1024 * 1024 - 64;

const repeatTo = (head: string, unit: string, tail = '') =>
  head +
  unit.repeat(
    Math.floor((BOMB_BYTES - head.length - tail.length) / unit.length),
  ) +
  tail;

function cli(args: string[]) {
  const child = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, BIN, ...args],
    { encoding: 'utf8', timeout: KILL_AFTER_MS },
  );
  return {
    status: child.status,
    signal: child.signal,
    stdout: child.stdout,
    stderr: child.stderr,
  };
}

/**
 * What a refused input looks like: exit status 2 (not killed, not out of memory), nothing on
 * stdout, and one line on stderr naming it (no stack trace).
 */
const refused = (message: RegExp) => ({
  status: 2,
  signal: null,
  stdout: '',
  stderr: expect.stringMatching(
    new RegExp(`^mesh-security: [^\\n]*${message.source}[^\\n]*\\n$`),
  ),
});

describe('mesh-security against hostile inputs (child process, bounded heap)', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const full = path.join(dir, name);
    fs.writeFileSync(full, text);
    return full;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-cli-hostile-'));
  });
  afterAll(() => {
    spawnSync('rm', ['-rf', dir]);
  });

  it.each([
    [
      'empty-documents.yaml',
      () => repeatTo('', '---\n'),
      /empty-documents\.yaml: more than 50000 documents: not read/,
    ],
    [
      'list-items.yaml',
      () => repeatTo('kind: List\nitems:\n', '- 1\n'),
      /list-items\.yaml: more than 250000 YAML nodes in one document/,
    ],
    [
      'tiny-objects.yaml',
      () => repeatTo('kind: List\nitems:\n', '- {}\n'),
      /tiny-objects\.yaml: more than 250000 YAML nodes in one document/,
    ],
    [
      'tiny-objects.json',
      () => repeatTo('{"kind":"List","items":[', '{},', '{}]}'),
      /tiny-objects\.json: more than 250000 YAML nodes in one document/,
    ],
    [
      'deep-flow.json',
      () => `${'['.repeat(BOMB_BYTES / 2)}${']'.repeat(BOMB_BYTES / 2)}`,
      /deep-flow\.json: more than 200 levels of nesting/,
    ],
    [
      'deep-block.yaml',
      () =>
        Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
      /deep-block\.yaml: more than 200 levels of nesting/,
    ],
    [
      'aliases.yaml',
      () => {
        let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
        for (let i = 1; i < 12; i++) {
          text += `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]\n`;
        }
        return text;
      },
      /aliases\.yaml: document 1: line 1: Excessive alias count/,
    ],
  ])('refuses %s', (name, text, message) => {
    expect(cli(['evaluate', file(name, text())])).toEqual(refused(message));
  });

  it('refuses a FIFO and a device instead of waiting on or reading them', () => {
    const fifo = path.join(dir, 'fifo.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(cli(['evaluate', fifo])).toEqual(
      refused(/fifo\.yaml: not a regular file/),
    );
    expect(cli(['evaluate', '/dev/zero'])).toEqual(
      refused(/\/dev\/zero: not a regular file/),
    );
    const zero = path.join(dir, 'zero.yaml');
    fs.symlinkSync('/dev/zero', zero);
    expect(cli(['evaluate', zero])).toEqual(
      refused(/zero\.yaml: not a regular file/),
    );
  });

  it('bounds bytes per file and per run, and takes a flag to raise them', () => {
    const big = file(
      'big.yaml',
      `kind: Namespace\nmetadata: {name: big}\n# ${'x'.repeat(
        17 * 1024 * 1024,
      )}\n`,
    );
    expect(cli(['evaluate', big])).toEqual(
      refused(
        /big\.yaml: larger than 16777216 bytes \(raise with --max-file-bytes\)/,
      ),
    );
    expect(cli(['evaluate', big, '--max-file-bytes', '20000000']).status).toBe(
      0,
    );
    expect(
      cli(
        ['evaluate', big, big].concat([
          '--max-file-bytes',
          '20000000',
          '--max-total-bytes',
          '30000000',
        ]),
      ),
    ).toEqual(
      refused(
        /big\.yaml: the inputs exceed 30000000 bytes \(raise with --max-total-bytes\)/,
      ),
    );
    expect(cli(['evaluate', big, '--max-file-bytes', '1e9'])).toEqual(
      refused(
        /--max-file-bytes must be a number of bytes \(a positive decimal integer\), not 1e9/,
      ),
    );
  });

  it('bounds documents per run, across files', () => {
    const runDir = path.join(dir, 'many');
    fs.mkdirSync(runDir);
    for (let i = 0; i < 11; i++) {
      fs.writeFileSync(path.join(runDir, `${i}.yaml`), '---\n'.repeat(49_999));
    }
    expect(cli(['evaluate', runDir])).toEqual(
      refused(/many\/9\.yaml: the inputs hold more than 500000 documents/),
    );
  });

  it('refuses a directory it cannot read (a path too long)', () => {
    const made = spawnSync(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         fs.mkdirSync('long');
         process.chdir('long');
         for (let i = 0; i < 20; i++) {
           fs.mkdirSync('${'d'.repeat(250)}');
           process.chdir('${'d'.repeat(250)}');
         }
         fs.writeFileSync('deep.yaml', 'kind: Namespace\\\\n');`,
      ],
      { cwd: dir },
    );
    expect(made.status).toBe(0);
    expect(cli(['evaluate', path.join(dir, 'long')])).toEqual(
      refused(/cannot read directory .*d{20}…d{100}: ENAMETOOLONG/),
    );
  });
});
