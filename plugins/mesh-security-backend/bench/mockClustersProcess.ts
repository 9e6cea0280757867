/*
 * Child process of the backend benchmark: generates BENCH_CLUSTERS estates and serves each on
 * its own loopback mock Kubernetes API. IPC: `start` → the URLs; `requests` → requests served
 * so far (all clusters).
 */
import {
  generateEstate,
  MockCluster,
  startMockCluster,
} from './mockKubernetes';
import { serve } from './processes';

let clusters: MockCluster[] = [];

serve({
  async start({ count, size, latencyMs }) {
    clusters = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startMockCluster(generateEstate(i, size), { latencyMs }),
      ),
    );
    return { urls: clusters.map(c => c.url) };
  },
  requests: () => ({ count: clusters.reduce((n, c) => n + c.requests(), 0) }),
});
