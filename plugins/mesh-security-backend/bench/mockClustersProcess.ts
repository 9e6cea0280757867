/*
 * Child process of the backend benchmarks: generates BENCH_CLUSTERS estates and serves each on
 * its own loopback mock Kubernetes API (and, with `trafficSources`, a Prometheus API with the
 * estate's traffic on the same port). IPC: `start` → the URLs; `requests` → Kubernetes API
 * requests served so far (all clusters); `queries` → Prometheus queries served so far;
 * `stats` → lists and watches served and their bytes (all clusters, cumulative; see
 * {@link MockStats}); `record` / `recorded` → the list requests answered in between, per
 * cluster, and when the first arrived; `churnStart` (`podsPerMinute` per cluster, entities below `reservedEntities` left
 * alone) / `churnStop` → the background pod churn of `bench:watch`; `change` → one change to one
 * cluster (see {@link Change}), answered once written to the watches; `truth` → per cluster the
 * pods per workload, the PeerAuthentication modes per namespace and the labelled namespaces.
 */
import { Change, Churn } from './churn';
import { generateEstate } from './estate';
import { MockCluster, MockStats, startMockCluster } from './mockKubernetes';
import { serve } from './processes';

let clusters: MockCluster[] = [];
let churns: Churn[] = [];

serve({
  async start({ count, size, latencyMs, trafficSources }) {
    clusters = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startMockCluster(generateEstate(i, size), {
          latencyMs,
          mesh: size.mesh,
          traffic: trafficSources
            ? { size, sources: trafficSources }
            : undefined,
        }),
      ),
    );
    churns = clusters.map(c => new Churn(c));
    return { urls: clusters.map(c => c.url) };
  },
  requests: () => ({ count: clusters.reduce((n, c) => n + c.requests(), 0) }),
  queries: () => ({ count: clusters.reduce((n, c) => n + c.queries(), 0) }),
  stats: () => {
    const total = {} as Record<keyof MockStats, number>;
    for (const c of clusters) {
      for (const [k, v] of Object.entries(c.stats()))
        total[k as keyof MockStats] = (total[k as keyof MockStats] ?? 0) + v;
    }
    return {
      stats: total,
      replaced: churns.reduce((n, c) => n + c.replaced, 0),
    };
  },
  record: () => {
    clusters.forEach(c => c.startRecording());
    return {};
  },
  recorded: () => {
    const recorded = clusters.map(c => c.stopRecording());
    const firsts = recorded.flatMap(r => (r.firstAt ? [r.firstAt] : []));
    const lasts = recorded.flatMap(r => (r.lastAt ? [r.lastAt] : []));
    return {
      urls: recorded.map(r => r.urls),
      firstAt: firsts.length ? Math.min(...firsts) : undefined,
      lastAt: lasts.length ? Math.max(...lasts) : undefined,
      busyMs: recorded.reduce((ms, r) => ms + r.busyMs, 0),
    };
  },
  churnStart({ podsPerMinute, reservedEntities }) {
    churns.forEach(c =>
      c.startPods(podsPerMinute, entity => entity < reservedEntities),
    );
    return {};
  },
  churnStop() {
    churns.forEach(c => c.stop());
    return {};
  },
  change({ cluster, change }: { cluster: number; change: Change }) {
    return { applied: churns[cluster].apply(change) };
  },
  truth() {
    return {
      clusters: clusters.map(c => {
        const pods: Record<string, number> = {};
        for (const pod of c.objects('pods')) {
          const app = pod.metadata.labels?.app ?? '';
          pods[app] = (pods[app] ?? 0) + 1;
        }
        const mtls: Record<string, string> = {};
        for (const pa of c.objects('peerauthentications'))
          mtls[pa.metadata.namespace ?? ''] = (
            pa.spec as { mtls: { mode: string } }
          ).mtls.mode;
        const labelled = c
          .objects('namespaces')
          .filter(n => n.metadata.labels?.['bench/allowed'] === 'true')
          .map(n => n.metadata.name);
        return { pods, mtls, labelled };
      }),
    };
  },
});
