/*
 * The answers a Prometheus would give Mesh Security's traffic queries for a generated estate
 * (`BENCH_TRAFFIC`), served by the mock clusters beside their Kubernetes API.
 */
import { EstateSize } from './estate';

/**
 * The answers a Prometheus would give Mesh Security's traffic queries for an estate
 * (docs/traffic.md "Queries"): every workload receives mTLS requests from `sources` others (its
 * service account is its name), in both windows, last seen five minutes before the mock started.
 * Istio's request family for an Istio estate; for a Linkerd one (`size.mesh`) `request_total` on
 * port 8080 with the client's identity, and its connections as the proxy counts them beside
 * (`tcp_open_total`, one per hundred requests). Other families answer an empty vector.
 */
export function trafficAnswers(size: EstateSize, sources: number) {
  const linkerd = size.mesh === 'linkerd';
  const series: Array<{ metric: Record<string, string>; requests: number }> =
    [];
  for (let w = 0; w < size.workloads; w++) {
    for (let s = 1; s <= sources; s++) {
      const from = (w + s * 37) % size.workloads;
      const fromNamespace = `ns-${from % size.namespaces}`;
      series.push({
        metric: linkerd
          ? {
              namespace: `ns-${w % size.namespaces}`,
              deployment: `w-${w}`,
              target_port: '8080',
              client_id: `w-${from}.${fromNamespace}.serviceaccount.identity.linkerd.cluster.local`,
            }
          : {
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
  const mtls = linkerd
    ? { tls: 'true' }
    : { connection_security_policy: 'mutual_tls' };
  const counts = (scale: number) =>
    vector(
      series.map(x => ({
        metric: { ...x.metric, ...mtls },
        value: [now, String(x.requests * scale)],
      })),
    );
  const answers = {
    recent: counts(1),
    evidence: counts(168),
    lastSeen: vector(
      series.map(x => ({
        metric: linkerd ? { ...x.metric, ...mtls } : x.metric,
        value: [now, lastSeen],
      })),
    ),
    empty: vector([]),
  };
  const recent = (query: string) => query.includes('[3600s]');
  if (linkerd) {
    const connections = { recent: counts(0.01), evidence: counts(1.68) };
    return (query: string): string => {
      if (query.startsWith('max_over_time('))
        return query.includes('istio_') ? answers.empty : answers.lastSeen;
      if (query.includes('authz_deny') || query.includes('istio_'))
        return answers.empty;
      if (query.includes('tcp_open_total'))
        return recent(query) ? connections.recent : connections.evidence;
      if (query.includes('request_total'))
        return recent(query) ? answers.recent : answers.evidence;
      return answers.empty;
    };
  }
  return (query: string): string => {
    if (query.startsWith('max_over_time(')) {
      return query.includes('istio_') ? answers.lastSeen : answers.empty;
    }
    if (!query.includes('istio_requests_total') || query.includes('"403"'))
      return answers.empty;
    return recent(query) ? answers.recent : answers.evidence;
  };
}
