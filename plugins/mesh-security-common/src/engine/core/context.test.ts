import {
  authorizationPolicy,
  deployment,
  namespace,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { EngineContext } from './context';
import { EngineOptions } from './options';
import { readObjects } from './reader';
import { compilePolicy } from '../istio/authorizationMatch';

/*
 * A context takes the policy indexes of the one before when only workloads changed (docs/engine.md
 * "Incremental evaluation"); the property test in incremental.test.ts holds the answers to an
 * evaluation from scratch, these say when the indexes are taken and that the answers follow.
 */

const OPTIONS: EngineOptions = { cluster: 'c' };
const objects = [
  namespace('shop', { 'istio-injection': 'enabled' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { labels: { tier: 'backend' } }),
  peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
  authorizationPolicy('shop', 'backend-only', {
    selector: { matchLabels: { tier: 'backend' } },
    action: 'ALLOW',
    rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
  }),
];
const snapshot = readObjects(objects, OPTIONS).snapshot;
const indexes = (c: EngineContext) => [
  c.authz,
  c.peerAuth,
  c.netpol,
  c.linkerd,
];

describe('EngineContext after a change', () => {
  it('takes the policy indexes as they are when only workloads changed', () => {
    const before = new EngineContext(snapshot, OPTIONS);
    // `a` relabelled: a new workload object, everything else the same objects.
    const relabelled = readObjects(
      [
        ...objects.filter(o => (o.metadata as { name: string }).name !== 'a'),
        deployment('shop', 'a', { labels: { tier: 'backend' } }),
      ],
      OPTIONS,
    ).snapshot.workloads.find(w => w.name === 'a')!;
    const after = new EngineContext(
      {
        ...snapshot,
        workloads: snapshot.workloads.map(w =>
          w.name === 'a' ? relabelled : w,
        ),
      },
      OPTIONS,
      before,
    );
    indexes(after).forEach((index, i) =>
      expect(index).toBe(indexes(before)[i]),
    );
    expect(after.options).toBe(before.options);
    // The kept index answers for the new workload object by its new labels.
    const a = after.find({ namespace: 'shop', name: 'a' })!;
    expect(after.authz.forWorkload(a).map(p => p.name)).toEqual([
      'backend-only',
    ]);
    const old = before.find({ namespace: 'shop', name: 'a' })!;
    expect(before.authz.forWorkload(old)).toEqual([]);
  });

  it('builds them anew when another object, or the options, changed', () => {
    const before = new EngineContext(snapshot, OPTIONS);
    const policies = new EngineContext(
      {
        ...snapshot,
        istio: {
          ...snapshot.istio,
          authorizationPolicies: [],
        },
      },
      OPTIONS,
      before,
    );
    expect(policies.authz).not.toBe(before.authz);
    expect(
      policies.authz.forWorkload(
        policies.find({ namespace: 'shop', name: 'b' })!,
      ),
    ).toEqual([]);
    const options = new EngineContext(snapshot, { ...OPTIONS }, before);
    indexes(options).forEach((index, i) =>
      expect(index).not.toBe(indexes(before)[i]),
    );
    const first = new EngineContext({ ...snapshot }, OPTIONS);
    expect(first.authz).not.toBe(before.authz);
  });
});

describe('EngineContext.find', () => {
  // Workloads are keyed per namespace when a query first looks into it.
  const ctx = new EngineContext(
    readObjects(
      [
        namespace('shop'),
        deployment('shop', 'db', { kind: 'StatefulSet' }),
        deployment('shop', 'db'),
        deployment('mall', 'db'),
      ],
      OPTIONS,
    ).snapshot,
    OPTIONS,
  );

  it('finds a workload by kind and name, or the first of that name', () => {
    const kinds = ctx.snapshot.workloads
      .filter(w => w.namespace === 'shop')
      .map(w => w.kind);
    expect(ctx.find({ namespace: 'shop', name: 'db' })?.kind).toBe(kinds[0]);
    for (const kind of ['Deployment', 'StatefulSet'])
      expect(ctx.find({ namespace: 'shop', kind, name: 'db' })?.kind).toBe(
        kind,
      );
    expect(ctx.find({ namespace: 'mall', name: 'db' })?.namespace).toBe('mall');
  });

  it('finds nothing for another name, kind, namespace or cluster', () => {
    expect(ctx.find({ namespace: 'shop', name: 'web' })).toBeUndefined();
    expect(
      ctx.find({ namespace: 'shop', kind: 'DaemonSet', name: 'db' }),
    ).toBeUndefined();
    expect(ctx.find({ namespace: 'none', name: 'db' })).toBeUndefined();
    expect(
      ctx.find({ cluster: 'other', namespace: 'shop', name: 'db' }),
    ).toBeUndefined();
  });
});

describe('EngineContext.releaseWorkloadCaches', () => {
  it('forgets the compiled AuthorizationPolicies with the workloads’ caches', () => {
    // Compiled once per policy object, which lives as long as the snapshot: kept, they were a
    // third of what a replica held for blocked callers (docs/benchmarks.md "Memory per pod").
    const ctx = new EngineContext(snapshot, OPTIONS);
    const policy = snapshot.istio.authorizationPolicies[0];
    const compiled = compilePolicy(policy);
    expect(compilePolicy(policy)).toBe(compiled);
    ctx.releaseWorkloadCaches();
    const again = compilePolicy(policy);
    expect(again).not.toBe(compiled);
    expect(again).toEqual(compiled);
  });
});

describe('EngineContext.meshOf', () => {
  it('answers what the info says, kept or not', () => {
    const { snapshot: meshes } = readObjects(
      [
        namespace('side', { 'istio-injection': 'enabled' }),
        namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
        namespace('lk', {}, { 'linkerd.io/inject': 'enabled' }),
        namespace('plain'),
        ...['side', 'amb', 'lk', 'plain'].map(ns => deployment(ns, 'w')),
      ],
      OPTIONS,
    );
    const ctx = new EngineContext(meshes, OPTIONS);
    const asked = meshes.workloads.map(w => ctx.meshOf(w));
    expect(asked).toEqual(
      meshes.workloads.map(w => ctx.info(w, false).membership.mesh),
    );
    expect(new Set(asked)).toEqual(
      new Set(['istio-sidecar', 'istio-ambient', 'linkerd', 'none']),
    );
    // Once the infos are kept, from them.
    meshes.workloads.forEach(w => ctx.info(w));
    expect(meshes.workloads.map(w => ctx.meshOf(w))).toEqual(asked);
  });
});
