/*
 * Watch benchmark (`npm run bench:watch`; not a test; issue 17 "Measured, in the benchmark").
 * Live watches against periodic full lists, on the same mock clusters: one child process serves
 * BENCH_CLUSTERS mock Kubernetes APIs (bench/mockKubernetes.ts: lists, watches with
 * resourceVersions, bookmarks and 410 Expired) and applies the churn (bench/churn.ts); for each
 * mode a real Backstage backend runs in a child process of its own with its own port and memory
 * cache — watch mode (`meshSecurity.watch.enabled`, the default) on 7427, periodic lists
 * (`watch.enabled: false`, `refreshIntervalSeconds: 60`) on 7428 — one mode after the other in
 * the same invocation (BENCH_MODES, default `watch,poll`): on 2 cores, the poll backend's full
 * relists every minute would land in the watch backend's figures and the other way round. This
 * process is the load generator. Per mode it prints (bench/watchReport.ts formats the table):
 *   - time from the backend's first list request to the first full snapshot of every cluster
 *     (health `ok`), against `JSON.parse` of the very list bodies the backend was served (fetched
 *     again afterwards and parsed here; ratio), and until every access graph is built
 *     (`accessGraphReady`);
 *   - quiet (BENCH_QUIET_MINUTES, 1): no change; one random GET /entity every BENCH_VIEW_MS
 *     (200 ms): page views before churn, backend CPU, API requests and bytes per minute;
 *   - churn A (BENCH_CHURN_MINUTES, 3): per cluster 1 % of the pods replaced per minute
 *     (BENCH_CHURN_PERCENT), a PeerAuthentication's mode flipped every 30 s, a namespace label
 *     flipped every 2 minutes; the same page views: page views during churn, backend CPU (and
 *     what churn adds to the quiet minute), API requests and bytes per minute;
 *   - churn B (as long): the same churn, no page views; every policy edit and label flip, and
 *     BENCH_POD_PROBES (2) pod deletions/additions at a time (each after the last one showed),
 *     polled in GET /entity every ~100 ms until the answer shows it: change → visible p50/p99 per
 *     change type (not visible within BENCH_VISIBLE_TIMEOUT_S, 150 s: counted apart);
 *   - quiet again, once the answers are compared with the API server, with the same page views:
 *     "added by churn" is the churn A minute against the mean of the two quiet minutes, and the
 *     page views of churn A have a quiet phase on either side (the first one follows the
 *     backend's start, whose own work can still be under way).
 * What shows a change: a policy edit of `ns-k` is workload `w-k`'s `mtls` (entity `svc-k`); a pod
 * deleted or added is its workload's `pods.total` (entities `svc-100`…`svc-199`, left alone by
 * the background churn); a namespace label `bench/allowed` flipped on `ns-k` is whether `w-1`'s
 * callers (entity `svc-1`) include `ns-k` (one NetworkPolicy in `ns-1` admits the labelled
 * namespaces; see `labelledNamespaces` in bench/mockKubernetes.ts).
 * Sizes: BENCH_CLUSTERS (5), BENCH_PODS (10000 per cluster, 5 pods per workload, at least 1,000).
 * BENCH_TRAFFIC=<n> (0): each mock cluster also serves a Prometheus API with n observed sources
 *   per workload (bench/mockPrometheus.ts), read once before the phases; every page view then
 *   joins them, on whichever generation churn has made.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import {
  Headers,
  getJson,
  signIn,
  sleep,
  timedRequest,
  waitForCatalog,
  waitForObservations,
} from './client';
import { readListBodies, timeFirstRead } from './firstRead';
import {
  ask,
  benchBackendConfig,
  benchTrafficConfig,
  startBackendProcess,
  startChild,
  writeCatalog,
} from './processes';
import type { Applied, Change } from './churn';
import type { LoopFigures } from './backendProcess';
import type { MockStats } from './mockKubernetes';
import {
  ChangeType,
  Mode,
  ModeResult,
  PhaseFigures,
  report,
  reportRuns,
} from './watchReport';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const CHURN_MINUTES = Number(process.env.BENCH_CHURN_MINUTES ?? 3);
const QUIET_MINUTES = Number(process.env.BENCH_QUIET_MINUTES ?? 1);
const CHURN_PERCENT = Number(process.env.BENCH_CHURN_PERCENT ?? 1);
const VIEW_MS = Number(process.env.BENCH_VIEW_MS ?? 200);
/** BENCH_TRAFFIC=<n>: observed traffic from a mock Prometheus, n sources per workload (0: off). */
const TRAFFIC_SOURCES = Number(process.env.BENCH_TRAFFIC ?? 0);
const POD_PROBES = Number(process.env.BENCH_POD_PROBES ?? 2);
const VISIBLE_TIMEOUT_MS =
  Number(process.env.BENCH_VISIBLE_TIMEOUT_S ?? 150) * 1000;
const POLICY_EVERY_MS = 30_000;
const LABEL_EVERY_MS = 120_000;
const PROBE_EVERY_MS = 100;
/** A request unanswered this long is given up (counted apart). */
const REQUEST_TIMEOUT_MS = 30_000;
/** BENCH_VERBOSE=1: every measured change as it shows. */
const VERBOSE = !!process.env.BENCH_VERBOSE;
/**
 * BENCH_RUNS=<n> (1): every mode n times, each run a fresh backend on the same mock clusters;
 * then page views during churn against the quiet phases around them, run by run
 * (`reportRuns`).
 */
const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? 1)));
const MODES = (process.env.BENCH_MODES ?? 'watch,poll')
  .split(',')
  .map(m => m.trim()) as Mode[];
const PORTS: Record<Mode, number> = { watch: 7427, poll: 7428 };
const ENTITY_CACHE_SECONDS = 10;
const size = {
  namespaces: 100,
  workloads: PODS / 5,
  podsPerWorkload: 5,
  entities: 1000,
  estate: 'policies' as const,
  labelledNamespaces: true,
};
/** Entities below this are only changed by the measured changes (not the background churn). */
const RESERVED_ENTITIES = 200;

const load = () =>
  os
    .loadavg()
    .map(v => v.toFixed(2))
    .join(' ');
const verbose = (line: string) => {
  if (VERBOSE) console.log(`  ${line}`);
};

function delta(after: MockStats, before: MockStats): MockStats {
  const out = {} as MockStats;
  for (const k of Object.keys(after) as Array<keyof MockStats>)
    out[k] = after[k] - (k === 'openWatches' ? 0 : before[k]);
  return out;
}

/**
 * The mock clusters' child process (bench/mockClustersProcess.ts), asked one message at a
 * time: `ask` matches replies by type, so two changes in flight would each take the first reply.
 */
class Mocks {
  readonly child = startChild('mockClustersProcess.ts');
  private queue: Promise<unknown> = Promise.resolve();

  ask<T>(message: { type: string } & Record<string, unknown>): Promise<T> {
    const reply = this.queue.then(() => ask<T>(this.child, message));
    this.queue = reply.catch(() => {});
    return reply;
  }

  stats() {
    return this.ask<{ stats: MockStats; replaced: number }>({ type: 'stats' });
  }

  async apply(cluster: number, change: Change): Promise<Applied> {
    return (
      await this.ask<{ applied: Applied }>({ type: 'change', cluster, change })
    ).applied;
  }
}

/** A mode's backend: its process, address and credentials. */
interface Backend {
  child: ChildProcess;
  base: string;
  headers: Headers;
}

/** GET /health; `{}` when it failed or took longer than REQUEST_TIMEOUT_MS. */
async function health({ base, headers }: Backend): Promise<any> {
  try {
    const res = await fetch(`${base}/mesh-security/health`, {
      headers,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return await res.json();
  } catch {
    return {};
  }
}

/** The backend process's CPU seconds so far. */
async function cpu(backend: Backend): Promise<number> {
  const { user, system } = await ask<{ user: number; system: number }>(
    backend.child,
    { type: 'cpu' },
  );
  return (user + system) / 1e6;
}

/**
 * Starts `mode`'s backend on the mock clusters and times its start: from its first list request
 * to every cluster's first full snapshot (against `JSON.parse` of the same list bodies and the
 * watcher's own list work on them, bench/firstRead.ts), and to every access graph built. Returns
 * once the catalog is ingested and its annotated components listed: the phases measure views.
 */
async function startMode(
  mode: Mode,
  mocks: Mocks,
  urls: string[],
  dir: string,
  entitiesFile: string,
): Promise<{
  backend: Backend;
  startup: Pick<
    ModeResult,
    | 'bootMs'
    | 'firstSnapshotMs'
    | 'listsServedMs'
    | 'mockListMs'
    | 'graphsMs'
    | 'parseMs'
    | 'listWorkMs'
    | 'listBodies'
  >;
}> {
  const port = PORTS[mode];
  const configFile = path.join(dir, `app-config.${mode}.yaml`);
  fs.writeFileSync(
    configFile,
    benchBackendConfig({
      port,
      urls,
      entitiesFile,
      meshSecurity: {
        refreshIntervalSeconds: 60,
        entityCacheSeconds: ENTITY_CACHE_SECONDS,
        watch: { enabled: mode === 'watch' },
        ...(TRAFFIC_SOURCES ? { traffic: benchTrafficConfig(urls) } : {}),
      },
    }),
  );

  console.log(`\n[${mode}] starting the backend on ${port} (load ${load()})`);
  await mocks.ask({ type: 'record' });
  const started = performance.now();
  // BENCH_PROFILE_FIRST=file.cpuprofile: a CPU profile of the backend from its start to every
  // cluster `ok` (one file per mode).
  const firstProfile = process.env.BENCH_PROFILE_FIRST;
  const child = await startBackendProcess(configFile, {
    profileFromStart: !!firstProfile,
  });
  const base = `http://127.0.0.1:${port}/api`;
  const backend: Backend = { child, base, headers: await signIn(base) };
  for (;;) {
    const h = await health(backend);
    if (
      h.clusters?.length === CLUSTERS &&
      h.clusters.every((c: any) => c.status === 'ok')
    )
      break;
    await sleep(100);
  }
  const snapshotAt = Date.now();
  const sinceStart = performance.now() - started;
  if (firstProfile)
    await ask(child, {
      type: 'profileStop',
      file: firstProfile.replace(/(\.[a-z]+)?$/, `-${mode}$1`),
      allocations: false,
    });
  const {
    urls: listed,
    firstAt,
    lastAt,
    busyMs: mockListMs,
  } = await mocks.ask<{
    urls: string[][];
    firstAt?: number;
    lastAt?: number;
    busyMs: number;
  }>({ type: 'recorded' });
  // From the first list request on: the backend's own start (plugins, catalog…) is left out.
  const firstSnapshotMs = snapshotAt - (firstAt ?? snapshotAt);
  // Of which reading: until the last list body was served (the backend then holds every page
  // but the last one's objects); the rest is the last page, evaluating and publishing.
  const listsServedMs = (lastAt ?? snapshotAt) - (firstAt ?? snapshotAt);
  const bootMs = sinceStart - firstSnapshotMs;
  await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
    headers: backend.headers,
  });
  for (;;) {
    const h = await health(backend);
    if (h.clusters?.every((c: any) => c.accessGraphReady)) break;
    await sleep(100);
  }
  const graphsMs = performance.now() - started - bootMs;
  console.log(
    `[${mode}] backend started in ${(bootMs / 1000).toFixed(
      1,
    )} s; then first full snapshot ${(firstSnapshotMs / 1000).toFixed(
      1,
    )} s, every access graph ${(graphsMs / 1000).toFixed(1)} s`,
  );

  // The list bodies the backend was served, read again: JSON.parse of them and the watcher's
  // own list work on them, to hold the first snapshot against (bench/firstRead.ts).
  const { parseMs, listWorkMs, listBodies } = timeFirstRead(
    await readListBodies(urls, listed),
  );

  // The first read's timing above holds this process's event loop for seconds: the catalog
  // wait asks again after a failed request (bench/client.ts).
  await waitForCatalog(base, backend.headers, size.entities, error =>
    verbose(`catalog: ${error.message}`),
  );
  await sleep((ENTITY_CACHE_SECONDS + 1) * 1000);
  // With traffic: every cluster's observations read before the phases (views then join them).
  if (TRAFFIC_SOURCES) await waitForObservations(base, backend.headers);
  return {
    backend,
    startup: {
      bootMs,
      firstSnapshotMs,
      listsServedMs,
      mockListMs,
      graphsMs,
      parseMs,
      listWorkMs,
      listBodies,
    },
  };
}

/**
 * The two kinds of reads of GET /entity: timed page views of random entities on one
 * keep-alive connection, and probes that read an entity's answer (up to 8 at a time).
 */
class EntityReads {
  /** Page views not answered within REQUEST_TIMEOUT_MS so far. */
  unanswered = 0;
  private readonly viewAgent = new http.Agent({
    keepAlive: true,
    maxSockets: 1,
  });
  private readonly probeAgent = new http.Agent({
    keepAlive: true,
    maxSockets: 8,
  });

  constructor(private readonly backend: Backend) {}

  private url(n: number) {
    return `${this.backend.base}/mesh-security/entity/component/default/svc-${n}`;
  }

  /** One random page view's time; undefined: no answer within REQUEST_TIMEOUT_MS (counted). */
  async view(): Promise<number | undefined> {
    let res;
    try {
      res = await timedRequest(
        this.viewAgent,
        this.url(Math.floor(Math.random() * size.entities)),
        this.backend.headers,
        { timeoutMs: REQUEST_TIMEOUT_MS },
      );
    } catch (error) {
      this.unanswered++;
      verbose(`page view: ${(error as Error).message}`);
      return undefined;
    }
    if (res.status !== 200)
      throw new Error(`GET /entity answered ${res.status}`);
    return res.ms;
  }

  /** A probe's read of entity `svc-n`; undefined when it failed (the probe reads again). */
  probe(n: number): Promise<any> {
    return getJson(
      this.probeAgent,
      this.url(n),
      this.backend.headers,
      REQUEST_TIMEOUT_MS,
    ).catch(() => undefined);
  }

  close() {
    this.viewAgent.destroy();
    this.probeAgent.destroy();
  }
}

/**
 * A phase of `minutes`: page views at a steady pace (when `viewsToo`), with the backend's CPU,
 * event loop, collections and time per view, and the API servers' traffic.
 */
async function measurePhase(
  backend: Backend,
  mocks: Mocks,
  reads: EntityReads,
  minutes: number,
  viewsToo: boolean,
): Promise<PhaseFigures> {
  const loadBefore = load();
  const cpuBefore = await cpu(backend);
  const apiBefore = (await mocks.stats()).stats;
  const unansweredBefore = reads.unanswered;
  await ask(backend.child, { type: 'loopStart' });
  await ask(backend.child, {
    type: 'timesStart',
    prefixes: ['/api/mesh-security/entity/'],
  });
  const t0 = performance.now();
  const end = t0 + minutes * 60_000;
  const views: number[] = [];
  if (viewsToo) {
    // One view every VIEW_MS; a slower answer delays the next one (no catching up).
    for (let at = t0; at < end; ) {
      await sleep(at - performance.now());
      const ms = await reads.view();
      if (ms !== undefined) views.push(ms);
      at = Math.max(at + VIEW_MS, performance.now());
    }
  }
  await sleep(end - performance.now());
  const elapsed = (performance.now() - t0) / 60_000;
  const loop = await ask<LoopFigures>(backend.child, { type: 'loopStop' });
  const { times } = await ask<{ times: Record<string, number[]> }>(
    backend.child,
    { type: 'timesStop' },
  );
  return {
    loop,
    inBackend: times['/api/mesh-security/entity/'] ?? [],
    minutes: elapsed,
    cpuSeconds: (await cpu(backend)) - cpuBefore,
    api: delta((await mocks.stats()).stats, apiBefore),
    views,
    unanswered: reads.unanswered - unansweredBefore,
    load: [loadBefore, load()],
  };
}

const workloadOf = (view: any, cluster: number, name: string) =>
  (view.workloads as any[]).find(
    w => w.cluster === `c${cluster}` && w.name === name,
  );

/**
 * The changes made from here during churn (the mock replaces background pods itself): every
 * cluster's policy edits and label flips on timers from `start()` on, and, once `measure()` is
 * called, BENCH_POD_PROBES loops of pod deletions and additions. While measuring, each change
 * is polled in GET /entity until the answer shows it: change → visible per change type.
 */
class ChangeProbes {
  readonly visible: Record<ChangeType, number[]> = {
    policy: [],
    pod: [],
    label: [],
  };
  readonly missed: Record<ChangeType, number> = { policy: 0, pod: 0, label: 0 };
  /** Changes the answer showed before they were made: it disagreed with the API server. */
  readonly invalid: Record<ChangeType, number> = {
    policy: 0,
    pod: 0,
    label: 0,
  };
  private readonly pending: Array<Promise<void>> = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();
  private podLoops: Array<Promise<void>> = [];
  private measuring = false;
  private stopping = false;

  constructor(
    private readonly mocks: Mocks,
    private readonly reads: EntityReads,
  ) {}

  /** Policy edits every 30 s and label flips every 2 min per cluster, staggered across clusters. */
  start() {
    for (let c = 0; c < CLUSTERS; c++) {
      let policyNext = 0;
      let labelNext = 0;
      // Policy edits: ns-2 … ns-49 in turn (workload w-k, entity svc-k).
      this.every(POLICY_EVERY_MS, (c * POLICY_EVERY_MS) / CLUSTERS, () => {
        const k = 2 + (policyNext++ % 48);
        this.pending.push(
          this.tracked(
            'policy',
            c,
            { type: 'policy', namespace: `ns-${k}` },
            k,
            (view, applied) =>
              workloadOf(view, c, `w-${k}`)?.mtls === applied.mode,
          ),
        );
      });
      // Label flips: ns-50 … ns-99, each labelled then unlabelled (w-1's callers, entity svc-1).
      this.every(LABEL_EVERY_MS, (c * LABEL_EVERY_MS) / CLUSTERS, () => {
        const k = 50 + (Math.floor(labelNext++ / 2) % 50);
        this.pending.push(
          this.tracked(
            'label',
            c,
            { type: 'label', namespace: `ns-${k}` },
            1,
            (view, applied) =>
              JSON.stringify(
                workloadOf(view, c, 'w-1')?.callers ?? [],
              ).includes(`"ns-${k}"`) === applied.allowed,
          ),
        );
      });
    }
  }

  /** From now on every change is measured; the pod loops start. */
  async measure() {
    await Promise.all(this.pending.splice(0));
    this.measuring = true;
    this.podLoops = Array.from({ length: POD_PROBES }, () => this.podLoop());
  }

  /** No more changes; waits for those in flight to show (or time out). */
  async stop() {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([...this.pending, ...this.podLoops]);
  }

  private every(ms: number, offset: number, task: () => void) {
    this.timers.push(
      setTimeout(() => {
        task();
        this.timers.push(setInterval(task, ms));
      }, offset),
    );
  }

  /** Measured pod changes: a workload of svc-100 … svc-199 loses a pod, then gets one back. */
  private async podLoop() {
    while (!this.stopping) {
      const c = Math.floor(Math.random() * CLUSTERS);
      const w =
        100 +
        Math.floor(Math.random() * 100) +
        1000 * Math.floor((Math.random() * size.workloads) / 1000);
      if (w >= size.workloads || this.busy.has(`${c}/${w}`)) continue;
      this.busy.add(`${c}/${w}`);
      for (const type of ['podDelete', 'podAdd'] as const) {
        await this.tracked(
          'pod',
          c,
          { type, workload: `w-${w}` },
          w % 1000,
          (view, applied) =>
            workloadOf(view, c, `w-${w}`)?.pods?.total === applied.pods,
        );
      }
      this.busy.delete(`${c}/${w}`);
    }
  }

  /** Applies a change; when measuring, polls entity `svc-<entity>` until `shows` holds. */
  private async tracked(
    type: ChangeType,
    cluster: number,
    change: Change,
    entity: number,
    shows: (view: any, applied: Applied) => boolean,
  ) {
    if (!this.measuring) {
      await this.mocks.apply(cluster, change);
      return;
    }
    const what = `${type} c${cluster} ${JSON.stringify(change)}`;
    const before = await this.reads.probe(entity);
    const applied = await this.mocks.apply(cluster, change);
    // The answer before the change must not already show it (else the probe measures nothing).
    if (before && shows(before, applied)) {
      this.invalid[type]++;
      verbose(`${what}: shown before it was made`);
      return;
    }
    for (;;) {
      const view = await this.reads.probe(entity);
      const now = Date.now();
      if (view && shows(view, applied)) {
        this.visible[type].push(now - applied.at);
        verbose(`${what}: ${now - applied.at} ms`);
        return;
      }
      if (now - applied.at > VISIBLE_TIMEOUT_MS) {
        this.missed[type]++;
        verbose(`${what}: not shown`);
        return;
      }
      await sleep(PROBE_EVERY_MS);
    }
  }
}

/**
 * Once churn stopped and the backend caught up (a poll backend: its next full read), its
 * answers must agree with the API server: pods per workload, mTLS, w-1's callers. Every
 * reserved entity and every 7th of the others is compared.
 */
async function compareWithApiServer(
  backend: Backend,
  mocks: Mocks,
  reads: EntityReads,
): Promise<ModeResult['agreement']> {
  const stoppedAt = Date.now();
  for (;;) {
    const h = await health(backend);
    if (
      h.clusters?.every(
        (c: any) =>
          Date.parse(c.fetchedAt ?? 0) > stoppedAt + 2000 && c.accessGraphReady,
      )
    )
      break;
    await sleep(500);
  }
  const { clusters: truth } = await mocks.ask<{
    clusters: Array<{
      pods: Record<string, number>;
      mtls: Record<string, string>;
      labelled: string[];
    }>;
  }>({ type: 'truth' });
  const agreement = { workloads: 0, differing: [] as string[] };
  for (let e = 0; e < size.entities; e += e < RESERVED_ENTITIES ? 1 : 7) {
    const view = await reads.probe(e);
    if (!view) {
      agreement.differing.push(`svc-${e}: no answer`);
      continue;
    }
    for (const w of view.workloads as any[]) {
      const t = truth[Number(w.cluster.slice(1))];
      agreement.workloads++;
      const callers = JSON.stringify(w.callers);
      const wrong = [
        w.pods.total !== t.pods[w.name] &&
          `pods ${w.pods.total} ≠ ${t.pods[w.name]}`,
        w.mtls !== t.mtls[w.namespace] &&
          `mtls ${w.mtls} ≠ ${t.mtls[w.namespace]}`,
        w.name === 'w-1' &&
          t.labelled.some(n => !callers.includes(`"${n}"`)) &&
          `callers miss a labelled namespace (${t.labelled.join(' ')})`,
      ].filter(Boolean);
      if (wrong.length)
        agreement.differing.push(
          `${w.cluster}/${w.namespace}/${w.name}: ${wrong.join(', ')}`,
        );
    }
  }
  return agreement;
}

/** Every cluster's freshness as /health reports it, on one line. */
async function freshnessOf(backend: Backend): Promise<string> {
  const h = await health(backend);
  return (h.clusters ?? [])
    .map(
      (c: any) =>
        `${c.name} ${c.freshness?.state ?? '?'}/${
          c.freshness?.mode ?? '?'
        } lag ${c.freshness?.lagSeconds ?? '?'} s`,
    )
    .join(', ');
}

/**
 * One mode from start to end: the backend started and timed, the quiet phase, churn with page
 * views (A), churn with change probes (B), the agreement check, the quiet phase again.
 */
async function runMode(
  mode: Mode,
  mocks: Mocks,
  urls: string[],
  dir: string,
  entitiesFile: string,
  children: ChildProcess[],
): Promise<ModeResult> {
  const { backend, startup } = await startMode(
    mode,
    mocks,
    urls,
    dir,
    entitiesFile,
  );
  children.push(backend.child);
  const reads = new EntityReads(backend);
  // Unmeasured warm-up: every evaluated view built once, V8's JIT warm.
  for (let i = 0; i < 300; i++) await reads.view();

  console.log(`[${mode}] quiet: ${QUIET_MINUTES} min (load ${load()})`);
  const quiet = await measurePhase(backend, mocks, reads, QUIET_MINUTES, true);

  const probes = new ChangeProbes(mocks, reads);
  probes.start();
  const replacedBefore = (await mocks.stats()).replaced;
  await mocks.ask({
    type: 'churnStart',
    podsPerMinute: (PODS * CHURN_PERCENT) / 100,
    reservedEntities: RESERVED_ENTITIES,
  });
  console.log(
    `[${mode}] churn with page views: ${CHURN_MINUTES} min (load ${load()})`,
  );
  // BENCH_PROFILE=file.cpuprofile: a CPU profile of the backend during this phase;
  // BENCH_ALLOCATIONS=file.heapprofile: where it allocates (sampling heap profile);
  // BENCH_RETAINED=file.heapprofile: what it allocated that is still alive at the phase's end.
  const profile =
    process.env.BENCH_PROFILE ??
    process.env.BENCH_ALLOCATIONS ??
    process.env.BENCH_RETAINED;
  const liveOnly =
    !process.env.BENCH_ALLOCATIONS && !!process.env.BENCH_RETAINED;
  const allocations =
    !process.env.BENCH_PROFILE && (!!process.env.BENCH_ALLOCATIONS || liveOnly);
  if (profile)
    await ask(backend.child, { type: 'profileStart', allocations, liveOnly });
  const churn = await measurePhase(backend, mocks, reads, CHURN_MINUTES, true);
  if (profile)
    await ask(backend.child, {
      type: 'profileStop',
      file: `${profile.replace(/(\.[a-z]+)?$/, `-${mode}$1`)}`,
      allocations,
    });
  console.log(
    `[${mode}] churn, measuring change → visible: ${CHURN_MINUTES} min (load ${load()})`,
  );
  await probes.measure();
  await sleep(CHURN_MINUTES * 60_000);
  await probes.stop();
  const replacedPods = (await mocks.stats()).replaced - replacedBefore;
  await mocks.ask({ type: 'churnStop' });

  const agreement = await compareWithApiServer(backend, mocks, reads);
  if (agreement.differing.length)
    console.log(
      `[${mode}] answers differing from the API server after churn: ${agreement.differing
        .slice(0, 10)
        .join('; ')}${agreement.differing.length > 10 ? '; …' : ''}`,
    );
  // The quiet minute again, after churn: the backend's own background work (catalog
  // processing, history, V8's full collections) drifts, and one quiet phase alone would
  // make "added by churn" depend on where it fell.
  console.log(
    `[${mode}] quiet after churn: ${QUIET_MINUTES} min (load ${load()})`,
  );
  const quietAfter = await measurePhase(
    backend,
    mocks,
    reads,
    QUIET_MINUTES,
    true,
  );
  const freshness = await freshnessOf(backend);
  backend.child.kill();
  children.splice(children.indexOf(backend.child), 1);
  reads.close();
  return {
    mode,
    ...startup,
    quiet,
    churn,
    quietAfter,
    visible: probes.visible,
    missed: probes.missed,
    invalid: probes.invalid,
    replacedPods,
    freshness,
    agreement,
  };
}

async function main() {
  console.log(
    `Generating ${CLUSTERS} clusters × ${PODS} pods (${size.workloads} workloads each); ` +
      `modes ${MODES.join(', ')}, one after the other; ${
        TRAFFIC_SOURCES
          ? `observed traffic from ${TRAFFIC_SOURCES} sources per workload; `
          : ''
      }quiet ${QUIET_MINUTES} min, churn ${CHURN_MINUTES} + ${CHURN_MINUTES} min; load average ${load()}`,
  );
  const mocks = new Mocks();
  const { urls } = await mocks.ask<{ urls: string[] }>({
    type: 'start',
    count: CLUSTERS,
    size,
    latencyMs: 0,
    trafficSources: TRAFFIC_SOURCES,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-watch-'));
  const entitiesFile = path.join(dir, 'entities.yaml');
  writeCatalog(entitiesFile, size.entities);

  const children: ChildProcess[] = [mocks.child];
  const cleanup = () => {
    for (const child of children) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const results: ModeResult[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const round: ModeResult[] = [];
    for (const mode of MODES) {
      if (RUNS > 1) console.log(`\n[${mode}] run ${run} of ${RUNS}`);
      round.push(await runMode(mode, mocks, urls, dir, entitiesFile, children));
      report(round, { clusters: CLUSTERS, pods: PODS });
      await sleep(2000);
    }
    results.push(...round);
  }
  if (RUNS > 1) reportRuns(results);
  cleanup();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
