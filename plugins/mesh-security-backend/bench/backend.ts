/*
 * Backend benchmark (`npm run bench:backend`; not a test). Starts 5 mock Kubernetes APIs on
 * loopback (10,000 pods each by default) in one child process, then a real Backstage backend in
 * another with Mesh Security and the Kubernetes plugin's backend reading those clusters; this
 * process is the load generator. It prints:
 *   - time to the first full snapshot of every cluster,
 *   - memory retained per 10,000 pods (snapshot + evaluated view),
 *   - p50/p99 latency of GET /api/mesh-security/entity over N random entity views, and the
 *     Kubernetes API requests those views caused,
 *   - the same for the Kubernetes plugin's per-entity fetch (POST /api/kubernetes/services/:id),
 *     and the ratios.
 * Sizes: BENCH_CLUSTERS (5), BENCH_PODS (10000 per cluster), BENCH_VIEWS (1000),
 * BENCH_K8S_VIEWS (100); BENCH_K8S_LATENCY_MS (0) delays every mock API answer;
 * BENCH_BREAKDOWN=1 adds per-route figures; BENCH_MEMORY_ONLY=1 stops after the memory figures; BENCH_PROFILE=<file> writes a CPU profile of the
 * backend during the entity views.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { performance } from 'node:perf_hooks';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ask, startChild } from './processes';
import { KubernetesSource } from '../src/sources/KubernetesSource';
import { SnapshotStore } from '../src/snapshots/SnapshotStore';
import { SnapshotRefresher } from '../src/snapshots/SnapshotRefresher';
import { ClusterViews } from '../src/snapshots/ClusterViews';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 1000);
const K8S_VIEWS = Number(process.env.BENCH_K8S_VIEWS ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 7417);
const LATENCY_MS = Number(process.env.BENCH_K8S_LATENCY_MS ?? 0);
const size = { namespaces: 100, workloads: PODS / 5, podsPerWorkload: 5, entities: 1000 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (v: number) => `${v.toFixed(2)} ms`;
const gc = () => (global as any).gc?.();

interface MemoryFigures {
  /** Bytes per pod: the snapshot as the in-process memory cache holds it. */
  cache: number;
  /** Bytes per pod: the evaluated view (engine, workloads, findings). */
  view: number;
  /** Bytes per pod: the access graph (callers and callees of every workload). */
  graph: number;
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

async function measureCluster(url: string, name: string): Promise<MemoryFigures> {
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
  const cache = CacheManager.fromConfig(mockServices.rootConfig({ data: {} })).forPlugin('mesh-security');
  const store = new SnapshotStore(cache);
  const source = new KubernetesSource({ name, url, serviceAccountToken: 'bench', skipTLSVerify: true });
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child() { return quiet; } } as any;
  await new SnapshotRefresher(source, store, quiet, { refreshIntervalSeconds: 60 }).refresh();
  const cached = await heap();
  const views = new ClusterViews(store, { clusters: [name], refreshIntervalSeconds: 60, certificateExpiryWarningDays: 30 });
  const view = await views.get(name);
  if (view.workloads.length === 0) throw new Error('measurement cluster produced no workloads');
  const evaluated = await heap();
  while (!view.graph?.complete) await new Promise(r => setTimeout(r, 100));
  const graphed = await heap();
  // BENCH_HEAP_SNAPSHOT=<file>: what this process retains for the measured cluster, to inspect.
  if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
  const state = await store.getState(name);
  views.all().then(() => undefined); // keeps `views` (and the cache behind it) alive until here
  return {
    cache: (cached - start) / PODS,
    view: (evaluated - cached) / PODS,
    graph: (graphed - evaluated) / PODS,
    snapshotJson: (state?.snapshotBytes ?? 0) / PODS,
    stored: (state?.storedBytes ?? 0) / PODS,
  };
}

async function main() {
  if (!(global as any).gc) console.log('(run with --expose-gc for exact memory figures)');
  const latency = LATENCY_MS ? `, mock API latency ${LATENCY_MS} ms per request` : '';
  console.log(`Generating ${CLUSTERS} clusters × ${PODS} pods (${size.workloads} workloads each)${latency}…`);
  const mocks = startChild('mockClustersProcess.ts');
  const { urls } = await ask<{ urls: string[] }>(mocks, { type: 'start', count: CLUSTERS, size, latencyMs: LATENCY_MS });
  const totalRequests = async () => (await ask<{ count: number }>(mocks, { type: 'requests' })).count;

  const memory = await retainedBytesPerPod(urls[0]);
  const kib = (v: number) => `${(v / 1024).toFixed(2)} KiB`;
  console.log(
    `memory retained per pod in every replica (steady state: evaluated view and access graph): ${kib(memory.view + memory.graph)} ` +
      `(${kib(memory.view)} right after evaluation, before the evaluating engine is released); ` +
      `snapshot in the memory cache ${kib(memory.cache)} (${kib(memory.snapshotJson)} of trimmed JSON, stored gzipped as ` +
      `${kib(memory.stored)}; with Redis it lives outside the process)`,
  );
  if (process.env.BENCH_MEMORY_ONLY) {
    mocks.kill();
    process.exit(0);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bench-'));
  const entitiesFile = path.join(dir, 'entities.yaml');
  fs.writeFileSync(
    entitiesFile,
    Array.from({ length: size.entities }, (_, i) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-${i}\n  annotations:\n    backstage.io/kubernetes-id: svc-${i}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-${i % 20}\n`,
    ).join('---\n'),
  );
  const configFile = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      app: { baseUrl: `http://127.0.0.1:${PORT}` },
      backend: { baseUrl: `http://127.0.0.1:${PORT}`, listen: { port: PORT }, database: { client: 'better-sqlite3', connection: ':memory:' } },
      auth: { environment: 'development', providers: { guest: { dangerouslyAllowOutsideDevelopment: true } } },
      catalog: { rules: [{ allow: ['Component'] }], locations: [{ type: 'file', target: entitiesFile }] },
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: urls.map((url, i) => ({ name: `c${i}`, url, authProvider: 'serviceAccount', serviceAccountToken: 'bench', skipTLSVerify: true, skipMetricsLookup: true })),
          },
        ],
      },
      meshSecurity: { refreshIntervalSeconds: 3600 },
    }),
  );

  const started = performance.now();
  const backend = startChild('backendProcess.ts');
  await ask(backend, { type: 'start', configFile });

  const base = `http://127.0.0.1:${PORT}/api`;
  const tokenRes = await fetch(`${base}/auth/guest/refresh`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
  const token = ((await tokenRes.json()) as any).backstageIdentity.token as string;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (process.env.BENCH_IDENTITY_ENCODING) headers['accept-encoding'] = 'identity';

  for (;;) {
    const health = (await (await fetch(`${base}/mesh-security/health`, { headers })).json()) as any;
    if (health.clusters?.length === CLUSTERS && health.clusters.every((c: any) => c.status === 'ok')) break;
    await new Promise(r => setTimeout(r, 200));
  }
  const firstSnapshot = performance.now() - started;
  // Steady state: every cluster's access graph built in the background (once per generation).
  await fetch(`${base}/mesh-security/entity/component/default/svc-0`, { headers });
  for (;;) {
    const health = (await (await fetch(`${base}/mesh-security/health`, { headers })).json()) as any;
    if (health.clusters.every((c: any) => c.accessGraphReady)) break;
    await new Promise(r => setTimeout(r, 200));
  }
  const graphsReady = performance.now() - started;
  for (;;) {
    const res = await fetch(`${base}/catalog/entities/by-query?filter=kind=component&limit=1`, { headers });
    if (((await res.json()) as any).totalItems >= size.entities) break;
    await new Promise(r => setTimeout(r, 500));
  }
  // One warm-up view builds the evaluated views (once per generation per replica).
  const sample = await (await fetch(`${base}/mesh-security/entity/component/default/svc-0`, { headers })).text();
  // BENCH_DUMP=<file>: one response, to see what a view carries.
  if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, sample);
  const heap = await ask<{ heapUsed: number; rss: number }>(backend, { type: 'memory' });

  const pick = () => `svc-${Math.floor(Math.random() * size.entities)}`;
  // BENCH_PROFILE=file.cpuprofile: a CPU profile of the backend process during the entity views.
  if (process.env.BENCH_PROFILE) await ask(backend, { type: 'profileStart' });
  await ask(backend, { type: 'loopStart' });
  const ours: number[] = [];
  let oursBytes = 0;
  const before = await totalRequests();
  for (let i = 0; i < VIEWS; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/mesh-security/entity/component/default/${pick()}`, { headers });
    oursBytes += (await res.arrayBuffer()).byteLength;
    if (res.status !== 200) throw new Error(`GET /entity answered ${res.status}`);
    ours.push(performance.now() - t);
  }
  const oursRequests = ((await totalRequests()) - before) / VIEWS;
  if (process.env.BENCH_PROFILE) await ask(backend, { type: 'profileStop', file: process.env.BENCH_PROFILE });
  const loop = await ask<{ p50: number; p99: number; max: number }>(backend, { type: 'loopStop' });

  if (process.env.BENCH_BREAKDOWN) {
    for (const [label, url] of [['health', `${base}/mesh-security/health`], ['catalog', `${base}/catalog/entities/by-name/component/default/svc-1`], ['entity', `${base}/mesh-security/entity/component/default/svc-1`]]) {
      const t: number[] = [];
      for (let i = 0; i < 200; i++) {
        const s0 = performance.now();
        await (await fetch(url, { headers })).arrayBuffer();
        t.push(performance.now() - s0);
      }
      console.log(`breakdown ${label}: p50 ${ms(percentile(t, 50))} p99 ${ms(percentile(t, 99))}`);
    }
  }
  // The floor every Backstage route pays here: credentials, and one catalog read by name.
  const floor: number[] = [];
  for (let i = 0; i < Math.min(VIEWS, 300); i++) {
    const t = performance.now();
    const res = await fetch(`${base}/catalog/entities/by-name/component/default/${pick()}`, { headers });
    await res.arrayBuffer();
    floor.push(performance.now() - t);
  }

  const theirs: number[] = [];
  const beforeK8s = await totalRequests();
  for (let i = 0; i < K8S_VIEWS; i++) {
    const name = pick();
    const t = performance.now();
    const res = await fetch(`${base}/kubernetes/services/${name}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ entity: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name, namespace: 'default', annotations: { 'backstage.io/kubernetes-id': name } }, spec: {} } }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`kubernetes-backend answered ${res.status}`);
    theirs.push(performance.now() - t);
  }
  const theirsRequests = ((await totalRequests()) - beforeK8s) / K8S_VIEWS;

  const rows = [
    ['', 'Mesh Security GET /entity', 'Kubernetes plugin fetch', 'ratio'],
    ['p50', ms(percentile(ours, 50)), ms(percentile(theirs, 50)), `${(percentile(theirs, 50) / percentile(ours, 50)).toFixed(0)}×`],
    ['p99', ms(percentile(ours, 99)), ms(percentile(theirs, 99)), `${(percentile(theirs, 99) / percentile(ours, 99)).toFixed(0)}×`],
    ['K8s API requests / view', oursRequests.toFixed(2), theirsRequests.toFixed(1), ''],
    ['views measured', String(VIEWS), String(K8S_VIEWS), ''],
    ['mean response size', `${(oursBytes / VIEWS / 1024).toFixed(1)} KiB`, '', ''],
  ];
  console.log(`\n${CLUSTERS} clusters × ${PODS} pods, ${size.entities} entities`);
  console.log(`time to first full snapshot (all clusters): ${(firstSnapshot / 1000).toFixed(1)} s`);
  console.log(`time until every access graph is built (steady state): ${(graphsReady / 1000).toFixed(1)} s`);
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(i === 0 ? 26 : 28)).join(''));
  console.log(
    `backend event-loop delay during the Mesh Security views: p50 ${ms(loop.p50)}, p99 ${ms(loop.p99)}, max ${ms(loop.max)}`,
  );
  console.log(`floor (catalog GET by name, same auth): p50 ${ms(percentile(floor, 50))}, p99 ${ms(percentile(floor, 99))}`);
  console.log(
    `backend process after warm-up: heap in use ${(heap.heapUsed / 1024 / 1024).toFixed(0)} MiB, RSS ${(heap.rss / 1024 / 1024).toFixed(0)} MiB ` +
      `(everything: catalog, Kubernetes plugin, ${CLUSTERS} clusters' snapshots in the memory cache, views and access graphs)`,
  );
  const heapAfter = await ask<{ heapUsed: number; rss: number }>(backend, { type: 'memory' });
  console.log(
    `backend process after every measured view: heap in use ${(heapAfter.heapUsed / 1024 / 1024).toFixed(0)} MiB ` +
      `(growth from serving views: ${((heapAfter.heapUsed - heap.heapUsed) / 1024 / 1024).toFixed(1)} MiB)`,
  );
  backend.kill();
  mocks.kill();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
