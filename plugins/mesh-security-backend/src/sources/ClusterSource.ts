/** How one kind fared in the last read of a cluster. */
export interface KindStatus {
  /** `ResourceKind.key`, e.g. `security.istio.io/peerauthentications`, or `configmaps/<ns>/<name>`. */
  key: string;
  state: 'ok' | 'notInstalled' | 'forbidden' | 'error';
  /** The API version that answered, when one did. */
  version?: string;
  /** Objects held: read, or for forbidden/error kept from the last good read. */
  count: number;
  /** For forbidden/error: what went wrong, safe to show (never an upstream body or a token). */
  message?: string;
  /** For forbidden/error: since when (ISO) reads of this kind fail. Set by the refresher. */
  since?: string;
  /**
   * For forbidden/error: when the objects held for this kind were read (ISO), i.e. the last good
   * read's objects are kept; absent when no read of it succeeded, so nothing is held and the
   * engine treats the kind as unavailable. Set by the refresher.
   */
  fetchedAt?: string;
}

/** The outcome of reading one cluster. */
export interface SourceRead {
  /** Trimmed Kubernetes objects (plain JSON), every kind mixed. */
  objects: unknown[];
  kinds: KindStatus[];
  /** Kubernetes API requests made for this read. */
  requests: number;
}

/**
 * Where a cluster's objects come from: a live Kubernetes API or a directory of manifests.
 * A source never throws for one bad kind; it throws only when the cluster as a whole cannot be
 * read (unreachable, timed out, unauthorized), with a message that carries no credential and no
 * upstream body (it may name the server address or the path: only the platform view shows it).
 */
export interface ClusterSource {
  readonly name: string;
  readonly type: 'kubernetes' | 'manifests';
  /** `signal`: the caller gives up (e.g. the scheduler's task timeout); the read stops early. */
  read(signal?: AbortSignal): Promise<SourceRead>;
}

/**
 * The cluster as a whole could not be read. The message carries no credential; it may name the
 * server address or the path, so answers show it to the platform view only (docs/backend.md
 * "Permissions").
 */
export class ClusterUnreachableError extends Error {
  readonly name = 'ClusterUnreachableError';
}
