import { TrafficObservations } from '@mesh-security/plugin-mesh-security-common';
import { TrafficObservationsReader } from './types';

/** The windows of a cluster no metrics source covers (the defaults of docs/traffic.md). */
const DEFAULT_WINDOWS = { recentSeconds: 3600, evidenceSeconds: 604800 };

/**
 * The reader of a backend without metrics: every cluster is `not-configured`, so views say how
 * to configure observed traffic and no traffic finding is raised.
 */
export class NotConfiguredTrafficReader implements TrafficObservationsReader {
  async observations(cluster: string): Promise<TrafficObservations> {
    return {
      cluster,
      status: 'not-configured',
      message: 'no metrics source is configured for this cluster',
      windows: DEFAULT_WINDOWS,
      truncated: false,
      flows: [],
    };
  }
}
