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
 * access graph would have n² edges); BENCH_MESH=linkerd meshes it with Linkerd instead of Istio
 * (bench/estate.ts), its traffic in Linkerd's metrics. Sizes: BENCH_CLUSTERS (5), BENCH_PODS
 * (10000 per cluster; 5 pods per workload), BENCH_VIEWS (1000),
 * BENCH_K8S_VIEWS (100); BENCH_K8S_LATENCY_MS (0) delays every mock API answer;
 * BENCH_ANSWER=summary views each entity's summary (GET /entity/…/summary, the card's answer)
 * instead of its full answer;
 * BENCH_TRAFFIC=<n> (0) adds observed traffic: each mock cluster also serves a Prometheus API whose
 * Istio answers give every workload n mTLS sources, read once by the backend before the views;
 * the views are then counted for Prometheus queries too;
 * BENCH_BREAKDOWN=1 adds per-route figures and the overview's, with health checks beside it;
 * BENCH_MEMORY_ONLY=1 stops after the memory figures, BENCH_SKIP_MEMORY=1 leaves them out; BENCH_JSON=<file> writes the figures measured after them;
 * BENCH_PROFILE=<file> writes a CPU profile of the backend during the entity views.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import {
  BackendFigures,
  ViewFigures,
  ms,
  printBackendReport,
  printMemoryFigures,
} from './backendReport';
import type { LoopFigures } from './backendProcess';
import type { MemoryFigures } from './memoryProcess';
import {
  Headers,
  signIn,
  sleep,
  timedRequest,
  waitForCatalog,
  waitForObservations,
} from './client';
import {
  ask,
  benchBackendConfig,
  benchTrafficConfig,
  startBackendProcess,
  startChild,
  writeCatalog,
} from './processes';
import { percentile } from './stats';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 1000);
/** What a view asks for: an entity's full answer, or its summary (the card's). */
const ANSWER = answerSuffix(process.env.BENCH_ANSWER);
const K8S_VIEWS = Number(process.env.BENCH_K8S_VIEWS ?? 100);
const WARMUP_VIEWS = Number(process.env.BENCH_WARMUP_VIEWS ?? 300);
const WARMUP_MAJORS = Number(process.env.BENCH_WARMUP_MAJORS ?? 2);
const PORT = Number(process.env.BENCH_PORT ?? 7417);
const LATENCY_MS = Number(process.env.BENCH_K8S_LATENCY_MS ?? 0);
const ESTATE = (process.env.BENCH_ESTATE ?? 'policies') as
  | 'policies'
  | 'allow-all';
const MESH = (process.env.BENCH_MESH ?? 'istio') as 'istio' | 'linkerd';
if (MESH !== 'istio' && MESH !== 'linkerd')
  throw new Error(`BENCH_MESH must be istio or linkerd, not ${MESH}`);
const size = {
  namespaces: 100,
  workloads: PODS / 5,
  podsPerWorkload: 5,
  entities: 1000,
  estate: ESTATE,
  mesh: MESH,
};
// Shorter than the default (30 s): the background listing of annotated components then runs
// during the views too, as it would in production.
const ENTITY_CACHE_SECONDS = 10;
/**
 * BENCH_WATCH=1: the clusters listed once, then watched (the backend's default mode), rather
 * than read once in full (the mode this benchmark's figures always measured).
 */
const WATCH = process.env.BENCH_WATCH === '1';
/** BENCH_TRAFFIC=<n>: observed traffic from a mock Prometheus, n sources per workload (0: off). */
const TRAFFIC_SOURCES = Number(process.env.BENCH_TRAFFIC ?? 0);

/** The load generator's one keep-alive connection (bench/client.ts). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const request = (url: string, headers: Headers, body?: string) =>
  timedRequest(agent, url, headers, { body });

/**
 * Memory per pod, measured in a child of its own: its heap (one whole cluster evaluated twice)
 * then never slows the load generator's measurements with its garbage collections.
 */
async function measureMemory(url: string): Promise<MemoryFigures> {
  const memoryChild = startChild('memoryProcess.ts');
  const memory = await ask<MemoryFigures>(memoryChild, {
    type: 'measure',
    url,
    pods: PODS,
    entities: size.entities,
  });
  memoryChild.kill();
  return memory;
}

/** Writes the catalog and the config into `dir`, starts the backend, signs in as a guest. */
async function startBackend(
  dir: string,
  urls: string[],
): Promise<{
  backend: ChildProcess;
  base: string;
  headers: Headers;
  /** When the backend process was started (`performance.now()`). */
  started: number;
}> {
  const entitiesFile = path.join(dir, 'entities.yaml');
  writeCatalog(entitiesFile, size.entities);
  const configFile = path.join(dir, 'app-config.yaml');
  fs.writeFileSync(
    configFile,
    benchBackendConfig({
      port: PORT,
      urls,
      entitiesFile,
      meshSecurity: {
        // One full read per cluster, as this benchmark's figures always measured, unless
        // BENCH_WATCH; the watch mode's changes have their own benchmark, bench:watch.
        watch: { enabled: WATCH },
        refreshIntervalSeconds: 3600,
        entityCacheSeconds: ENTITY_CACHE_SECONDS,
        ...(TRAFFIC_SOURCES ? { traffic: benchTrafficConfig(urls, MESH) } : {}),
      },
    }),
  );

  const started = performance.now();
  const backend = await startBackendProcess(configFile);
  const base = `http://127.0.0.1:${PORT}/api`;
  const headers: Headers = {
    ...(await signIn(base)),
    'content-type': 'application/json',
  };
  if (process.env.BENCH_IDENTITY_ENCODING)
    headers['accept-encoding'] = 'identity';
  return { backend, base, headers, started };
}

/**
 * Waits for the steady state the views are measured in: every cluster read (the first full
 * snapshot) and its access graph built, the catalog ingested and its annotated components
 * listed once, and (with traffic) every cluster's observations read. Times from `started`.
 */
async function steadyState(
  base: string,
  headers: Headers,
  started: number,
): Promise<{ firstSnapshotMs: number; graphsReadyMs: number }> {
  const health = async () =>
    (await (
      await fetch(`${base}/mesh-security/health`, { headers })
    ).json()) as any;
  for (;;) {
    const h = await health();
    if (
      h.clusters?.length === CLUSTERS &&
      h.clusters.every((c: any) => c.status === 'ok')
    )
      break;
    await sleep(200);
  }
  const firstSnapshotMs = performance.now() - started;
  // Steady state: every cluster's access graph built in the background (once per generation).
  await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
    headers,
  });
  while (!(await health()).clusters.every((c: any) => c.accessGraphReady))
    await sleep(200);
  const graphsReadyMs = performance.now() - started;
  await waitForCatalog(base, headers, size.entities);
  // Steady state also means the annotated components have been listed once after the catalog
  // ingested them (views then never wait for the catalog; before, they read entities one by one).
  await sleep((ENTITY_CACHE_SECONDS + 1) * 1000);
  // With traffic: wait until every cluster's observations were read (views then join them).
  if (TRAFFIC_SOURCES) await waitForObservations(base, headers);
  return { firstSnapshotMs, graphsReadyMs };
}

const pick = () => `svc-${Math.floor(Math.random() * size.entities)}`;

/**
 * Unmeasured requests before the views. The heap reading before them forces full collections,
 * after which V8 runs with a small young generation and a tight old-generation limit: in the
 * next thousand views it ran twice the scavenges and two extra mark-compacts, each slowing every
 * request during its ~130 ms of marking — the benchmark's doing, not a serving backend's. So:
 * catalog reads (the floor route; it touches nothing of Mesh Security, so the measured views
 * stay first views) until V8 has run mark-compacts of its own again.
 */
async function warmUp(
  backend: ChildProcess,
  base: string,
  headers: Headers,
): Promise<BackendFigures['warmup']> {
  let reads = 0;
  let majors = 0;
  // Bounded: a small estate may never fill the old generation (then there is nothing to wait for).
  while (reads < 30_000) {
    for (let i = 0; i < 100; i++)
      await request(
        `${base}/catalog/entities/by-name/component/default/${pick()}`,
        headers,
      );
    reads += 100;
    majors = (
      await ask<{ majors: number }>(backend, { type: 'majorsSinceForced' })
    ).majors;
    if (reads >= WARMUP_VIEWS && majors >= WARMUP_MAJORS) break;
  }
  return { reads, majors, majorsWaitedFor: WARMUP_MAJORS };
}

/**
 * VIEWS random entity views, then the same entities again, with the backend's own times, event
 * loop and collections, and the Kubernetes requests and Prometheus queries they caused.
 * BENCH_PROFILE=file.cpuprofile: a CPU profile of the backend process during these views;
 * BENCH_ALLOCATIONS=file.heapprofile: where they allocate (sampling heap profile).
 */
async function measureViews(
  backend: ChildProcess,
  mocks: ChildProcess,
  base: string,
  headers: Headers,
): Promise<ViewFigures> {
  const count = async (type: 'requests' | 'queries') =>
    (await ask<{ count: number }>(mocks, { type })).count;
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
  const times: number[] = [];
  let bytes = 0;
  const requestsBefore = await count('requests');
  const queriesBefore = await count('queries');
  const picked: string[] = [];
  for (let i = 0; i < VIEWS; i++) {
    picked.push(pick());
    const res = await request(
      `${base}/mesh-security/entity/component/default/${picked[i]}${ANSWER}`,
      headers,
    );
    if (res.status !== 200)
      throw new Error(`GET /entity answered ${res.status}`);
    bytes += res.bytes;
    times.push(res.ms);
  }
  const requestsPerView = ((await count('requests')) - requestsBefore) / VIEWS;
  const queriesPerView = ((await count('queries')) - queriesBefore) / VIEWS;
  clientGcObserver.disconnect();
  // The same entities again.
  const again: number[] = [];
  for (const name of picked) {
    again.push(
      (
        await request(
          `${base}/mesh-security/entity/component/default/${name}${ANSWER}`,
          headers,
        )
      ).ms,
    );
  }
  const inBackendBoth =
    (
      await ask<{ times: Record<string, number[]> }>(backend, {
        type: 'timesStop',
      })
    ).times['/api/mesh-security/entity/'] ?? [];
  if (profile)
    await ask(backend, { type: 'profileStop', file: profile, allocations });
  const loop = await ask<LoopFigures>(backend, { type: 'loopStop' });
  return {
    times,
    // In request order: the first pass, then the same entities again.
    inBackend: inBackendBoth.slice(0, VIEWS),
    again,
    againInBackend: inBackendBoth.slice(VIEWS),
    bytes,
    requestsPerView,
    queriesPerView,
    loop,
    clientGc,
  };
}

/**
 * BENCH_BREAKDOWN=1: 200 requests of the same entity and of the routes beside it; then six
 * overviews (every component, with traffic joined), each with health checks sent one after the
 * other on a second connection until it is answered: how long other requests wait meanwhile.
 */
async function printBreakdown(base: string, headers: Headers): Promise<void> {
  for (const [label, url] of [
    ['health', `${base}/mesh-security/health`],
    ['catalog', `${base}/catalog/entities/by-name/component/default/svc-1`],
    ['entity', `${base}/mesh-security/entity/component/default/svc-1`],
  ]) {
    const t: number[] = [];
    for (let i = 0; i < 200; i++) t.push((await request(url, headers)).ms);
    console.log(
      `breakdown ${label}: p50 ${ms(percentile(t, 50))} p99 ${ms(
        percentile(t, 99),
      )}`,
    );
  }
  const beside = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const overviews: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < 6; i++) {
    let answered = false;
    const overview = request(`${base}/mesh-security/overview`, headers);
    overview.then(() => (answered = true)).catch(() => undefined);
    while (!answered) {
      const check = await timedRequest(
        beside,
        `${base}/mesh-security/health`,
        headers,
        {},
      );
      health.push(check.ms);
    }
    overviews.push((await overview).ms);
  }
  beside.destroy();
  console.log(
    `breakdown overview: ${overviews
      .map(ms)
      .join(', ')}; health checks meanwhile: ${health.length}, p50 ${ms(
      percentile(health, 50),
    )}, longest ${ms(Math.max(...health))}`,
  );
}

/**
 * What the views are held against: the floor every Backstage route pays here (credentials and
 * one catalog read by name), and the Kubernetes plugin's per-entity fetch.
 */
async function measureOthers(
  backend: ChildProcess,
  mocks: ChildProcess,
  base: string,
  headers: Headers,
): Promise<Pick<BackendFigures, 'floor' | 'kubernetes'>> {
  await ask(backend, {
    type: 'timesStart',
    prefixes: ['/api/catalog/entities/by-name/', '/api/kubernetes/services/'],
  });
  const floor: number[] = [];
  for (let i = 0; i < Math.min(VIEWS, 300); i++) {
    floor.push(
      (
        await request(
          `${base}/catalog/entities/by-name/component/default/${pick()}`,
          headers,
        )
      ).ms,
    );
  }
  const requests = async () =>
    (await ask<{ count: number }>(mocks, { type: 'requests' })).count;
  const theirs: number[] = [];
  const before = await requests();
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
    const res = await request(
      `${base}/kubernetes/services/${name}`,
      headers,
      JSON.stringify({ entity }),
    );
    if (res.status !== 200)
      throw new Error(`kubernetes-backend answered ${res.status}`);
    theirs.push(res.ms);
  }
  const inBackend = (
    await ask<{ times: Record<string, number[]> }>(backend, {
      type: 'timesStop',
    })
  ).times;
  return {
    floor: {
      times: floor,
      inBackend: inBackend['/api/catalog/entities/by-name/'] ?? [],
    },
    kubernetes: {
      times: theirs,
      inBackend: inBackend['/api/kubernetes/services/'] ?? [],
      requestsPerView: ((await requests()) - before) / K8S_VIEWS,
    },
  };
}

async function main() {
  if (!(global as any).gc)
    console.log('(run with --expose-gc for exact memory figures)');
  const latency = LATENCY_MS
    ? `, mock API latency ${LATENCY_MS} ms per request`
    : '';
  console.log(
    `Generating ${CLUSTERS} clusters × ${PODS} pods (${
      size.workloads
    } workloads each, estate ${ESTATE}${MESH === 'linkerd' ? ', Linkerd' : ''}${
      WATCH ? ', watched' : ''
    })${latency}…`,
  );
  const mocks = startChild('mockClustersProcess.ts');
  const { urls } = await ask<{ urls: string[] }>(mocks, {
    type: 'start',
    count: CLUSTERS,
    size,
    latencyMs: LATENCY_MS,
    trafficSources: TRAFFIC_SOURCES,
  });

  // BENCH_SKIP_MEMORY=1: straight to the views (bench/trafficView.ts runs this many times).
  if (!process.env.BENCH_SKIP_MEMORY)
    printMemoryFigures(await measureMemory(urls[0]));
  if (process.env.BENCH_MEMORY_ONLY) {
    mocks.kill();
    process.exit(0);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bench-'));
  const { backend, base, headers, started } = await startBackend(dir, urls);
  const startup = await steadyState(base, headers, started);
  // One warm-up view builds the evaluated views (once per generation per replica).
  const sample = await (
    await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
      headers,
    })
  ).text();
  // BENCH_DUMP=<file>: one response, to see what a view carries.
  if (process.env.BENCH_DUMP) fs.writeFileSync(process.env.BENCH_DUMP, sample);
  const afterWarmup = await ask<{ heapUsed: number; rss: number }>(backend, {
    type: 'memory',
  });
  const warmup = await warmUp(backend, base, headers);
  const views = await measureViews(backend, mocks, base, headers);
  if (process.env.BENCH_BREAKDOWN) await printBreakdown(base, headers);
  const others = await measureOthers(backend, mocks, base, headers);
  const afterViews = await ask<{ heapUsed: number; rss: number }>(backend, {
    type: 'memory',
  });
  const figures: BackendFigures = {
    clusters: CLUSTERS,
    pods: PODS,
    entities: size.entities,
    ...startup,
    warmup,
    views,
    traffic: TRAFFIC_SOURCES > 0,
    ...others,
    heap: { afterWarmup, afterViews },
  };
  printBackendReport(figures);
  // BENCH_JSON=<file>: the figures as measured, for bench/trafficView.ts.
  if (process.env.BENCH_JSON)
    fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(figures));
  backend.kill();
  mocks.kill();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

function answerSuffix(answer: string | undefined): string {
  if (answer === undefined || answer === '' || answer === 'full') return '';
  if (answer === 'summary') return '/summary';
  throw new Error(`BENCH_ANSWER: "full" or "summary", not "${answer}"`);
}
