import { CacheManager } from '@backstage/backend-defaults/cache';
import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { SnapshotStore } from './SnapshotStore';
import { ClusterState, objectIdentity } from './types';

const state = (generation: number): ClusterState => ({
  cluster: 'prod',
  source: 'kubernetes',
  status: 'ok',
  generation,
  consecutiveFailures: 0,
  kinds: [],
  requests: 1,
  objectCount: 0,
});

// Replicas of one workload: repetitive, as real clusters are.
const objects = Array.from({ length: 500 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `web-5d9f-${i}`,
    namespace: 'shop',
    labels: { app: 'web', 'pod-template-hash': '5d9f' },
  },
  spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] },
  status: { phase: 'Running', podIP: `10.0.${Math.floor(i / 250)}.${i % 250}` },
}));

describe('SnapshotStore', () => {
  const newCache = () =>
    CacheManager.fromConfig(
      mockServices.rootConfig({
        data: { backend: { cache: { store: 'memory' } } },
      }),
    ).forPlugin('mesh-security');

  it('round-trips a generation through the cache compressed, and records the stored size', async () => {
    const cache = newCache();
    const store = new SnapshotStore(cache);
    const json = JSON.stringify(objects);
    const stored = await store.putObjects(state(1), json);

    expect(stored).toBeLessThan(json.length / 5);
    expect((await store.getState('prod'))?.storedBytes).toBe(stored);
    expect(await new SnapshotStore(cache).getObjects('prod', 1)).toEqual({
      generation: 1,
      objects,
    });
    // What the cache holds is one base64 string, not the objects.
    const raw = (await cache.get('snapshot-objects:prod:1')) as {
      encoding: string;
      data: string;
    };
    expect(raw.encoding).toBe('json+gzip+base64');
    expect(raw.data).not.toContain('web-5d9f');
  });

  it('drops the previous generation when a new one is stored', async () => {
    const store = new SnapshotStore(newCache());
    await store.putObjects(state(1), JSON.stringify(objects.slice(0, 2)));
    await store.putObjects(state(2), JSON.stringify(objects.slice(0, 3)));
    expect(await store.getObjects('prod', 1)).toBeUndefined();
    expect((await store.getObjects('prod', 2))?.objects).toHaveLength(3);
  });

  it('reads a generation written uncompressed by a replica of an earlier version', async () => {
    const cache = newCache();
    await cache.set('snapshot-objects:prod:4', {
      generation: 4,
      objects: objects.slice(0, 2),
    });
    expect(await new SnapshotStore(cache).getObjects('prod', 4)).toEqual({
      generation: 4,
      objects: objects.slice(0, 2),
    });
  });

  it('treats an entry in an unknown encoding as missing (the view waits for the next read)', async () => {
    const cache = newCache();
    await cache.set('snapshot-objects:prod:5', {
      generation: 5,
      encoding: 'zstd',
      data: 'AAAA',
    });
    expect(
      await new SnapshotStore(cache).getObjects('prod', 5),
    ).toBeUndefined();
  });

  describe('state records', () => {
    /** The cache, recording which keys were read. */
    const recording = (cache: CacheService) => {
      const reads: string[] = [];
      const writes: string[] = [];
      let failSetsOf: string | undefined;
      const wrapped: CacheService = {
        get: async key => {
          reads.push(key);
          return cache.get(key);
        },
        set: async (key, value, options) => {
          if (failSetsOf && key.startsWith(failSetsOf))
            throw new Error('cache unavailable');
          writes.push(key);
          return cache.set(key, value, options);
        },
        delete: key => cache.delete(key),
        withOptions: () => wrapped,
      };
      return {
        cache: wrapped,
        reads,
        writes,
        failSets: (prefix?: string) => (failSetsOf = prefix),
      };
    };

    it('are read again only when another replica has written a new one', async () => {
      const shared = newCache();
      const writer = new SnapshotStore(shared);
      const { cache, reads } = recording(shared);
      const reader = new SnapshotStore(cache);

      await writer.putState(state(1));
      expect(await reader.getState('prod')).toEqual(state(1));
      reads.length = 0;
      expect(await reader.getState('prod')).toEqual(state(1));
      expect(await reader.getState('prod')).toEqual(state(1));
      // Each call still asks the shared cache, but only for the revision.
      expect(reads).toEqual([
        'snapshot-state-revision:prod',
        'snapshot-state-revision:prod',
      ]);

      reads.length = 0;
      await writer.putState({
        ...state(1),
        status: 'unreachable',
        error: 'timeout',
      });
      expect(await reader.getState('prod')).toEqual({
        ...state(1),
        status: 'unreachable',
        error: 'timeout',
      });
      expect(reads).toEqual([
        'snapshot-state-revision:prod',
        'snapshot-state:prod',
      ]);
    });

    it('never keep serving a superseded record when writing the new one failed half-way', async () => {
      const shared = newCache();
      const { cache: writerCache, failSets, writes } = recording(shared);
      const writer = new SnapshotStore(writerCache);
      const reader = new SnapshotStore(shared);
      await writer.putState(state(1));
      // The revision first: the other order could leave readers matching an old revision to a
      // superseded record.
      expect(writes).toEqual([
        'snapshot-state-revision:prod',
        'snapshot-state:prod',
      ]);
      expect((await reader.getState('prod'))?.generation).toBe(1);

      // The revision is written, the record is not: readers see the last record written (the
      // only one there is) and keep asking for the record until a write completes.
      failSets('snapshot-state:');
      await expect(writer.putState(state(2))).rejects.toThrow(
        'cache unavailable',
      );
      expect((await reader.getState('prod'))?.generation).toBe(1);
      failSets(undefined);
      await writer.putState(state(3));
      expect((await reader.getState('prod'))?.generation).toBe(3);
    });

    it('are read in full every time when written by a replica of an earlier version (no revision)', async () => {
      const shared = newCache();
      await shared.set('snapshot-state:prod', state(7) as any);
      const { cache, reads } = recording(shared);
      const reader = new SnapshotStore(cache);
      expect(await reader.getState('prod')).toEqual(state(7));
      await shared.set('snapshot-state:prod', state(8) as any);
      expect(await reader.getState('prod')).toEqual(state(8));
      expect(reads.filter(k => k === 'snapshot-state:prod')).toHaveLength(2);
    });

    it('keep the revision out of what callers get, and a fresh one on every write', async () => {
      const shared = newCache();
      const store = new SnapshotStore(shared);
      await store.putState(state(1));
      const first = await shared.get('snapshot-state-revision:prod');
      await store.putState({ ...(await store.getState('prod'))!, requests: 2 });
      expect(await shared.get('snapshot-state-revision:prod')).not.toEqual(
        first,
      );
      expect(await store.getState('prod')).toEqual({
        ...state(1),
        requests: 2,
      });
    });
  });

  describe('deltas (watch mode)', () => {
    const pod = (name: string, ip = '10.0.0.1') => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop' },
      status: { podIP: ip },
    });

    it('serves a generation as its base with every delta after it applied', async () => {
      const cache = newCache();
      const writer = new SnapshotStore(cache);
      await writer.putObjects(
        state(1),
        JSON.stringify([pod('a'), pod('b'), pod('c')]),
      );
      await writer.putDelta(
        { ...state(2), baseGeneration: 1 },
        { generation: 2, upserts: [pod('d')], deletes: [] },
      );
      await writer.putDelta(
        { ...state(3), baseGeneration: 1 },
        {
          generation: 3,
          upserts: [pod('a', '10.0.0.9')],
          deletes: [objectIdentity(pod('b'))],
        },
      );

      // Another replica, which never saw generation 1 or 2.
      const reader = new SnapshotStore(cache);
      const current = await reader.getState('prod');
      expect(current).toMatchObject({ generation: 3, baseGeneration: 1 });
      const held = await reader.getCurrentObjects(current!);
      expect(held?.generation).toBe(3);
      expect(held?.objects).toEqual([pod('a', '10.0.0.9'), pod('c'), pod('d')]);
      // A replica at generation 2 reads only the delta after it.
      expect(await reader.getDeltas('prod', 2, 3)).toEqual([
        {
          generation: 3,
          upserts: [pod('a', '10.0.0.9')],
          deletes: [objectIdentity(pod('b'))],
        },
      ]);
    });

    it('says a generation cannot be served when one of its deltas is gone', async () => {
      const cache = newCache();
      const store = new SnapshotStore(cache);
      await store.putObjects(state(1), JSON.stringify([pod('a')]));
      await store.putDelta(
        { ...state(2), baseGeneration: 1 },
        { generation: 2, upserts: [pod('b')], deletes: [] },
      );
      await store.putDelta(
        { ...state(3), baseGeneration: 1 },
        { generation: 3, upserts: [pod('c')], deletes: [] },
      );
      await cache.delete('snapshot-delta:prod:2');
      expect(await store.getDeltas('prod', 1, 3)).toBeUndefined();
      expect(
        await store.getCurrentObjects({ ...state(3), baseGeneration: 1 }),
      ).toBeUndefined();
    });

    it('drops the previous base and its deltas when a generation is stored in full', async () => {
      const cache = newCache();
      const store = new SnapshotStore(cache);
      await store.putObjects(state(1), JSON.stringify([pod('a')]));
      await store.putDelta(
        { ...state(2), baseGeneration: 1 },
        { generation: 2, upserts: [pod('b')], deletes: [] },
      );
      await store.putObjects(state(3), JSON.stringify([pod('a'), pod('b')]));

      expect(await cache.get('snapshot-objects:prod:1')).toBeUndefined();
      expect(await cache.get('snapshot-delta:prod:2')).toBeUndefined();
      const current = await store.getState('prod');
      expect(current?.baseGeneration).toBeUndefined();
      expect((await store.getCurrentObjects(current!))?.objects).toEqual([
        pod('a'),
        pod('b'),
      ]);
    });
  });
});
