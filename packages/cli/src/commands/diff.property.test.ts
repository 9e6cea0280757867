import {
  createEngine,
  estateImpact,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../index';
import { readManifests } from '../inputs';
import { evaluateState } from '../state';

/*
 * `diff` parses a file both states share once and evaluates both states from the same objects
 * (inputs.ts ParseCache): properties that this changes nothing. Random estates, 1 % of their
 * objects edited (at least one), give the same impact as two states read and evaluated apart;
 * the order of the input files changes no byte of the output.
 */

/** A seeded generator (a linear congruential one), so that a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)],
  };
}

type Obj = Record<string, any>;
type Random = ReturnType<typeof random>;

const NAMESPACES = 10;
const WORKLOADS = 6;
const PORTS = [8080, 9090];

function deployment(ns: string, i: number, r: Random): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `w${i}`, namespace: ns },
    spec: {
      selector: { matchLabels: { app: `w${i}` } },
      template: {
        metadata: { labels: { app: `w${i}`, tier: `t${i % 2}` } },
        spec: {
          serviceAccountName: `sa${i % 3}`,
          containers: [
            {
              name: 'app',
              image: 'app:1',
              ports: PORTS.slice(0, 1 + r.int(2)).map(containerPort => ({
                containerPort,
              })),
            },
          ],
        },
      },
    },
  };
}

function authorizationPolicy(ns: string, name: string, r: Random): Obj {
  const source = r.pick<Obj>([
    {
      principals: [`cluster.local/ns/ns-${r.int(NAMESPACES)}/sa/sa${r.int(3)}`],
    },
    { namespaces: [`ns-${r.int(NAMESPACES)}`] },
    { notNamespaces: [`ns-${r.int(NAMESPACES)}`] },
  ]);
  const to = r.pick<Obj[] | undefined>([
    undefined,
    [{ operation: { methods: ['GET'] } }],
    [{ operation: { ports: [String(r.pick(PORTS))], paths: ['/api/*'] } }],
  ]);
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: ns },
    spec: {
      ...(r.next() < 0.7
        ? { selector: { matchLabels: { app: `w${r.int(WORKLOADS)}` } } }
        : {}),
      action: r.pick(['ALLOW', 'ALLOW', 'DENY']),
      rules: [{ from: [{ source }], ...(to ? { to } : {}) }],
    },
  };
}

function networkPolicy(ns: string, name: string, r: Random): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec: {
      podSelector: { matchLabels: { tier: `t${r.int(2)}` } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': `ns-${r.int(NAMESPACES)}`,
                },
              },
            },
          ],
          ports: [{ port: r.pick(PORTS), protocol: 'TCP' }],
        },
      ],
    },
  };
}

const mode = (r: Random) => r.pick(['STRICT', 'PERMISSIVE', 'DISABLED']);

/** One file per namespace; the root namespace's mesh-wide policy in its own file. */
function estate(r: Random): Obj[][] {
  const files: Obj[][] = [
    [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'istio-system' },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'PERMISSIVE' } },
      },
    ],
  ];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    const file: Obj[] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns,
          labels: n % 4 === 3 ? {} : { 'istio-injection': 'enabled' },
        },
      },
    ];
    for (let i = 0; i < WORKLOADS; i++) file.push(deployment(ns, i, r));
    if (n % 2 === 0)
      file.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: ns },
        spec: { mtls: { mode: mode(r) } },
      });
    for (let p = 0; p < 2; p++) file.push(authorizationPolicy(ns, `ap${p}`, r));
    file.push(networkPolicy(ns, 'np0', r));
    files.push(file);
  }
  return files;
}

/** Edits 1 % of the objects (at least one): a policy changed, added or removed, … */
function edit(files: Obj[][], r: Random): Obj[][] {
  const out = files.map(f => f.map(o => JSON.parse(JSON.stringify(o))));
  const total = out.reduce((n, f) => n + f.length, 0);
  const edits = Math.max(1, Math.round(total / 100));
  for (let e = 0; e < edits; e++) {
    const f = 1 + r.int(NAMESPACES);
    const file = out[f];
    const ns = file[0].metadata.name;
    const i = 1 + r.int(file.length - 1);
    switch (r.int(8)) {
      case 0:
        file.push(authorizationPolicy(ns, `added${e}`, r));
        break;
      case 1:
        file.splice(i, 1);
        break;
      case 2:
        file.push(networkPolicy(ns, `added${e}`, r));
        break;
      case 3:
        // The mesh-wide mode, which every workload reads.
        out[0][1].spec.mtls.mode = mode(r);
        break;
      case 4:
        file[0].metadata.labels =
          r.next() < 0.5 ? {} : { 'istio-injection': 'enabled' };
        break;
      case 5:
        // A malformed object: readObjects leaves it out with MS401.
        file.push({
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: `bad${e}`, namespace: ns },
          spec: { action: 'SOMETIMES' },
        });
        break;
      case 6:
        file[i] =
          file[i].kind === 'Deployment'
            ? deployment(ns, Number(file[i].metadata.name.slice(1)), r)
            : authorizationPolicy(ns, file[i].metadata.name, r);
        break;
      default:
        file.push({
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: `w${r.int(WORKLOADS)}`, namespace: ns },
          spec: {
            selector: { matchLabels: { app: `w${r.int(WORKLOADS)}` } },
            portLevelMtls: { [String(r.pick(PORTS))]: { mode: mode(r) } },
          },
        });
    }
  }
  return out;
}

function write(dir: string, files: Obj[][]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((objects, i) => {
    const file = path.join(dir, `f${i}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
    return file;
  });
}

function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: t => {
      stdout += t;
    },
    stderr: t => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

/** The impact of two states read and evaluated apart (no file parsed once for both). */
function naiveImpact(base: string[], head: string[]) {
  const now = new Date();
  const before = evaluateState(readManifests(base).objects, {}, now);
  const after = evaluateState(readManifests(head).objects, {}, now);
  return estateImpact(before.engine, after.engine, {
    before: [...before.read, ...before.beside],
    after: [...after.read, ...after.beside],
  });
}

describe('mesh-security diff: properties', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-diff-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: 1 %% of the objects edited, the same impact as both states evaluated apart',
    seed => {
      const r = random(seed);
      const before = estate(r);
      const after = edit(before, r);
      const base = write(path.join(dir, `s${seed}`, 'base'), before);
      const head = write(path.join(dir, `s${seed}`, 'head'), after);
      const result = run([
        'diff',
        '--base',
        base.join(','),
        '--head',
        head.join(','),
        '--format',
        'json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const { workloads, introduced, resolved } = JSON.parse(result.stdout);
      expect({ workloads, introduced, resolved }).toEqual(
        JSON.parse(JSON.stringify(naiveImpact(base, head))),
      );
    },
  );

  it('edits that change something are seen (the property is not vacuous)', () => {
    const changed = [1, 2, 3, 4, 5, 6, 7, 8].filter(seed => {
      const r = random(seed);
      const before = estate(r);
      const after = edit(before, r);
      const impact = naiveImpact(
        write(path.join(dir, `v${seed}`, 'base'), before),
        write(path.join(dir, `v${seed}`, 'head'), after),
      );
      return impact.workloads.length + impact.introduced.length > 0;
    });
    expect(changed.length).toBeGreaterThanOrEqual(4);
  });

  it.each(['markdown', 'json', 'sarif', 'table'])(
    'the order of the input files changes no byte of the %s output',
    format => {
      const r = random(42);
      const before = estate(r);
      const after = edit(edit(before, r), r);
      const base = write(path.join(dir, 'order', 'base'), before);
      const head = write(path.join(dir, 'order', 'head'), after);
      const shuffled = (files: string[]) => {
        const list = [...files];
        for (let i = list.length - 1; i > 0; i--) {
          const j = r.int(i + 1);
          [list[i], list[j]] = [list[j], list[i]];
        }
        return list;
      };
      const args = (b: string[], h: string[]) => [
        'diff',
        '--base',
        b.join(','),
        '--head',
        h.join(','),
        '--format',
        format,
      ];
      const first = run(args(base, head));
      expect(first.code).toBe(0);
      expect(
        JSON.parse(run([...args(base, head), '--format', 'json']).stdout)
          .workloads.length,
      ).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++)
        expect(run(args(shuffled(base), shuffled(head))).stdout).toBe(
          first.stdout,
        );
      expect(run(args(base, head)).stdout).toBe(first.stdout);
    },
  );

  it('reads shared objects only: a frozen estate evaluates alike', () => {
    const deepFreeze = (value: unknown): unknown => {
      if (value && typeof value === 'object') {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
      }
      return value;
    };
    const files = write(path.join(dir, 'frozen'), estate(random(7)));
    const objects = readManifests(files).objects;
    const evaluateAll = (list: unknown[]) => {
      const { snapshot, findings } = readObjects(list);
      const engine = createEngine(snapshot);
      const result = engine.evaluate();
      const callers = result.workloads.flatMap(w =>
        w.ports.map(p => engine.callersOf(w, p.port)),
      );
      return JSON.stringify({ findings, result, callers });
    };
    const plain = evaluateAll(objects);
    // Strict-mode code throws on any write to a frozen object.
    expect(
      evaluateAll(deepFreeze(readManifests(files).objects) as unknown[]),
    ).toBe(plain);
  });
});
