import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { ClusterObjects, ClusterState } from './types';

const stateKey = (cluster: string) => `snapshot-state:${cluster}`;
const objectsKey = (cluster: string, generation: number) => `snapshot-objects:${cluster}:${generation}`;

/**
 * Where cluster snapshots live: the Backstage cache (memory in development, Redis or another
 * shared store in production), so that every replica answers from the same snapshot no matter
 * which replica read the cluster. Objects are stored per generation; the small state record
 * says which generation is current.
 */
export class SnapshotStore {
  /** Snapshots outlive many refresh intervals, so a stalled reader degrades to "stale". */
  private static readonly TTL_MS = 7 * 24 * 60 * 60 * 1000;

  constructor(private readonly cache: CacheService) {}

  async getState(cluster: string): Promise<ClusterState | undefined> {
    return (await this.cache.get(stateKey(cluster))) as ClusterState | undefined;
  }

  async getObjects(cluster: string, generation: number): Promise<ClusterObjects | undefined> {
    return (await this.cache.get(objectsKey(cluster, generation))) as ClusterObjects | undefined;
  }

  /** Stores a new generation's objects first, then points the state at it. */
  async putObjects(state: ClusterState, objects: unknown[]): Promise<void> {
    await this.cache.set(
      objectsKey(state.cluster, state.generation),
      { generation: state.generation, objects } as unknown as JsonValue,
      { ttl: SnapshotStore.TTL_MS },
    );
    await this.putState(state);
    if (state.generation > 1) {
      await this.cache.delete(objectsKey(state.cluster, state.generation - 1));
    }
  }

  async putState(state: ClusterState): Promise<void> {
    await this.cache.set(stateKey(state.cluster), state as unknown as JsonValue, {
      ttl: SnapshotStore.TTL_MS,
    });
  }
}

