import { TrafficObservations } from '@mesh-security/plugin-mesh-security-common';
import { TrafficStore } from './TrafficStore';
import { TrafficObservationsReader } from './types';

/**
 * The observations every replica serves: read from the shared store, never from a metrics
 * backend (0 queries per page view). Clusters no traffic source covers are `not-configured`.
 */
export class TrafficObservationsService implements TrafficObservationsReader {
  constructor(
    private readonly store: TrafficStore,
    private readonly options: {
      /** The clusters a traffic source covers, and which kind of source. */
      sources: ReadonlyMap<string, 'prometheus' | 'recorded'>;
      windows: TrafficObservations['windows'];
    },
  ) {}

  async observations(cluster: string): Promise<TrafficObservations> {
    const source = this.options.sources.get(cluster);
    const empty = {
      cluster,
      windows: this.options.windows,
      truncated: false,
      flows: [],
    };
    if (!source) return { ...empty, status: 'not-configured' };
    try {
      const stored = await this.store.get(cluster);
      if (stored) return stored;
      return {
        ...empty,
        status: 'unavailable',
        source,
        message: 'Observed traffic has not been read yet',
      };
    } catch {
      return {
        ...empty,
        status: 'unavailable',
        source,
        message: 'Observed traffic could not be read from the cache',
      };
    }
  }
}
