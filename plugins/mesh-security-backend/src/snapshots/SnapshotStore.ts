import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { ClusterObjects, ClusterState } from './types';

const stateKey = (cluster: string) => `snapshot-state:${cluster}`;
const revisionKey = (cluster: string) => `snapshot-state-revision:${cluster}`;
const objectsKey = (cluster: string, generation: number) =>
  `snapshot-objects:${cluster}:${generation}`;
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
   * Stores a new generation's objects (`json`: the objects serialized, as hashed by the caller)
   * first, then points the state at it. Returns the number of bytes stored.
   */
  async putObjects(state: ClusterState, json: string): Promise<number> {
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
    await this.putState({ ...state, storedBytes: data.length });
    if (state.generation > 1) {
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
