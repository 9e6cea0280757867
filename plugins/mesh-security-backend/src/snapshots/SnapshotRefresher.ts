import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { ClusterSource } from '../sources/ClusterSource';
import { SnapshotStore } from './SnapshotStore';
import { ClusterState } from './types';

export interface RefresherOptions {
  refreshIntervalSeconds: number;
  /** Upper bound of the backoff between failed reads. */
  maxBackoffSeconds?: number;
  now?: () => Date;
  random?: () => number;
}

/**
 * Reads one cluster into the store. Runs from the scheduler (scope `global`, so one replica
 * reads each cluster at a time). A failed read keeps the last good objects, marks the cluster
 * unreachable since the first failure, and backs off exponentially with jitter.
 */
export class SnapshotRefresher {
  private readonly maxBackoffMs: number;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly source: ClusterSource,
    private readonly store: SnapshotStore,
    private readonly logger: LoggerService,
    private readonly options: RefresherOptions,
  ) {
    this.maxBackoffMs = (options.maxBackoffSeconds ?? 15 * 60) * 1000;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /**
   * One refresh attempt; returns what was done. Never throws for a cluster failure. `signal`:
   * the scheduler gives up on the task; the read stops and what was read is stored.
   */
  async refresh(signal?: AbortSignal): Promise<'read' | 'failed' | 'backoff'> {
    const previous =
      (await this.store.getState(this.source.name)) ?? this.initialState();
    const now = this.now();
    if (
      previous.nextAttemptAt &&
      Date.parse(previous.nextAttemptAt) > now.getTime()
    ) {
      return 'backoff';
    }
    try {
      const read = await this.source.read(signal);
      // Lists run concurrently and finish in any order: a canonical order keeps an unchanged
      // cluster's hash (and generation) unchanged.
      const objects = canonicalOrder(read.objects);
      const serialized = JSON.stringify(objects);
      const contentHash = createHash('sha256').update(serialized).digest('hex');
      const unchanged =
        previous.generation > 0 && previous.contentHash === contentHash;
      const state: ClusterState = {
        ...previous,
        status: 'ok',
        generation: unchanged ? previous.generation : previous.generation + 1,
        contentHash,
        fetchedAt: now.toISOString(),
        lastAttemptAt: now.toISOString(),
        unreachableSince: undefined,
        error: undefined,
        consecutiveFailures: 0,
        nextAttemptAt: undefined,
        kinds: read.kinds,
        requests: read.requests,
        objectCount: objects.length,
        snapshotBytes: serialized.length,
      };
      if (unchanged) {
        // Same objects: every replica keeps its evaluated view; only freshness changes.
        await this.store.putState(state);
      } else {
        await this.store.putObjects(state, serialized);
      }
      return 'read';
    } catch (error) {
      const failures = previous.consecutiveFailures + 1;
      const backoffMs = Math.min(
        this.options.refreshIntervalSeconds * 1000 * 2 ** (failures - 1),
        this.maxBackoffMs,
      );
      // Full jitter between 50 % and 150 % so replicas and clusters do not retry in step.
      const delay = backoffMs * (0.5 + this.random());
      const message = (error as Error).message;
      this.logger.warn(
        `Mesh Security could not read cluster ${this.source.name}: ${message}`,
      );
      await this.store.putState({
        ...previous,
        status: 'unreachable',
        lastAttemptAt: now.toISOString(),
        unreachableSince: previous.unreachableSince ?? now.toISOString(),
        error: message,
        consecutiveFailures: failures,
        nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
      });
      return 'failed';
    }
  }

  private initialState(): ClusterState {
    return {
      cluster: this.source.name,
      source: this.source.type,
      status: 'pending',
      generation: 0,
      consecutiveFailures: 0,
      kinds: [],
      requests: 0,
      objectCount: 0,
    };
  }
}

/**
 * The objects in a canonical order: by apiVersion, kind, namespace, name (each object's key is
 * built once, not per comparison).
 */
function canonicalOrder(objects: unknown[]): unknown[] {
  const keyed = objects.map(object => ({ key: identity(object), object }));
  keyed.sort((a, b) => {
    if (a.key === b.key) return 0;
    return a.key < b.key ? -1 : 1;
  });
  return keyed.map(k => k.object);
}

function identity(object: unknown): string {
  const { apiVersion, kind, metadata } = (object ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { namespace?: unknown; name?: unknown };
  };
  return `${apiVersion}\u0000${kind}\u0000${metadata?.namespace ?? ''}\u0000${
    metadata?.name
  }`;
}
