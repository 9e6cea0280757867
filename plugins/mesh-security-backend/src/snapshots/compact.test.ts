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
