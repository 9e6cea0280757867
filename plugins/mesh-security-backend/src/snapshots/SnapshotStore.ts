import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import {
  ClusterDelta,
  ClusterObjects,
  ClusterState,
  objectIdentity,
} from './types';

const stateKey = (cluster: string) => `snapshot-state:${cluster}`;
const revisionKey = (cluster: string) => `snapshot-state-revision:${cluster}`;
const objectsKey = (cluster: string, generation: number) =>
  `snapshot-objects:${cluster}:${generation}`;
const deltaKey = (cluster: string, generation: number) =>
  `snapshot-delta:${cluster}:${generation}`;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The state record as stored: with the revision it was written under. */
type StoredState = ClusterState & { revision?: string };

/** What the cache holds for one generation: the objects' JSON, gzipped, in base64. */
interface StoredObjects {
  generation: number;
  encoding: 'json+gzip+base64';
  data: string;
}

/** What the cache holds for one delta: its JSON ({@link ClusterDelta}), gzipped, in base64. */
interface StoredDelta {
  generation: number;
  encoding: 'json+gzip+base64';
  data: string;
}

/**
 * Where cluster snapshots live: the Backstage cache (memory in development, Redis or another
 * shared store in production), so that every replica answers from the same snapshot no matter
 * which replica read the cluster. Objects are stored per generation; the small state record
 * says which generation is current.
 *
 * The objects are stored as one gzipped string: about a tenth of their JSON, so a memory cache
 * retains little per pod and Redis moves little per generation. (Handing the objects themselves
 * to the cache would also cost far more: its serializer builds the JSON by string
 * concatenation, which the memory store keeps as a tree of string fragments until first read.)
 * Compression runs on libuv's thread pool, off the event loop.
 */
export class SnapshotStore {
  /** Snapshots outlive many refresh intervals, so a stalled reader degrades to "stale". */
  private static readonly TTL_MS = 7 * 24 * 60 * 60 * 1000;

  /** The last state record read per cluster, by the revision it was written under. */
  private readonly lastRead = new Map<
    string,
    { revision: string; state: ClusterState }
  >();

  constructor(private readonly cache: CacheService) {}

  /**
   * The cluster's current state record. Every call asks the shared cache (so replicas agree), but
   * only for the short revision string; the record itself is read again only when its revision
   * changed, so a page view does not deserialize every cluster's record.
   */
  async getState(cluster: string): Promise<ClusterState | undefined> {
    const revision = await this.cache.get(revisionKey(cluster));
    const last = this.lastRead.get(cluster);
    if (last && typeof revision === 'string' && last.revision === revision)
      return last.state;
    const stored = (await this.cache.get(stateKey(cluster))) as
      | StoredState
      | undefined;
    if (!stored) return undefined;
    const { revision: storedRevision, ...state } = stored;
    // Remembered under the revision the record itself carries: if a writer has bumped the
    // revision but not yet (or not successfully) written its record, the next call reads again.
    if (storedRevision)
      this.lastRead.set(cluster, { revision: storedRevision, state });
    return state;
  }

  async getObjects(
    cluster: string,
    generation: number,
  ): Promise<ClusterObjects | undefined> {
    const stored = (await this.cache.get(objectsKey(cluster, generation))) as
      | StoredObjects
      | ClusterObjects
      | undefined;
    if (!stored) return undefined;
    if ('objects' in stored) return stored; // written by a replica of an earlier version
    if (stored.encoding !== 'json+gzip+base64') return undefined;
    const json = await gunzipAsync(Buffer.from(stored.data, 'base64'));
    return {
      generation: stored.generation,
      objects: JSON.parse(json.toString('utf8')),
    };
  }

  /**
   * The objects of the state's generation: its base generation's objects with every delta after
   * it applied in order. Undefined when the base or a delta is gone from the cache (expired, or
   * replaced by a newer base while being read): the caller reads the state again.
   */
  async getCurrentObjects(
    state: ClusterState,
  ): Promise<ClusterObjects | undefined> {
    const base = state.baseGeneration ?? state.generation;
    const stored = await this.getObjects(state.cluster, base);
    if (!stored) return undefined;
    if (base === state.generation) return stored;
    const deltas = await this.getDeltas(state.cluster, base, state.generation);
    if (!deltas) return undefined;
    return {
      generation: state.generation,
      objects: applyDeltas(stored.objects, deltas),
    };
  }

  /**
   * The deltas after generation `from` up to `to` (both as generations), in order; undefined
   * when one of them is missing.
   */
  async getDeltas(
    cluster: string,
    from: number,
    to: number,
  ): Promise<ClusterDelta[] | undefined> {
    const keys: string[] = [];
    for (let g = from + 1; g <= to; g++) keys.push(deltaKey(cluster, g));
    const stored = await Promise.all(
      keys.map(key => this.cache.get(key) as Promise<StoredDelta | undefined>),
    );
    const deltas: ClusterDelta[] = [];
    for (const entry of stored) {
      if (!entry || entry.encoding !== 'json+gzip+base64') return undefined;
      const json = await gunzipAsync(Buffer.from(entry.data, 'base64'));
      deltas.push(JSON.parse(json.toString('utf8')));
    }
    return deltas;
  }

  /**
   * Stores generation `state.generation` as a delta on the generation before it (which must be
   * the current one), then points the state at it; `state.baseGeneration` is kept. Returns the
   * number of bytes stored.
   */
  async putDelta(state: ClusterState, delta: ClusterDelta): Promise<number> {
    const data = (
      await gzipAsync(Buffer.from(JSON.stringify(delta), 'utf8'))
    ).toString('base64');
    const stored: StoredDelta = {
      generation: delta.generation,
      encoding: 'json+gzip+base64',
      data,
    };
    await this.cache.set(
      deltaKey(state.cluster, delta.generation),
      stored as unknown as JsonValue,
      { ttl: SnapshotStore.TTL_MS },
    );
    await this.putState(state);
    return data.length;
  }

  /**
   * Stores a new generation's objects (`json`: the objects serialized, as hashed by the caller)
   * first, then points the state at it; the generation becomes the base of later deltas, and
   * the previous base and its deltas are deleted. Returns the number of bytes stored.
   */
  async putObjects(state: ClusterState, json: string): Promise<number> {
    const previous = await this.getState(state.cluster);
    const data = (await gzipAsync(Buffer.from(json, 'utf8'))).toString(
      'base64',
    );
    const stored: StoredObjects = {
      generation: state.generation,
      encoding: 'json+gzip+base64',
      data,
    };
    await this.cache.set(
      objectsKey(state.cluster, state.generation),
      stored as unknown as JsonValue,
      {
        ttl: SnapshotStore.TTL_MS,
      },
    );
    await this.putState({
      ...state,
      baseGeneration: undefined,
      storedBytes: data.length,
    });
    // What the previous generation was built from is no longer needed (a replica that was
    // reading it reads the new state again).
    if (previous && previous.generation < state.generation) {
      const base = previous.baseGeneration ?? previous.generation;
      if (base > 0) await this.cache.delete(objectsKey(state.cluster, base));
      for (let g = base + 1; g <= previous.generation; g++)
        await this.cache.delete(deltaKey(state.cluster, g));
    } else if (!previous && state.generation > 1) {
      await this.cache.delete(objectsKey(state.cluster, state.generation - 1));
    }
    return data.length;
  }

  /**
   * Writes a cluster's state record under a new revision. The revision goes first: a reader that
   * sees it before the record (or a record that failed to be written) reads the record again on
   * every call until they match, so no replica can keep serving a superseded record.
   */
  async putState(state: ClusterState): Promise<void> {
    const revision = randomUUID();
    const { revision: _previous, ...record } = state as StoredState;
    await this.cache.set(revisionKey(state.cluster), revision, {
      ttl: SnapshotStore.TTL_MS,
    });
    await this.cache.set(
      stateKey(state.cluster),
      { ...record, revision } as unknown as JsonValue,
      {
        ttl: SnapshotStore.TTL_MS,
      },
    );
  }
}

/** Objects with deltas applied in order: upserts replace by identity, deletes remove. */
export function applyDeltas(
  objects: unknown[],
  deltas: ClusterDelta[],
): unknown[] {
  const byIdentity = new Map<string, unknown>();
  for (const o of objects) byIdentity.set(objectIdentity(o), o);
  for (const delta of deltas) {
    for (const key of delta.deletes) byIdentity.delete(key);
    for (const o of delta.upserts) byIdentity.set(objectIdentity(o), o);
  }
  // A changed object keeps its place and a new one goes last: the order a replica applying the
  // same deltas to its evaluation holds, so that every replica answers alike.
  return [...byIdentity.values()];
}
