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
 *   - quiet again, once the answers are compared with the API server: "added by churn" is the
 *     churn A minute against the mean of the two quiet minutes.
 * What shows a change: a policy edit of `ns-k` is workload `w-k`'s `mtls` (entity `svc-k`); a pod
 * deleted or added is its workload's `pods.total` (entities `svc-100`…`svc-199`, left alone by
 * the background churn); a namespace label `bench/allowed` flipped on `ns-k` is whether `w-1`'s
 * callers (entity `svc-1`) include `ns-k` (one NetworkPolicy in `ns-1` admits the labelled
 * namespaces; see `labelledNamespaces` in bench/mockKubernetes.ts).
 * Sizes: BENCH_CLUSTERS (5), BENCH_PODS (10000 per cluster, 5 pods per workload, at least 1,000).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { readListBodies, timeFirstRead } from './firstRead';
import { ask, benchBackendConfig, startChild } from './processes';
import type { Applied, Change } from './churn';
import type { LoopFigures } from './backendProcess';
import type { MockStats } from './mockKubernetes';
import {
  ChangeType,
  Mode,
  ModeResult,
  PhaseFigures,
  report,
} from './watchReport';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const CHURN_MINUTES = Number(process.env.BENCH_CHURN_MINUTES ?? 3);
const QUIET_MINUTES = Number(process.env.BENCH_QUIET_MINUTES ?? 1);
const CHURN_PERCENT = Number(process.env.BENCH_CHURN_PERCENT ?? 1);
const VIEW_MS = Number(process.env.BENCH_VIEW_MS ?? 200);
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

const sleep = (ms: number) =>
  new Promise<void>(r => setTimeout(r, Math.max(0, ms)));
const load = () =>
  os
    .loadavg()
    .map(v => v.toFixed(2))
    .join(' ');

/** A page view's client, as in bench/backend.ts: keep-alive, gzip, timed to the last byte. */
function timedRequest(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.get(
      url,
      { agent, headers: { 'accept-encoding': 'gzip', ...headers } },
      res => {
        res.on('data', () => {});
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - start,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on('error', error => {
      if (
        req.reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      )
        timedRequest(agent, url, headers).then(resolve, reject);
      else reject(error);
    });
  });
}

/** GET and parse (no compression: the probes read the answer). */
function getJson(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on('error', error => {
      if (
        req.reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      )
        getJson(agent, url, headers).then(resolve, reject);
      else reject(error);
    });
  });
}

function delta(after: MockStats, before: MockStats): MockStats {
  const out = {} as MockStats;
  for (const k of Object.keys(after) as Array<keyof MockStats>)
    out[k] = after[k] - (k === 'openWatches' ? 0 : before[k]);
  return out;
}

async function main() {
  console.log(
    `Generating ${CLUSTERS} clusters × ${PODS} pods (${size.workloads} workloads each); ` +
      `modes ${MODES.join(
        ', ',
      )}, one after the other; quiet ${QUIET_MINUTES} min, churn ${CHURN_MINUTES} + ${CHURN_MINUTES} min; load average ${load()}`,
  );
  const mocks = startChild('mockClustersProcess.ts');
  // One request to the mocks at a time: `ask` matches replies by type, so two changes in flight
  // would each take the first reply.
  let mockQueue: Promise<unknown> = Promise.resolve();
  const askMocks = <T>(
    message: { type: string } & Record<string, unknown>,
  ): Promise<T> => {
    const reply = mockQueue.then(() => ask<T>(mocks, message));
    mockQueue = reply.catch(() => {});
    return reply;
  };
  const { urls } = await askMocks<{ urls: string[] }>({
    type: 'start',
    count: CLUSTERS,
    size,
    latencyMs: 0,
    trafficSources: 0,
  });
  const mockStats = async () =>
    askMocks<{ stats: MockStats; replaced: number }>({ type: 'stats' });
  const apply = async (cluster: number, change: Change) =>
    (
      await askMocks<{ applied: Applied }>({
        type: 'change',
        cluster,
        change,
      })
    ).applied;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-watch-'));
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

  const results: ModeResult[] = [];
  const children: ChildProcess[] = [mocks];
  const cleanup = () => {
    for (const child of children) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  for (const mode of MODES) {
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
        },
      }),
    );

    console.log(`\n[${mode}] starting the backend on ${port} (load ${load()})`);
    await askMocks({ type: 'record' });
    const started = performance.now();
    const backend = startChild(
      'backendProcess.ts',
      {},
      (process.env.BENCH_BACKEND_FLAGS ?? '').split(' ').filter(Boolean),
    );
    children.push(backend);
    await ask(backend, { type: 'start', configFile });
    const base = `http://127.0.0.1:${port}/api`;
    const tokenRes = await fetch(`${base}/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    const token = ((await tokenRes.json()) as any).backstageIdentity
      .token as string;
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
    };
    /** GET /health; `{}` when it failed or took longer than REQUEST_TIMEOUT_MS. */
    const health = async (): Promise<any> => {
      try {
        const res = await fetch(`${base}/mesh-security/health`, {
          headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        return await res.json();
      } catch {
        return {};
      }
    };
    for (;;) {
      const h = await health();
      if (
        h.clusters?.length === CLUSTERS &&
        h.clusters.every((c: any) => c.status === 'ok')
      )
        break;
      await sleep(100);
    }
    const snapshotAt = Date.now();
    const sinceStart = performance.now() - started;
    const { urls: listed, firstAt } = await askMocks<{
      urls: string[][];
      firstAt?: number;
    }>({ type: 'recorded' });
    // From the first list request on: the backend's own start (plugins, catalog…) is left out.
    const firstSnapshotMs = snapshotAt - (firstAt ?? snapshotAt);
    const bootMs = sinceStart - firstSnapshotMs;
    await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
      headers,
    });
    for (;;) {
      const h = await health();
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

    // The first read's timing above holds this process's event loop for seconds: the backend
    // may close an idle kept-alive socket before undici can retire it, so a failed request is
    // asked again rather than ending the benchmark.
    for (;;) {
      try {
        const res = await fetch(
          `${base}/catalog/entities/by-query?filter=kind=component&limit=1`,
          { headers },
        );
        if (((await res.json()) as any).totalItems >= size.entities) break;
      } catch (error) {
        if (VERBOSE) console.log(`  catalog: ${(error as Error).message}`);
      }
      await sleep(500);
    }
    await sleep((ENTITY_CACHE_SECONDS + 1) * 1000);

    const viewAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const entityUrl = (n: number) =>
      `${base}/mesh-security/entity/component/default/svc-${n}`;
    let unanswered = 0;
    /** One random page view's time; undefined: no answer within REQUEST_TIMEOUT_MS (counted). */
    const randomView = async (): Promise<number | undefined> => {
      let res;
      try {
        res = await timedRequest(
          viewAgent,
          entityUrl(Math.floor(Math.random() * size.entities)),
          headers,
        );
      } catch (error) {
        unanswered++;
        if (VERBOSE) console.log(`  page view: ${(error as Error).message}`);
        return undefined;
      }
      if (res.status !== 200)
        throw new Error(`GET /entity answered ${res.status}`);
      return res.ms;
    };
    /** A probe's read of an entity; undefined when it failed (the probe reads again). */
    const probeView = (n: number) =>
      getJson(probeAgent, entityUrl(n), headers).catch(() => undefined);
    // Unmeasured warm-up: every evaluated view built once, V8's JIT warm.
    for (let i = 0; i < 300; i++) await randomView();

    const cpu = async () => {
      const { user, system } = await ask<{ user: number; system: number }>(
        backend,
        { type: 'cpu' },
      );
      return (user + system) / 1e6;
    };
    /** Page views at a steady pace for `minutes`, with the backend's CPU and the API's traffic. */
    const phase = async (
      minutes: number,
      viewsToo: boolean,
    ): Promise<PhaseFigures> => {
      const loadBefore = load();
      const cpuBefore = await cpu();
      const apiBefore = (await mockStats()).stats;
      const unansweredBefore = unanswered;
      await ask(backend, { type: 'loopStart' });
      await ask(backend, {
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
          const ms = await randomView();
          if (ms !== undefined) views.push(ms);
          at = Math.max(at + VIEW_MS, performance.now());
        }
      }
      await sleep(end - performance.now());
      const elapsed = (performance.now() - t0) / 60_000;
      const loop = await ask<LoopFigures>(backend, { type: 'loopStop' });
      const { times } = await ask<{ times: Record<string, number[]> }>(
        backend,
        { type: 'timesStop' },
      );
      return {
        loop,
        inBackend: times['/api/mesh-security/entity/'] ?? [],
        minutes: elapsed,
        cpuSeconds: (await cpu()) - cpuBefore,
        api: delta((await mockStats()).stats, apiBefore),
        views,
        unanswered: unanswered - unansweredBefore,
        load: [loadBefore, load()],
      };
    };

    console.log(`[${mode}] quiet: ${QUIET_MINUTES} min (load ${load()})`);
    const quiet = await phase(QUIET_MINUTES, true);

    // Churn: background pods in the mock; policy edits and label flips from here.
    const visible: Record<ChangeType, number[]> = {
      policy: [],
      pod: [],
      label: [],
    };
    const missed: Record<ChangeType, number> = { policy: 0, pod: 0, label: 0 };
    const invalid: Record<ChangeType, number> = {
      policy: 0,
      pod: 0,
      label: 0,
    };
    const pending: Array<Promise<void>> = [];
    let measuring = false;
    let stopping = false;
    const workloadOf = (view: any, cluster: number, name: string) =>
      (view.workloads as any[]).find(
        w => w.cluster === `c${cluster}` && w.name === name,
      );
    /** Applies a change; when measuring, polls the entity until `shows` holds. */
    const tracked = async (
      type: ChangeType,
      cluster: number,
      change: Change,
      entity: number,
      shows: (view: any, applied: Applied) => boolean,
    ) => {
      if (!measuring) {
        await apply(cluster, change);
        return;
      }
      const before = await probeView(entity);
      const applied = await apply(cluster, change);
      // The answer before the change must not already show it (else the probe measures nothing).
      if (before && shows(before, applied)) {
        invalid[type]++;
        if (VERBOSE)
          console.log(
            `  ${type} c${cluster} ${JSON.stringify(
              change,
            )}: shown before it was made`,
          );
        return;
      }
      for (;;) {
        const view = await probeView(entity);
        const now = Date.now();
        if (view && shows(view, applied)) {
          visible[type].push(now - applied.at);
          if (VERBOSE)
            console.log(
              `  ${type} c${cluster} ${JSON.stringify(change)}: ${
                now - applied.at
              } ms`,
            );
          return;
        }
        if (now - applied.at > VISIBLE_TIMEOUT_MS) {
          missed[type]++;
          if (VERBOSE)
            console.log(
              `  ${type} c${cluster} ${JSON.stringify(change)}: not shown`,
            );
          return;
        }
        await sleep(PROBE_EVERY_MS);
      }
    };
    const policyNext = Array.from({ length: CLUSTERS }, () => 0);
    const labelNext = Array.from({ length: CLUSTERS }, () => 0);
    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, offset: number, task: () => void) => {
      timers.push(
        setTimeout(() => {
          task();
          timers.push(setInterval(task, ms));
        }, offset),
      );
    };
    for (let c = 0; c < CLUSTERS; c++) {
      // Policy edits: ns-2 … ns-49 in turn (workload w-k, entity svc-k).
      every(POLICY_EVERY_MS, (c * POLICY_EVERY_MS) / CLUSTERS, () => {
        const k = 2 + (policyNext[c]++ % 48);
        pending.push(
          tracked(
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
      every(LABEL_EVERY_MS, (c * LABEL_EVERY_MS) / CLUSTERS, () => {
        const k = 50 + (Math.floor(labelNext[c]++ / 2) % 50);
        pending.push(
          tracked(
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
    // Measured pod changes: a workload of svc-100 … svc-199 loses a pod, then gets one back.
    const busy = new Set<string>();
    const podLoop = async () => {
      while (!stopping) {
        const c = Math.floor(Math.random() * CLUSTERS);
        const w =
          100 +
          Math.floor(Math.random() * 100) +
          1000 * Math.floor((Math.random() * size.workloads) / 1000);
        if (w >= size.workloads || busy.has(`${c}/${w}`)) continue;
        busy.add(`${c}/${w}`);
        for (const type of ['podDelete', 'podAdd'] as const) {
          await tracked(
            'pod',
            c,
            { type, workload: `w-${w}` },
            w % 1000,
            (view, applied) =>
              workloadOf(view, c, `w-${w}`)?.pods?.total === applied.pods,
          );
        }
        busy.delete(`${c}/${w}`);
      }
    };

    const replacedBefore = (await mockStats()).replaced;
    await askMocks({
      type: 'churnStart',
      podsPerMinute: (PODS * CHURN_PERCENT) / 100,
      reservedEntities: RESERVED_ENTITIES,
    });
    console.log(
      `[${mode}] churn with page views: ${CHURN_MINUTES} min (load ${load()})`,
    );
    // BENCH_PROFILE=file.cpuprofile: a CPU profile of the backend during this phase;
    // BENCH_ALLOCATIONS=file.heapprofile: where it allocates (sampling heap profile).
    const profile = process.env.BENCH_PROFILE ?? process.env.BENCH_ALLOCATIONS;
    const allocations =
      !process.env.BENCH_PROFILE && !!process.env.BENCH_ALLOCATIONS;
    if (profile) await ask(backend, { type: 'profileStart', allocations });
    const churn = await phase(CHURN_MINUTES, true);
    if (profile)
      await ask(backend, {
        type: 'profileStop',
        file: `${profile.replace(/(\.[a-z]+)?$/, `-${mode}$1`)}`,
        allocations,
      });
    console.log(
      `[${mode}] churn, measuring change → visible: ${CHURN_MINUTES} min (load ${load()})`,
    );
    await Promise.all(pending.splice(0));
    measuring = true;
    const podLoops = Array.from({ length: POD_PROBES }, () => podLoop());
    await sleep(CHURN_MINUTES * 60_000);
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    await Promise.all([...pending, ...podLoops]);
    const replacedPods = (await mockStats()).replaced - replacedBefore;
    await askMocks({ type: 'churnStop' });
    // Once churn stopped and the backend caught up (a poll backend: its next full read), its
    // answers must agree with the API server: pods per workload, mTLS, w-1's callers.
    const stoppedAt = Date.now();
    for (;;) {
      const h = await health();
      if (
        h.clusters?.every(
          (c: any) =>
            Date.parse(c.fetchedAt ?? 0) > stoppedAt + 2000 &&
            c.accessGraphReady,
        )
      )
        break;
      await sleep(500);
    }
    const { clusters: truth } = await askMocks<{
      clusters: Array<{
        pods: Record<string, number>;
        mtls: Record<string, string>;
        labelled: string[];
      }>;
    }>({ type: 'truth' });
    const agreement = { workloads: 0, differing: [] as string[] };
    for (let e = 0; e < size.entities; e += e < RESERVED_ENTITIES ? 1 : 7) {
      const view = await probeView(e);
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
    const quietAfter = await phase(QUIET_MINUTES, true);
    const h = await health();
    const freshness = (h.clusters ?? [])
      .map(
        (c: any) =>
          `${c.name} ${c.freshness?.state ?? '?'}/${
            c.freshness?.mode ?? '?'
          } lag ${c.freshness?.lagSeconds ?? '?'} s`,
      )
      .join(', ');
    backend.kill();
    children.splice(children.indexOf(backend), 1);
    viewAgent.destroy();
    probeAgent.destroy();
    results.push({
      mode,
      bootMs,
      firstSnapshotMs,
      parseMs,
      listWorkMs,
      listBodies,
      graphsMs,
      quiet,
      churn,
      quietAfter,
      visible,
      missed,
      invalid,
      replacedPods,
      freshness,
      agreement,
    });
    report(results, { clusters: CLUSTERS, pods: PODS });
    await sleep(2000);
  }
  cleanup();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
