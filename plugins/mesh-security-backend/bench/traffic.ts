/*
 * Observed-traffic benchmark (`npm run bench:traffic`; not a test). Builds the Prometheus answers
 * of BENCH_CLUSTERS (5) clusters × BENCH_WORKLOADS (2,000) receiving workloads × BENCH_SOURCES (15)
 * sources each, half Istio and half Linkerd, both windows, as a real Prometheus would send them
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

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 5);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 2000);
const SOURCES = Number(process.env.BENCH_SOURCES ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 10_000);
const windows = { recentSeconds: 3600, evidenceSeconds: 604800 };

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
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
};

type Series = { metric: Record<string, string>; value: [number, string] };

/** The answer of each query of one cluster, keyed by the metric and window in the query. */
function clusterAnswers(cluster: number): Map<string, string> {
  const byKey = new Map<string, Series[]>();
  const add = (key: string, metric: Record<string, string>, value: number) => {
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push({ metric, value: [1795435200, String(value)] });
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
          add(`tcp_open_total:${window}`, linkerd, requests / 100);
          if (flow % 10 === 0) {
            const plaintext = { ...linkerd, tls: 'no_identity', client_id: '' };
            add(`request_total:${window}`, plaintext, requests / 7);
            add(`tcp_open_total:${window}`, plaintext, 1);
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
  const window = /\[(\d+s)\]/.exec(query)![1];
  if (query.includes('response_code="403"')) return `istio_403:${window}`;
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
      { ...windows, meshes: ['istio', 'linkerd'] },
    );

  // Ingest (read: fetch, bounded body, JSON, checks, flows) vs JSON.parse of the same texts.
  const parseTimes: number[] = [];
  const readTimes: number[] = [];
  const refreshTimes: number[] = [];
  let flows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    let start = performance.now();
    for (const cluster of answers) {
      for (const text of cluster.values()) JSON.parse(text);
    }
    parseTimes.push(performance.now() - start);
    gc();
    start = performance.now();
    flows = 0;
    for (let c = 0; c < CLUSTERS; c++) {
      current = c;
      flows += (await sourceOf(c).read()).flows.length;
    }
    readTimes.push(performance.now() - start);
    gc();
    const store = new TrafficStore(newCache());
    start = performance.now();
    for (let c = 0; c < CLUSTERS; c++) {
      current = c;
      await new TrafficRefresher(sourceOf(c), store, logger, {
        windows,
      }).refresh();
    }
    refreshTimes.push(performance.now() - start);
  }
  // One cluster's refresh (each cluster is its own scheduled task), against the parse of its answers.
  const perCluster: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let c = 0; c < CLUSTERS; c++) {
      gc();
      let start = performance.now();
      for (const text of answers[c].values()) JSON.parse(text);
      const parsed = performance.now() - start;
      gc();
      current = c;
      start = performance.now();
      await sourceOf(c).read();
      perCluster.push((performance.now() - start) / parsed);
    }
  }
  const parse = median(parseTimes);
  const read = median(readTimes);
  const refresh = median(refreshTimes);
  console.log(
    `flows: ${flows.toLocaleString()} (${(
      flows / CLUSTERS
    ).toLocaleString()} per cluster)`,
  );
  console.log(
    `JSON.parse of the answers: ${parse.toFixed(0)} ms (median of ${ROUNDS})`,
  );
  console.log(
    `ingest (queries → flows): ${read.toFixed(0)} ms = ${(read / parse).toFixed(
      2,
    )}× JSON.parse (goal ≤ 3×)`,
  );
  console.log(
    `one cluster's ingest: median ${median(perCluster).toFixed(
      2,
    )}× JSON.parse of its answers (${perCluster.length} reads)`,
  );
  console.log(
    `refresh (ingest + gzip into the cache): ${refresh.toFixed(0)} ms = ${(
      refresh / parse
    ).toFixed(2)}× JSON.parse`,
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
