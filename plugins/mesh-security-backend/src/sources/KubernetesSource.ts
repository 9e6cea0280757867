import {
  ClusterSource,
  ClusterUnreachableError,
  KindStatus,
  SourceRead,
} from './ClusterSource';
import {
  LISTED_KINDS,
  NAMED_CONFIG_MAPS,
  ResourceKind,
  listPath,
} from './kinds';
import { KubernetesClusterConfig, KubernetesHttp } from './kubernetesHttp';
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
}

const MAX_RESTARTS_ON_GONE = 2;

/**
 * Reads a live cluster with paginated lists (`limit`/`continue`), at most two requests at a
 * time, each with a timeout. A kind answering 404 at every version is "not installed"; 403 is
 * "forbidden" naming the missing RBAC verb; 410 Gone in the middle of a list restarts that list.
 * Unreachable or unauthorized clusters throw {@link ClusterUnreachableError}.
 */
export class KubernetesSource implements ClusterSource {
  readonly type = 'kubernetes' as const;
  readonly name: string;
  private readonly http: KubernetesHttp;
  private readonly pageSize: number;
  private readonly concurrency: number;

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
  }

  async read(): Promise<SourceRead> {
    let requests = 0;
    // Once the cluster is known to be down, queued lists stop instead of piling on requests.
    let failure: ClusterUnreachableError | undefined;
    const get = async (
      path: string,
      query?: Record<string, string | undefined>,
    ) => {
      if (failure) throw failure;
      requests++;
      let result;
      try {
        result = await this.http.getJson(path, query);
      } catch (error) {
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
    const run = limitConcurrency(this.concurrency);
    const kindStatuses = await Promise.all(
      LISTED_KINDS.map(kind => run(() => this.listKind(kind, get, objects))),
    );
    const configMapStatuses = await Promise.all(
      NAMED_CONFIG_MAPS.map(ref =>
        run(async (): Promise<KindStatus> => {
          const key = `configmaps/${ref.namespace}/${ref.name}`;
          const res = await get(
            `/api/v1/namespaces/${ref.namespace}/configmaps/${ref.name}`,
          );
          if (res.status === 200) {
            objects.push(trimObject(res.body));
            return { key, state: 'ok', version: 'v1', count: 1 };
          }
          if (res.status === 404)
            return { key, state: 'ok', version: 'v1', count: 0 };
          if (res.status === 403) {
            return {
              key,
              state: 'forbidden',
              count: 0,
              message: `missing RBAC: get configmaps "${ref.name}" in namespace ${ref.namespace}`,
            };
          }
          return {
            key,
            state: 'error',
            count: 0,
            message: `HTTP ${res.status}`,
          };
        }),
      ),
    );
    return {
      objects,
      kinds: [...kindStatuses, ...configMapStatuses],
      requests,
    };
  }

  private async listKind(
    kind: ResourceKind,
    get: (
      path: string,
      query?: Record<string, string | undefined>,
    ) => Promise<{ status: number; body: unknown }>,
    sink: unknown[],
  ): Promise<KindStatus> {
    for (const version of kind.versions) {
      let restarts = 0;
      let items: unknown[] = [];
      let cont: string | undefined = undefined;
      for (;;) {
        const res = await get(listPath(kind, version), {
          limit: String(this.pageSize),
          continue: cont,
        });
        if (res.status === 404 && cont === undefined) break; // try the next version
        if (res.status === 403) {
          return {
            key: kind.key,
            state: 'forbidden',
            count: 0,
            message: `missing RBAC: list ${kind.plural}${
              kind.group ? `.${kind.group}` : ''
            } (cluster-wide)`,
          };
        }
        if (
          res.status === 410 &&
          cont !== undefined &&
          restarts < MAX_RESTARTS_ON_GONE
        ) {
          // The continue token expired (resourceVersion compacted): start this list over.
          restarts++;
          items = [];
          cont = undefined;
          continue;
        }
        if (res.status !== 200 || !isList(res.body)) {
          return {
            key: kind.key,
            state: 'error',
            version,
            count: 0,
            message: `HTTP ${res.status} listing ${kind.plural}`,
          };
        }
        for (const item of res.body.items) {
          // List items omit apiVersion/kind; restore them so the engine can classify them.
          items.push(
            trimObject({
              apiVersion: kind.group ? `${kind.group}/${version}` : version,
              kind: kind.kind,
              ...(item as object),
            }),
          );
        }
        cont = res.body.metadata?.continue || undefined;
        if (!cont) {
          sink.push(...items);
          return { key: kind.key, state: 'ok', version, count: items.length };
        }
      }
    }
    return { key: kind.key, state: 'notInstalled', count: 0 };
  }
}

function isList(
  body: unknown,
): body is { items: unknown[]; metadata?: { continue?: string } } {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { items?: unknown }).items)
  );
}
