/*
 * A mock Kubernetes API on loopback for the backend benchmarks: generated objects served with
 * the list semantics both Mesh Security and the Kubernetes plugin rely on (paginated
 * `limit`/`continue` over a consistent snapshot, label selectors `key=value`, `key!=value`, `key`
 * and `!key`, `fieldSelector=metadata.name=…`, namespaced paths, 404 for kinds that are not
 * installed), and the watch semantics of a real API server
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/ "Efficient detection of
 * changes"): every object carries `metadata.resourceVersion` from one cluster-wide counter, lists
 * answer the counter in `metadata.resourceVersion`, and `?watch=1&resourceVersion=N` streams
 * newline-delimited events (`ADDED`/`MODIFIED`/`DELETED`) of that kind after N from a bounded event
 * log — N older than the log: an `ERROR` event with a 410 `Expired` Status, then the end —,
 * `BOOKMARK`s every `bookmarkIntervalMs` with `allowWatchBookmarks=true`, and the end of the
 * stream after `timeoutSeconds`. Objects change through {@link MockCluster.put} and
 * {@link MockCluster.remove} (the churn of `bench:watch`). Counts every request, and the bytes of
 * lists and of watch streams apart, so the benchmarks can report API requests per page view and
 * API traffic per minute. `latencyMs` delays every answer (a watch: its opening), standing in for
 * a real API server's network round trip and processing time (0: as fast as loopback allows).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { LISTED_KINDS } from '../src/sources/kinds';

export type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [field: string]: unknown;
  };
} & Record<string, unknown>;

/** What a mock API server served, cumulative since it started. */
export interface MockStats {
  /** List requests answered 200, and the bytes of their bodies. */
  listRequests: number;
  listBytes: number;
  /** Watch requests (streams opened), and the bytes written to them (events and bookmarks). */
  watchRequests: number;
  watchBytes: number;
  /** ADDED/MODIFIED/DELETED events written to watch streams (one per stream it matched). */
  watchEvents: number;
  bookmarks: number;
  /** Watches answered 410 Expired: their resourceVersion was older than the event log. */
  expired: number;
  /** Watch streams open now. */
  openWatches: number;
  /** Every other request (404s, the Kubernetes plugin's reads of missing kinds…). */
  otherRequests: number;
}

export interface MockCluster {
  url: string;
  /** Kubernetes API requests served. */
  requests: () => number;
  /** Prometheus queries served (`POST /api/v1/query`, with `traffic`). */
  queries: () => number;
  /** Lists and watches served, and their bytes. */
  stats: () => MockStats;
  /** The objects of a kind (by plural) now; do not modify them. */
  objects: (plural: string) => readonly Obj[];
  /**
   * Creates or replaces an object (same namespace and name) with a new resourceVersion, and
   * sends ADDED or MODIFIED to the watches it matches. The object must not be modified later.
   */
  put: (plural: string, object: Obj) => void;
  /** Deletes an object; sends DELETED (the last state, at a new resourceVersion). */
  remove: (
    plural: string,
    namespace: string | undefined,
    name: string,
  ) => boolean;
  /**
   * The path and query of every list answered 200 from now on, until `stopRecording`, and when
   * (Date.now()) the first of them arrived.
   */
  startRecording: () => void;
  stopRecording: () => { urls: string[]; firstAt?: number };
  close: () => Promise<void>;
}

export interface EstateSize {
  namespaces: number;
  workloads: number;
  podsPerWorkload: number;
  entities: number;
  /**
   * `policies` (the default): a default-deny NetworkPolicy per namespace and an ALLOW
   * AuthorizationPolicy for every other workload. `allow-all`: neither — Istio's default, where
   * every meshed workload may call every other one.
   */
  estate?: 'policies' | 'allow-all';
  /**
   * `bench:watch`: one more NetworkPolicy, in `ns-1`, letting every pod of the namespaces
   * labelled `bench/allowed=true` (none at first) call `w-1`, so that flipping a namespace's label
   * shows in `w-1`'s callers. Needs the `policies` estate.
   */
  labelledNamespaces?: boolean;
}

/** Deterministic generated estate: workload i belongs to entity `svc-<i % entities>`. */
export function generateEstate(
  cluster: number,
  size: EstateSize,
): Map<string, Obj[]> {
  const kinds = new Map<string, Obj[]>();
  const add = (plural: string, obj: Obj) => {
    if (!kinds.has(plural)) kinds.set(plural, []);
    kinds.get(plural)!.push(obj);
  };
  for (let n = 0; n < size.namespaces; n++) {
    add('namespaces', {
      metadata: {
        name: `ns-${n}`,
        labels: {
          'kubernetes.io/metadata.name': `ns-${n}`,
          'istio-injection': 'enabled',
        },
      },
    });
    add('peerauthentications', {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: `ns-${n}` },
      spec: { mtls: { mode: n % 3 === 0 ? 'PERMISSIVE' : 'STRICT' } },
    });
    if (size.estate !== 'allow-all')
      add('networkpolicies', {
        metadata: { name: 'default-deny', namespace: `ns-${n}` },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
  }
  if (size.labelledNamespaces && size.estate !== 'allow-all') {
    add('networkpolicies', {
      metadata: { name: 'allow-labelled-namespaces', namespace: 'ns-1' },
      spec: {
        podSelector: { matchLabels: { app: 'w-1' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'bench/allowed': 'true' } },
              },
            ],
          },
        ],
      },
    });
  }
  for (let w = 0; w < size.workloads; w++) {
    const ns = `ns-${w % size.namespaces}`;
    const name = `w-${w}`;
    const labels = {
      app: name,
      'backstage.io/kubernetes-id': `svc-${w % size.entities}`,
    };
    const template = {
      metadata: { labels, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        serviceAccountName: name,
        containers: [
          {
            name: 'app',
            image: `registry.example/${name}:1.2.3`,
            ports: [
              { name: 'http', containerPort: 8080 },
              { name: 'metrics', containerPort: 9090 },
            ],
            env: Array.from({ length: 10 }, (_, i) => ({
              name: `SETTING_${i}`,
              value: 'x'.repeat(40),
            })),
            resources: { limits: { cpu: '500m', memory: '256Mi' } },
          },
        ],
      },
    };
    add('deployments', {
      metadata: { name, namespace: ns, labels, uid: `d-${cluster}-${w}` },
      spec: {
        replicas: size.podsPerWorkload,
        selector: { matchLabels: { app: name } },
        template,
      },
    });
    add('replicasets', {
      metadata: {
        name: `${name}-5d9f`,
        namespace: ns,
        labels,
        ownerReferences: [
          {
            kind: 'Deployment',
            name,
            controller: true,
            uid: `d-${cluster}-${w}`,
          },
        ],
      },
      spec: {
        replicas: size.podsPerWorkload,
        selector: { matchLabels: { app: name } },
        template,
      },
    });
    add('services', {
      metadata: { name, namespace: ns, labels },
      spec: {
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    });
    add('serviceaccounts', { metadata: { name, namespace: ns } });
    if (w % 2 === 0 && size.estate !== 'allow-all') {
      add('authorizationpolicies', {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: `${name}-allow`, namespace: ns },
        spec: {
          selector: { matchLabels: { app: name } },
          action: 'ALLOW',
          rules: [
            {
              from: [
                {
                  source: {
                    principals: [
                      `cluster.local/ns/${`ns-${
                        (w + 1) % size.namespaces
                      }`}/sa/w-${w + 1}`,
                    ],
                  },
                },
              ],
              to: [{ operation: { methods: ['GET'], ports: ['8080'] } }],
            },
          ],
        },
      });
    }
    for (let p = 0; p < size.podsPerWorkload; p++) {
      add('pods', {
        metadata: {
          name: `${name}-5d9f-${p}`,
          namespace: ns,
          labels: { ...labels, 'pod-template-hash': '5d9f' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': 'y'.repeat(600),
            'sidecar.istio.io/status':
              '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
          },
          ownerReferences: [
            { kind: 'ReplicaSet', name: `${name}-5d9f`, controller: true },
          ],
          managedFields: [
            {
              manager: 'kube-controller-manager',
              operation: 'Update',
              fieldsV1: { f: 'z'.repeat(300) },
            },
          ],
        },
        spec: {
          ...template.spec,
          containers: [
            ...template.spec.containers,
            {
              name: 'istio-proxy',
              image: 'istio/proxyv2:1.24',
              ports: [{ containerPort: 15090, name: 'http-envoy-prom' }],
            },
          ],
        },
        status: {
          phase: 'Running',
          podIP: `10.${cluster}.${Math.floor(w / 250)}.${(w % 250) + 1}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 0, image: 'x' },
          ],
        },
      });
    }
  }
  return kinds;
}

const LIST_PATH =
  /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([a-z]+)$/;
const INSTALLED_GROUPS = new Set([
  'apps',
  'batch',
  'networking.k8s.io',
  'security.istio.io',
  'networking.istio.io',
]);

/**
 * The Istio answers a Prometheus would give Mesh Security's traffic queries for an estate
 * (docs/traffic.md "Queries"): every workload receives mTLS requests from `sources` others (its
 * service account is its name), in both windows, last seen five minutes before the mock started.
 * Other families answer an empty vector.
 */
function trafficAnswers(size: EstateSize, sources: number) {
  const series: Array<{ metric: Record<string, string>; requests: number }> =
    [];
  for (let w = 0; w < size.workloads; w++) {
    for (let s = 1; s <= sources; s++) {
      const from = (w + s * 37) % size.workloads;
      const fromNamespace = `ns-${from % size.namespaces}`;
      series.push({
        metric: {
          destination_workload_namespace: `ns-${w % size.namespaces}`,
          destination_workload: `w-${w}`,
          source_workload_namespace: fromNamespace,
          source_workload: `w-${from}`,
          source_principal: `spiffe://cluster.local/ns/${fromNamespace}/sa/w-${from}`,
        },
        requests: 10 + ((w + s) % 50),
      });
    }
  }
  const vector = (result: unknown[]) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result },
    });
  // Built once: answering must not hold up the Kubernetes API served by the same process. The
  // sample times are not checked by the reader; last seen is five minutes before the start.
  const now = Math.floor(Date.now() / 1000);
  const lastSeen = String(Math.floor(now / 300) * 300 - 300);
  const requests = (scale: number) =>
    vector(
      series.map(x => ({
        metric: { ...x.metric, connection_security_policy: 'mutual_tls' },
        value: [now, String(x.requests * scale)],
      })),
    );
  const answers = {
    recent: requests(1),
    evidence: requests(168),
    lastSeen: vector(
      series.map(x => ({ metric: x.metric, value: [now, lastSeen] })),
    ),
    empty: vector([]),
  };
  return (query: string): string => {
    if (query.startsWith('max_over_time(')) {
      return query.includes('istio_') ? answers.lastSeen : answers.empty;
    }
    if (!query.includes('istio_requests_total') || query.includes('"403"'))
      return answers.empty;
    return query.includes('[3600s]') ? answers.recent : answers.evidence;
  };
}

/** Kind of the objects of a plural (watch events and bookmarks carry it), from the listed kinds. */
function kindOf(plural: string): string {
  const listed = LISTED_KINDS.find(k => k.plural === plural);
  if (listed) return listed.kind;
  if (plural === 'configmaps') return 'ConfigMap';
  const singular = plural.replace(/ies$/, 'y').replace(/s$/, '');
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/**
 * A label selector as the API server reads it: comma-separated requirements `key=value`,
 * `key==value`, `key!=value`, `key` (the label exists) and `!key` (it does not).
 */
function labelMatcher(
  selector: string | null,
): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const requirements = selector.split(',').map(part => {
    const ne = part.split('!=');
    if (ne.length === 2)
      return (l: Record<string, string>) => l[ne[0]] !== ne[1];
    const eq = part.split(/==?/);
    if (eq.length === 2)
      return (l: Record<string, string>) => l[eq[0]] === eq[1];
    if (part.startsWith('!'))
      return (l: Record<string, string>) => l[part.slice(1)] === undefined;
    return (l: Record<string, string>) => l[part] !== undefined;
  });
  return labels => requirements.every(r => r(labels ?? {}));
}

/** `fieldSelector`: `metadata.name=…` and `metadata.namespace=…` (comma-separated). */
function fieldMatcher(selector: string | null): (o: Obj) => boolean {
  if (!selector) return () => true;
  const requirements = selector.split(',').map(part => {
    const [field, value] = part.split(/==?/);
    if (field === 'metadata.name') return (o: Obj) => o.metadata.name === value;
    if (field === 'metadata.namespace')
      return (o: Obj) => o.metadata.namespace === value;
    return () => true;
  });
  return o => requirements.every(r => r(o));
}

interface Watch {
  plural: string;
  matches: (o: Obj) => boolean;
  send: (type: string, object: Obj) => void;
}

/** One logged change: what a watch resuming from an older resourceVersion is sent. */
interface LoggedEvent {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

export async function startMockCluster(
  kinds: Map<string, Obj[]>,
  options: {
    latencyMs?: number;
    /** Also serve a Prometheus API with this estate's traffic (`sources` per workload). */
    traffic?: { size: EstateSize; sources: number };
    /** Changes kept for watches that resume (older: 410 Expired). Default 10,000. */
    maxEvents?: number;
    /** How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK. Default 10 s. */
    bookmarkIntervalMs?: number;
  } = {},
): Promise<MockCluster> {
  let requests = 0;
  let queries = 0;
  const stats: MockStats = {
    listRequests: 0,
    listBytes: 0,
    watchRequests: 0,
    watchBytes: 0,
    watchEvents: 0,
    bookmarks: 0,
    expired: 0,
    openWatches: 0,
    otherRequests: 0,
  };
  const traffic = options.traffic
    ? trafficAnswers(options.traffic.size, options.traffic.sources)
    : undefined;
  const latencyMs = options.latencyMs ?? 0;
  const maxEvents = options.maxEvents ?? 10_000;
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;

  // One counter for the whole cluster, as etcd's revision: every object gets its own version.
  let resourceVersion = 0;
  const versioned = (o: Obj): Obj => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: String(++resourceVersion) },
  });
  for (const [plural, list] of kinds) kinds.set(plural, list.map(versioned));
  // The event log, oldest first; a watch from before `compacted` cannot be served (410). The
  // generated objects were never events: a watch needs a resourceVersion from a list.
  let log: LoggedEvent[] = [];
  let compacted = resourceVersion;
  const watches = new Set<Watch>();
  // Paginated lists read one snapshot (the arrays are replaced, never changed, on a change), as
  // the API server serves every page of a list at the resourceVersion of its first page.
  const snapshots = new Map<number, { items: Obj[]; rv: number; at: number }>();
  let nextSnapshot = 1;
  let recording: { urls: string[]; firstAt?: number } | undefined;

  const record = (plural: string, type: LoggedEvent['type'], object: Obj) => {
    log.push({ rv: resourceVersion, plural, type, object });
    if (log.length > maxEvents) {
      const dropped = log.length - Math.floor(maxEvents * 0.9);
      compacted = log[dropped - 1].rv;
      log = log.slice(dropped);
    }
    for (const watch of watches) {
      if (watch.plural === plural && watch.matches(object))
        watch.send(type, object);
    }
  };
  const key = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const put = (plural: string, object: Obj) => {
    const list = kinds.get(plural) ?? [];
    const stored = versioned(object);
    const index = list.findIndex(o => key(o) === key(object));
    const next = list.slice();
    if (index >= 0) next[index] = stored;
    else next.push(stored);
    kinds.set(plural, next);
    record(plural, index >= 0 ? 'MODIFIED' : 'ADDED', stored);
  };
  const remove = (
    plural: string,
    namespace: string | undefined,
    name: string,
  ) => {
    const list = kinds.get(plural) ?? [];
    const index = list.findIndex(
      o => o.metadata.name === name && o.metadata.namespace === namespace,
    );
    if (index < 0) return false;
    const next = list.slice();
    const [gone] = next.splice(index, 1);
    kinds.set(plural, next);
    // The last state, at the version of its deletion.
    record(plural, 'DELETED', versioned(gone));
    return true;
  };

  const watch = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    path: { group?: string; version: string; plural: string },
    matches: (o: Obj) => boolean,
  ) => {
    stats.watchRequests++;
    const apiVersion = path.group
      ? `${path.group}/${path.version}`
      : path.version;
    const kind = kindOf(path.plural);
    res.writeHead(200, { 'content-type': 'application/json' });
    // As the API server: the headers go out at once, not with the first event.
    res.flushHeaders();
    const write = (event: unknown) => {
      const line = `${JSON.stringify(event)}\n`;
      stats.watchBytes += Buffer.byteLength(line);
      res.write(line);
    };
    const send = (type: string, object: Obj) => {
      stats.watchEvents++;
      write({ type, object: { apiVersion, kind, ...object } });
    };
    const from = url.searchParams.get('resourceVersion');
    if (from && from !== '0' && Number(from) < compacted) {
      stats.expired++;
      write({
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${from} (${compacted})`,
          reason: 'Expired',
          code: 410,
        },
      });
      res.end();
      return;
    }
    if (!from || from === '0') {
      // No resourceVersion: the current objects as ADDED events first ("Get State and Start").
      for (const o of kinds.get(path.plural) ?? [])
        if (matches(o)) send('ADDED', o);
    } else {
      for (const event of log) {
        if (
          event.rv > Number(from) &&
          event.plural === path.plural &&
          matches(event.object)
        )
          send(event.type, event.object);
      }
    }
    const entry: Watch = { plural: path.plural, matches, send };
    watches.add(entry);
    stats.openWatches++;
    const bookmarks =
      url.searchParams.get('allowWatchBookmarks') === 'true'
        ? setInterval(() => {
            stats.bookmarks++;
            write({
              type: 'BOOKMARK',
              object: {
                kind,
                apiVersion,
                metadata: { resourceVersion: String(resourceVersion) },
              },
            });
          }, bookmarkIntervalMs)
        : undefined;
    // A real API server picks a random timeout of 30–60 minutes when none is asked for.
    const timeoutSeconds = Number(
      url.searchParams.get('timeoutSeconds') ?? 1800,
    );
    const timeout = setTimeout(() => res.end(), timeoutSeconds * 1000);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      watches.delete(entry);
      stats.openWatches--;
      clearInterval(bookmarks);
      clearTimeout(timeout);
    };
    res.on('close', close);
    req.on('close', close);
  };

  const answer = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    arrived: number,
  ) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = LIST_PATH.exec(url.pathname);
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      if (status === 200) {
        stats.listRequests++;
        stats.listBytes += Buffer.byteLength(text);
        if (recording) {
          recording.urls.push(req.url ?? '/');
          recording.firstAt ??= arrived;
        }
      } else stats.otherRequests++;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (!match || (match[1] && !INSTALLED_GROUPS.has(match[1]))) {
      send(404, { kind: 'Status', code: 404, reason: 'NotFound' });
      return;
    }
    const [, group, version, namespace, plural] = match;
    const labels = labelMatcher(url.searchParams.get('labelSelector'));
    const fields = fieldMatcher(url.searchParams.get('fieldSelector'));
    const matches = (o: Obj) =>
      (!namespace || o.metadata.namespace === namespace) &&
      labels(o.metadata.labels) &&
      fields(o);
    const watching = url.searchParams.get('watch');
    if (watching === '1' || watching === 'true') {
      watch(
        req,
        res,
        url,
        { group, version: version ?? 'v1', plural },
        matches,
      );
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const token = url.searchParams.get('continue');
    let items: Obj[];
    let rv = resourceVersion;
    let start = 0;
    let id = 0;
    if (token) {
      const [snapshotId, offset] = token.split(':').map(Number);
      const snapshot = snapshots.get(snapshotId);
      if (!snapshot) {
        send(410, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
        });
        return;
      }
      ({ items, rv } = snapshot);
      start = offset;
      id = snapshotId;
    } else {
      items = kinds.get(plural) ?? [];
      if (
        namespace ||
        url.searchParams.has('labelSelector') ||
        url.searchParams.has('fieldSelector')
      )
        items = items.filter(matches);
    }
    const page = limit ? items.slice(start, start + limit) : items;
    let next: string | undefined;
    if (limit && start + limit < items.length) {
      if (!id) {
        id = nextSnapshot++;
        snapshots.set(id, { items, rv, at: Date.now() });
        // Continue tokens expire after 5 minutes (the API server's compaction does the same).
        for (const [old, s] of snapshots)
          if (Date.now() - s.at > 300_000) snapshots.delete(old);
      }
      next = `${id}:${start + limit}`;
    } else if (id) snapshots.delete(id);
    send(200, {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(rv), continue: next },
      items: page,
    });
  };
  const server = http.createServer((req, res) => {
    if (traffic && req.method === 'POST' && req.url === '/api/v1/query') {
      queries++;
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(traffic(form.get('query') ?? ''));
      });
      return;
    }
    requests++;
    const arrived = Date.now();
    if (latencyMs > 0) setTimeout(() => answer(req, res, arrived), latencyMs);
    else answer(req, res, arrived);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    queries: () => queries,
    stats: () => ({ ...stats }),
    objects: plural => kinds.get(plural) ?? [],
    put,
    remove,
    startRecording: () => {
      recording = { urls: [] };
    },
    stopRecording: () => {
      const recorded = recording ?? { urls: [] };
      recording = undefined;
      return recorded;
    },
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
