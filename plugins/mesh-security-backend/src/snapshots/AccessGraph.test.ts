import fs from 'node:fs';
import path from 'node:path';
import { createEngine, parseManifests, readObjects } from '@mesh-security/plugin-mesh-security-common';
import { AccessGraph } from './AccessGraph';

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

describe('AccessGraph', () => {
  const objects = fs
    .readdirSync(demo)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f => parseManifests(fs.readFileSync(path.join(demo, f), 'utf8'), f).objects);
  const { snapshot } = readObjects(objects, { cluster: 'demo' });
  const engine = createEngine(snapshot, { cluster: 'demo' });
  const { workloads } = engine.evaluate();
  const refs = workloads.map(w => ({ cluster: 'demo', namespace: w.namespace, name: w.name, kind: w.kind }));

  it('inverts callers into exactly the engine\'s callees, for every workload of the demo estate', async () => {
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
});
