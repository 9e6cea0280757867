import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { SnapshotStore } from './SnapshotStore';
import { ClusterState } from './types';

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
  metadata: { name: `web-5d9f-${i}`, namespace: 'shop', labels: { app: 'web', 'pod-template-hash': '5d9f' } },
  spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] },
  status: { phase: 'Running', podIP: `10.0.${Math.floor(i / 250)}.${i % 250}` },
}));

describe('SnapshotStore', () => {
  const newCache = () =>
    CacheManager.fromConfig(mockServices.rootConfig({ data: { backend: { cache: { store: 'memory' } } } })).forPlugin(
      'mesh-security',
    );

  it('round-trips a generation through the cache compressed, and records the stored size', async () => {
    const cache = newCache();
    const store = new SnapshotStore(cache);
    const json = JSON.stringify(objects);
    const stored = await store.putObjects(state(1), json);

    expect(stored).toBeLessThan(json.length / 5);
    expect((await store.getState('prod'))?.storedBytes).toBe(stored);
    expect(await new SnapshotStore(cache).getObjects('prod', 1)).toEqual({ generation: 1, objects });
    // What the cache holds is one base64 string, not the objects.
    const raw = (await cache.get('snapshot-objects:prod:1')) as { encoding: string; data: string };
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
    await cache.set('snapshot-objects:prod:4', { generation: 4, objects: objects.slice(0, 2) });
    expect(await new SnapshotStore(cache).getObjects('prod', 4)).toEqual({ generation: 4, objects: objects.slice(0, 2) });
  });

  it('treats an entry in an unknown encoding as missing (the view waits for the next read)', async () => {
    const cache = newCache();
    await cache.set('snapshot-objects:prod:5', { generation: 5, encoding: 'zstd', data: 'AAAA' });
    expect(await new SnapshotStore(cache).getObjects('prod', 5)).toBeUndefined();
  });
});

