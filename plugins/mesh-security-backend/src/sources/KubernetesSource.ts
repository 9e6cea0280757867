import {
  ClusterSource,
  ClusterUnreachableError,
  KindStatus,
  SourceRead,
} from './ClusterSource';
import {
  ISTIO_REVISION_CONFIG_MAPS,
  LISTED_KINDS,
  NAMED_CONFIG_MAPS,
  ResourceKind,
  configMapKey,
} from './kinds';
import { KubernetesClusterConfig, KubernetesHttp } from './kubernetesHttp';
import { Get, ReadLimitError, listPages } from './listKind';
import { trimObject } from './trim';
import { limitConcurrency } from './limitConcurrency';

export interface KubernetesSourceOptions {
  /** Per-request timeout; at most 5 s. */
  timeoutMs?: number;
  /** Page size for paginated lists (`limit`). */
  pageSize?: number;
  /** Concurrent requests against the cluster; at most 2. */
  concurrency?: number;
  /** Cap on one response's size; larger pages are refused. */
  maxResponseBytes?: number;
  /** Requests one list may make (pages, restarts included): `meshSecurity.maxPagesPerList`. */
  maxPagesPerList?: number;
  /** Objects one read may hold, every kind together: `meshSecurity.maxObjectsPerCluster`. */
  maxObjects?: number;
  /** Wall time of one read; kinds not read by then fail. Derived from `meshSecurity.refreshTimeout`. */
  maxReadMs?: number;
}

/**
 * Reads a live cluster with paginated lists (`limit`/`continue`), at most two requests at a
 * time, each with a timeout. A kind answering 404 at every version is "not installed"; 403 is
 * "forbidden" naming the missing RBAC verb; 410 Gone in the middle of a list restarts that list.
 * Every read is bounded in pages per list, objects and wall time; a kind that reaches a bound,
 * or answers something that is not a Kubernetes List, is an `error` naming why.
 * Unreachable or unauthorized clusters throw {@link ClusterUnreachableError}.
 */
export class KubernetesSource implements ClusterSource {
  readonly type = 'kubernetes' as const;
  readonly name: string;
  private readonly http: KubernetesHttp;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly maxPagesPerList: number;
  private readonly maxObjects: number;
  private readonly maxReadMs: number;

  constructor(
    cluster: KubernetesClusterConfig,
    options: KubernetesSourceOptions = {},
  ) {
    this.name = cluster.name;
    this.http = new KubernetesHttp(cluster, {
      timeoutMs: Math.min(options.timeoutMs ?? 5000, 5000),
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    });
    this.pageSize = options.pageSize ?? 500;
    this.concurrency = Math.max(1, Math.min(options.concurrency ?? 2, 2));
    this.maxPagesPerList = options.maxPagesPerList ?? 400;
    this.maxObjects = options.maxObjects ?? 200_000;
    this.maxReadMs = options.maxReadMs ?? 4 * 60 * 1000;
  }

  async read(signal?: AbortSignal): Promise<SourceRead> {
    let requests = 0;
    // Once the cluster is known to be down, queued lists stop instead of piling on requests.
    let failure: ClusterUnreachableError | undefined;
    // Past the read's deadline (or once the caller gives up) every pending kind fails.
    const stop = new AbortController();
    const deadline = setTimeout(
      () =>
        stop.abort(
          new ReadLimitError(
            `the read of cluster ${this.name} stopped after ${
              this.maxReadMs / 1000
            } s before this kind was read (meshSecurity.refreshTimeout)`,
          ),
        ),
      this.maxReadMs,
    );
    const cancel = () =>
      stop.abort(
        new ReadLimitError(
          `the read of cluster ${this.name} was cancelled before this kind was read`,
        ),
      );
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });

    const get: Get = async (path, query) => {
      if (failure) throw failure;
      stop.signal.throwIfAborted();
      requests++;
      let result;
      try {
        result = await this.http.getJson(path, query, stop.signal);
      } catch (error) {
        if (error instanceof ReadLimitError) throw error;
        failure ??= new ClusterUnreachableError((error as Error).message);
        throw failure;
      }
      if (result.status === 401) {
        failure ??= new ClusterUnreachableError(
          `cluster ${this.name} rejected the configured credentials (401 Unauthorized)`,
        );
        throw failure;
      }
      return result;
    };

    const objects: unknown[] = [];
    const budget = { held: 0 };
    const run = limitConcurrency(this.concurrency);
    try {
      const kindStatuses = await Promise.all(
        [...LISTED_KINDS, ISTIO_REVISION_CONFIG_MAPS].map(kind =>
          run(() => this.listKind(kind, get, objects, budget)),
        ),
      );
      const configMapStatuses = await Promise.all(
        NAMED_CONFIG_MAPS.map(ref =>
          run(() =>
            this.getConfigMap(ref.namespace, ref.name, get, objects, budget),
          ),
        ),
      );
      return {
        objects,
        kinds: [...kindStatuses, ...configMapStatuses],
        requests,
      };
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', cancel);
    }
  }

  private async getConfigMap(
    namespace: string,
    name: string,
    get: Get,
    sink: unknown[],
    budget: { held: number },
  ): Promise<KindStatus> {
    const key = configMapKey(namespace, name);
    try {
      const res = await get(
        `/api/v1/namespaces/${namespace}/configmaps/${name}`,
      );
      if (res.status === 200 && isConfigMap(res.body)) {
        this.reserve(budget, 1);
        sink.push(trimObject(res.body));
        return { key, state: 'ok', version: 'v1', count: 1 };
      }
      if (res.status === 404)
        return { key, state: 'ok', version: 'v1', count: 0 };
      if (res.status === 403) {
        return {
          key,
          state: 'forbidden',
          count: 0,
          message: `missing RBAC: get configmaps "${name}" in namespace ${namespace}`,
        };
      }
      return {
        key,
        state: 'error',
        count: 0,
        message:
          res.status === 200
            ? `HTTP 200 reading ConfigMap ${namespace}/${name}: ${
                res.invalidJson ? 'the body is not JSON' : 'not a ConfigMap'
              }`
            : `HTTP ${res.status}`,
      };
    } catch (error) {
      if (!(error instanceof ReadLimitError)) throw error;
      return { key, state: 'error', count: 0, message: error.message };
    }
  }

  private async listKind(
    kind: ResourceKind,
    get: Get,
    sink: unknown[],
    budget: { held: number },
  ): Promise<KindStatus> {
    let items: unknown[] = [];
    const result = await listPages(kind, get, {
      pageSize: this.pageSize,
      maxPagesPerList: this.maxPagesPerList,
      reset: () => {
        this.release(budget, items.length);
        items = [];
      },
      onPage: page => {
        this.reserve(budget, page.length);
        for (const item of page) items.push(trimObject(item));
      },
    });
    switch (result.state) {
      case 'ok':
        sink.push(...items);
        return {
          key: kind.key,
          state: 'ok',
          version: result.version,
          count: items.length,
        };
      case 'forbidden':
        return {
          key: kind.key,
          state: 'forbidden',
          count: 0,
          message: result.message,
        };
      case 'error':
        this.release(budget, items.length);
        return {
          key: kind.key,
          state: 'error',
          ...(result.version === undefined ? {} : { version: result.version }),
          count: 0,
          message: result.message,
        };
      default:
        return { key: kind.key, state: 'notInstalled', count: 0 };
    }
  }

  /** Counts objects against `maxObjects` before they are kept. */
  private reserve(budget: { held: number }, count: number) {
    if (budget.held + count > this.maxObjects) {
      throw new ReadLimitError(
        `cluster ${this.name} holds more than ${this.maxObjects} objects (meshSecurity.maxObjectsPerCluster)`,
      );
    }
    budget.held += count;
  }

  private release(budget: { held: number }, count: number) {
    budget.held -= count;
  }
}

function isConfigMap(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { kind?: unknown }).kind === 'ConfigMap'
  );
}
