import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { NotConfiguredTrafficReader } from './NotConfiguredTrafficReader';
import { TrafficObservationsReader } from './types';

/**
 * Where the plugin gets its {@link TrafficObservationsReader}: by default one that reports
 * every cluster `not-configured`; tests (and a metrics reader) provide their own factory.
 */
export const trafficObservationsReaderRef =
  createServiceRef<TrafficObservationsReader>({
    id: 'mesh-security.traffic-observations',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => new NotConfiguredTrafficReader(),
      }),
  });
