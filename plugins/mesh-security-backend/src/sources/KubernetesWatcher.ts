import { setMaxListeners } from 'node:events';
import { ClusterUnreachableError, KindStatus } from './ClusterSource';
import {
  ISTIO_REVISION_CONFIG_MAPS,
  LISTED_KINDS,
  NAMED_CONFIG_MAPS,
  ResourceKind,
  configMapKey,
  kindKeyOf,
  listPath,
} from './kinds';
import {
  HttpResult,
  KubernetesClusterConfig,
  KubernetesHttp,
  WatchStatusError,
} from './kubernetesHttp';
import { KubernetesSourceOptions } from './KubernetesSource';
import {
  ListedKind,
  ReadLimitError,
  listPages,
  listedName,
  rbacName,
  restore,
} from './listKind';
import { limitConcurrency } from './limitConcurrency';
import { trimObject } from './trim';

/** One object that changed since the last {@link KubernetesWatcher.drain}. */
export interface ObjectChange {
  /** Identity: `${kindKey}\u0000${namespace}\u0000${name}` (namespace empty when cluster-scoped). */
  key: string;
  /** The trimmed object, apiVersion/kind set; undefined: deleted. */
  object?: unknown;
}

/** How fresh the watched state is. */
export interface WatchFreshness {
  /** ISO time of the last event, bookmark or completed list on any kind. */
  lastEventAt?: string;
  /** Kind keys whose stream is down: reconnecting after a failure, or forbidden / failed. */
  reconnecting: string[];
  /** Kind keys being listed (first list, relist after 410, re-probe of a missing CRD). */
  listing: string[];
}

export interface KubernetesWatcherOptions extends KubernetesSourceOptions {
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
  now?: () => Date;
  /** Cap of the reconnect backoff (after jitter). Default 30 s. */
  maxBackoffMs?: number;
  /** First reconnect backoff after a failure, doubled per consecutive failure. Default 1 s. */
  initialBackoffMs?: number;
  /** `timeoutSeconds` of every watch: the server ends the stream then, and it is resumed. Default 300. */
  watchTimeoutSeconds?: number;
  /** No byte (not even a bookmark) for this long: the stream counts as dropped. Default 150 s. */
  idleTimeoutMs?: number;
  /** How often a kind that is not installed, forbidden or failed is tried again. Default 60 s. */
  notInstalledRecheckMs?: number;
  /** Longest watch event line; longer fails the stream. Default 8 MiB. */
  maxLineBytes?: number;
}

/**
 * A kind as watched: the listed kinds, plus the named ConfigMaps as one-object lists (`named`:
 * absent is `ok` with no object, as KubernetesSource's GET 404).
 */
type WatchedKind = ListedKind;

type Phase = 'idle' | 'listing' | 'watching' | 'reconnecting' | 'waiting';

interface Unit {
  kind: WatchedKind;
  /** The API version that answered. */
  version?: string;
  /** Where the watch resumes; undefined: the kind must be listed; '': watch without one. */
  rv?: string;
  /**
   * Each object held, by identity, as its trimmed JSON: one string where the object is a tree of
   * about 25 (a pod), which every full garbage collection of the backend would mark again —
   * 300,000 objects for a 10,000-pod cluster (docs/benchmarks.md "A smaller heap").
   */
  held: Map<string, string>;
  state: KindStatus['state'];
  message?: string;
  since?: string;
  fetchedAt?: string;
  phase: Phase;
  /** Consecutive failures, for the backoff. */
  failures: number;
  /** Relists in a row with no event applied in between (a server answering 410 every time). */
  gone: number;
  /** Lines dropped because they were not watch events. */
  malformed: number;
  /** Listed (or, resumed, watched) once: start() waits for every kind to be. */
  settled: boolean;
  settle: () => void;
}

/** A line of a watch stream that is not a watch event. */
class MalformedEvent extends Error {}
/** The server said the resourceVersion is too old (410 Gone): relist. */
class Gone extends Error {}
/** An ERROR watch event other than 410. */
class ErrorEvent extends Error {}

const EVENT_TYPES = new Set([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
  'ERROR',
]);

/**
 * Keeps one cluster's objects current with Kubernetes watches instead of periodic lists
 * (issue 17). Each kind is listed once, paginated and bounded exactly like
 * {@link KubernetesSource}, then watched from the list's `metadata.resourceVersion`
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/ "Efficient detection of
 * changes"), with `allowWatchBookmarks=true` ("Watch bookmarks": the server periodically sends
 * the current resourceVersion so a resume does not fall behind) and `timeoutSeconds` (the server
 * ends the stream; it is resumed from the last resourceVersion at once). A resourceVersion that
 * the server no longer has ("410 Gone responses": an ERROR event with code 410, or HTTP 410 on
 * resume) relists that kind only, and the relist is emitted as the diff against what was held.
 *
 * A dropped stream (connection error, no byte for `idleTimeoutMs`, a cut in the middle of an
 * event, a line that is not a watch event or longer than `maxLineBytes`, a non-410 ERROR event,
 * HTTP 5xx) is resumed from the last applied resourceVersion after a jittered exponential
 * backoff (50–150 % of `initialBackoffMs·2^n`, capped at `maxBackoffMs`); each line is applied
 * whole or not at all. A kind answering 404 at every version is `notInstalled` and re-probed
 * every `notInstalledRecheckMs`; a watch answering 404 later relists, and a CRD that is gone
 * makes the kind `notInstalled` with its objects emitted as deletions. 403 makes the kind
 * `forbidden` naming the verb; the objects already held are kept (status `since`/`fetchedAt`
 * say since when and how old) and the kind is tried again every `notInstalledRecheckMs`.
 */
export class KubernetesWatcher {
  readonly name: string;
  private readonly http: KubernetesHttp;
  private readonly pageSize: number;
  private readonly maxPagesPerList: number;
  private readonly maxObjects: number;
  private readonly maxReadMs: number;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly maxBackoffMs: number;
  private readonly initialBackoffMs: number;
  private readonly watchTimeoutSeconds: number;
  private readonly idleTimeoutMs: number;
  private readonly recheckMs: number;
  private readonly maxLineBytes: number;
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;

  private units: Unit[] = [];
  private controller = new AbortController();
  private starting = false;
  private started = false;
  private failStart: (error: unknown) => void = () => {};
  /** Objects held by every kind together, and reserved by lists in flight. */
  private held = 0;
  private reserved = 0;
  /** Changes since the last drain: `known` says whether the consumer had the key then. */
  private pending = new Map<string, { object: unknown; known: boolean }>();
  /** The kinds (keys) of the object changes since the last drain. */
  private pendingKinds = new Set<string>();
  /** Whether a kind's status changed since the last drain. */
  private statusChanged = false;
  private listeners: Array<() => void> = [];
  private lastEventAt?: string;
  private requestCount = 0;
  private byteCount = 0;

  constructor(
    cluster: KubernetesClusterConfig,
    options: KubernetesWatcherOptions = {},
  ) {
    this.name = cluster.name;
    this.http = new KubernetesHttp(cluster, {
      timeoutMs: Math.min(options.timeoutMs ?? 5000, 5000),
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
      onBytes: bytes => {
        this.byteCount += bytes;
      },
    });
    this.pageSize = options.pageSize ?? 500;
    this.limit = limitConcurrency(
      Math.max(1, Math.min(options.concurrency ?? 2, 2)),
    );
    this.maxPagesPerList = options.maxPagesPerList ?? 400;
    this.maxObjects = options.maxObjects ?? 200_000;
    this.maxReadMs = options.maxReadMs ?? 4 * 60 * 1000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 150_000;
    this.recheckMs = options.notInstalledRecheckMs ?? 60_000;
    this.maxLineBytes = options.maxLineBytes ?? 8 * 1024 * 1024;
    // Every kind's stream, request and timer listens to this signal (about 40 kinds).
    setMaxListeners(0, this.controller.signal);
  }

  /**
   * Lists every kind (paginated, bounded, exactly the rules of KubernetesSource), then keeps a
   * watch per kind. Resolves once every kind has been listed once (ok, notInstalled, forbidden
   * or error). Throws ClusterUnreachableError like KubernetesSource.read when the cluster is
   * down/401 at start (the watcher is then stopped). `resume`: objects + resourceVersions held
   * from an earlier session (another replica): those kinds are watched from those versions
   * instead of listed (start resolves once their watch is open); a 410 relists that kind only.
   * Resumed objects count as known to the consumer: drain() yields only changes to them.
   */
  async start(
    signal: AbortSignal,
    resume?: { objects: unknown[]; resourceVersions: Record<string, string> },
  ): Promise<void> {
    if (this.started)
      throw new Error('KubernetesWatcher.start: already started');
    this.started = true;
    signal.throwIfAborted();
    const onCallerAbort = () => {
      this.failStart(signal.reason);
      this.stop();
    };
    signal.addEventListener('abort', onCallerAbort, { once: true });
    this.controller.signal.addEventListener(
      'abort',
      () => signal.removeEventListener('abort', onCallerAbort),
      { once: true },
    );

    const settled: Array<Promise<void>> = [];
    this.units = watchedKinds().map(kind => {
      const unit: Unit = {
        kind,
        held: new Map(),
        state: 'ok',
        phase: 'idle',
        failures: 0,
        gone: 0,
        malformed: 0,
        settled: false,
        settle: () => {},
      };
      settled.push(
        new Promise<void>(resolve => {
          unit.settle = () => {
            unit.settled = true;
            resolve();
          };
        }),
      );
      return unit;
    });
    if (resume) this.resume(resume);

    const failed = new Promise<never>((_, reject) => {
      this.failStart = reject;
    });
    // As KubernetesSource.read: kinds not listed within maxReadMs fail (they keep trying).
    let timer: NodeJS.Timeout | undefined = undefined;
    const deadline = new Promise<void>(resolve => {
      timer = setTimeout(() => {
        for (const unit of this.units) {
          if (unit.settled) continue;
          this.fail(
            unit,
            'error',
            `the first list of ${listedName(unit.kind)} in cluster ${
              this.name
            } did not finish within ${
              this.maxReadMs / 1000
            } s (meshSecurity.refreshTimeout); still trying`,
          );
        }
        resolve();
      }, this.maxReadMs);
    });
    this.starting = true;
    for (const unit of this.units) void this.run(unit);
    try {
      await Promise.race([Promise.all(settled), failed, deadline]);
    } catch (error) {
      this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
      this.starting = false;
      this.failStart = () => {};
    }
  }

  /**
   * The changes since the last call, coalesced per object (last state wins; an object added
   * and deleted in between is not mentioned); a relist yields the diff against what was held.
   */
  drain(): ObjectChange[] {
    const changes: ObjectChange[] = [];
    for (const [key, { object }] of this.pending) {
      changes.push(object === undefined ? { key } : { key, object });
    }
    this.pending = new Map();
    this.pendingKinds = new Set();
    this.statusChanged = false;
    return changes;
  }

  /**
   * Whether something changed since the last drain and every change is an object change of one
   * of these kinds (keys, e.g. `pods`): no kind's status changed. Cheap: a refresher asks on
   * every change. An object changed and changed back still counts.
   */
  changesOnlyOf(kinds: ReadonlySet<string>): boolean {
    if (this.statusChanged || this.pendingKinds.size === 0) return false;
    for (const kind of this.pendingKinds) if (!kinds.has(kind)) return false;
    return true;
  }

  /** Every object held now (trimmed; new objects on every call). */
  objects(): unknown[] {
    return this.units.flatMap(unit =>
      [...unit.held.values()].map(json => JSON.parse(json)),
    );
  }

  /**
   * Every object held, as a JSON array joined from the JSON held (not parsed again), ordered by
   * `orderKey` of each object's API group, kind, namespace and name (the caller's identity).
   * `count`: how many.
   */
  serializedObjects(
    orderKey: (
      group: string,
      kind: string,
      namespace: string,
      name: string,
    ) => string,
  ): { json: string; count: number } {
    const keyed: Array<[string, string]> = [];
    for (const unit of this.units) {
      const { group, kind } = unit.kind;
      const prefix = unit.kind.key.length + 1;
      for (const [id, json] of unit.held) {
        // id: the kind's key, namespace and name (see `identity`).
        const at = id.indexOf('\u0000', prefix);
        keyed.push([
          orderKey(group, kind, id.slice(prefix, at), id.slice(at + 1)),
          json,
        ]);
      }
    }
    keyed.sort(([a], [b]) => {
      if (a === b) return 0;
      return a < b ? -1 : 1;
    });
    return {
      json: `[${keyed.map(([, json]) => json).join(',')}]`,
      count: keyed.length,
    };
  }

  /** How many objects are held now (without listing them). */
  objectCount(): number {
    let count = 0;
    for (const unit of this.units) count += unit.held.size;
    return count;
  }

  /**
   * The status of every kind (same shape as KubernetesSource.read; `count` is the objects held).
   * For forbidden/error, `since` is when the kind started failing and `fetchedAt` when its held
   * objects were last confirmed (absent when none are held). An ok kind whose stream sent lines
   * that were not watch events says how many in `message`.
   */
  kinds(): KindStatus[] {
    return this.units.map(unit => {
      const status: KindStatus = {
        key: unit.kind.key,
        state: unit.state,
        count: unit.held.size,
      };
      if (unit.version && unit.state !== 'notInstalled')
        status.version = unit.version;
      if (unit.state === 'forbidden' || unit.state === 'error') {
        status.message = unit.message;
        status.since = unit.since;
        if (unit.held.size > 0 && unit.fetchedAt)
          status.fetchedAt = unit.fetchedAt;
      } else if (unit.malformed > 0) {
        status.message = `the watch of ${listedName(unit.kind)} sent ${
          unit.malformed
        } line(s) that were not watch events; the stream was resumed each time`;
      }
      return status;
    });
  }

  /** Where each kind's watch would resume (kinds being listed or not installed have none). */
  resourceVersions(): Record<string, string> {
    const versions: Record<string, string> = {};
    for (const unit of this.units) {
      if (unit.rv) versions[unit.kind.key] = unit.rv;
    }
    return versions;
  }

  freshness(): WatchFreshness {
    return {
      lastEventAt: this.lastEventAt,
      reconnecting: this.units
        .filter(
          unit =>
            unit.phase === 'reconnecting' ||
            unit.state === 'forbidden' ||
            unit.state === 'error',
        )
        .map(unit => unit.kind.key),
      listing: this.units
        .filter(unit => unit.phase === 'listing')
        .map(unit => unit.kind.key),
    };
  }

  /**
   * Called synchronously, on every change, whenever drain() gets something new or a kind's
   * status changes (a burst of events calls it once per event: keep it cheap, e.g. set a flag
   * or resolve a pending wait).
   */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Aborts every stream, request and timer. */
  stop(): void {
    this.controller.abort(
      new Error(`the watcher of cluster ${this.name} was stopped`),
    );
  }

  /** Kubernetes API requests made (list pages and watch requests). */
  requests(): number {
    return this.requestCount;
  }

  /** Bytes received from the API server (bodies of lists and watch streams). */
  bytesReceived(): number {
    return this.byteCount;
  }

  // ---------------------------------------------------------------------------------------------

  private resume(resume: {
    objects: unknown[];
    resourceVersions: Record<string, string>;
  }) {
    const byKey = new Map(this.units.map(unit => [unit.kind.key, unit]));
    for (const object of resume.objects) {
      const key = kindKeyOf(object);
      const unit = key === undefined ? undefined : byKey.get(key);
      const id = unit && identity(unit.kind, object);
      if (!unit || id === undefined || unit.held.has(id)) continue;
      if (this.held >= this.maxObjects) break; // the relists will say which kind is over
      unit.held.set(id, JSON.stringify(object));
      this.held++;
      const apiVersion = (object as { apiVersion: string }).apiVersion;
      unit.version ??= apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
    }
    for (const unit of this.units) {
      const rv = resume.resourceVersions[unit.kind.key];
      if (typeof rv === 'string' && rv !== '') unit.rv = rv;
    }
  }

  private get aborted() {
    return this.controller.signal.aborted;
  }

  /** One kind's life: list, watch, resume, relist, re-probe; until stop(). */
  private async run(unit: Unit): Promise<void> {
    while (!this.aborted) {
      let wait = 0;
      try {
        if (unit.rv === undefined) {
          unit.phase = 'listing';
          const listed = await this.limit(() => this.list(unit));
          unit.settle();
          if (!listed) {
            unit.phase = 'waiting';
            await this.sleep(this.recheckMs);
            continue;
          }
          unit.failures = 0;
          unit.phase = 'idle';
        }
        wait = await this.watch(unit);
      } catch (error) {
        if (this.aborted) return;
        if (this.starting && error instanceof ClusterUnreachableError) {
          this.failStart(error);
          return;
        }
        // The cluster or the stream failed: resume (or list again) after a backoff. A resumed
        // kind whose first watch fails this way counts as tried: it keeps the objects resumed.
        unit.settle();
        unit.failures++;
        unit.phase = 'reconnecting';
        wait = this.backoff(unit);
      }
      await this.sleep(wait);
    }
  }

  /** Jittered exponential backoff: 50–150 % of initial·2^(failures-1), capped. */
  private backoff(unit: Unit): number {
    const base =
      this.initialBackoffMs * 2 ** Math.min(Math.max(unit.failures - 1, 0), 30);
    return Math.min(this.maxBackoffMs, base * (0.5 + this.random()));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.aborted) return Promise.resolve();
    return new Promise(resolve => {
      const signal = this.controller.signal;
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async get(
    path: string,
    query: Record<string, string | undefined>,
  ): Promise<HttpResult> {
    this.requestCount++;
    let result: HttpResult;
    try {
      result = await this.http.getJson(path, query, this.controller.signal);
    } catch (error) {
      if (this.aborted) throw error;
      throw new ClusterUnreachableError((error as Error).message);
    }
    if (result.status === 401) throw this.unauthorized();
    return result;
  }

  private unauthorized() {
    return new ClusterUnreachableError(
      `cluster ${this.name} rejected the configured credentials (401 Unauthorized)`,
    );
  }

  /**
   * Lists a kind (every version in order, paginated, bounded) and replaces what it holds,
   * emitting the diff. Returns whether the kind is now watchable; otherwise the status says why.
   * Throws ClusterUnreachableError when the cluster cannot be reached.
   */
  private async list(unit: Unit): Promise<boolean> {
    const kind = unit.kind;
    let reserved = 0;
    const release = () => {
      this.reserved -= reserved;
      reserved = 0;
    };
    let items = new Map<string, unknown>();
    let result;
    try {
      result = await listPages(
        kind,
        (path, query = {}) => this.get(path, query),
        {
          pageSize: this.pageSize,
          maxPagesPerList: this.maxPagesPerList,
          reset: () => {
            release();
            items = new Map();
          },
          onPage: page => {
            for (const object of page) {
              const id = identity(kind, object);
              if (id === undefined || items.has(id)) continue;
              if (
                this.held - unit.held.size + this.reserved + 1 >
                this.maxObjects
              )
                throw this.overLimit();
              this.reserved++;
              reserved++;
              items.set(id, trimObject(object));
            }
          },
        },
      );
    } finally {
      release();
    }
    if (result.state === 'ok') {
      this.replace(unit, items);
      unit.version = result.version;
      unit.rv = result.resourceVersion;
      this.setState(unit, 'ok');
      this.touch(unit);
      return true;
    }
    if (result.state !== 'notInstalled') {
      this.fail(unit, result.state, result.message);
      return false;
    }
    // No version is served: the CRD is not installed (or was removed). Its objects are gone.
    this.replace(unit, new Map());
    unit.rv = undefined;
    if (kind.named) {
      // As KubernetesSource's GET answering 404: an absent ConfigMap is no error.
      unit.version = 'v1';
      this.setState(unit, 'ok');
    } else {
      unit.version = undefined;
      this.setState(unit, 'notInstalled');
    }
    return false;
  }

  /**
   * Watches a kind from `unit.rv` until the stream ends. Returns the delay before the next
   * attempt (0: resume at once); throws when the stream failed (the caller backs off).
   */
  private async watch(unit: Unit): Promise<number> {
    const kind = unit.kind;
    const version = unit.version ?? kind.versions[0];
    const path = listPath(kind, version);
    const opened = this.now().getTime();
    let lines = 0;
    this.requestCount++;
    try {
      await this.http.watch(
        path,
        {
          watch: '1',
          resourceVersion: unit.rv || undefined,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(this.watchTimeoutSeconds),
          labelSelector: kind.labelSelector,
          fieldSelector: kind.fieldSelector,
        },
        line => {
          this.apply(unit, version, line);
          lines++;
          unit.failures = 0;
          unit.gone = 0;
        },
        this.controller.signal,
        {
          idleTimeoutMs: this.idleTimeoutMs,
          maxLineBytes: this.maxLineBytes,
          onOpen: () => {
            unit.phase = 'watching';
            unit.version = version;
            if (unit.state === 'forbidden') this.setState(unit, 'ok');
            unit.settle();
          },
        },
      );
    } catch (error) {
      if (this.aborted) throw error;
      if (error instanceof Gone) return this.relistNext(unit);
      if (error instanceof MalformedEvent) {
        unit.malformed++;
        this.statusChanged = true;
        this.notify();
        throw error;
      }
      if (error instanceof ReadLimitError) {
        // Over maxObjects: the kind fails, keeps what it held, and is relisted later.
        this.fail(unit, 'error', error.message);
        unit.rv = undefined;
        unit.phase = 'waiting';
        return this.recheckMs;
      }
      if (error instanceof WatchStatusError) {
        switch (error.status) {
          case 410:
            return this.relistNext(unit);
          case 404:
            // The version is no longer served (CRD removed or changed): the relist decides.
            return this.relistNext(unit);
          case 403:
            this.fail(
              unit,
              'forbidden',
              `missing RBAC: watch ${rbacName(kind)}`,
            );
            unit.phase = 'waiting';
            unit.settle();
            return this.recheckMs;
          case 401:
            throw this.unauthorized();
          default:
            throw error;
        }
      }
      // Before the stream opened, a failure to connect is the cluster being unreachable.
      if (unit.phase !== 'watching' && !(error instanceof ErrorEvent))
        throw new ClusterUnreachableError((error as Error).message);
      throw error;
    }
    // The server ended the stream (its timeoutSeconds): resume at once, unless it ended a
    // stream that said nothing well before its time (a server that keeps closing streams).
    if (
      lines > 0 ||
      this.now().getTime() - opened >= (this.watchTimeoutSeconds * 1000) / 2
    ) {
      unit.phase = 'idle';
      return 0;
    }
    unit.phase = 'reconnecting';
    unit.failures++;
    return this.backoff(unit);
  }

  /**
   * Marks the kind for a relist (410 Gone or 404): the next loop lists it, at once the first
   * time; a relist that is answered 410 again before any event waits a backoff, so that a
   * server that has no history at all costs bounded lists, not a loop.
   */
  private relistNext(unit: Unit): number {
    unit.rv = undefined;
    unit.phase = 'listing';
    unit.gone++;
    if (unit.gone === 1) return 0;
    const base =
      this.initialBackoffMs * 2 ** Math.min(Math.max(unit.gone - 2, 0), 30);
    return Math.min(this.maxBackoffMs, base * (0.5 + this.random()));
  }

  /** Applies one line of a watch stream, whole or not at all. */
  private apply(unit: Unit, version: string, line: string) {
    const kind = unit.kind;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new MalformedEvent('not JSON');
    }
    const { type, object } = (event ?? {}) as {
      type?: unknown;
      object?: unknown;
    };
    if (typeof type !== 'string' || !EVENT_TYPES.has(type) || !isRecord(object))
      throw new MalformedEvent('not a watch event');
    const rv = isRecord(object.metadata)
      ? object.metadata.resourceVersion
      : undefined;
    if (type === 'ERROR') {
      if (object.code === 410) throw new Gone();
      throw new ErrorEvent(
        `the watch of ${listedName(kind)} sent an ERROR event${
          typeof object.code === 'number' ? ` (code ${object.code})` : ''
        }`,
      );
    }
    if (type === 'BOOKMARK') {
      if (typeof rv !== 'string') throw new MalformedEvent('bookmark');
      unit.rv = rv;
      this.touch(unit);
      return;
    }
    const restored = restore(kind, version, object);
    const id = identity(kind, restored);
    if (id === undefined) throw new MalformedEvent('no name');
    const had = unit.held.has(id);
    if (type === 'DELETED' || (kind.keep && !kind.keep(object))) {
      if (had) {
        unit.held.delete(id);
        this.held--;
        this.record(id, undefined, true);
      }
    } else {
      if (!had && this.held + this.reserved + 1 > this.maxObjects)
        throw this.overLimit();
      const trimmed = trimObject(restored);
      unit.held.set(id, JSON.stringify(trimmed));
      if (!had) this.held++;
      this.record(id, trimmed, had);
    }
    if (typeof rv === 'string' && rv !== '') unit.rv = rv;
    this.touch(unit);
  }

  /** Replaces what a kind holds (after a list), recording the diff. */
  private replace(unit: Unit, items: Map<string, unknown>) {
    for (const [id] of unit.held) {
      if (!items.has(id)) this.record(id, undefined, true);
    }
    const held = new Map<string, string>();
    for (const [id, object] of items) {
      const json = JSON.stringify(object);
      const before = unit.held.get(id);
      // Equal JSON is the same version (the resourceVersion is kept by trimming).
      if (
        before === undefined ||
        (before !== json && !sameVersion(JSON.parse(before), object))
      )
        this.record(id, object, before !== undefined);
      held.set(id, json);
    }
    this.held += held.size - unit.held.size;
    unit.held = held;
  }

  /** Coalesces one change; the map stays bounded by the objects held now and at the last drain. */
  private record(id: string, object: unknown, hadBefore: boolean) {
    const entry = this.pending.get(id);
    if (!entry) {
      this.pending.set(id, { object, known: hadBefore });
    } else if (object === undefined && !entry.known) {
      this.pending.delete(id);
    } else {
      entry.object = object;
    }
    this.pendingKinds.add(id.slice(0, id.indexOf('\u0000')));
    this.notify();
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  private touch(unit: Unit) {
    const now = this.now().toISOString();
    this.lastEventAt = now;
    unit.fetchedAt = now;
  }

  private setState(unit: Unit, state: KindStatus['state'], message?: string) {
    const changed = unit.state !== state || unit.message !== message;
    if (unit.state !== state) {
      unit.since =
        state === 'forbidden' || state === 'error'
          ? this.now().toISOString()
          : undefined;
    }
    unit.state = state;
    unit.message = message;
    if (changed) {
      this.statusChanged = true;
      this.notify();
    }
  }

  private fail(unit: Unit, state: 'forbidden' | 'error', message: string) {
    this.setState(unit, state, message);
  }

  private overLimit() {
    return new ReadLimitError(
      `cluster ${this.name} holds more than ${this.maxObjects} objects (meshSecurity.maxObjectsPerCluster)`,
    );
  }
}

/** Every kind the watcher keeps: the listed kinds, the revision ConfigMaps, the named ones. */
function watchedKinds(): WatchedKind[] {
  return [
    ...LISTED_KINDS,
    ISTIO_REVISION_CONFIG_MAPS,
    ...NAMED_CONFIG_MAPS.map(
      ({ namespace, name }): WatchedKind => ({
        key: configMapKey(namespace, name),
        group: '',
        versions: ['v1'],
        plural: 'configmaps',
        kind: 'ConfigMap',
        feature: 'kubernetes',
        namespace,
        fieldSelector: `metadata.name=${name}`,
        named: { namespace, name },
      }),
    ),
  ];
}

/** `${kindKey}\u0000${namespace}\u0000${name}`, or undefined for an object without a name. */
function identity(kind: ResourceKind, object: unknown): string | undefined {
  const metadata = (object as { metadata?: unknown })?.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== 'string')
    return undefined;
  const namespace =
    typeof metadata.namespace === 'string' ? metadata.namespace : '';
  return `${kind.key}\u0000${namespace}\u0000${metadata.name}`;
}

function sameVersion(a: unknown, b: unknown): boolean {
  const rv = (o: unknown) =>
    (o as { metadata?: { resourceVersion?: unknown } })?.metadata
      ?.resourceVersion;
  const before = rv(a);
  return typeof before === 'string' && before !== '' && before === rv(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
