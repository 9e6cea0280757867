import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  createEngine,
  parseManifests,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { Compactor } from './compact';

const repoRoot = path.resolve(__dirname, '../../../..');

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    if (e.isDirectory()) return yamlFiles(path.join(dir, e.name));
    return /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : [];
  });
}

describe('Compactor', () => {
  const workload = (name: string, ns: string) => ({
    name,
    namespace: ns,
    ports: [
      {
        port: 8080,
        mtls: 'STRICT',
        reason: `STRICT: PeerAuthentication ${ns}/default`,
      },
    ],
    scorecard: {
      verifyExplicitly: { status: 'pass', detail: 'mTLS STRICT on every port' },
    },
    findings: [
      {
        code: 'MS201',
        message: `workload ${ns}/${name} has no AuthorizationPolicy`,
        object: { kind: 'Deployment', namespace: ns, name },
      },
    ],
    optional: undefined,
  });
  const input = [
    workload('a', 'shop'),
    workload('b', 'shop'),
    workload('c', 'other'),
  ];

  it('returns the same JSON', () => {
    const out = new Compactor().compact(input);
    expect(JSON.stringify(out)).toBe(JSON.stringify(input));
    expect(out).toEqual(JSON.parse(JSON.stringify(input)));
  });

  it('shares equal parts between workloads and keeps different ones apart', () => {
    const [a, b, c] = new Compactor().compact(input);
    expect(a.ports).toBe(b.ports); // same namespace, same reason
    expect(a.ports).not.toBe(c.ports);
    expect(a.scorecard).toBe(c.scorecard);
    expect(a.findings).not.toBe(b.findings);
    expect(a.findings[0].message).toBe(
      'workload shop/a has no AuthorizationPolicy',
    );
  });

  it('does not share objects whose JSON exceeds the bound', () => {
    const big = { text: 'x'.repeat(100) };
    const [p, q] = new Compactor(50).compact([{ ...big }, { ...big }]);
    expect(p).toEqual(q);
    expect(p).not.toBe(q);
    expect(p.text).toBe(q.text);
  });

  it('counts escapes in the bound: a short string can have a long JSON', () => {
    // 20 characters, 42 in JSON: the objects holding it exceed a bound of 40.
    const quoted = '"'.repeat(20);
    const [p, q] = new Compactor(40).compact([{ s: quoted }, { s: quoted }]);
    expect(p).not.toBe(q);
    const [r, t] = new Compactor(60).compact([{ s: quoted }, { s: quoted }]);
    expect(r).toBe(t);
  });

  it('shares exactly what a JSON-keyed table would share (random documents)', () => {
    // The reference: every node keyed by its JSON, shared when that is within the bound.
    const reference = (bound: number) => {
      const nodes = new Map<string, unknown>();
      const visit = (v: unknown): unknown => {
        if (v === null || typeof v !== 'object') return v;
        const out = Array.isArray(v)
          ? v.map(visit)
          : Object.fromEntries(
              Object.entries(v)
                .filter(([, x]) => x !== undefined)
                .map(([k, x]) => [k, visit(x)]),
            );
        const key = JSON.stringify(out);
        if (key.length > bound) return out;
        if (!nodes.has(key)) nodes.set(key, out);
        return nodes.get(key);
      };
      return visit;
    };
    // Which nodes are one object, as a sequence of first sightings and repeats.
    const sharing = (v: unknown) => {
      const ids = new Map<object, number>();
      const out: string[] = [];
      const walk = (x: unknown) => {
        if (x === null || typeof x !== 'object') return;
        const seen = ids.get(x);
        if (seen !== undefined) {
          out.push(`@${seen}`);
          return;
        }
        ids.set(x, ids.size);
        out.push('new');
        Object.values(x).forEach(walk);
      };
      walk(v);
      return out.join(' ');
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const leaves = [
      0,
      1,
      -1,
      2.5,
      true,
      false,
      null,
      'a',
      'b',
      '"q"',
      '1',
      'é',
    ];
    const doc = (depth: number): unknown => {
      if (depth === 0 || random(4) === 0) return leaves[random(leaves.length)];
      const n = random(4);
      if (random(2) === 0)
        return Array.from({ length: n }, () => doc(depth - 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++)
        o[['a', 'b', 'c', '"'][random(4)]] =
          random(8) === 0 ? undefined : doc(depth - 1);
      return o;
    };
    for (let run = 0; run < 200; run++) {
      const documents = Array.from({ length: 20 }, () => doc(4));
      const bound = 5 + random(60);
      const expected = reference(bound)(documents);
      const out = new Compactor(bound).compact(documents);
      expect(JSON.stringify(out)).toBe(JSON.stringify(expected));
      expect(sharing(out)).toBe(sharing(expected));
    }
  });

  it('does not touch the input', () => {
    const copy = JSON.parse(JSON.stringify(input));
    new Compactor().compact(input);
    expect(JSON.parse(JSON.stringify(input))).toEqual(copy);
    expect(input[0]).toHaveProperty('optional');
  });

  describe('in slices (cluster snapshots)', () => {
    it('returns the same JSON, shares equal parts across elements, and yields to the event loop', async () => {
      const doc = {
        name: 'c',
        items: input,
        nested: { more: input, n: 1 },
        list: [1, 2],
      };
      // Other work gets turns while it runs (a slice of -1 ms: a turn after every element).
      let turns = 0;
      let done = false;
      const other = () => {
        turns++;
        if (!done) setImmediate(other);
      };
      setImmediate(other);
      const out = await new Compactor().compactInSlices(doc, -1);
      done = true;
      expect(JSON.stringify(out)).toBe(JSON.stringify(doc));
      expect(out.items[0].scorecard).toBe(out.nested.more[2].scorecard);
      expect(out.items).not.toBe(doc.items);
      expect(turns).toBeGreaterThanOrEqual(input.length * 2);
    });

    // The evaluated view serves from a compacted snapshot: the engine must read it as it reads
    // the original (the same results) and never write to it (shared parts are frozen here, so
    // a write would throw).
    it('gives the engine a snapshot it evaluates exactly as the original (demo estate and Istio fixtures)', async () => {
      const demo = path.join(repoRoot, 'catalog/demo-cluster');
      const objects = [
        ...yamlFiles(demo).flatMap(
          f => parseManifests(fs.readFileSync(f, 'utf8'), f).objects,
        ),
        ...yamlFiles(
          path.join(repoRoot, 'plugins/mesh-security-common/testdata/crds'),
        )
          .flatMap(f =>
            parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJS()),
          )
          .filter(
            o =>
              o &&
              typeof o === 'object' &&
              o.kind !== 'CustomResourceDefinition',
          ),
      ];
      const { snapshot } = readObjects(objects, { cluster: 'demo' });
      const compacted = deepFreeze(
        await new Compactor().compactInSlices(snapshot, 5),
      );
      expect(JSON.stringify(compacted)).toBe(JSON.stringify(snapshot));

      const original = createEngine(snapshot, { cluster: 'demo' });
      const engine = createEngine(compacted, { cluster: 'demo' });
      const evaluation = engine.evaluate();
      expect(evaluation).toEqual(original.evaluate());
      expect(evaluation.workloads.length).toBeGreaterThan(10);
      for (const w of evaluation.workloads) {
        const ref = {
          cluster: 'demo',
          namespace: w.namespace,
          name: w.name,
          kind: w.kind,
        };
        expect(engine.callersOf(ref)).toEqual(original.callersOf(ref));
        expect(engine.calleesOf(ref)).toEqual(original.calleesOf(ref));
        expect(engine.policiesFor(ref)).toEqual(original.policiesFor(ref));
        expect(
          engine.check({
            from: { kind: 'external' },
            to: ref,
            port: 8080,
            method: 'GET',
            path: '/',
          }),
        ).toEqual(
          original.check({
            from: { kind: 'external' },
            to: ref,
            port: 8080,
            method: 'GET',
            path: '/',
          }),
        );
      }
    });
  });
});
