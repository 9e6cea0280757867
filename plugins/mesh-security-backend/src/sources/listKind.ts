import { ResourceKind, listPath } from './kinds';
import { HttpResult } from './kubernetesHttp';

/** A bound of docs/backend.md "Bounds" was reached: the kind being read fails with this message. */
export class ReadLimitError extends Error {}

/** A kind as listed: a {@link ResourceKind}, optionally narrowed to one named object. */
export interface ListedKind extends ResourceKind {
  fieldSelector?: string;
  /** A named ConfigMap, listed as a one-object list. */
  named?: { namespace: string; name: string };
}

export type Get = (
  path: string,
  query?: Record<string, string | undefined>,
) => Promise<HttpResult>;

/** How one list ended. `error` has a version when the server answered it (not for a bound). */
export type ListResult =
  | { state: 'ok'; version: string; resourceVersion: string }
  | { state: 'forbidden'; message: string }
  | { state: 'error'; version?: string; message: string }
  | { state: 'notInstalled' };

export interface ListPagesOptions {
  /** `limit` of every page. */
  pageSize: number;
  /** Requests one list may make (pages, restarts included): `meshSecurity.maxPagesPerList`. */
  maxPagesPerList: number;
  /**
   * A list starts (each version, and again after a 410 restart): drop what the previous
   * attempt kept (and release what it reserved).
   */
  reset: () => void;
  /**
   * One page's items (after `kind.keep`, apiVersion/kind restored). Keeps them for the version
   * being listed; may throw {@link ReadLimitError} (a bound), which makes the list an `error`.
   */
  onPage: (items: object[], version: string) => void;
}

const MAX_RESTARTS_ON_GONE = 2;

/**
 * Lists a kind: every version in order until one is served, paginated with `limit`/`continue`,
 * at most `maxPagesPerList` requests. 404 on the first page tries the next version (none:
 * `notInstalled`); 403 is `forbidden` naming the missing RBAC verb; 410 Gone in the middle of a
 * list (an expired continue token) restarts it, at most {@link MAX_RESTARTS_ON_GONE} times; any
 * other answer that is not a Kubernetes List is an `error`. A {@link ReadLimitError} (thrown by
 * `get` or `onPage`, or the page bound) is an `error`; anything else `get` throws propagates.
 */
export async function listPages(
  kind: ListedKind,
  get: Get,
  options: ListPagesOptions,
): Promise<ListResult> {
  const { pageSize, maxPagesPerList, reset, onPage } = options;
  try {
    for (const version of kind.versions) {
      let restarts = 0;
      let pages = 0;
      let cont: string | undefined = undefined;
      reset();
      for (;;) {
        if (pages === maxPagesPerList) {
          throw new ReadLimitError(
            `listing ${listedName(
              kind,
            )} did not finish within ${maxPagesPerList} requests (meshSecurity.maxPagesPerList)`,
          );
        }
        pages++;
        const res = await get(listPath(kind, version), {
          labelSelector: kind.labelSelector,
          fieldSelector: kind.fieldSelector,
          limit: String(pageSize),
          continue: cont,
        });
        if (res.status === 404 && cont === undefined) break; // try the next version
        if (res.status === 403) {
          return {
            state: 'forbidden',
            message: `missing RBAC: list ${rbacName(kind)}`,
          };
        }
        if (
          res.status === 410 &&
          cont !== undefined &&
          restarts < MAX_RESTARTS_ON_GONE
        ) {
          // The continue token expired (resourceVersion compacted): start this list over.
          restarts++;
          reset();
          cont = undefined;
          continue;
        }
        if (res.status !== 200 || !isList(res.body)) {
          let why = '';
          if (res.status === 200)
            why = res.invalidJson
              ? ': the body is not JSON'
              : ': the body is not a Kubernetes List';
          return {
            state: 'error',
            version,
            message: `HTTP ${res.status} listing ${listedName(kind)}${why}`,
          };
        }
        const kept = kind.keep
          ? res.body.items.filter(kind.keep)
          : res.body.items;
        onPage(
          kept.map(item => restore(kind, version, item)),
          version,
        );
        const next = res.body.metadata?.continue;
        cont = typeof next === 'string' && next !== '' ? next : undefined;
        if (!cont) {
          const rv = res.body.metadata?.resourceVersion;
          return {
            state: 'ok',
            version,
            resourceVersion: typeof rv === 'string' ? rv : '',
          };
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ReadLimitError)) throw error;
    return { state: 'error', message: error.message };
  }
  return { state: 'notInstalled' };
}

/**
 * `plural.group`, as RBAC rules and kubectl name a resource (`pods` for the core group), and
 * the namespace of a namespaced list; a named ConfigMap is named as such.
 */
export function listedName(kind: ListedKind): string {
  if (kind.named)
    return `configmaps "${kind.named.name}" in namespace ${kind.named.namespace}`;
  const name = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
  return kind.namespace ? `${name} in namespace ${kind.namespace}` : name;
}

/** The resource an RBAC message names, cluster-wide lists said so. */
export function rbacName(kind: ListedKind): string {
  return `${listedName(kind)}${kind.namespace ? '' : ' (cluster-wide)'}`;
}

/** The object with apiVersion/kind set (list items omit them; watch objects carry them). */
export function restore(kind: ResourceKind, version: string, item: unknown) {
  return {
    apiVersion: kind.group ? `${kind.group}/${version}` : version,
    kind: kind.kind,
    ...(item as object),
  };
}

function isList(body: unknown): body is {
  items: unknown[];
  metadata?: { continue?: unknown; resourceVersion?: unknown };
} {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { items?: unknown }).items)
  );
}
