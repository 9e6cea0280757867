import {
  ObservedFlow,
  TrafficCounts,
  TrafficObservations,
  TrafficSource,
} from '../model';

/* Builders for observed traffic (the shape the backend's readers produce). */

export const counts = (mtls = 0, plaintext = 0, denied = 0): TrafficCounts => ({
  mtls,
  plaintext,
  denied,
});

export const fromWorkload = (
  namespace: string,
  name: string,
): TrafficSource => ({ kind: 'workload', namespace, name });

export const fromIdentity = (identity: string): TrafficSource => ({
  kind: 'identity',
  identity,
});

export const fromUnknown: TrafficSource = { kind: 'unknown' };

/** A flow to `ns/name` whose recent and evidence counts are the same unless given. */
export function flow(
  to: string,
  from: TrafficSource,
  evidence: TrafficCounts,
  o: Partial<ObservedFlow> = {},
): ObservedFlow {
  const [namespace, name] = to.split('/');
  return {
    mesh: 'istio',
    to: { namespace, name },
    from,
    protocol: 'http',
    recent: evidence,
    evidence,
    lastSeen: '2026-12-01T10:00:00Z',
    ...o,
  };
}

export function observations(
  flows: ObservedFlow[],
  o: Partial<TrafficObservations> = {},
): TrafficObservations {
  return {
    cluster: 'default',
    status: 'ok',
    source: 'recorded',
    fetchedAt: '2026-12-01T10:05:00Z',
    windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
    truncated: false,
    flows,
    ...o,
  };
}
