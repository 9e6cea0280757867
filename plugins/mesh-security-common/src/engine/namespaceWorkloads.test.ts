import { deployment, Obj, pod } from '../__testUtils__/k8s';
import { readObjects } from './core/reader';
import { HeldObject, workloadsAfterPods } from './namespaceWorkloads';

/*
 * A change of pods only reads again the workloads the pods left or joined (docs/engine.md
 * "Incremental evaluation"); the property test in incremental.test.ts holds every result to a
 * reading from scratch, these say when the shortcut is taken and what it keeps.
 */

const CLUSTER = 'c';
const read = (objects: Obj[]) =>
  readObjects(objects, { cluster: CLUSTER }).snapshot.workloads;
const held = (objects: Obj[]) =>
  new Map<string, HeldObject>(
    objects.map(o => [
      `${o.kind}/${(o.metadata as { name: string }).name}`,
      { object: o, kind: o.kind as string, workload: true },
    ]),
  );
const names = (objects: Obj[]) =>
  new Set(objects.map(o => (o.metadata as { name: string }).name));

describe('workloadsAfterPods', () => {
  const before = [
    deployment('shop', 'a'),
    deployment('shop', 'b'),
    pod('shop', 'a', 'a-7d9f-x1', { ip: '10.0.0.1' }),
    pod('shop', 'b', 'b-7d9f-y1', { ip: '10.0.0.2' }),
  ];

  it('reads only the workload a pod joins; the others keep their objects', () => {
    const current = read(before);
    const joined = pod('shop', 'a', 'a-7d9f-x2', { ip: '10.0.0.5' });
    const after = [...before, joined];
    const result = workloadsAfterPods(
      current,
      held(after),
      names([joined]),
      CLUSTER,
    );
    expect(result).toEqual(read(after));
    expect(result!.find(w => w.name === 'a')!.pods.map(p => p.name)).toEqual([
      'a-7d9f-x1',
      'a-7d9f-x2',
    ]);
    expect(result!.find(w => w.name === 'b')).toBe(
      current.find(w => w.name === 'b'),
    );
  });

  it('reads the workload a pod left', () => {
    const gone = pod('shop', 'a', 'a-7d9f-x2', { ip: '10.0.0.5' });
    const current = read([...before, gone]);
    const result = workloadsAfterPods(
      current,
      held(before),
      names([gone]),
      CLUSTER,
    );
    expect(result).toEqual(read(before));
    expect(result!.find(w => w.name === 'a')!.pods.map(p => p.name)).toEqual([
      'a-7d9f-x1',
    ]);
    expect(result!.find(w => w.name === 'b')).toBe(
      current.find(w => w.name === 'b'),
    );
  });

  it('answers nothing (the namespace is read whole) where it cannot tell', () => {
    const current = read(before);
    const after = (extra: Obj) =>
      workloadsAfterPods(
        current,
        held([...before, extra]),
        names([extra]),
        CLUSTER,
      );
    // A bare pod: a workload of its own would appear.
    expect(after(pod('shop', undefined, 'solo'))).toBeUndefined();
    // A rollout's first pod: no unchanged pod has its owner and template hash.
    const rollout = pod('shop', 'a', 'a-5c4b-r1', {
      labels: { 'pod-template-hash': '5c4b' },
    });
    (
      rollout.metadata as { ownerReferences: Array<{ name: string }> }
    ).ownerReferences[0].name = 'a-5c4b';
    expect(after(rollout)).toBeUndefined();
    // Nothing read before in the namespace.
    expect(
      workloadsAfterPods(undefined, held(before), names(before), CLUSTER),
    ).toBeUndefined();
    // Two pods of one name in different workloads.
    const twice = read([
      ...before,
      pod('shop', 'b', 'a-7d9f-x1', { ip: '10.0.0.3' }),
    ]);
    expect(
      workloadsAfterPods(twice, held(before), names([before[2]]), CLUSTER),
    ).toBeUndefined();
  });
});
