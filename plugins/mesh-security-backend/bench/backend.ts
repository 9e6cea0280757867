/*
 * Backend benchmark (`npm run bench:backend`; not a test). Starts 5 mock Kubernetes APIs on
 * loopback (10,000 pods each by default), then a real Backstage backend in this process with
 * Mesh Security and the Kubernetes plugin's backend reading those clusters, and prints:
 *   - time to the first full snapshot of every cluster,
 *   - memory retained per 10,000 pods (snapshot + evaluated view),
 *   - p50/p99 latency of GET /api/mesh-security/entity over N random entity views, and the
 *     Kubernetes API requests those views caused,
 *   - the same for the Kubernetes plugin's per-entity fetch (POST /api/kubernetes/services/:id),
 *     and the ratios.
 * Sizes: BENCH_CLUSTERS (5), BENCH_PODS (10000 per cluster), BENCH_VIEWS (1000),
 * BENCH_K8S_VIEWS (100).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { generateEstate, startMockCluster } from './mockKubernetes';
import { KubernetesSource } from '../src/sources/KubernetesSource';
import { SnapshotStore } from '../src/snapshots/SnapshotStore';
import { SnapshotRefresher } from '../src/snapshots/SnapshotRefresher';
import { ClusterViews } from '../src/snapshots/ClusterViews';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 1000);
const K8S_VIEWS = Number(process.env.BENCH_K8S_VIEWS ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 7417);
const size = { namespaces: 100, workloads: PODS / 5, podsPerWorkload: 5, entities: 1000 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (v: number) => `${v.toFixed(2)} ms`;
const gc = () => (global as any).gc?.();

async function retainedBytesPerPod(url: string): Promise<{ perPod: number; cachedPerPod: number }> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const cache = CacheManager.fromConfig(mockServices.rootConfig({ data: {} })).forPlugin('mesh-security');
  const store = new SnapshotStore(cache);
  const source = new KubernetesSource({ name: 'measure', url, serviceAccountToken: 'bench', skipTLSVerify: true });
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, child() { return quiet; } } as any;
  await new SnapshotRefresher(source, store, quiet, { refreshIntervalSeconds: 60 }).refresh();
  const views = new ClusterViews(store, { clusters: ['measure'], refreshIntervalSeconds: 60, certificateExpiryWarningDays: 30 });
  const view = await views.get('measure');
  gc();
  const after = process.memoryUsage().heapUsed;
  if (view.workloads.length === 0) throw new Error('measurement cluster produced no workloads');
  (global as any).__keep = [cache, views];
  const state = await store.getState('measure');
  return { perPod: (after - before) / PODS, cachedPerPod: (state?.snapshotBytes ?? 0) / PODS };
}

async function main() {
  if (!(global as any).gc) console.log('(run with --expose-gc for exact memory figures)');
  console.log(`Generating ${CLUSTERS} clusters × ${PODS} pods (${size.workloads} workloads each)…`);
  const clusters = await Promise.all(
    Array.from({ length: CLUSTERS }, (_, i) => startMockCluster(generateEstate(i, size))),
  );
  const totalRequests = () => clusters.reduce((n, c) => n + c.requests(), 0);

  const { perPod, cachedPerPod } = await retainedBytesPerPod(clusters[0].url);
  console.log(
    `memory retained per pod: ${perPod.toFixed(0)} B (per 10,000 pods: ${((perPod * 10_000) / 1024 / 1024).toFixed(1)} MiB), ` +
      `of which the trimmed snapshot held by the in-process memory cache: ${cachedPerPod.toFixed(0)} B (with Redis it lives outside the process)`,
  );

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
      app: { baseUrl: `http://localhost:${PORT}` },
      backend: { baseUrl: `http://localhost:${PORT}`, listen: { port: PORT }, database: { client: 'better-sqlite3', connection: ':memory:' } },
      auth: { environment: 'development', providers: { guest: { dangerouslyAllowOutsideDevelopment: true } } },
      catalog: { rules: [{ allow: ['Component'] }], locations: [{ type: 'file', target: entitiesFile }] },
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: clusters.map((c, i) => ({ name: `c${i}`, url: c.url, authProvider: 'serviceAccount', serviceAccountToken: 'bench', skipTLSVerify: true, skipMetricsLookup: true })),
          },
        ],
      },
      meshSecurity: { refreshIntervalSeconds: 3600 },
    }),
  );
  process.argv.push('--config', configFile);
  // Request logging to the console would dominate both sides' latency; keep warnings only.
  process.env.LOG_LEVEL ??= 'warn';

  const { createBackend } = await import('@backstage/backend-defaults');
  const backend = createBackend();
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(import('@backstage/plugin-permission-backend-module-allow-all-policy'));
  backend.add(import('@backstage/plugin-kubernetes-backend'));
  backend.add(import('../src'));
  const started = performance.now();
  await backend.start();

  const base = `http://localhost:${PORT}/api`;
  const tokenRes = await fetch(`${base}/auth/guest/refresh`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
  const token = ((await tokenRes.json()) as any).backstageIdentity.token as string;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

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
  await fetch(`${base}/mesh-security/entity/component/default/svc-0`, { headers });

  const pick = () => `svc-${Math.floor(Math.random() * size.entities)}`;
  const ours: number[] = [];
  let oursBytes = 0;
  const before = totalRequests();
  for (let i = 0; i < VIEWS; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/mesh-security/entity/component/default/${pick()}`, { headers });
    oursBytes += (await res.arrayBuffer()).byteLength;
    if (res.status !== 200) throw new Error(`GET /entity answered ${res.status}`);
    ours.push(performance.now() - t);
  }
  const oursRequests = (totalRequests() - before) / VIEWS;

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
  const beforeK8s = totalRequests();
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
  const theirsRequests = (totalRequests() - beforeK8s) / K8S_VIEWS;

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
  console.log(`floor (catalog GET by name, same auth): p50 ${ms(percentile(floor, 50))}, p99 ${ms(percentile(floor, 99))}`);
  await backend.stop();
  await Promise.all(clusters.map(c => c.close()));
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
