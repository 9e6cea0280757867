/*
 * The answers a Prometheus would give Mesh Security's traffic queries for a generated estate
 * (`BENCH_TRAFFIC`), served by the mock clusters beside their Kubernetes API.
 */
import { EstateSize } from './estate';

/**
 * The Istio answers a Prometheus would give Mesh Security's traffic queries for an estate
 * (docs/traffic.md "Queries"): every workload receives mTLS requests from `sources` others (its
 * service account is its name), in both windows, last seen five minutes before the mock started.
 * Other families answer an empty vector.
 */
export function trafficAnswers(size: EstateSize, sources: number) {
  const series: Array<{ metric: Record<string, string>; requests: number }> =
    [];
  for (let w = 0; w < size.workloads; w++) {
    for (let s = 1; s <= sources; s++) {
      const from = (w + s * 37) % size.workloads;
      const fromNamespace = `ns-${from % size.namespaces}`;
      series.push({
        metric: {
          destination_workload_namespace: `ns-${w % size.namespaces}`,
          destination_workload: `w-${w}`,
          source_workload_namespace: fromNamespace,
          source_workload: `w-${from}`,
          source_principal: `spiffe://cluster.local/ns/${fromNamespace}/sa/w-${from}`,
        },
        requests: 10 + ((w + s) % 50),
      });
    }
  }
  const vector = (result: unknown[]) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result },
    });
  // Built once: answering must not hold up the Kubernetes API served by the same process. The
  // sample times are not checked by the reader; last seen is five minutes before the start.
  const now = Math.floor(Date.now() / 1000);
  const lastSeen = String(Math.floor(now / 300) * 300 - 300);
  const requests = (scale: number) =>
    vector(
      series.map(x => ({
        metric: { ...x.metric, connection_security_policy: 'mutual_tls' },
        value: [now, String(x.requests * scale)],
      })),
    );
  const answers = {
    recent: requests(1),
    evidence: requests(168),
    lastSeen: vector(
      series.map(x => ({ metric: x.metric, value: [now, lastSeen] })),
    ),
    empty: vector([]),
  };
  return (query: string): string => {
    if (query.startsWith('max_over_time(')) {
      return query.includes('istio_') ? answers.lastSeen : answers.empty;
    }
    if (!query.includes('istio_requests_total') || query.includes('"403"'))
      return answers.empty;
    return query.includes('[3600s]') ? answers.recent : answers.evidence;
  };
}
