/*
 * Observed traffic: what the mesh's own metrics (in Prometheus) say crossed the wire, held
 * against what the policies claim (docs/traffic.md).
 */

/**
 * Who sent traffic, as the receiving proxy reported it: a workload of the cluster, a mesh
 * identity no workload of the snapshot carries, or nothing the mesh could tell (plaintext from
 * outside the mesh, or an unknown source).
 *
 * @public
 */
export type TrafficSource =
  | {
      kind: 'workload';
      namespace: string;
      /** The workload's name as the mesh reports it (its top-level controller's). */
      name: string;
      /** The mesh identity it presented, when reported (SPIFFE ID or Linkerd identity). */
      identity?: string;
    }
  | { kind: 'identity'; identity: string }
  | { kind: 'unknown' };

/**
 * Counts over one window. Requests for HTTP (and gRPC) traffic, connections for TCP; a proxy
 * reports one or the other per port.
 *
 * @public
 */
export interface TrafficCounts {
  /** Requests or connections carried over mesh mTLS. */
  mtls: number;
  /** Requests or connections in plaintext (or TLS without a mesh identity). */
  plaintext: number;
  /** Requests or connections the receiving proxy refused for authorization. */
  denied: number;
}

/**
 * Traffic from one source to one workload (and port, when the metrics tell it), as received.
 *
 * @public
 */
export interface ObservedFlow {
  /** The mesh whose proxy (or ztunnel) reported the flow. */
  mesh: 'istio' | 'linkerd';
  /** The receiving workload, as the mesh names it (its controller: Deployment, …). */
  to: { namespace: string; name: string };
  /** The receiving container port; absent when the metrics do not tell ports apart. */
  port?: number;
  /** Who sent it. */
  from: TrafficSource;
  /** `http`: request counts; `tcp`: connection counts. */
  protocol: 'http' | 'tcp';
  /** Over the recent window. */
  recent: TrafficCounts;
  /** Over the evidence window (longer: what decisions such as enforcing STRICT rest on). */
  evidence: TrafficCounts;
  /** When traffic of this flow was last seen (ISO), when known. */
  lastSeen?: string;
}

/**
 * The observations of one cluster, as of one read of its metrics.
 *
 * @public
 */
export interface TrafficObservations {
  /** The cluster (as configured in the backend) the flows were received in. */
  cluster: string;
  /**
   * `ok`: read on the last attempt; `stale`: the last attempt failed, these are older;
   * `unavailable`: never read; `not-configured`: no metrics source for this cluster.
   */
  status: 'ok' | 'stale' | 'unavailable' | 'not-configured';
  /** Where the observations come from: a Prometheus HTTP API, or recorded data (the demo). */
  source?: 'prometheus' | 'recorded';
  /** When the observations were read (ISO). */
  fetchedAt?: string;
  /** Why the last attempt failed, safe to show. */
  message?: string;
  /** The windows, in seconds. */
  windows: { recentSeconds: number; evidenceSeconds: number };
  /** A query answered more series than the cap: some flows are missing. */
  truncated: boolean;
  /** The flows received, aggregated per receiving workload, port and source. */
  flows: ObservedFlow[];
}
