import { LoggerService } from '@backstage/backend-plugin-api';
import { TrafficObservations } from '@mesh-security/plugin-mesh-security-common';
import { TrafficQueryError } from './PrometheusClient';
import { TrafficSource } from './TrafficSource';
import { TrafficStore } from './TrafficStore';

/**
 * Reads one cluster's observed traffic into the store. Runs from the scheduler (scope `global`:
 * one replica reads each cluster at a time). A failed read keeps the last good observations,
 * flagged `stale` with the failure's message (their `fetchedAt` gives their age), or stores
 * `unavailable` when there were none (docs/traffic.md "When reads fail").
 */
export class TrafficRefresher {
  private readonly now: () => Date;

  constructor(
    private readonly source: TrafficSource,
    private readonly store: TrafficStore,
    private readonly logger: LoggerService,
    private readonly options: {
      windows: TrafficObservations['windows'];
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** One refresh attempt; never throws for a read failure. */
  async refresh(signal?: AbortSignal): Promise<'read' | 'failed'> {
    const now = this.now();
    try {
      const read = await this.source.read(signal);
      await this.store.put({
        cluster: this.source.cluster,
        status: 'ok',
        source: this.source.type,
        fetchedAt: now.toISOString(),
        ...(read.recordedAt ? { recordedAt: read.recordedAt } : {}),
        windows: read.windows,
        truncated: read.truncated,
        flows: read.flows,
      });
      if (read.truncated) {
        this.logger.warn(
          `Mesh Security: a traffic query of cluster ${this.source.cluster} answered more series than meshSecurity.traffic.maxSeriesPerQuery; some flows are missing`,
        );
      }
      return 'read';
    } catch (error) {
      // Our own errors are written to be shown; anything else is named, not echoed.
      const message =
        error instanceof TrafficQueryError
          ? error.message
          : `Reading the traffic of cluster ${this.source.cluster} failed (${
              (error as Error)?.name ?? 'error'
            })`;
      this.logger.warn(`Mesh Security: ${message}`);
      let previous: TrafficObservations | undefined;
      try {
        previous = await this.store.get(this.source.cluster);
      } catch {
        previous = undefined;
      }
      const stale =
        previous &&
        previous.fetchedAt &&
        (previous.status === 'ok' || previous.status === 'stale');
      try {
        await this.store.put(
          stale
            ? { ...previous!, status: 'stale', message }
            : {
                cluster: this.source.cluster,
                status: 'unavailable',
                source: this.source.type,
                message,
                windows: this.options.windows,
                truncated: false,
                flows: [],
              },
        );
      } catch (storeError) {
        this.logger.warn(
          `Mesh Security could not store the traffic of cluster ${
            this.source.cluster
          }: ${(storeError as Error)?.message}`,
        );
      }
      return 'failed';
    }
  }
}
