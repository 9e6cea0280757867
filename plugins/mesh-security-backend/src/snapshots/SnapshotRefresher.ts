import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { ClusterSource, KindStatus } from '../sources/ClusterSource';
import { kindKeyOf } from '../sources/kinds';
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
 * unreachable since the first failure, and backs off exponentially with jitter. A kind that
 * fails while the rest is read keeps its objects of the last good read (whichever replica made
 * it: they come from the shared store), marked with since when it fails and when they were
 * read (docs/backend.md "Kinds that cannot be read").
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
      const held = await this.keepLastGood(
        previous,
        read.objects,
        read.kinds,
        now,
      );
      const kinds = held.kinds;
      // Lists run concurrently and finish in any order: a canonical order keeps an unchanged
      // cluster's hash (and generation) unchanged.
      const objects = canonicalOrder(held.objects);
      const serialized = JSON.stringify(objects);
      // What the engine cannot know is part of the content: it changes the answers.
      const unavailable = kinds
        .filter(k => isFailed(k) && !k.fetchedAt)
        .map(k => [k.key, k.state, k.message]);
      const contentHash = createHash('sha256')
        .update(serialized)
        .update(JSON.stringify(unavailable))
        .digest('hex');
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
        kinds,
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
      const message = (error as Error).message;
      this.logger.warn(
        `Mesh Security could not read cluster ${this.source.name}: ${message}`,
      );
      await this.store.putState(
        unreachableState(previous, message, now, {
          intervalMs: this.options.refreshIntervalSeconds * 1000,
          maxBackoffMs: this.maxBackoffMs,
          random: this.random,
        }),
      );
      return 'failed';
    }
  }

  /**
   * The read with, for each kind that failed (forbidden, error), the objects of that kind from
   * the generation held, and the kind's status saying since when it fails and when those
   * objects were read. Nothing is held for a kind never read, or when the held generation is
   * gone from the store: then the kind stays unavailable.
   */
  private async keepLastGood(
    previous: ClusterState,
    objects: unknown[],
    kinds: KindStatus[],
    now: Date,
  ): Promise<{ objects: unknown[]; kinds: KindStatus[] }> {
    const failed = kinds.filter(isFailed);
    if (failed.length === 0) return { objects, kinds };
    const before = new Map(previous.kinds.map(k => [k.key, k]));
    // When each failed kind's held objects were read: the last read that had it ok (or not
    // installed, which holds none), or the time an earlier failure kept.
    const heldFrom = new Map<string, string>();
    for (const kind of failed) {
      const last = before.get(kind.key);
      const from =
        last && (isFailed(last) ? last.fetchedAt : previous.fetchedAt);
      if (from) heldFrom.set(kind.key, from);
    }
    const stored =
      heldFrom.size > 0 && previous.generation > 0
        ? await this.store.getObjects(this.source.name, previous.generation)
        : undefined;
    const kept = (stored?.objects ?? []).filter(o => {
      const key = kindKeyOf(o);
      return key !== undefined && heldFrom.has(key);
    });
    const counts = new Map<string, number>();
    for (const o of kept) {
      const key = kindKeyOf(o)!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return {
      objects: [...objects, ...kept],
      kinds: kinds.map(kind => {
        if (!isFailed(kind)) return kind;
        const last = before.get(kind.key);
        const since =
          (last && isFailed(last) ? last.since : undefined) ??
          now.toISOString();
        const fetchedAt = stored ? heldFrom.get(kind.key) : undefined;
        return {
          ...kind,
          count: fetchedAt ? counts.get(kind.key) ?? 0 : 0,
          since,
          ...(fetchedAt ? { fetchedAt } : {}),
        };
      }),
    };
  }

  private initialState(): ClusterState {
    return initialState(this.source.name, this.source.type);
  }
}

/** A cluster's state before its first read. */
export function initialState(
  cluster: string,
  source: ClusterState['source'],
): ClusterState {
  return {
    cluster,
    source,
    status: 'pending',
    generation: 0,
    consecutiveFailures: 0,
    kinds: [],
    requests: 0,
    objectCount: 0,
  };
}

/**
 * The state after a failed read: unreachable since the first failure, and no attempt before an
 * exponential backoff (from `intervalMs`, capped at `maxBackoffMs`) with full jitter between
 * 50 % and 150 %, so replicas and clusters do not retry in step.
 */
export function unreachableState(
  previous: ClusterState,
  message: string,
  now: Date,
  backoff: { intervalMs: number; maxBackoffMs: number; random: () => number },
): ClusterState {
  const failures = previous.consecutiveFailures + 1;
  const backoffMs = Math.min(
    backoff.intervalMs * 2 ** (failures - 1),
    backoff.maxBackoffMs,
  );
  const delay = backoffMs * (0.5 + backoff.random());
  return {
    ...previous,
    status: 'unreachable',
    lastAttemptAt: now.toISOString(),
    unreachableSince: previous.unreachableSince ?? now.toISOString(),
    error: message,
    consecutiveFailures: failures,
    nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
  };
}

export function isFailed(kind: KindStatus): boolean {
  return kind.state === 'forbidden' || kind.state === 'error';
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
