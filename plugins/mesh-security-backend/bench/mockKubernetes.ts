/*
 * A mock Kubernetes API on loopback for the backend benchmark: generated objects served with
 * the list semantics both Mesh Security and the Kubernetes plugin rely on (paginated
 * `limit`/`continue`, label selectors `key=value` and `key`, namespaced paths, 404 for kinds that
 * are not installed). Counts every request so the benchmark can report API requests per page view.
 * `latencyMs` delays every answer, standing in for a real API server's network round trip and
 * processing time (0: answers as fast as loopback allows).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
} & Record<string, unknown>;

export interface MockCluster {
  url: string;
  /** Kubernetes API requests served. */
  requests: () => number;
  /** Prometheus queries served (`POST /api/v1/query`, with `traffic`). */
  queries: () => number;
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

export async function startMockCluster(
  kinds: Map<string, Obj[]>,
  options: {
    latencyMs?: number;
    /** Also serve a Prometheus API with this estate's traffic (`sources` per workload). */
    traffic?: { size: EstateSize; sources: number };
  } = {},
): Promise<MockCluster> {
  let requests = 0;
  let queries = 0;
  const traffic = options.traffic
    ? trafficAnswers(options.traffic.size, options.traffic.sources)
    : undefined;
  const latencyMs = options.latencyMs ?? 0;
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = LIST_PATH.exec(url.pathname);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!match || (match[1] && !INSTALLED_GROUPS.has(match[1]))) {
      send(404, { kind: 'Status', code: 404, reason: 'NotFound' });
      return;
    }
    const [, , , namespace, plural] = match;
    let items = kinds.get(plural) ?? [];
    if (namespace)
      items = items.filter(i => i.metadata.namespace === namespace);
    const selector = url.searchParams.get('labelSelector');
    if (selector) {
      // `key=value`, or `key` alone: the label exists (the revisioned Istio ConfigMaps' list).
      const [key, value] = selector.split('=');
      items = items.filter(i =>
        value === undefined
          ? i.metadata.labels?.[key] !== undefined
          : i.metadata.labels?.[key] === value,
      );
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const start = Number(url.searchParams.get('continue') ?? 0);
    const page = limit ? items.slice(start, start + limit) : items;
    const next =
      limit && start + limit < items.length ? String(start + limit) : undefined;
    send(200, {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: '1', continue: next },
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
    if (latencyMs > 0) setTimeout(() => answer(req, res), latencyMs);
    else answer(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    queries: () => queries,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
