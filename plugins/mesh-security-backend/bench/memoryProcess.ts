/*
 * Child process of the backend benchmark: memory retained per pod, stage by stage, for one
 * cluster read from the mock API at `url`. IPC: `measure` → {@link MemoryFigures}.
 */
import v8 from 'node:v8';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { serve } from './processes';
import { KubernetesSource } from '../src/sources/KubernetesSource';
import { SnapshotStore } from '../src/snapshots/SnapshotStore';
import { SnapshotRefresher } from '../src/snapshots/SnapshotRefresher';
import { ClusterViews } from '../src/snapshots/ClusterViews';
import { NotConfiguredTrafficReader } from '../src/traffic/NotConfiguredTrafficReader';
import { PostureService } from '../src/service/PostureService';

let PODS = 1;
let ENTITIES = 0;
const gc = () => (global as any).gc?.();

export interface MemoryFigures {
  /** Bytes per pod: the snapshot as the in-process memory cache holds it. */
  cache: number;
  /** Bytes per pod: the evaluated view (engine, workloads, findings). */
  view: number;
  /** Bytes per pod: the access graph (callers and callees of every workload). */
  graph: number;
  /**
   * Bytes per pod: what views keep for the rest of the generation once every entity has been
   * viewed (each workload's entry with callers, callees and policies, the policies' YAML, the
   * findings index).
   */
  viewed: number;
  /** The size of the trimmed objects as JSON, per pod. */
  snapshotJson: number;
  /** What the cache stores per pod (gzipped JSON in base64). */
  stored: number;
}

/**
 * Heap retained per pod by one cluster, stage by stage, measured with full GCs in between. Runs
 * twice and reports the second run: the first also pays for one-time costs (compiling the
 * engine's code), which belong to the process, not to any pod.
 */
async function retainedBytesPerPod(url: string): Promise<MemoryFigures> {
  await measureCluster(url, 'warm-up');
  return measureCluster(url, 'measure');
}

async function measureCluster(
  url: string,
  name: string,
): Promise<MemoryFigures> {
  // Full collections with turns of the event loop between them, so that sockets, timers and
  // weak references released by the previous stage are gone before measuring.
  const heap = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise(r => setTimeout(r, 50));
      gc();
    }
    return process.memoryUsage().heapUsed;
  };
  const start = await heap();
  const cache = CacheManager.fromConfig(
    mockServices.rootConfig({ data: {} }),
  ).forPlugin('mesh-security');
  const store = new SnapshotStore(cache);
  const source = new KubernetesSource({
    name,
    url,
    serviceAccountToken: 'bench',
    skipTLSVerify: true,
  });
  const quiet = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child() {
      return quiet;
    },
  } as any;
  await new SnapshotRefresher(source, store, quiet, {
    refreshIntervalSeconds: 60,
  }).refresh();
  const cached = await heap();
  const views = new ClusterViews(store, {
    clusters: [name],
    refreshIntervalSeconds: 60,
    certificateExpiryWarningDays: 30,
  });
  const view = await views.get(name);
  if (view.workloads.length === 0)
    throw new Error('measurement cluster produced no workloads');
  const evaluated = await heap();
  while (!view.graph?.complete) await new Promise(r => setTimeout(r, 100));
  const graphed = await heap();
  const posture = new PostureService(views, new NotConfiguredTrafficReader());
  for (let i = 0; i < ENTITIES; i++) {
    const id = `svc-${i}`;
    await posture.entityPosture(
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: id,
          namespace: 'default',
          annotations: { 'backstage.io/kubernetes-id': id },
        },
      },
      { clusterErrorDetails: true },
    );
  }
  const viewed = await heap();
  // BENCH_HEAP_SNAPSHOT=<file>: what this process retains for the measured cluster, to inspect.
  if (process.env.BENCH_HEAP_SNAPSHOT)
    v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
  const state = await store.getState(name);
  views.all().then(() => undefined); // keeps `views` (and the cache behind it) alive until here
  return {
    cache: (cached - start) / PODS,
    view: (evaluated - cached) / PODS,
    graph: (graphed - evaluated) / PODS,
    viewed: (viewed - graphed) / PODS,
    snapshotJson: (state?.snapshotBytes ?? 0) / PODS,
    stored: (state?.storedBytes ?? 0) / PODS,
  };
}

serve({
  async measure({ url, pods, entities }) {
    PODS = pods;
    ENTITIES = entities;
    return { ...(await retainedBytesPerPod(url)) };
  },
});
