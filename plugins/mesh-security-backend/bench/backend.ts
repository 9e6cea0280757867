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
 * Estate: BENCH_ESTATE=policies (default: default-deny NetworkPolicies, ALLOW policies naming
 * callers) or allow-all (no AuthorizationPolicy, no NetworkPolicy: Istio's default, where the
 * access graph would have n² edges). Sizes: BENCH_CLUSTERS (5), BENCH_PODS (10000 per cluster;
 * 5 pods per workload), BENCH_VIEWS (1000),
 * BENCH_K8S_VIEWS (100); BENCH_K8S_LATENCY_MS (0) delays every mock API answer;
 * BENCH_TRAFFIC=<n> (0) adds observed traffic: each mock cluster also serves a Prometheus API whose
 * Istio answers give every workload n mTLS sources, read once by the backend before the views;
 * the views are then counted for Prometheus queries too;
 * BENCH_BREAKDOWN=1 adds per-route figures; BENCH_MEMORY_ONLY=1 stops after the memory figures; BENCH_PROFILE=<file> writes a CPU profile of the
 * backend during the entity views.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { ask, benchBackendConfig, startChild } from './processes';
import type { MemoryFigures } from './memoryProcess';
import type { LoopFigures } from './backendProcess';
import { percentile } from './stats';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 1000);
const K8S_VIEWS = Number(process.env.BENCH_K8S_VIEWS ?? 100);
const WARMUP_VIEWS = Number(process.env.BENCH_WARMUP_VIEWS ?? 300);
const WARMUP_MAJORS = Number(process.env.BENCH_WARMUP_MAJORS ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 7417);
const LATENCY_MS = Number(process.env.BENCH_K8S_LATENCY_MS ?? 0);
const ESTATE = (process.env.BENCH_ESTATE ?? 'policies') as
  | 'policies'
  | 'allow-all';
const size = {
  namespaces: 100,
  workloads: PODS / 5,
  podsPerWorkload: 5,
  entities: 1000,
  estate: ESTATE,
};
// Shorter than the default (30 s): the background listing of annotated components then runs
// during the views too, as it would in production.
const ENTITY_CACHE_SECONDS = 10;
/** BENCH_TRAFFIC=<n>: observed traffic from a mock Prometheus, n sources per workload (0: off). */
const TRAFFIC_SOURCES = Number(process.env.BENCH_TRAFFIC ?? 0);

const ms = (v: number) => `${v.toFixed(2)} ms`;

/**
 * The load generator's client: node:http on one keep-alive connection, asking for gzip as a
 * browser does, timed until the last byte of the body arrived (not decompressed: that is the
 * client's work, as in HTTP load tools). A lighter client than `fetch`, whose own allocation
 * and collections showed up in every figure it measured; every route is measured the same way.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function timedRequest(
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers: { 'accept-encoding': 'gzip', ...headers },
      },
      res => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ms: performance.now() - start,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', error => {
      // The server closed the idle keep-alive connection as this request went out on it: sent
      // again on a new one, as Node's documentation advises ("request.reusedSocket"); the time
      // is that of the request that was answered.
      if (
        req.reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      ) {
        timedRequest(url, headers, body).then(resolve, reject);
      } else reject(error);
    });
    req.end(body);
  });
}

async function main() {
  if (!(global as any).gc)
    console.log('(run with --expose-gc for exact memory figures)');
  const latency = LATENCY_MS
    ? `, mock API latency ${LATENCY_MS} ms per request`
    : '';
  console.log(
    `Generating ${CLUSTERS} clusters × ${PODS} pods (${size.workloads} workloads each, estate ${ESTATE})${latency}…`,
  );
  const mocks = startChild('mockClustersProcess.ts');
  const { urls } = await ask<{ urls: string[] }>(mocks, {
    type: 'start',
    count: CLUSTERS,
    size,
    latencyMs: LATENCY_MS,
    trafficSources: TRAFFIC_SOURCES,
  });
  const totalRequests = async () =>
    (await ask<{ count: number }>(mocks, { type: 'requests' })).count;
  const totalQueries = async () =>
    (await ask<{ count: number }>(mocks, { type: 'queries' })).count;

  // Measured in a child of its own: its heap (one whole cluster evaluated twice) then never
  // slows the load generator's measurements with its garbage collections.
  const memoryChild = startChild('memoryProcess.ts');
  const memory = await ask<MemoryFigures>(memoryChild, {
    type: 'measure',
    url: urls[0],
    pods: PODS,
    entities: size.entities,
  });
  memoryChild.kill();
  const kib = (v: number) => `${(v / 1024).toFixed(2)} KiB`;
  console.log(
    `memory retained per pod in every replica (steady state, every entity viewed): ${kib(
      memory.view + memory.graph + memory.viewed,
    )} ` +
      `(evaluated view and access graph ${kib(
        memory.view + memory.graph,
      )}, what views keep for the generation ${kib(memory.viewed)}; ` +
      `${kib(
        memory.view,
      )} right after evaluation, before the evaluating engine is released); ` +
      `snapshot in the memory cache ${kib(memory.cache)} (${kib(
        memory.snapshotJson,
      )} of trimmed JSON, stored gzipped as ` +
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
    Array.from(
      { length: size.entities },
      (_, i) =>
        `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-${i}\n  annotations:\n    backstage.io/kubernetes-id: svc-${i}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-${
          i % 20
        }\n`,
    ).join('---\n'),
  );
  const configFile = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(
    configFile,
    benchBackendConfig({
      port: PORT,
      urls,
      entitiesFile,
      meshSecurity: {
        // One full read per cluster, as this benchmark's figures always measured; the watch
        // mode (the default) has its own benchmark, bench:watch.
        watch: { enabled: false },
        refreshIntervalSeconds: 3600,
        entityCacheSeconds: ENTITY_CACHE_SECONDS,
        ...(TRAFFIC_SOURCES
          ? {
              traffic: {
                refreshInterval: '1h',
                sources: urls.map((url, i) => ({
                  type: 'prometheus',
                  url,
                  meshes: ['istio'],
                  clusters: [{ name: `c${i}` }],
                })),
              },
            }
          : {}),
      },
    }),
  );

  const started = performance.now();
  const backend = startChild(
    'backendProcess.ts',
    {},
    (process.env.BENCH_BACKEND_FLAGS ?? '').split(' ').filter(Boolean),
  );
  await ask(backend, { type: 'start', configFile });

  const base = `http://127.0.0.1:${PORT}/api`;
  const tokenRes = await fetch(`${base}/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const token = ((await tokenRes.json()) as any).backstageIdentity
    .token as string;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  if (process.env.BENCH_IDENTITY_ENCODING)
    headers['accept-encoding'] = 'identity';

  for (;;) {
    const health = (await (
      await fetch(`${base}/mesh-security/health`, { headers })
    ).json()) as any;
    if (
      health.clusters?.length === CLUSTERS &&
      health.clusters.every((c: any) => c.status === 'ok')
    )
      break;
    await new Promise(r => setTimeout(r, 200));
  }
  const firstSnapshot = performance.now() - started;
  // Steady state: every cluster's access graph built in the background (once per generation).
  await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
    headers,
  });
  for (;;) {
    const health = (await (
      await fetch(`${base}/mesh-security/health`, { headers })
    ).json()) as any;
    if (health.clusters.every((c: any) => c.accessGraphReady)) break;
    await new Promise(r => setTimeout(r, 200));
  }
  const graphsReady = performance.now() - started;
  for (;;) {
    const res = await fetch(
      `${base}/catalog/entities/by-query?filter=kind=component&limit=1`,
      { headers },
    );
    if (((await res.json()) as any).totalItems >= size.entities) break;
    await new Promise(r => setTimeout(r, 500));
  }
  // Steady state also means the annotated components have been listed once after the catalog
  // ingested them (views then never wait for the catalog; before, they read entities one by one).
  await new Promise(r => setTimeout(r, (ENTITY_CACHE_SECONDS + 1) * 1000));
  // With traffic: wait until every cluster's observations were read (views then join them).
  while (TRAFFIC_SOURCES) {
    const view = (await (
      await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
        headers,
      })
    ).json()) as any;
    const statuses = new Set(
      view.workloads.map((w: any) => w.observed?.observations?.status),
    );
    if (view.workloads.length && statuses.size === 1 && statuses.has('ok'))
      break;
    await new Promise(r => setTimeout(r, 500));
  }
  // One warm-up view builds the evaluated views (once per generation per replica).
  const sample = await (
    await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
      headers,
    })
  ).text();
  // BENCH_DUMP=<file>: one response, to see what a view carries.
  if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, sample);
  const heap = await ask<{ heapUsed: number; rss: number }>(backend, {
    type: 'memory',
  });

  const pick = () => `svc-${Math.floor(Math.random() * size.entities)}`;
  // Unmeasured requests first. The heap reading above forces full collections, after which V8
  // runs with a small young generation and a tight old-generation limit: in the next thousand
  // views it ran twice the scavenges and two extra mark-compacts, each slowing every request
  // during its ~130 ms of marking — the benchmark's doing, not a serving backend's. So: catalog
  // reads (the floor route; it touches nothing of Mesh Security, so the measured views stay
  // first views) until V8 has run mark-compacts of its own again.
  let warmup = 0;
  let warmupMajors = 0;
  // Bounded: a small estate may never fill the old generation (then there is nothing to wait for).
  while (warmup < 30_000) {
    for (let i = 0; i < 100; i++)
      await timedRequest(
        `${base}/catalog/entities/by-name/component/default/${pick()}`,
        headers,
      );
    warmup += 100;
    warmupMajors = (
      await ask<{ majors: number }>(backend, { type: 'majorsSinceForced' })
    ).majors;
    if (warmup >= WARMUP_VIEWS && warmupMajors >= WARMUP_MAJORS) break;
  }
  // BENCH_PROFILE=file.cpuprofile: a CPU profile of the backend process during the entity views;
  // BENCH_ALLOCATIONS=file.heapprofile: where those views allocate (sampling heap profile).
  const profile = process.env.BENCH_PROFILE ?? process.env.BENCH_ALLOCATIONS;
  const allocations =
    !process.env.BENCH_PROFILE && !!process.env.BENCH_ALLOCATIONS;
  if (profile) await ask(backend, { type: 'profileStart', allocations });
  await ask(backend, { type: 'loopStart' });
  await ask(backend, {
    type: 'timesStart',
    prefixes: ['/api/mesh-security/entity/'],
  });
  // The load generator's own pauses count in what it measures: report them too.
  const clientGc: number[] = [];
  const clientGcObserver = new PerformanceObserver(list =>
    list.getEntries().forEach(e => clientGc.push(e.duration)),
  );
  clientGcObserver.observe({ entryTypes: ['gc'] });
  const ours: number[] = [];
  let oursBytes = 0;
  const before = await totalRequests();
  const queriesBefore = await totalQueries();
  const picked: string[] = [];
  for (let i = 0; i < VIEWS; i++) {
    picked.push(pick());
    const res = await timedRequest(
      `${base}/mesh-security/entity/component/default/${picked[i]}`,
      headers,
    );
    if (res.status !== 200)
      throw new Error(`GET /entity answered ${res.status}`);
    oursBytes += res.bytes;
    ours.push(res.ms);
  }
  const oursRequests = ((await totalRequests()) - before) / VIEWS;
  const oursQueries = ((await totalQueries()) - queriesBefore) / VIEWS;
  clientGcObserver.disconnect();
  // The same entities again.
  const warm: number[] = [];
  for (const name of picked) {
    warm.push(
      (
        await timedRequest(
          `${base}/mesh-security/entity/component/default/${name}`,
          headers,
        )
      ).ms,
    );
  }
  const oursServerBoth =
    (
      await ask<{ times: Record<string, number[]> }>(backend, {
        type: 'timesStop',
      })
    ).times['/api/mesh-security/entity/'] ?? [];
  // In request order: the first pass, then the same entities again.
  const oursServer = oursServerBoth.slice(0, VIEWS);
  const warmServer = oursServerBoth.slice(VIEWS);
  if (profile)
    await ask(backend, { type: 'profileStop', file: profile, allocations });
  const loop = await ask<LoopFigures>(backend, { type: 'loopStop' });

  if (process.env.BENCH_BREAKDOWN) {
    for (const [label, url] of [
      ['health', `${base}/mesh-security/health`],
      ['catalog', `${base}/catalog/entities/by-name/component/default/svc-1`],
      ['entity', `${base}/mesh-security/entity/component/default/svc-1`],
    ]) {
      const t: number[] = [];
      for (let i = 0; i < 200; i++)
        t.push((await timedRequest(url, headers)).ms);
      console.log(
        `breakdown ${label}: p50 ${ms(percentile(t, 50))} p99 ${ms(
          percentile(t, 99),
        )}`,
      );
    }
  }
  // The floor every Backstage route pays here: credentials, and one catalog read by name.
  await ask(backend, {
    type: 'timesStart',
    prefixes: ['/api/catalog/entities/by-name/', '/api/kubernetes/services/'],
  });
  const floor: number[] = [];
  for (let i = 0; i < Math.min(VIEWS, 300); i++) {
    floor.push(
      (
        await timedRequest(
          `${base}/catalog/entities/by-name/component/default/${pick()}`,
          headers,
        )
      ).ms,
    );
  }

  const theirs: number[] = [];
  const beforeK8s = await totalRequests();
  for (let i = 0; i < K8S_VIEWS; i++) {
    const name = pick();
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': name },
      },
      spec: {},
    };
    const res = await timedRequest(
      `${base}/kubernetes/services/${name}`,
      headers,
      JSON.stringify({ entity }),
    );
    if (res.status !== 200)
      throw new Error(`kubernetes-backend answered ${res.status}`);
    theirs.push(res.ms);
  }
  const serverTimes = (
    await ask<{ times: Record<string, number[]> }>(backend, {
      type: 'timesStop',
    })
  ).times;
  const floorServer = serverTimes['/api/catalog/entities/by-name/'] ?? [];
  const theirsServer = serverTimes['/api/kubernetes/services/'] ?? [];
  const theirsRequests = ((await totalRequests()) - beforeK8s) / K8S_VIEWS;

  const rows = [
    ['', 'Mesh Security GET /entity', 'Kubernetes plugin fetch', 'ratio'],
    [
      'p50',
      ms(percentile(ours, 50)),
      ms(percentile(theirs, 50)),
      `${(percentile(theirs, 50) / percentile(ours, 50)).toFixed(0)}×`,
    ],
    [
      'p99',
      ms(percentile(ours, 99)),
      ms(percentile(theirs, 99)),
      `${(percentile(theirs, 99) / percentile(ours, 99)).toFixed(0)}×`,
    ],
    [
      'p50 / p99 seen before',
      `${ms(percentile(warm, 50))} / ${ms(percentile(warm, 99))}`,
      '',
      `${(percentile(theirs, 99) / percentile(warm, 99)).toFixed(0)}× (p99)`,
    ],
    [
      'in the backend: p50',
      ms(percentile(oursServer, 50)),
      ms(percentile(theirsServer, 50)),
      `${(percentile(theirsServer, 50) / percentile(oursServer, 50)).toFixed(
        0,
      )}×`,
    ],
    [
      'in the backend: p99',
      ms(percentile(oursServer, 99)),
      ms(percentile(theirsServer, 99)),
      `${(percentile(theirsServer, 99) / percentile(oursServer, 99)).toFixed(
        0,
      )}×`,
    ],
    [
      '  seen before: p50 / p99',
      `${ms(percentile(warmServer, 50))} / ${ms(percentile(warmServer, 99))}`,
      '',
      '',
    ],
    [
      'K8s API requests / view',
      oursRequests.toFixed(2),
      theirsRequests.toFixed(1),
      '',
    ],
    [
      'Prometheus queries / view',
      TRAFFIC_SOURCES ? oursQueries.toFixed(2) : '(no traffic)',
      '',
      '',
    ],
    ['views measured', String(VIEWS), String(K8S_VIEWS), ''],
    [
      'mean response on the wire',
      `${(oursBytes / VIEWS / 1024).toFixed(1)} KiB`,
      '',
      '',
    ],
  ];
  console.log(
    `\n${CLUSTERS} clusters × ${PODS} pods, ${size.entities} entities`,
  );
  console.log(
    `time to first full snapshot (all clusters): ${(
      firstSnapshot / 1000
    ).toFixed(1)} s`,
  );
  console.log(
    `time until every access graph is built (steady state): ${(
      graphsReady / 1000
    ).toFixed(1)} s`,
  );
  console.log(
    `warm-up after the heap reading: ${warmup} catalog reads, during which V8 ran ${warmupMajors} mark-compacts of its own (waited for ${WARMUP_MAJORS})`,
  );
  for (const row of rows)
    console.log(row.map((c, i) => c.padEnd(i === 0 ? 26 : 28)).join(''));
  console.log(
    `backend event-loop delay during the Mesh Security views: p50 ${ms(
      loop.p50,
    )}, p99 ${ms(loop.p99)}, max ${ms(loop.max)}`,
  );
  console.log(
    `backend garbage collections during those views: ${loop.gc.count}, ${ms(
      loop.gc.totalMs,
    )} in all; by kind (count, longest): ${Object.entries(loop.gc.maxMsByKind)
      .map(([k, v]) => `${k} ${loop.gc.countByKind[k]}, ${ms(v)}`)
      .join('; ')}; ` +
      `in the load generator: ${clientGc.length}, ${ms(
        clientGc.reduce((a, b) => a + b, 0),
      )} in all, longest ${ms(Math.max(0, ...clientGc))}`,
  );
  console.log(
    `floor (catalog GET by name, same auth): p50 ${ms(
      percentile(floor, 50),
    )}, p99 ${ms(percentile(floor, 99))}; ` +
      `in the backend: p50 ${ms(percentile(floorServer, 50))}, p99 ${ms(
        percentile(floorServer, 99),
      )}`,
  );
  console.log(
    `backend process after warm-up: heap in use ${(
      heap.heapUsed /
      1024 /
      1024
    ).toFixed(0)} MiB, RSS ${(heap.rss / 1024 / 1024).toFixed(0)} MiB ` +
      `(everything: catalog, Kubernetes plugin, ${CLUSTERS} clusters' snapshots in the memory cache, views and access graphs)`,
  );
  const heapAfter = await ask<{ heapUsed: number; rss: number }>(backend, {
    type: 'memory',
  });
  console.log(
    `backend process after every measured view: heap in use ${(
      heapAfter.heapUsed /
      1024 /
      1024
    ).toFixed(0)} MiB ` +
      `(growth from serving views: ${(
        (heapAfter.heapUsed - heap.heapUsed) /
        1024 /
        1024
      ).toFixed(1)} MiB)`,
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
