import { TrafficObservations } from '@mesh-security/plugin-mesh-security-common';

/**
 * Where the services read observed traffic from: the latest observations of each cluster, as
 * every replica sees them (docs/traffic.md). Never throws and never queries a metrics backend on
 * the caller's behalf: a page view costs 0 queries.
 */
export interface TrafficObservationsReader {
  /**
   * The latest observations of a cluster. `status: 'not-configured'` when no metrics source
   * covers it; `unavailable` or `stale` (with `message` and `fetchedAt`) when reads fail.
   */
  observations(cluster: string): Promise<TrafficObservations>;
}
