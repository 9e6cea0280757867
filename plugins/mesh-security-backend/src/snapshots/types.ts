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
  /**
   * The generation whose objects are stored in full; every generation after it up to
   * `generation` is stored as a delta on the one before (watch mode, docs/backend.md "Watches").
   * Absent: `generation` itself is stored in full.
   */
  baseGeneration?: number;
  /** Watch mode only: what the watching replica last reported. */
  watch?: WatchState;
}

/** The watching replica's report, written with every generation and as a heartbeat. */
export interface WatchState {
  /** When the watcher last confirmed the objects are current (ISO): a heartbeat. */
  confirmedAt: string;
  /** When the last event or bookmark arrived (ISO). */
  lastEventAt?: string;
  /** Kinds whose watch stream is down and being resumed. */
  reconnecting: string[];
  /** The resourceVersion each kind was watched from: another replica resumes from these. */
  resourceVersions: Record<string, string>;
  /** Set when the watching session ended (the next one resumes from `resourceVersions`). */
  stoppedAt?: string;
}

/** One generation after another, as a change: objects added or replaced, and keys removed. */
export interface ClusterDelta {
  generation: number;
  /** Objects added or changed (trimmed, as read). */
  upserts: unknown[];
  /** Identities ({@link objectIdentity}) of the objects removed. */
  deletes: string[];
}

/**
 * The identity of an object in a snapshot: API group, kind, namespace and name (not the version:
 * a kind read at `v1` and later at `v1beta1` is the same object).
 */
export function objectIdentity(object: unknown): string {
  const { apiVersion, kind, metadata } = (object ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { namespace?: unknown; name?: unknown };
  };
  const version = String(apiVersion);
  const slash = version.lastIndexOf('/');
  return identityOf(
    slash < 0 ? '' : version.slice(0, slash),
    String(kind),
    String(metadata?.namespace ?? ''),
    String(metadata?.name),
  );
}

/** {@link objectIdentity} from its parts (for objects held as JSON). */
export function identityOf(
  group: string,
  kind: string,
  namespace: string,
  name: string,
): string {
  return `${group}\u0000${kind}\u0000${namespace}\u0000${name}`;
}

/** The objects of one generation of a cluster. */
export interface ClusterObjects {
  generation: number;
  objects: unknown[];
}
