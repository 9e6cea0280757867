/*
 * Child process of the backend benchmark: generates BENCH_CLUSTERS estates and serves each on
 * its own loopback mock Kubernetes API (and, with `trafficSources`, a Prometheus API with the
 * estate's traffic on the same port). IPC: `start` → the URLs; `requests` → Kubernetes API
 * requests served so far (all clusters); `queries` → Prometheus queries served so far.
 */
import {
  generateEstate,
  MockCluster,
  startMockCluster,
} from './mockKubernetes';
import { serve } from './processes';

let clusters: MockCluster[] = [];

serve({
  async start({ count, size, latencyMs, trafficSources }) {
    clusters = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startMockCluster(generateEstate(i, size), {
          latencyMs,
          traffic: trafficSources
            ? { size, sources: trafficSources }
            : undefined,
        }),
      ),
    );
    return { urls: clusters.map(c => c.url) };
  },
  requests: () => ({ count: clusters.reduce((n, c) => n + c.requests(), 0) }),
  queries: () => ({ count: clusters.reduce((n, c) => n + c.queries(), 0) }),
});
