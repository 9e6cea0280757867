import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { ClusterUnreachableError, KindStatus } from '../sources/ClusterSource';
import { identityOfWatchKey } from '../sources/kinds';
import type {
  KubernetesWatcher,
  ObjectChange,
} from '../sources/KubernetesWatcher';
import { initialState, isFailed, unreachableState } from './SnapshotRefresher';
import { SnapshotStore } from './SnapshotStore';
import { ClusterDelta, ClusterState, identityOf } from './types';

/** What the refresher needs of a watcher ({@link KubernetesWatcher}). */
export type ClusterWatcher = Pick<
  KubernetesWatcher,
  | 'start'
  | 'drain'
  | 'serializedObjects'
  | 'objectCount'
  | 'kinds'
  | 'resourceVersions'
  | 'freshness'
  | 'onChange'
  | 'changesOnlyOf'
  | 'stop'
  | 'requests'
>;

/** The kinds whose changes alone may wait for `podPublishIntervalMs`. */
const POD_KINDS: ReadonlySet<string> = new Set(['pods']);

export interface WatchRefresherOptions {
  /** Changes are published at most this often (and this long after the first one). */
  publishIntervalMs: number;
  /**
   * While every change waiting is a pod's (rollouts, autoscaling, restarts), they are published
   * at most this often instead; any other change is published within `publishIntervalMs`.
   * Default: `publishIntervalMs`.
   */
  podPublishIntervalMs?: number;
  /** Without changes, the state record is confirmed this often (the freshness heartbeat). */
  heartbeatMs: number;
  /** One watching session's length; then the task returns and the next run resumes. */
  sessionMs: number;
  /** A generation is stored in full (a new base) after this many deltas. */
  maxDeltas?: number;
  /** Backoff after a failed start: from this interval, doubling. */
  retryIntervalSeconds: number;
  maxBackoffSeconds?: number;
  now?: () => Date;
  random?: () => number;
}

/**
 * Keeps one cluster's snapshot current from watches (docs/backend.md "Watches"). Runs as the
 * cluster's scheduled task (scope `global`: one replica watches each cluster at a time) for one
 * session: the watcher lists every kind once, or resumes from the resourceVersions the last
 * session stored with its objects; then every batch of changes becomes a generation stored as a
 * delta on the one before, and a heartbeat confirms freshness while nothing changes. Every
 * `maxDeltas` deltas the generation is stored in full, so a replica catching up reads one base
 * and a bounded number of deltas. The session ends when the task is aborted or after
 * `sessionMs`; the next run (on any replica) resumes from the stored versions, relisting only
 * the kinds the API server no longer has the history of (410 Gone).
 */
export class WatchRefresher {
  private readonly maxDeltas: number;
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly cluster: string,
    private readonly createWatcher: () => ClusterWatcher,
    private readonly store: SnapshotStore,
    private readonly logger: LoggerService,
    private readonly options: WatchRefresherOptions,
  ) {
    this.maxDeltas = options.maxDeltas ?? 600;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /**
   * One watching session; resolves when it ends. Never throws for a cluster failure: a start
   * that fails marks the cluster unreachable with backoff, like a failed read.
   */
  async run(signal: AbortSignal): Promise<'watched' | 'failed' | 'backoff'> {
    let state =
      (await this.store.getState(this.cluster)) ??
      initialState(this.cluster, 'kubernetes');
    const started = this.now();
    if (
      state.nextAttemptAt &&
      Date.parse(state.nextAttemptAt) > started.getTime()
    ) {
      return 'backoff';
    }
    const session = new AbortController();
    const abort = () => session.abort();
    signal.addEventListener('abort', abort, { once: true });
    const sessionEnd = setTimeout(abort, this.options.sessionMs);
    const watcher = this.createWatcher();
    // A change while publishing finds no sleeper: `dirty` keeps it for the next loop.
    let dirty = false;
    let wake: (() => void) | undefined;
    watcher.onChange(() => {
      dirty = true;
      wake?.();
    });
    session.signal.addEventListener('abort', () => wake?.(), { once: true });
    try {
      const resume = await this.resumeFrom(state);
      try {
        await watcher.start(session.signal, resume);
      } catch (error) {
        if (!(error instanceof ClusterUnreachableError)) throw error;
        this.logger.warn(
          `Mesh Security could not watch cluster ${this.cluster}: ${error.message}`,
        );
        await this.store.putState(
          unreachableState(state, error.message, this.now(), {
            intervalMs: this.options.retryIntervalSeconds * 1000,
            maxBackoffMs: (this.options.maxBackoffSeconds ?? 15 * 60) * 1000,
            random: this.random,
          }),
        );
        return 'failed';
      }
      dirty = false; // what the start read is published now
      if (resume) {
        state = await this.publish(state, watcher);
      } else {
        state = await this.publishFull(state, watcher);
      }
      // Sleeps until a change, the end of the session, or `ms` (a heartbeat).
      const nap = (ms: number) =>
        new Promise<void>(resolve => {
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      let lastPublish = Date.now();
      const podInterval = Math.max(
        this.options.podPublishIntervalMs ?? 0,
        this.options.publishIntervalMs,
      );
      while (!session.signal.aborted) {
        if (!dirty) await nap(this.options.heartbeatMs);
        if (session.signal.aborted) break;
        // Changes arriving together are published together, at most once per interval; pod
        // churn alone waits for the longer one, until any other change arrives.
        for (;;) {
          const interval = watcher.changesOnlyOf(POD_KINDS)
            ? podInterval
            : this.options.publishIntervalMs;
          const wait = lastPublish + interval - Date.now();
          if (wait <= 0 || session.signal.aborted) break;
          await nap(wait);
        }
        if (session.signal.aborted) break;
        dirty = false;
        state = await this.publish(state, watcher);
        lastPublish = Date.now();
      }
      // Whatever arrived before the end is published; the next session resumes after it.
      state = await this.publish(state, watcher, true);
      return 'watched';
    } finally {
      clearTimeout(sessionEnd);
      signal.removeEventListener('abort', abort);
      watcher.stop();
    }
  }

  /** The objects and versions the last session stored, if they can be resumed from. */
  private async resumeFrom(state: ClusterState) {
    const versions = state.watch?.resourceVersions;
    if (!versions || state.generation === 0 || state.status !== 'ok')
      return undefined;
    const held = await this.store.getCurrentObjects(state);
    return held
      ? { objects: held.objects, resourceVersions: versions }
      : undefined;
  }

  /** The watcher's objects stored in full as the next generation (or the same, if unchanged). */
  private async publishFull(
    previous: ClusterState,
    watcher: ClusterWatcher,
    drained?: Record<string, string>,
  ): Promise<ClusterState> {
    // Everything held is in the full snapshot: pending changes are dropped with the versions
    // they led to (`drained`: the caller took both already).
    const resourceVersions = drained ?? watcher.resourceVersions();
    if (!drained) watcher.drain();
    // In identity order, as applyDeltas and the poll mode keep objects.
    const { json: serialized, count } = watcher.serializedObjects(identityOf);
    const kinds = this.kindsOf(previous, watcher.kinds());
    const contentHash = createHash('sha256')
      .update(serialized)
      .update(JSON.stringify(unavailable(kinds)))
      .digest('hex');
    const unchanged =
      previous.generation > 0 &&
      previous.baseGeneration === undefined &&
      previous.contentHash === contentHash;
    const state = this.next(previous, watcher, kinds, resourceVersions, {
      generation: unchanged ? previous.generation : previous.generation + 1,
      contentHash,
      objectCount: count,
      snapshotBytes: serialized.length,
      baseGeneration: undefined,
    });
    if (unchanged) await this.store.putState(state);
    else await this.store.putObjects(state, serialized);
    return state;
  }

  /**
   * The changes since the last publication as the next generation (a delta, or in full every
   * `maxDeltas`), or a heartbeat when nothing changed.
   */
  private async publish(
    previous: ClusterState,
    watcher: ClusterWatcher,
    stopping = false,
  ): Promise<ClusterState> {
    // Taken together, synchronously: the versions stored are exactly those of the objects.
    const resourceVersions = watcher.resourceVersions();
    const changes = watcher.drain();
    const kinds = this.kindsOf(previous, watcher.kinds());
    const stoppedAt = stopping ? this.now().toISOString() : undefined;
    const kindsChanged =
      JSON.stringify(unavailable(kinds)) !==
      JSON.stringify(unavailable(previous.kinds));
    if (changes.length === 0 && !kindsChanged) {
      const state = this.next(previous, watcher, kinds, resourceVersions, {
        stoppedAt,
      });
      await this.store.putState(state);
      return state;
    }
    const base = previous.baseGeneration ?? previous.generation;
    if (previous.generation - base + 1 > this.maxDeltas) {
      // The watcher's current objects are the previous generation with these changes.
      const full = await this.publishFull(
        { ...previous, contentHash: undefined },
        watcher,
        resourceVersions,
      );
      if (!stopping) return full;
      const state = { ...full, watch: { ...full.watch!, stoppedAt } };
      await this.store.putState(state);
      return state;
    }
    const delta = deltaOf(previous.generation + 1, changes);
    const state = this.next(previous, watcher, kinds, resourceVersions, {
      generation: delta.generation,
      baseGeneration: base,
      contentHash: undefined,
      objectCount: watcher.objectCount(),
      stoppedAt,
    });
    await this.store.putDelta(state, delta);
    return state;
  }

  private next(
    previous: ClusterState,
    watcher: ClusterWatcher,
    kinds: KindStatus[],
    resourceVersions: Record<string, string>,
    fields: Partial<ClusterState> & { stoppedAt?: string },
  ): ClusterState {
    const now = this.now().toISOString();
    const { stoppedAt, ...rest } = fields;
    const freshness = watcher.freshness();
    return {
      ...previous,
      source: 'kubernetes',
      status: 'ok',
      fetchedAt: now,
      lastAttemptAt: now,
      unreachableSince: undefined,
      error: undefined,
      consecutiveFailures: 0,
      nextAttemptAt: undefined,
      kinds,
      requests: watcher.requests(),
      ...rest,
      watch: {
        confirmedAt: now,
        lastEventAt: freshness.lastEventAt,
        reconnecting: freshness.reconnecting,
        resourceVersions,
        ...(stoppedAt ? { stoppedAt } : {}),
      },
    };
  }

  /**
   * The watcher's kind statuses; a kind that fails keeps since when it fails (from the state
   * before), and the objects the watcher still holds of it are said to be from its last good
   * read (docs/backend.md "Kinds that cannot be read").
   */
  private kindsOf(previous: ClusterState, kinds: KindStatus[]): KindStatus[] {
    const before = new Map(previous.kinds.map(k => [k.key, k]));
    const now = this.now().toISOString();
    return kinds.map(kind => {
      if (!isFailed(kind)) return kind;
      const last = before.get(kind.key);
      const since = (last && isFailed(last) ? last.since : undefined) ?? now;
      const fetchedAt =
        kind.count > 0
          ? (last && isFailed(last) ? last.fetchedAt : previous.fetchedAt) ??
            now
          : undefined;
      return { ...kind, since, ...(fetchedAt ? { fetchedAt } : {}) };
    });
  }
}

/** A delta from the watcher's coalesced changes. */
function deltaOf(generation: number, changes: ObjectChange[]): ClusterDelta {
  const upserts: unknown[] = [];
  const deletes: string[] = [];
  for (const change of changes) {
    if (change.object === undefined)
      deletes.push(identityOfWatchKey(change.key));
    else upserts.push(change.object);
  }
  return { generation, upserts, deletes };
}

/** What the engine cannot know: part of a generation's content. */
function unavailable(kinds: KindStatus[]) {
  return kinds
    .filter(k => isFailed(k) && !k.fetchedAt)
    .map(k => [k.key, k.state, k.message]);
}
