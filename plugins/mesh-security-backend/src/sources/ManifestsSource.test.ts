import { DEFAULT_MANIFEST_LIMITS } from '@mesh-security/plugin-mesh-security-common';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import workerThreads from 'node:worker_threads';
import { ClusterUnreachableError } from './ClusterSource';
import { ManifestsSource } from './ManifestsSource';

const namespace = (name: string) =>
  `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${name} }\n`;

/** Counts the worker threads started (each file parse needs one unless one is running). */
function countWorkers() {
  const RealWorker = workerThreads.Worker;
  return jest
    .spyOn(workerThreads, 'Worker')
    .mockImplementation(
      (...args: ConstructorParameters<typeof RealWorker>) =>
        new RealWorker(...args),
    );
}

const errors = (read: { kinds: Array<{ state: string; message?: string }> }) =>
  read.kinds.filter(k => k.state === 'error').map(k => k.message);

describe('ManifestsSource', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-manifests-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    // `rm` removes trees whose paths are longer than PATH_MAX; fs.rmSync does not.
    spawnSync('rm', ['-rf', dir]);
  });

  it('reads the other files when one exceeds a limit, naming the file and the key', async () => {
    write('a.yaml', namespace('a'));
    write('b/bomb.yaml', '---\n'.repeat(11));
    write('c.json', JSON.stringify({ kind: 'List', items: [{ kind: 'Pod' }] }));
    const source = new ManifestsSource('demo', dir, {
      file: { ...DEFAULT_MANIFEST_LIMITS, maxDocuments: 10 },
    });
    const read = await source.read();
    expect(read.objects).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { kind: 'Pod' },
    ]);
    expect(errors(read)).toEqual([
      'b/bomb.yaml: more than 10 documents: not read (meshSecurity.manifestLimits.maxDocumentsPerFile)',
    ]);
    expect(read.kinds).toContainEqual({
      key: 'file:b/bomb.yaml',
      state: 'error',
      count: 0,
      message: expect.any(String),
    });
  });

  it("passes a revision's mesh ConfigMap through, trimmed to its mesh key", async () => {
    write(
      'istio-canary.yaml',
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: istio-canary, namespace: istio-system }',
        'data:',
        '  mesh: "trustDomain: canary.td"',
        '  meshNetworks: "networks: {}"',
      ].join('\n'),
    );
    const read = await new ManifestsSource('demo', dir).read();
    expect(read.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio-canary', namespace: 'istio-system' },
        data: { mesh: 'trustDomain: canary.td' },
      },
    ]);
  });

  it('does not parse unchanged files again, nor files that failed', async () => {
    write('a.yaml', namespace('a'));
    write('bomb.yaml', '---\n'.repeat(11));
    const source = new ManifestsSource('demo', dir, {
      file: { ...DEFAULT_MANIFEST_LIMITS, maxDocuments: 10 },
    });
    const first = await source.read();
    const workers = countWorkers();
    const second = await source.read();
    expect(workers).not.toHaveBeenCalled();
    expect(second).toEqual(first);

    // Touched but unchanged: the content hash says so.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'a.yaml'), later, later);
    fs.utimesSync(path.join(dir, 'bomb.yaml'), later, later);
    expect(await source.read()).toEqual(first);
    expect(workers).not.toHaveBeenCalled();

    write('a.yaml', namespace('b'));
    const third = await source.read();
    expect(workers).toHaveBeenCalledTimes(1);
    expect(third.objects).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
    ]);
    expect(errors(third)).toEqual(errors(first));
  });

  it('refuses a file that would exceed a cluster limit, and reads it once there is room', async () => {
    write('a.yaml', `${namespace('a')}---\n${namespace('b')}`);
    write('b.yaml', `${namespace('c')}---\n${namespace('d')}`);
    const source = new ManifestsSource('demo', dir, {
      cluster: {
        maxFiles: 10,
        maxFileBytes: 1000,
        maxBytes: 10_000,
        maxDocuments: 100,
        maxNodes: 1000,
        maxObjects: 3,
      },
    });
    const read = await source.read();
    expect(read.objects).toHaveLength(2);
    expect(errors(read)).toEqual([
      "b.yaml: not read: the cluster's files would hold more than 3 objects (meshSecurity.manifestLimits.maxObjectsPerCluster)",
    ]);
    write('a.yaml', namespace('a'));
    const after = await source.read();
    expect(after.objects).toHaveLength(3);
    expect(errors(after)).toEqual([]);
  });

  it('bounds bytes per file and per cluster, and files per cluster', async () => {
    write('a.yaml', namespace('a'));
    write('b.yaml', namespace('b'));
    write('c.yaml', `${namespace('c')}# ${'x'.repeat(100)}\n`);
    write('d.yaml', namespace('d'));
    const source = new ManifestsSource('demo', dir, {
      cluster: {
        maxFiles: 3,
        maxFileBytes: 100,
        maxBytes: 60,
        maxDocuments: 100,
        maxNodes: 1000,
        maxObjects: 100,
      },
    });
    const read = await source.read();
    expect(read.objects).toHaveLength(1);
    expect(errors(read)).toEqual([
      'more than 3 manifest files (meshSecurity.manifestLimits.maxFilesPerCluster): the first 3 in name order are read',
      "b.yaml: not read: the cluster's files exceed 60 bytes (meshSecurity.manifestLimits.maxBytesPerCluster)",
      'c.yaml: larger than 100 bytes (meshSecurity.manifestLimits.maxBytesPerFile): not read',
    ]);
  });

  it('stops a parse that takes too long, and reads the rest', async () => {
    write('a.yaml', namespace('a'));
    // No parse (worker start included) fits in 1 ms: every file times out.
    const source = new ManifestsSource('demo', dir, { parseTimeoutMs: 1 });
    const read = await source.read();
    expect(errors(read)).toEqual([
      'a.yaml: not read: parsing took longer than 0.001 s (meshSecurity.manifestLimits.parseTimeout)',
    ]);
  });

  it('stops a parse that runs out of memory, and reads the rest', async () => {
    write('a.yaml', namespace('a'));
    // One flow document of a million empty objects needs well over 1 GiB to parse; the limits
    // that would refuse it before parsing are raised.
    write('big.yaml', `[${'{},'.repeat(1_000_000)}{}]`);
    const source = new ManifestsSource('demo', dir, {
      file: {
        ...DEFAULT_MANIFEST_LIMITS,
        maxNodes: 10_000_000,
        maxDocumentNodes: 10_000_000,
        maxObjects: 10_000_000,
      },
      parserHeapMb: 64,
    });
    const read = await source.read();
    expect(read.objects).toHaveLength(1);
    expect(errors(read)).toEqual([
      'big.yaml: not read: parsing needs more than 64 MiB (meshSecurity.manifestLimits.parserHeapMb)',
    ]);
  }, 60_000);

  it('flags a directory whose path is too long and reads the rest', async () => {
    write('a.yaml', namespace('a'));
    // Nested by relative paths (chdir in a child process), beyond PATH_MAX (4096) as an
    // absolute path.
    const made = spawnSync(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         for (let i = 0; i < 20; i++) {
           fs.mkdirSync('${'d'.repeat(250)}');
           process.chdir('${'d'.repeat(250)}');
         }
         fs.writeFileSync('deep.yaml', 'kind: Namespace\\n');`,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(made.status).toBe(0);
    const read = await new ManifestsSource('demo', dir).read();
    expect(read.objects).toHaveLength(1);
    const [message] = errors(read);
    expect(message).toMatch(
      /^d{100}…d{100}: cannot read directory: ENAMETOOLONG$/,
    );
  });

  it('escapes control characters in the file names it reports', async () => {
    write('evil\u001b[2J\n::error::x.yaml', 'kind: [unclosed\n');
    const read = await new ManifestsSource('demo', dir).read();
    expect(errors(read)).toEqual([
      expect.stringMatching(
        /^evil\\u001b\[2J\\u000a::error::x\.yaml: document 1: /,
      ),
    ]);
    expect(read.kinds[0].key).toBe('file:evil\\u001b[2J\\u000a::error::x.yaml');
  });

  it("reads a directory in byte order, as kubectl does: the last definition is kubectl's", async () => {
    // kubectl applies B.yaml before a.yaml (byte order); the locale's order would put a.yaml
    // first and evaluate B.yaml's PeerAuthentication as the one the cluster holds.
    const pa = (mode: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: ${mode}}}\n`;
    write('B.yaml', pa('PERMISSIVE'));
    write('a.yaml', pa('STRICT'));
    const read = await new ManifestsSource('demo', dir).read();
    expect(read.objects.map((o: any) => o.spec.mtls.mode)).toEqual([
      'PERMISSIVE',
      'STRICT',
    ]);
  });

  it.each([
    [
      'Chart.yaml',
      "charts/payments is a Helm chart (it holds Chart.yaml): not read, its templates are not manifests until rendered; point the cluster's path at the rendered manifests (helm template)",
    ],
    [
      'kustomization.yml',
      "charts/payments is a kustomization (it holds kustomization.yml): not read, its files are not manifests until built; point the cluster's path at the built manifests (kubectl kustomize)",
    ],
    [
      'Kustomization',
      "charts/payments is a kustomization (it holds Kustomization): not read, its files are not manifests until built; point the cluster's path at the built manifests (kubectl kustomize)",
    ],
  ])(
    'flags a directory that holds %s and reads the rest (the cluster partial)',
    async (file, message) => {
      write('a.yaml', namespace('a'));
      write(`charts/payments/${file}`, 'apiVersion: v2\nname: payments\n');
      // A patch or a template, which read as an object would replace or invent one.
      write('charts/payments/patch.yaml', namespace('patched'));
      write('charts/payments/sub/more.yaml', namespace('patched-too'));
      const read = await new ManifestsSource('demo', dir).read();
      expect(read.objects).toEqual([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      ]);
      expect(read.kinds).toContainEqual({
        key: 'file:charts/payments',
        state: 'error',
        count: 0,
        message,
      });
    },
  );

  it('fails the cluster only when its root cannot be read', async () => {
    await expect(
      new ManifestsSource('demo', path.join(dir, 'missing')).read(),
    ).rejects.toThrow(ClusterUnreachableError);
  });
});
