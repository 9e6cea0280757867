import { KindStatus } from '../sources/ClusterSource';

/** A cluster's read state, shared by every replica through the Backstage cache. */
export interface ClusterState {
  cluster: string;
  source: 'kubernetes' | 'manifests';
  /** `pending` until the first read finished; `unreachable` while reads fail. */
  status: 'pending' | 'ok' | 'unreachable';
  /** Generation of the objects currently held (0: none yet). Bumped by every good read. */
  generation: number;
  /** When the held objects were read (ISO). */
  fetchedAt?: string;
  lastAttemptAt?: string;
  /** While unreachable: since when (ISO). */
  unreachableSince?: string;
  /** While unreachable: why, safe to show. */
  error?: string;
  consecutiveFailures: number;
  /** Backoff: no read before this time (ISO). */
  nextAttemptAt?: string;
  kinds: KindStatus[];
  /** Kubernetes API requests the last read made. */
  requests: number;
  objectCount: number;
  /** Size of the held (trimmed) objects as JSON: what the cache stores for this cluster. */
  snapshotBytes?: number;
  /** What the cache holds for them (gzipped, base64). */
  storedBytes?: number;
  /** Digest of the held objects: an unchanged cluster keeps its generation (no re-evaluation). */
  contentHash?: string;
}

/** The objects of one generation of a cluster. */
export interface ClusterObjects {
  generation: number;
  objects: unknown[];
}
