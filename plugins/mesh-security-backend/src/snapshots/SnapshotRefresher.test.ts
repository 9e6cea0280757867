import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import {
  ClusterSource,
  ClusterUnreachableError,
  SourceRead,
} from '../sources/ClusterSource';
import { SnapshotRefresher } from './SnapshotRefresher';
import { SnapshotStore } from './SnapshotStore';

/** A cluster whose next read the test decides. */
class ScriptedSource implements ClusterSource {
  readonly name = 'prod';
  readonly type = 'kubernetes' as const;
  next: () => Promise<SourceRead> = async () => ({
    objects: [],
    kinds: [],
    requests: 0,
  });
  read() {
    return this.next();
  }
}

const pods = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'shop' },
  }));

describe('SnapshotRefresher', () => {
  const cacheManager = () =>
    CacheManager.fromConfig(
      mockServices.rootConfig({
        data: { backend: { cache: { store: 'memory' } } },
      }),
    );

  it('stores good reads as new generations that every replica sees, and keeps them while the cluster is down', async () => {
    const cache = cacheManager().forPlugin('mesh-security');
    const replicaA = new SnapshotStore(cache);
    const replicaB = new SnapshotStore(cache);
    const source = new ScriptedSource();
    let now = new Date('2026-11-23T10:00:00Z');
    const refresher = new SnapshotRefresher(
      source,
      replicaA,
      mockServices.logger.mock(),
      {
        refreshIntervalSeconds: 60,
        now: () => now,
        random: () => 0.5,
      },
    );

    source.next = async () => ({
      objects: pods(3),
      kinds: [{ key: 'pods', state: 'ok', count: 3 }],
      requests: 24,
    });
    expect(await refresher.refresh()).toBe('read');
    const state = await replicaB.getState('prod');
    expect(state).toMatchObject({
      status: 'ok',
      generation: 1,
      objectCount: 3,
      requests: 24,
      fetchedAt: '2026-11-23T10:00:00.000Z',
    });
    expect((await replicaB.getObjects('prod', 1))?.objects).toHaveLength(3);

    // The cluster goes down: the last good objects stay, the state says since when and why.
    source.next = async () => {
      throw new ClusterUnreachableError(
        'cannot reach cluster prod: connect ECONNREFUSED',
      );
    };
    now = new Date('2026-11-23T10:01:00Z');
    expect(await refresher.refresh()).toBe('failed');
    expect(await replicaB.getState('prod')).toMatchObject({
      status: 'unreachable',
      generation: 1,
      unreachableSince: '2026-11-23T10:01:00.000Z',
      fetchedAt: '2026-11-23T10:00:00.000Z',
      error: 'cannot reach cluster prod: connect ECONNREFUSED',
      nextAttemptAt: '2026-11-23T10:02:00.000Z',
    });
    expect((await replicaB.getObjects('prod', 1))?.objects).toHaveLength(3);

    // Within the backoff nothing is attempted; the backoff doubles after a second failure.
    now = new Date('2026-11-23T10:01:30Z');
    expect(await refresher.refresh()).toBe('backoff');
    now = new Date('2026-11-23T10:02:00Z');
    expect(await refresher.refresh()).toBe('failed');
    expect((await replicaB.getState('prod'))?.nextAttemptAt).toBe(
      '2026-11-23T10:04:00.000Z',
    );
    expect((await replicaB.getState('prod'))?.unreachableSince).toBe(
      '2026-11-23T10:01:00.000Z',
    );

    // Recovery: a new generation, flags cleared, the previous generation's objects dropped.
    source.next = async () => ({ objects: pods(5), kinds: [], requests: 24 });
    now = new Date('2026-11-23T10:05:00Z');
    expect(await refresher.refresh()).toBe('read');
    const recovered = await replicaB.getState('prod');
    expect(recovered).toMatchObject({
      status: 'ok',
      generation: 2,
      consecutiveFailures: 0,
    });
    expect(recovered?.unreachableSince).toBeUndefined();
    expect(recovered?.error).toBeUndefined();
    expect(await replicaB.getObjects('prod', 1)).toBeUndefined();
    expect((await replicaB.getObjects('prod', 2))?.objects).toHaveLength(5);
  });

  it('keeps the generation when the cluster has not changed', async () => {
    const store = new SnapshotStore(cacheManager().forPlugin('mesh-security'));
    const source = new ScriptedSource();
    let now = new Date('2026-11-23T10:00:00Z');
    const refresher = new SnapshotRefresher(
      source,
      store,
      mockServices.logger.mock(),
      { refreshIntervalSeconds: 60, now: () => now },
    );
    source.next = async () => ({ objects: pods(2), kinds: [], requests: 1 });
    await refresher.refresh();
    now = new Date('2026-11-23T10:01:00Z');
    await refresher.refresh();
    expect(await store.getState('prod')).toMatchObject({
      generation: 1,
      fetchedAt: '2026-11-23T10:01:00.000Z',
    });
    source.next = async () => ({ objects: pods(3), kinds: [], requests: 1 });
    await refresher.refresh();
    expect((await store.getState('prod'))?.generation).toBe(2);
  });

  it('orders objects canonically: the same objects arriving in another order keep the generation', async () => {
    const store = new SnapshotStore(cacheManager().forPlugin('mesh-security'));
    const source = new ScriptedSource();
    const refresher = new SnapshotRefresher(
      source,
      store,
      mockServices.logger.mock(),
      { refreshIntervalSeconds: 60 },
    );
    const namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    };
    const [a, b] = pods(2).map(p => ({ apiVersion: 'v1', ...p }));
    source.next = async () => ({
      objects: [b, namespace, a],
      kinds: [],
      requests: 2,
    });
    await refresher.refresh();
    source.next = async () => ({
      objects: [a, b, namespace],
      kinds: [],
      requests: 2,
    });
    await refresher.refresh();
    expect((await store.getState('prod'))?.generation).toBe(1);
    expect(
      (await store.getObjects('prod', 1))?.objects.map(
        (o: any) => o.metadata.name,
      ),
    ).toEqual(['shop', 'p0', 'p1']);
  });

  it('keeps the last good objects of a kind that fails, whichever replica read them, and says since when', async () => {
    const cache = cacheManager().forPlugin('mesh-security');
    const source = new ScriptedSource();
    let now = new Date('2026-11-23T10:00:00Z');
    const replica = () =>
      new SnapshotRefresher(
        source,
        new SnapshotStore(cache),
        mockServices.logger.mock(),
        {
          refreshIntervalSeconds: 60,
          now: () => now,
        },
      );
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-wipe', namespace: 'shop' },
      spec: { action: 'DENY' },
    };
    const key = 'security.istio.io/authorizationpolicies';
    source.next = async () => ({
      objects: [...pods(1), policy],
      kinds: [
        { key: 'pods', state: 'ok', count: 1 },
        { key, state: 'ok', count: 1 },
      ],
      requests: 2,
    });
    await replica().refresh();

    // Another replica reads next; the policies' list answers 500.
    const failing = async () => ({
      objects: pods(1),
      kinds: [
        { key: 'pods', state: 'ok' as const, count: 1 },
        {
          key,
          state: 'error' as const,
          count: 0,
          message: 'HTTP 500 listing authorizationpolicies',
        },
      ],
      requests: 2,
    });
    source.next = failing;
    now = new Date('2026-11-23T10:01:00Z');
    await replica().refresh();
    now = new Date('2026-11-23T10:02:00Z');
    await replica().refresh();
    const store = new SnapshotStore(cache);
    const state = await store.getState('prod');
    expect(state?.kinds.find(k => k.key === key)).toEqual({
      key,
      state: 'error',
      count: 1,
      message: 'HTTP 500 listing authorizationpolicies',
      since: '2026-11-23T10:01:00.000Z',
      fetchedAt: '2026-11-23T10:00:00.000Z',
    });
    expect(state?.generation).toBe(1);
    const held = await store.getObjects('prod', state!.generation);
    expect(held?.objects).toContainEqual(policy);
  });

  it('holds nothing for a kind never read, and its first good read is a new generation', async () => {
    const store = new SnapshotStore(cacheManager().forPlugin('mesh-security'));
    const source = new ScriptedSource();
    const refresher = new SnapshotRefresher(
      source,
      store,
      mockServices.logger.mock(),
      { refreshIntervalSeconds: 60 },
    );
    const key = 'security.istio.io/peerauthentications';
    source.next = async () => ({
      objects: pods(1),
      kinds: [{ key, state: 'forbidden', count: 0, message: 'missing RBAC' }],
      requests: 1,
    });
    await refresher.refresh();
    const first = await store.getState('prod');
    expect(first?.kinds[0].fetchedAt).toBeUndefined();
    expect(first?.kinds[0].since).toEqual(expect.any(String));
    // Now readable, and there are none: the answers change (from UNKNOWN), so must the generation.
    source.next = async () => ({
      objects: pods(1),
      kinds: [{ key, state: 'ok', count: 0 }],
      requests: 1,
    });
    await refresher.refresh();
    expect((await store.getState('prod'))?.generation).toBe(2);
  });

  it('caps the backoff', async () => {
    const store = new SnapshotStore(cacheManager().forPlugin('mesh-security'));
    const source = new ScriptedSource();
    source.next = async () => {
      throw new Error('down');
    };
    let now = new Date('2026-11-23T10:00:00Z');
    const refresher = new SnapshotRefresher(
      source,
      store,
      mockServices.logger.mock(),
      {
        refreshIntervalSeconds: 60,
        maxBackoffSeconds: 300,
        now: () => now,
        random: () => 0.5,
      },
    );
    for (let i = 0; i < 8; i++) {
      const state = await store.getState('prod');
      if (state?.nextAttemptAt) now = new Date(state.nextAttemptAt);
      await refresher.refresh();
    }
    const state = await store.getState('prod');
    expect(Date.parse(state!.nextAttemptAt!) - now.getTime()).toBe(300_000);
  });
});
