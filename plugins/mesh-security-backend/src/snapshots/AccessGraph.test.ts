import fs from 'node:fs';
import path from 'node:path';
import {
  createEngine,
  parseManifests,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { AccessGraph } from './AccessGraph';

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

describe('AccessGraph', () => {
  const objects = fs
    .readdirSync(demo)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(
      f =>
        parseManifests(fs.readFileSync(path.join(demo, f), 'utf8'), f).objects,
    );
  const { snapshot } = readObjects(objects, { cluster: 'demo' });
  const engine = createEngine(snapshot, { cluster: 'demo' });
  const { workloads } = engine.evaluate();
  const refs = workloads.map(w => ({
    cluster: 'demo',
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
  }));

  it('answers the same before and after the build, and keeps every applied policy', async () => {
    const before = createEngine(snapshot, { cluster: 'demo' });
    const early = new AccessGraph(before, workloads, 'demo');
    const answersBefore = refs.map(ref => [
      early.callersOf(ref),
      early.calleesOf(ref),
    ]);
    expect(early.complete).toBe(false);

    const graph = new AccessGraph(engine, workloads, 'demo');
    await graph.build(0);
    expect(graph.complete).toBe(true);
    expect(
      refs.map(ref => [graph.callersOf(ref), graph.calleesOf(ref)]),
    ).toEqual(answersBefore);
    expect(answersBefore.flat(2).length).toBeGreaterThan(5);
    for (const ref of refs)
      expect(graph.policiesOf(ref)).toEqual(engine.policiesFor(ref));
    expect(graph.appliedPolicyKeys()!.size).toBeGreaterThan(5);
    // Every policy that applies to some workload, each once.
    expect([...graph.appliedPolicyKeys()!].sort()).toEqual(
      [
        ...new Set(
          refs.flatMap(ref =>
            graph
              .policiesOf(ref)
              .map(p => `${p.kind}/${p.namespace}/${p.name}`),
          ),
        ),
      ].sort(),
    );
  });

  it('a cancelled build never completes', async () => {
    const graph = new AccessGraph(
      createEngine(snapshot, { cluster: 'demo' }),
      workloads,
      'demo',
    );
    graph.cancel();
    await graph.build(0);
    expect(graph.complete).toBe(false);
    expect(graph.appliedPolicyKeys()).toBeUndefined();
  });

  it('throws for a workload that is not in the snapshot', () => {
    const graph = new AccessGraph(engine, workloads, 'demo');
    expect(() =>
      graph.callersOf({
        cluster: 'demo',
        namespace: 'nope',
        name: 'nope',
        kind: 'Deployment',
      }),
    ).toThrow(/not in the snapshot/);
  });
});
