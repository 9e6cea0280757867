/*
 * The PromQL that reads observed traffic: a handful of aggregated queries per cluster and window,
 * never one per workload. Metric and label names follow Istio's "Istio Standard Metrics"
 * (https://istio.io/latest/docs/reference/config/metrics/) and Linkerd's "Proxy Metrics"
 * (https://linkerd.io/2-edge/reference/proxy-metrics/); docs/traffic.md cites each label used.
 */

/** The meshes whose metrics are read. */
export const TRAFFIC_MESHES = ['istio', 'linkerd'] as const;

/** One of {@link TRAFFIC_MESHES}. */
export type TrafficMesh = (typeof TRAFFIC_MESHES)[number];

/** The windows a refresh reads, in the order they are queried. */
export const TRAFFIC_WINDOWS = ['recent', 'evidence'] as const;

/** One of {@link TRAFFIC_WINDOWS}. */
export type TrafficWindow = (typeof TRAFFIC_WINDOWS)[number];

/**
 * What one query counts: requests or connections received (split by TLS), or those the receiving
 * proxy refused.
 */
export type QueryFamily =
  | 'istio-requests'
  | 'istio-denied-requests'
  | 'istio-connections'
  | 'istio-denied-connections'
  | 'linkerd-requests'
  | 'linkerd-connections'
  | 'linkerd-denied-requests'
  | 'linkerd-denied-connections';

/**
 * When traffic was last seen, per mesh: one query over the evidence window (docs/traffic.md
 * "When traffic was last seen").
 */
export type LastSeenFamily = 'istio-last-seen' | 'linkerd-last-seen';

/** The last-seen family of each mesh. */
export const LAST_SEEN_FAMILY: Record<TrafficMesh, LastSeenFamily> = {
  istio: 'istio-last-seen',
  linkerd: 'linkerd-last-seen',
};

/** The families read per mesh. */
export const FAMILIES_BY_MESH: Record<TrafficMesh, readonly QueryFamily[]> = {
  istio: [
    'istio-requests',
    'istio-denied-requests',
    'istio-connections',
    'istio-denied-connections',
  ],
  linkerd: [
    'linkerd-requests',
    'linkerd-connections',
    'linkerd-denied-requests',
    'linkerd-denied-connections',
  ],
};

/**
 * The labels Linkerd's Prometheus configuration copies from the pod's `linkerd.io/proxy-<kind>`
 * label, naming the workload's top-level controller (Linkerd "Proxy Metrics", "Prometheus
 * labels"); the first present names the receiving workload.
 */
export const LINKERD_WORKLOAD_LABELS = [
  'deployment',
  'statefulset',
  'daemonset',
  'job',
  'cronjob',
  'replicaset',
  'replicationcontroller',
] as const;

/** A label matcher: name, value (a regular expression for `=~` and `!~`), operator. */
type Matcher = [
  name: string,
  value: string,
  operator: '=' | '!=' | '=~' | '!~',
];

/**
 * Requests and connections reported where they were received: by the destination's sidecar or
 * ztunnel (`destination`), or by the waypoint that handled them (`waypoint`, with the client as
 * source and the workload it chose as destination: the Istio stats filter's `ServerGateway`
 * reporter). docs/traffic.md "Istio ambient and waypoints".
 */
const ISTIO_RECEIVED: Matcher = ['reporter', 'destination|waypoint', '=~'];

const ISTIO_DESTINATION = [
  'destination_workload_namespace',
  'destination_workload',
];
const ISTIO_SOURCE = [
  'source_workload_namespace',
  'source_workload',
  'source_principal',
];
const LINKERD_DESTINATION = ['namespace', ...LINKERD_WORKLOAD_LABELS];
const LINKERD_SOURCE = ['target_port', 'tls', 'client_id'];

/**
 * What a Linkerd proxy counts about itself rather than a client's traffic, left out of every
 * Linkerd query (linkerd2-proxy `linkerd/app/core/src/transport/labels.rs` and
 * `linkerd/app/admin/src/stack.rs`; docs/traffic.md "Linkerd"): its admin server (the kubelet's
 * probes, metrics scrapes) labels its series with the unspecified address it listens on
 * (`0.0.0.0:4191`, `[::]:4191`), where a client's connection carries the address it was made to.
 */
const LINKERD_NOT_PROXY_OWN: Matcher = ['target_ip', '0\\.0\\.0\\.0|::', '!~'];

/**
 * Inbound connections the proxy accepted from a client (`peer="src"`), not those it opened to its
 * own application over the loopback (`peer="dst"`, plaintext, no target address).
 */
const LINKERD_ACCEPTED: Matcher = ['peer', 'src', '='];

interface FamilyDefinition {
  /** The counters summed: one, or several whose series never share a label set. */
  metrics: string[];
  matchers: Matcher[];
  by: string[];
}

const FAMILIES: Record<QueryFamily, FamilyDefinition> = {
  'istio-requests': {
    metrics: ['istio_requests_total'],
    matchers: [ISTIO_RECEIVED],
    by: [...ISTIO_DESTINATION, ...ISTIO_SOURCE, 'connection_security_policy'],
  },
  // Istio's RBAC filter answers a denied request with 403, reported where it was received
  // (https://istio.io/latest/docs/tasks/security/authorization/authz-http/); the application's
  // own 403s cannot be told apart (docs/traffic.md "What each mesh cannot tell").
  'istio-denied-requests': {
    metrics: ['istio_requests_total'],
    matchers: [ISTIO_RECEIVED, ['response_code', '403', '=']],
    by: [...ISTIO_DESTINATION, ...ISTIO_SOURCE, 'connection_security_policy'],
  },
  'istio-connections': {
    metrics: ['istio_tcp_connections_opened_total'],
    matchers: [ISTIO_RECEIVED],
    by: [...ISTIO_DESTINATION, ...ISTIO_SOURCE, 'connection_security_policy'],
  },
  // ztunnel (ambient) counts a connection as opened before its authorization, and one that an
  // AuthorizationPolicy (or STRICT mTLS) refuses as closed with `response_flags="DENY"`
  // (istio/ztunnel `src/proxy/inbound.rs`, `inbound_passthrough.rs`, `metrics.rs`): those are
  // refused, not accepted (docs/traffic.md "Istio").
  'istio-denied-connections': {
    metrics: ['istio_tcp_connections_closed_total'],
    matchers: [
      ['reporter', 'destination', '='],
      ['response_flags', 'DENY', '='],
    ],
    by: [...ISTIO_DESTINATION, ...ISTIO_SOURCE, 'connection_security_policy'],
  },
  'linkerd-requests': {
    metrics: ['request_total'],
    matchers: [['direction', 'inbound', '='], LINKERD_NOT_PROXY_OWN],
    by: [...LINKERD_DESTINATION, ...LINKERD_SOURCE],
  },
  'linkerd-connections': {
    metrics: ['tcp_open_total'],
    matchers: [
      ['direction', 'inbound', '='],
      LINKERD_ACCEPTED,
      LINKERD_NOT_PROXY_OWN,
    ],
    by: [...LINKERD_DESTINATION, ...LINKERD_SOURCE],
  },
  // Requests the proxy refused: no authorization of the route they matched admits the client
  // (`inbound_http_authz_deny_total`, 403), or no route of the Server matches them at all
  // (`inbound_http_route_not_found_total`, 404: once a Server has HTTPRoutes, only their requests
  // are served). Neither is in `request_total`; a deny series names its route (`route_*`), a
  // route-not-found series none, so no two share a label set (linkerd2-proxy
  // `linkerd/app/inbound/src/policy/http.rs`, `metrics/authz.rs`; docs/traffic.md "Linkerd").
  'linkerd-denied-requests': {
    metrics: [
      'inbound_http_authz_deny_total',
      'inbound_http_route_not_found_total',
    ],
    matchers: [LINKERD_NOT_PROXY_OWN],
    by: [...LINKERD_DESTINATION, ...LINKERD_SOURCE],
  },
  'linkerd-denied-connections': {
    metrics: ['inbound_tcp_authz_deny_total'],
    matchers: [LINKERD_NOT_PROXY_OWN],
    by: [...LINKERD_DESTINATION, ...LINKERD_SOURCE],
  },
};

/**
 * The last-seen queries: every family of the mesh together (requests and connections, accepted
 * or refused), by receiving workload, port and source as the counts are. Linkerd's deny counters
 * carry no `direction` label, hence `!= "outbound"` rather than `= "inbound"`, and only
 * connections have a `peer`, hence `!= "dst"`; a series only this query sees names no flow and is
 * ignored.
 */

const LAST_SEEN: Record<
  LastSeenFamily,
  { metrics: string[]; matchers: Matcher[]; by: string[] }
> = {
  'istio-last-seen': {
    metrics: ['istio_requests_total', 'istio_tcp_connections_opened_total'],
    matchers: [ISTIO_RECEIVED],
    by: [...ISTIO_DESTINATION, ...ISTIO_SOURCE],
  },
  'linkerd-last-seen': {
    metrics: [
      'request_total',
      'tcp_open_total',
      'inbound_http_authz_deny_total',
      'inbound_http_route_not_found_total',
      'inbound_tcp_authz_deny_total',
    ],
    matchers: [
      ['direction', 'outbound', '!='],
      ['peer', 'dst', '!='],
      LINKERD_NOT_PROXY_OWN,
    ],
    by: [...LINKERD_DESTINATION, ...LINKERD_SOURCE],
  },
};

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid Prometheus label name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * A PromQL string literal: double-quoted, with backslash, double quote and line breaks escaped
 * (PromQL string literals follow Go's escaping rules: Prometheus "Querying basics", "String
 * literals").
 */
export function promqlString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')}"`;
}

/** Selects one cluster's series when several clusters share one Prometheus. */
export interface ClusterSelector {
  label: string;
  value: string;
}

/**
 * The query for one family over one window: series whose counter grew, summed per receiving
 * workload, port (where the mesh reports it), source and TLS state.
 */
export function buildQuery(
  family: QueryFamily,
  windowSeconds: number,
  cluster?: ClusterSelector,
): string {
  const definition = FAMILIES[family];
  const matchers: Matcher[] =
    definition.metrics.length > 1
      ? [
          ['__name__', definition.metrics.join('|'), '=~'],
          ...definition.matchers,
        ]
      : [...definition.matchers];
  if (cluster) {
    if (!isLabelName(cluster.label)) {
      throw new Error(`"${cluster.label}" is not a Prometheus label name`);
    }
    matchers.push([cluster.label, cluster.value, '=']);
  }
  if (!(Number.isInteger(windowSeconds) && windowSeconds > 0)) {
    throw new Error(
      `window ${windowSeconds}s is not a whole number of seconds`,
    );
  }
  const selector = matchers
    .map(([name, value, op]) => `${name}${op}${promqlString(value)}`)
    .join(',');
  const metric = definition.metrics.length > 1 ? '' : definition.metrics[0];
  return `sum by (${definition.by.join(
    ', ',
  )}) (increase(${metric}{${selector}}[${windowSeconds}s])) > 0`;
}

/**
 * When traffic was last seen over the evidence window, at `resolutionSeconds`: a subquery that
 * evaluates `increase()` over each `resolutionSeconds` step of the window and keeps the latest step
 * whose increase is above zero (`timestamp()` of a computed vector is the step's time). The answer
 * is a time in seconds per receiving workload, port and source; traffic happened within the
 * `resolutionSeconds` before it.
 */
export function buildLastSeenQuery(
  family: LastSeenFamily,
  evidenceSeconds: number,
  resolutionSeconds: number,
  cluster?: ClusterSelector,
): string {
  const definition = LAST_SEEN[family];
  for (const seconds of [evidenceSeconds, resolutionSeconds]) {
    if (!(Number.isInteger(seconds) && seconds > 0)) {
      throw new Error(`window ${seconds}s is not a whole number of seconds`);
    }
  }
  const matchers: Matcher[] = [
    ['__name__', definition.metrics.join('|'), '=~'],
    ...definition.matchers,
  ];
  if (cluster) {
    if (!isLabelName(cluster.label)) {
      throw new Error(`"${cluster.label}" is not a Prometheus label name`);
    }
    matchers.push([cluster.label, cluster.value, '=']);
  }
  const selector = matchers
    .map(([name, value, op]) => `${name}${op}${promqlString(value)}`)
    .join(',');
  const by = definition.by.join(', ');
  return `max_over_time((timestamp(sum by (${by}) (increase({${selector}}[${resolutionSeconds}s])) > 0))[${evidenceSeconds}s:${resolutionSeconds}s])`;
}
