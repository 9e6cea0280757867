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

  it("inverts callers into exactly the engine's callees, for every workload of the demo estate", async () => {
    const graph = new AccessGraph(engine, workloads, 'demo');
    expect(graph.complete).toBe(false);
    await graph.build(0);
    expect(graph.complete).toBe(true);
    let edges = 0;
    for (const ref of refs) {
      expect(graph.calleesOf(ref)).toEqual(engine.calleesOf(ref));
      expect(graph.callersOf(ref)).toEqual(engine.callersOf(ref));
      edges += graph.calleesOf(ref).length;
    }
    expect(edges).toBeGreaterThan(5);
  });

  it('answers from the engine before the build completes, and a cancelled build never completes', async () => {
    const graph = new AccessGraph(engine, workloads, 'demo');
    expect(graph.calleesOf(refs[0])).toEqual(engine.calleesOf(refs[0]));
    graph.cancel();
    await graph.build(0);
    expect(graph.complete).toBe(false);
  });

  it('asks the engine once per workload before the build completes (views then repeat for free)', async () => {
    let asked = 0;
    const counting = {
      ...engine,
      calleesOf: (...args: Parameters<typeof engine.calleesOf>) => {
        asked++;
        return engine.calleesOf(...args);
      },
    };
    const graph = new AccessGraph(counting, workloads, 'demo');
    const first = graph.calleesOf(refs[0]);
    expect(graph.calleesOf(refs[0])).toBe(first);
    expect(asked).toBe(1);
    await graph.build(0);
    expect(graph.complete).toBe(true);
    expect(graph.calleesOf(refs[0])).toEqual(first);
    expect(asked).toBe(1);
  });

  it('answers from the serving engine once complete, and the builder is no longer referenced', async () => {
    const builder = createEngine(snapshot, { cluster: 'demo' });
    const serving = createEngine(snapshot, { cluster: 'demo' });
    const calls: string[] = [];
    const spy = (e: typeof engine, label: string) => ({
      ...e,
      callersOf: (...args: Parameters<typeof e.callersOf>) => {
        calls.push(label);
        return e.callersOf(...args);
      },
      calleesOf: (...args: Parameters<typeof e.calleesOf>) => {
        calls.push(label);
        return e.calleesOf(...args);
      },
      policiesFor: (...args: Parameters<typeof e.policiesFor>) => {
        calls.push(label);
        return e.policiesFor(...args);
      },
    });
    const graph = new AccessGraph(
      spy(builder, 'builder'),
      workloads,
      'demo',
      spy(serving, 'serving'),
    );
    await graph.build(0);
    expect(calls.every(c => c === 'builder')).toBe(true);
    calls.length = 0;
    // Every workload is in the graph: no engine is asked.
    for (const ref of refs) graph.callersOf(ref);
    expect(calls).toEqual([]);
    // So are the policies: the same as the engine's, without asking it.
    for (const ref of refs)
      expect(graph.policiesOf(ref)).toEqual(serving.policiesFor(ref));
    expect(calls).toEqual([]);
    // An unknown workload goes to the serving engine.
    expect(() =>
      graph.callersOf({
        cluster: 'demo',
        namespace: 'nope',
        name: 'nope',
        kind: 'Deployment',
      }),
    ).toThrow();
    expect(calls).toEqual(['serving']);
  });
});
