import {
  counts,
  flow,
  fromIdentity,
  fromUnknown,
  fromWorkload,
  observations,
} from '../../__testUtils__/traffic';
import { NO_INDEX, flowIndexOf, mergePositions } from './flowIndex';

describe('flowIndexOf', () => {
  const seen = observations([
    flow('shop/b', fromWorkload('shop', 'a'), counts(1), { port: 8080 }),
    flow(
      'shop/b',
      fromIdentity('spiffe://cluster.local/ns/shop/sa/a'),
      counts(1),
    ),
    flow(
      'shop/c',
      {
        kind: 'workload',
        namespace: 'shop',
        name: 'x',
        identity: 'id-x',
      },
      counts(1),
      {
        port: 9090,
      },
    ),
    flow('shop/b', fromUnknown, counts(1), { port: 8080, mesh: 'linkerd' }),
    flow('shop/c', fromWorkload('shop', 'a'), counts(1), { port: 9090 }),
  ]);

  it('groups the flows by receiving workload, source name and presented identity, in order', () => {
    const index = flowIndexOf(seen);
    expect([...index.to].map(([k, v]) => [k, v.indexes])).toEqual([
      ['shop/b', [0, 1, 3]],
      ['shop/c', [2, 4]],
    ]);
    expect(index.to.get('shop/b')!.ref).toBe(seen.flows[0].to);
    expect([...index.fromName]).toEqual([
      ['shop/a', [0, 4]],
      ['shop/x', [2]],
    ]);
    expect([...index.fromIdentity]).toEqual([
      ['spiffe://cluster.local/ns/shop/sa/a', [1]],
      ['id-x', [2]],
    ]);
    // Per mesh, each receiving workload of a flow with a port once.
    expect(
      [...index.ported].map(([mesh, refs]) => [mesh, refs.map(r => r.name)]),
    ).toEqual([
      ['istio', ['b', 'c']],
      ['linkerd', ['b']],
    ]);
  });

  it('is made once per observations object', () => {
    expect(flowIndexOf(seen)).toBe(flowIndexOf(seen));
    expect(flowIndexOf({ ...seen })).not.toBe(flowIndexOf(seen));
    expect(flowIndexOf(observations([]))).toBe(NO_INDEX);
  });
});

describe('mergePositions', () => {
  it('merges two ascending lists, ascending, each position once', () => {
    expect(mergePositions([1, 4, 6], [2, 4, 9])).toEqual([1, 2, 4, 6, 9]);
    expect(mergePositions([], [3])).toEqual([3]);
    expect(mergePositions([3], [])).toEqual([3]);
    expect(mergePositions([5, 7], [1, 2])).toEqual([1, 2, 5, 7]);
  });
});
