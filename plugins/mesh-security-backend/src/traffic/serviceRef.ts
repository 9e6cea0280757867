import {
  LoggerService,
  SchedulerService,
  CacheService,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import path from 'node:path';
import { readMeshSecurityConfig } from '../config';
import { PrometheusClient } from './PrometheusClient';
import { TrafficObservationsService } from './TrafficObservationsService';
import { TrafficRefresher } from './TrafficRefresher';
import {
  PrometheusTrafficSource,
  RecordedTrafficSource,
  TrafficSource,
} from './TrafficSource';
import { TrafficStore } from './TrafficStore';
import { TrafficObservationsReader } from './types';

/**
 * Reads `meshSecurity.traffic` and schedules one background read per covered cluster into the
 * shared cache (docs/traffic.md); returns the reader the posture services take observed traffic
 * from (0 queries per view). Clusters no source covers are `not-configured`.
 */
export async function createTrafficObservations(deps: {
  config: Config;
  cache: CacheService;
  scheduler: SchedulerService;
  logger: LoggerService;
}): Promise<TrafficObservationsReader> {
  const { config, cache, scheduler, logger } = deps;
  const traffic = readMeshSecurityConfig(config, logger).traffic;
  const windows = {
    recentSeconds: traffic.recentSeconds,
    evidenceSeconds: traffic.evidenceSeconds,
  };
  const trafficStore = new TrafficStore(cache);
  for (const cluster of traffic.clusters) {
    const source: TrafficSource =
      cluster.type === 'prometheus'
        ? new PrometheusTrafficSource(
            cluster.cluster,
            new PrometheusClient(cluster.endpoint, {
              timeoutMs: traffic.queryTimeoutMs,
              maxBytes: traffic.maxBytesPerQuery,
              maxSeries: traffic.maxSeriesPerQuery,
            }),
            {
              ...windows,
              lastSeenResolutionSeconds: traffic.lastSeenResolutionSeconds,
              meshes: cluster.meshes,
              selector: cluster.selector,
            },
          )
        : new RecordedTrafficSource(
            cluster.cluster,
            path.resolve(cluster.path),
            {
              maxBytes: traffic.maxBytesPerQuery,
              maxSeries: traffic.maxSeriesPerQuery,
            },
          );
    const refresher = new TrafficRefresher(source, trafficStore, logger, {
      windows,
    });
    await scheduler.scheduleTask({
      id: `mesh-security-traffic-${cluster.cluster}`,
      frequency: { milliseconds: traffic.refreshIntervalMs },
      // The queries of one read, four at a time, each within its timeout.
      timeout: { milliseconds: traffic.queryTimeoutMs * 4 + 30_000 },
      scope: 'global',
      fn: async signal => {
        await refresher.refresh(signal);
      },
    });
  }
  return new TrafficObservationsService(trafficStore, {
    sources: new Map(traffic.clusters.map(c => [c.cluster, c.type])),
    windows,
  });
}

/**
 * Where the plugin gets its {@link TrafficObservationsReader}: by default the metrics reader of
 * `meshSecurity.traffic` ({@link createTrafficObservations}); tests provide their own factory.
 */
export const trafficObservationsReaderRef =
  createServiceRef<TrafficObservationsReader>({
    id: 'mesh-security.traffic-observations',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          config: coreServices.rootConfig,
          cache: coreServices.cache,
          scheduler: coreServices.scheduler,
          logger: coreServices.logger,
        },
        factory: deps => createTrafficObservations(deps),
      }),
  });
