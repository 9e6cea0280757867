import { SpawnSyncReturns, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SourceRead } from './ClusterSource';

/*
 * Hostile manifests against a real read of a cluster, in a child process with a small heap that
 * is killed after two minutes: a bomb that is not refused fast and with little memory fails
 * this test by the child's exit (out of memory, killed), never by a timing assertion. Every
 * hostile file is generated here, at run time.
 */
const CHILD_HEAP_MB = 160;
const PARSER_HEAP_MB = 96;
const KILL_AFTER_MS = 120_000;
/** Just under the default per-file limit (16 MiB), so each bomb is parsed, not skipped. */
const BOMB_BYTES = 16 * 1024 * 1024 - 64;

const repeatTo = (head: string, unit: string, tail = '') =>
  head +
  unit.repeat(
    Math.floor((BOMB_BYTES - head.length - tail.length) / unit.length),
  ) +
  tail;

/** File → the message expected about it (each names the file and the limit's key). */
const HOSTILE: Record<string, { text: () => string; message: RegExp }> = {
  'empty-documents.yaml': {
    text: () => repeatTo('', '---\n'),
    message: /more than 50000 documents: not read \(.*maxDocumentsPerFile\)/,
  },
  'document-ends.yaml': {
    text: () => repeatTo('', '...\n'),
    message: /more than 50000 documents: not read \(.*maxDocumentsPerFile\)/,
  },
  'list-items.yaml': {
    text: () => repeatTo('kind: List\nitems:\n', '- 1\n'),
    message:
      /more than 250000 YAML nodes in one document: .*maxNodesPerDocument/,
  },
  'tiny-objects.yaml': {
    text: () => repeatTo('kind: List\nitems:\n', '- {}\n'),
    message:
      /more than 250000 YAML nodes in one document: .*maxNodesPerDocument/,
  },
  'tiny-objects.json': {
    text: () => repeatTo('{"kind":"List","items":[', '{},', '{}]}'),
    message:
      /more than 250000 YAML nodes in one document: .*maxNodesPerDocument/,
  },
  'nested-items.yaml': {
    text: () => repeatTo('', '- '),
    message:
      /more than 250000 YAML nodes in one document: .*maxNodesPerDocument/,
  },
  'tiny-documents.yaml': {
    text: () => repeatTo('', '{}\n---\n'),
    message: /more than 50000 documents: not read \(.*maxDocumentsPerFile\)/,
  },
  'deep-flow.json': {
    text: () => `${'['.repeat(BOMB_BYTES / 2)}${']'.repeat(BOMB_BYTES / 2)}`,
    message: /more than 200 levels of nesting: not read \(.*maxDepth\)/,
  },
  'deep-block.yaml': {
    text: () => {
      const lines = [];
      for (let i = 0, bytes = 0; bytes < BOMB_BYTES - i - 3; i++) {
        lines.push(`${' '.repeat(i)}a:`);
        bytes += i + 3;
      }
      return lines.join('\n');
    },
    message: /more than 200 levels of nesting: not read \(.*maxDepth\)/,
  },
  'aliases.yaml': {
    text: () => {
      let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let i = 1; i < 12; i++) {
        text += `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]\n`;
      }
      return text;
    },
    message: /document 1: line 1: Excessive alias count/,
  },
};

/** Runs a setup command; throws when it fails. */
function run(command: string, args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} failed: ${result.stderr}`);
  }
}

const GOOD = `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio-injection: enabled } }
---
apiVersion: v1
kind: Secret
metadata: { name: db, namespace: shop }
stringData: { password: hunter2 }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: app, namespace: shop }
data: { DB_PASSWORD: hunter2 }
`;

describe('ManifestsSource against hostile files (child process, bounded heap)', () => {
  let dir: string;
  let child: SpawnSyncReturns<string>;
  let reads: SourceRead[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-hostile-'));
    for (const [file, { text }] of Object.entries(HOSTILE)) {
      fs.writeFileSync(path.join(dir, file), text());
    }
    fs.mkdirSync(path.join(dir, 'good'));
    fs.writeFileSync(path.join(dir, 'good', 'shop.yaml'), GOOD);
    fs.writeFileSync(path.join(dir, 'evil\u001b]0;x\u0007.yaml'), 'a: [\n');
    // Not regular files: never opened (a FIFO would block a reader forever).
    run('mkfifo', [path.join(dir, 'fifo.yaml')]);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.yaml'));
    // A directory beyond PATH_MAX, built with relative paths in a child process.
    run(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         for (let i = 0; i < 20; i++) {
           fs.mkdirSync('${'d'.repeat(250)}');
           process.chdir('${'d'.repeat(250)}');
         }
         fs.writeFileSync('deep.yaml', 'kind: Namespace\\\\n');`,
      ],
      { cwd: dir },
    );

    child = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${CHILD_HEAP_MB}`,
        '-r',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        path.resolve(__dirname, '../__testUtils__/readManifestsCluster.ts'),
        dir,
        JSON.stringify({ parserHeapMb: PARSER_HEAP_MB }),
      ],
      {
        encoding: 'utf8',
        timeout: KILL_AFTER_MS,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    reads = child.status === 0 ? JSON.parse(child.stdout) : [];
  }, KILL_AFTER_MS + 60_000);

  afterAll(() => {
    if (dir) spawnSync('rm', ['-rf', dir]);
  });

  it('reads within its heap and time bounds', () => {
    // Killed (timeout) or out of memory: the bounds did not hold.
    expect({
      status: child.status,
      signal: child.signal,
      stderr: child.stderr.split('\n')[0],
    }).toEqual({ status: 0, signal: null, stderr: '' });
  });

  const errorOf = (file: string) =>
    reads[0].kinds.find(k => k.key === `file:${file}`);

  it.each(Object.keys(HOSTILE))(
    '%s is refused, named, with the limit it exceeds',
    file => {
      expect(errorOf(file)).toEqual({
        key: `file:${file}`,
        state: 'error',
        count: 0,
        message: expect.stringMatching(HOSTILE[file].message),
      });
      expect(errorOf(file)?.message?.startsWith(`${file}: `)).toBe(true);
    },
  );

  it('still reads the good files, without Secret or ConfigMap data', () => {
    expect(reads[0].objects).toHaveLength(3);
    expect(JSON.stringify(reads[0].objects)).not.toContain('hunter2');
    expect(reads[0].kinds.filter(k => k.state === 'ok')).toEqual([
      { key: 'ConfigMap', state: 'ok', count: 1 },
      { key: 'Namespace', state: 'ok', count: 1 },
      { key: 'Secret', state: 'ok', count: 1 },
    ]);
  });

  it('flags the directory too long to read and a file name with control characters', () => {
    const messages = reads[0].kinds.map(k => k.message ?? '');
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^d{100}…d{100}: cannot read directory: ENAMETOOLONG$/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^evil\\u001b\]0;x\\u0007\.yaml: document 1: /),
    );
    // eslint-disable-next-line no-control-regex
    expect(messages.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('skips what is not a regular file', () => {
    expect(JSON.stringify(reads[0].kinds)).not.toMatch(/fifo|zero/);
  });

  it('answers the same on the next read, from what it remembered', () => {
    expect(reads[1]).toEqual(reads[0]);
  });
});
