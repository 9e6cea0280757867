/*
 * Observed-traffic benchmark (`npm run bench:traffic`; not a test). Builds the Prometheus answers
 * of BENCH_CLUSTERS (5) clusters × BENCH_WORKLOADS (2,000) receiving workloads × BENCH_SOURCES (15)
 * sources each, half Istio and half Linkerd, both windows and the last-seen queries, as a real
 * Prometheus would send them
 * (every series a Prometheus answer would hold, including Linkerd's `tcp_open_total` twins of HTTP
 * traffic, 10 % of flows with plaintext, 5 % with denials). Then prints, for one refresh of every
 * cluster through the real code path (PrometheusClient over a stubbed `fetch`, flows, store):
 *   - ingest time vs `JSON.parse` of the same answers (goal ≤ 3×),
 *   - retained memory per observed flow on the replica that read and on one that decodes the
 *     shared record (goal ≤ 0.2 KiB),
 *   - p50/p99 of a page view's `observations(cluster)`, and the queries page views sent (goal 0).
 */
import { CacheManager } from '@backstage/backend-defaults/cache';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { performance } from 'node:perf_hooks';
import { PrometheusClient } from '../src/traffic/PrometheusClient';
import { TrafficObservationsService } from '../src/traffic/TrafficObservationsService';
import { TrafficRefresher } from '../src/traffic/TrafficRefresher';
import { PrometheusTrafficSource } from '../src/traffic/TrafficSource';
import { TrafficStore } from '../src/traffic/TrafficStore';
import { median, percentile } from './stats';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 2000);
const SOURCES = Number(process.env.BENCH_SOURCES ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 10_000);
const windows = { recentSeconds: 3600, evidenceSeconds: 604800 };
/** The instant every query is evaluated at (seconds). */
const NOW = 1795435200;

const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
};
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};
/** Runs `task` after a full GC; its wall-clock and CPU time (user + system), in ms. */
async function measure(
  task: () => Promise<unknown>,
): Promise<{ wall: number; cpu: number }> {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await task();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

type Series = { metric: Record<string, string>; value: [number, string] };

/** The answer of each query of one cluster, keyed by the metric and window in the query. */
function clusterAnswers(cluster: number): Map<string, string> {
  const byKey = new Map<string, Series[]>();
  const add = (key: string, metric: Record<string, string>, value: number) => {
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push({ metric, value: [NOW, String(value)] });
  };
  const half = Math.floor(WORKLOADS / 2);
  for (const window of ['3600s', '604800s']) {
    const scale = window === '3600s' ? 1 : 168;
    for (let w = 0; w < WORKLOADS; w++) {
      const namespace = `ns-${cluster}-${w % 100}`;
      const name = `workload-${w}`;
      for (let s = 0; s < SOURCES; s++) {
        const source = (w + s * 37 + 1) % WORKLOADS;
        const sourceNamespace = `ns-${cluster}-${source % 100}`;
        const sourceName = `workload-${source}`;
        const flow = w * SOURCES + s;
        const requests = (12.3 + (flow % 50)) * scale;
        if (w < half) {
          const istio = {
            destination_workload_namespace: namespace,
            destination_workload: name,
            source_workload_namespace: sourceNamespace,
            source_workload: sourceName,
            source_principal: `spiffe://cluster.local/ns/${sourceNamespace}/sa/${sourceName}`,
          };
          const family = w % 2 === 0 ? 'istio_requests_total' : 'istio_tcp';
          add(
            `${family}:${window}`,
            { ...istio, connection_security_policy: 'mutual_tls' },
            requests,
          );
          if (flow % 10 === 0) {
            add(
              `${family}:${window}`,
              { ...istio, connection_security_policy: 'none' },
              requests / 7,
            );
          }
          if (window === '604800s') {
            // Last seen: one series per receiving workload and source, at a 5-minute step.
            add('istio_last_seen', istio, NOW - (flow % 12) * 300);
          }
          if (family === 'istio_requests_total' && flow % 20 === 0) {
            add(
              `istio_403:${window}`,
              { ...istio, connection_security_policy: 'mutual_tls' },
              3,
            );
          }
        } else {
          const linkerd = {
            namespace,
            deployment: name,
            target_port: '8080',
            tls: 'true',
            client_id: `${sourceName}.${sourceNamespace}.serviceaccount.identity.linkerd.cluster.local`,
          };
          add(`request_total:${window}`, linkerd, requests);
          if (window === '604800s') {
            add('linkerd_last_seen', linkerd, NOW - (flow % 12) * 300);
          }
          add(`tcp_open_total:${window}`, linkerd, requests / 100);
          if (flow % 10 === 0) {
            const plaintext = { ...linkerd, tls: 'no_identity', client_id: '' };
            add(`request_total:${window}`, plaintext, requests / 7);
            add(`tcp_open_total:${window}`, plaintext, 1);
            if (window === '604800s') {
              add('linkerd_last_seen', plaintext, NOW - 600);
            }
          }
          if (flow % 20 === 0) add(`http_deny:${window}`, linkerd, 2);
        }
      }
    }
  }
  const answers = new Map<string, string>();
  for (const [key, result] of byKey) {
    answers.set(
      key,
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result },
      }),
    );
  }
  return answers;
}

/** Which generated answer a query asks for. */
function keyOf(query: string): string {
  if (query.startsWith('max_over_time(')) {
    return query.includes('istio_') ? 'istio_last_seen' : 'linkerd_last_seen';
  }
  const window = /\[(\d+s)\]/.exec(query)![1];
  if (query.includes('response_code="403"')) return `istio_403:${window}`;
  // Connections ztunnel refused: none in this estate (an empty answer).
  if (query.includes('response_flags="DENY"'))
    return `istio_tcp_deny:${window}`;
  if (query.includes('istio_requests_total'))
    return `istio_requests_total:${window}`;
  if (query.includes('istio_tcp')) return `istio_tcp:${window}`;
  if (query.includes('inbound_http_authz_deny_total'))
    return `http_deny:${window}`;
  if (query.includes('inbound_tcp_authz_deny_total'))
    return `tcp_deny:${window}`;
  if (query.includes('tcp_open_total')) return `tcp_open_total:${window}`;
  return `request_total:${window}`;
}

const EMPTY = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [] },
});

async function main() {
  console.log(
    `Observed traffic: ${CLUSTERS} clusters × ${WORKLOADS} workloads × ${SOURCES} sources (half Istio, half Linkerd)`,
  );
  const answers = Array.from({ length: CLUSTERS }, (_, c) => clusterAnswers(c));
  let bytes = 0;
  let series = 0;
  for (const cluster of answers) {
    for (const text of cluster.values()) {
      bytes += text.length;
      series += (text.match(/"metric"/g) ?? []).length;
    }
  }
  console.log(
    `answers: ${series.toLocaleString()} series, ${(
      bytes /
      1024 /
      1024
    ).toFixed(1)} MiB of JSON`,
  );

  const bodies = answers.map(
    cluster =>
      new Map([...cluster].map(([key, text]) => [key, Buffer.from(text)])),
  );
  const EMPTY_BYTES = Buffer.from(EMPTY);
  let queries = 0;
  let current = 0;
  globalThis.fetch = (async (_url: unknown, init?: { body?: string }) => {
    queries++;
    const query = new URLSearchParams(init?.body ?? '').get('query') ?? '';
    // Bytes, as they arrive from the network.
    const body = bodies[current].get(keyOf(query)) ?? EMPTY_BYTES;
    return new Response(body, {
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.byteLength),
      },
    });
  }) as typeof fetch;

  const quiet = () => {};
  const logger: LoggerService = {
    info: quiet,
    warn: quiet,
    error: quiet,
    debug: quiet,
    child: () => logger,
  };
  const newCache = () =>
    CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('mesh-security');
  const sourceOf = (c: number) =>
    new PrometheusTrafficSource(
      `cluster-${c}`,
      new PrometheusClient(
        { url: 'http://prometheus.bench' },
        {
          timeoutMs: 60_000,
          maxBytes: 256 * 1024 * 1024,
          maxSeries: 1_000_000,
        },
      ),
      {
        ...windows,
        lastSeenResolutionSeconds: 300,
        meshes: ['istio', 'linkerd'],
        now: () => new Date(NOW * 1000),
      },
    );

  // Ingest (read: fetch, bounded body, JSON, checks, flows) vs JSON.parse of the same texts,
  // interleaved so that the load of other processes falls on both alike: in every round, each
  // cluster's answers are parsed and then read (the order alternates between rounds), each after
  // a full GC, timed by the wall clock and by the process's CPU time (which excludes the time
  // other processes hold the cores). Then five clusters back to back, and the same with the
  // store (gzip into the cache).
  const perCluster = { wall: [] as number[], cpu: [] as number[] };
  const allClusters = { wall: [] as number[], cpu: [] as number[] };
  const withStore: number[] = [];
  const parseTimes: number[] = [];
  let flows = 0;
  const parseCluster = (c: number) => {
    for (const text of answers[c].values()) JSON.parse(text);
  };
  const readCluster = async (c: number) => {
    current = c;
    return (await sourceOf(c).read()).flows.length;
  };
  const readAll = async () => {
    let count = 0;
    const read = await measure(async () => {
      for (let c = 0; c < CLUSTERS; c++) count += await readCluster(c);
    });
    return { read, flows: count };
  };
  const refreshAll = async () => {
    const store = new TrafficStore(newCache());
    for (let c = 0; c < CLUSTERS; c++) {
      current = c;
      await new TrafficRefresher(sourceOf(c), store, logger, {
        windows,
      }).refresh();
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (let c = 0; c < CLUSTERS; c++) {
      const parse = () => measure(async () => parseCluster(c));
      const read = () => measure(() => readCluster(c));
      let parsed;
      let ingested;
      if (round % 2 === 0) {
        parsed = await parse();
        ingested = await read();
      } else {
        ingested = await read();
        parsed = await parse();
      }
      perCluster.wall.push(ingested.wall / parsed.wall);
      perCluster.cpu.push(ingested.cpu / parsed.cpu);
    }
    const parse = await measure(async () => {
      for (let c = 0; c < CLUSTERS; c++) parseCluster(c);
    });
    const { read, flows: count } = await readAll();
    flows = count;
    parseTimes.push(parse.wall);
    allClusters.wall.push(read.wall / parse.wall);
    allClusters.cpu.push(read.cpu / parse.cpu);
    const refresh = await measure(refreshAll);
    withStore.push(refresh.wall / parse.wall);
  }
  const spread = (values: number[]) =>
    `median ${median(values).toFixed(2)}×, p90 ${percentile(values, 90).toFixed(
      2,
    )}×`;
  console.log(
    `flows: ${flows.toLocaleString()} (${(
      flows / CLUSTERS
    ).toLocaleString()} per cluster)`,
  );
  console.log(
    `JSON.parse of all answers: ${median(parseTimes).toFixed(
      0,
    )} ms (median of ${ROUNDS} rounds)`,
  );
  console.log(
    `one cluster's ingest vs JSON.parse of its answers (${
      perCluster.wall.length
    } pairs; goal ≤ 3×): wall clock ${spread(
      perCluster.wall,
    )}; CPU time ${spread(perCluster.cpu)}`,
  );
  console.log(
    `five clusters back to back (${ROUNDS} rounds): wall clock ${spread(
      allClusters.wall,
    )}; CPU time ${spread(allClusters.cpu)}`,
  );
  console.log(
    `refresh including gzip into the cache, five clusters: wall clock ${spread(
      withStore,
    )}`,
  );

  // Memory retained per flow: on the replica that read (its own objects), and on a replica that
  // decodes the shared record; both include the gzipped record in the memory cache.
  const cache = newCache();
  const sources = new Map(
    Array.from({ length: CLUSTERS }, (_, c) => [
      `cluster-${c}`,
      'prometheus' as const,
    ]),
  );
  let before = heap();
  const writer = new TrafficStore(cache);
  for (let c = 0; c < CLUSTERS; c++) {
    current = c;
    await new TrafficRefresher(sourceOf(c), writer, logger, {
      windows,
    }).refresh();
  }
  const writerService = new TrafficObservationsService(writer, {
    sources,
    windows,
  });
  for (let c = 0; c < CLUSTERS; c++)
    await writerService.observations(`cluster-${c}`);
  const writerBytes = heap() - before;
  before = heap();
  const replica = new TrafficObservationsService(new TrafficStore(cache), {
    sources,
    windows,
  });
  for (let c = 0; c < CLUSTERS; c++) await replica.observations(`cluster-${c}`);
  const replicaBytes = heap() - before;
  console.log(
    `retained per flow: ${(writerBytes / flows / 1024).toFixed(
      3,
    )} KiB on the replica that read (cache included), ${(
      replicaBytes /
      flows /
      1024
    ).toFixed(3)} KiB more on another replica (goal ≤ 0.2 KiB)`,
  );

  const sample = (await replica.observations('cluster-0')).flows;
  console.log(
    `flows with lastSeen: ${sample.filter(f => f.lastSeen).length} of ${
      sample.length
    } (cluster-0)`,
  );

  // Page views: observations(cluster) from the store, counting queries sent meanwhile.
  const queriesBefore = queries;
  const views: number[] = [];
  for (let v = 0; v < VIEWS; v++) {
    const start = performance.now();
    await replica.observations(`cluster-${v % CLUSTERS}`);
    views.push(performance.now() - start);
  }
  console.log(
    `page view observations(): p50 ${percentile(views, 50).toFixed(
      3,
    )} ms, p99 ${percentile(views, 99).toFixed(
      3,
    )} ms over ${VIEWS} views; Prometheus queries sent: ${
      queries - queriesBefore
    }`,
  );
  // Keep both stores alive until measured.
  if (writerService === undefined) console.log(writer);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
