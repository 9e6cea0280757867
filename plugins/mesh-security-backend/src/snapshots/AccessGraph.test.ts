import fs from 'node:fs';
import path from 'node:path';
import {
  createEngine,
  createIncrementalEvaluator,
  parseManifests,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { AccessGraph, MAX_POLICY_LAYERS } from './AccessGraph';
import { objectIdentity } from './types';

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

  it('carries the policies of workloads outside each change, through merges of its layers', async () => {
    const evaluator = createIncrementalEvaluator(
      objects.map(object => ({ key: objectIdentity(object), object })),
      { cluster: 'demo' },
    );
    const refsOf = () =>
      evaluator.workloads.map(w => ({
        cluster: 'demo',
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      }));
    let graph = new AccessGraph(evaluator.engine, evaluator.workloads, 'demo');
    await graph.build(0);
    // Namespace-scoped changes, one a generation: each policy removed, then put back; then a
    // pod removed (its workload with it) and put back.
    const policies = objects.filter(o =>
      /^(AuthorizationPolicy|NetworkPolicy|PeerAuthentication|Server)$/.test(
        String((o as { kind?: unknown }).kind),
      ),
    ) as Array<{ metadata: { namespace?: string } }>;
    const scoped = policies.filter(p => !!p.metadata.namespace).slice(0, 10);
    const pod = objects.find(
      o => (o as { kind?: unknown }).kind === 'Pod',
    ) as object;
    const changes = [
      ...scoped.flatMap(p => [
        [{ key: objectIdentity(p) }],
        [{ key: objectIdentity(p), object: p }],
      ]),
      [{ key: objectIdentity(pod) }],
      [{ key: objectIdentity(pod), object: pod }],
    ];
    expect(changes.length).toBeGreaterThan(2 * MAX_POLICY_LAYERS);
    let carried = 0;
    for (const change of changes) {
      const scope = evaluator.apply(change);
      const next = new AccessGraph(
        evaluator.engine,
        evaluator.workloads,
        'demo',
        { previous: graph, scope },
      );
      const current = evaluator.engine;
      // Before its build, too, a workload's policies are this generation's.
      for (const ref of refsOf())
        expect(next.policiesOf(ref)).toEqual(current.policiesFor(ref));
      await next.build(0);
      if (next.isCarriedOver) carried++;
      for (const ref of refsOf())
        expect(next.policiesOf(ref)).toEqual(current.policiesFor(ref));
      expect([...next.appliedPolicyKeys()!].sort()).toEqual(
        [
          ...new Set(
            refsOf().flatMap(ref =>
              current
                .policiesFor(ref)
                .map(p => `${p.kind}/${p.namespace}/${p.name}`),
            ),
          ),
        ].sort(),
      );
      graph = next;
    }
    // Most changes were scoped: carried over, through more generations than the layers stack.
    expect(carried).toBeGreaterThan(2 * MAX_POLICY_LAYERS);
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
