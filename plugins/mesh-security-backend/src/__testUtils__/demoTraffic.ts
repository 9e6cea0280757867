/*
 * The demo estate's traffic (catalog/demo-traffic/README.md) as metric history: the series
 * Istio's proxies and ztunnel, and Linkerd's proxies, would have exported for catalog/demo-cluster
 * over eight days, in OpenMetrics for `promtool tsdb create-blocks-from openmetrics`. Deterministic:
 * fixed timestamps, fixed increments.
 */

/** The instant the demo's queries are evaluated at (the demo cluster's date of reference). */
export const DEMO_TRAFFIC_TIME = new Date('2026-11-23T12:00:00Z');

const STEP_SECONDS = 15 * 60;
const HISTORY_SECONDS = 8 * 24 * 3600;

interface DemoSeries {
  /** The metric family (OpenMetrics: the sample name less `_total`). */
  family: string;
  labels: Record<string, string>;
  /** Increase per step while active. */
  perStep: number;
  /** Seconds before DEMO_TRAFFIC_TIME the counter starts increasing (default: all history). */
  activeFor?: number;
  /** Seconds before DEMO_TRAFFIC_TIME it stops (default: still going). */
  stoppedFor?: number;
}

const istioSpiffe = (namespace: string, name: string) =>
  `spiffe://cluster.local/ns/${namespace}/sa/${name}`;
const linkerdIdentity = (namespace: string, name: string) =>
  `${name}.${namespace}.serviceaccount.identity.linkerd.cluster.local`;

/** Labels Istio's destination proxy (or ztunnel) reports, from a workload or unknown source. */
function istio(
  to: [string, string],
  from: [string, string] | 'unknown',
  security: 'mutual_tls' | 'none' | 'unknown',
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    cluster: 'demo',
    reporter: 'destination',
    destination_workload_namespace: to[0],
    destination_workload: to[1],
    destination_principal: istioSpiffe(to[0], to[1]),
    destination_service: `${to[1]}.${to[0]}.svc.cluster.local`,
    source_workload_namespace: from === 'unknown' ? 'unknown' : from[0],
    source_workload: from === 'unknown' ? 'unknown' : from[1],
    source_principal:
      from === 'unknown' ? 'unknown' : istioSpiffe(from[0], from[1]),
    connection_security_policy: security,
    ...extra,
  };
}

/** Labels of a Linkerd inbound series, as Linkerd's Prometheus configuration scrapes them. */
function linkerd(
  to: [string, string],
  port: number,
  from: [string, string] | 'unknown',
  extra: Record<string, string> = {},
): Record<string, string> {
  return linkerdPod(to, {
    target_addr: `10.42.0.17:${port}`,
    target_ip: '10.42.0.17',
    target_port: String(port),
    ...(from === 'unknown'
      ? { tls: 'no_identity', no_tls_reason: 'no_tls_from_remote' }
      : { tls: 'true', client_id: linkerdIdentity(from[0], from[1]) }),
    ...extra,
  });
}

/**
 * The labels every series of a Linkerd proxy carries (Linkerd's Prometheus configuration adds
 * them from the pod), and `extra`: alone, a series about the proxy itself.
 */
function linkerdPod(
  to: [string, string],
  extra: Record<string, string>,
): Record<string, string> {
  return {
    cluster: 'demo',
    namespace: to[0],
    deployment: to[1],
    pod: `${to[1]}-7c9d8f6b5-k2x9q`,
    ...extra,
  };
}

/** A probe of a Linkerd proxy's admin server (port 4191 by default). */
const LINKERD_ADMIN_PROBE = {
  target_addr: '0.0.0.0:4191',
  target_ip: '0.0.0.0',
  target_port: '4191',
  tls: 'no_identity',
  no_tls_reason: 'no_tls_from_remote',
  srv_kind: 'default',
  srv_name: 'all-unauthenticated',
};

const day = 24 * 3600;

/** The demo's series: what each tells is in catalog/demo-traffic/README.md. */
export const DEMO_SERIES: DemoSeries[] = [
  // checkout (PERMISSIVE): its caller storefront-web over mTLS …
  {
    family: 'istio_requests',
    labels: istio(
      ['storefront', 'checkout'],
      ['storefront', 'storefront-web'],
      'mutual_tls',
      {
        response_code: '200',
      },
    ),
    perStep: 20,
  },
  // … and one plaintext caller from outside the mesh, which its AuthorizationPolicy denies (403):
  // not ready for STRICT, and denied traffic observed.
  {
    family: 'istio_requests',
    labels: istio(['storefront', 'checkout'], 'unknown', 'none', {
      response_code: '403',
    }),
    perStep: 2,
    activeFor: 3 * day,
  },
  // storefront-web (PERMISSIVE, allow-all): plaintext from outside the mesh (the edge).
  {
    family: 'istio_requests',
    labels: istio(['storefront', 'storefront-web'], 'unknown', 'none', {
      response_code: '200',
    }),
    perStep: 30,
  },
  // payments-api (STRICT): checkout's allowed POST /charge …
  {
    family: 'istio_requests',
    labels: istio(
      ['payments', 'payments-api'],
      ['storefront', 'checkout'],
      'mutual_tls',
      {
        response_code: '200',
      },
    ),
    perStep: 10,
  },
  // … and storefront-web, which no policy allows: denied (403).
  {
    family: 'istio_requests',
    labels: istio(
      ['payments', 'payments-api'],
      ['storefront', 'storefront-web'],
      'mutual_tls',
      {
        response_code: '403',
      },
    ),
    perStep: 1,
  },
  // payments-api → payments-ledger:5432 (TCP, mTLS).
  {
    family: 'istio_tcp_connections_opened',
    labels: istio(
      ['payments', 'payments-ledger'],
      ['payments', 'payments-api'],
      'mutual_tls',
    ),
    perStep: 1,
  },
  // inventory (ambient, ztunnel: TCP only): storefront-web connects; checkout's grant
  // (inventory-allow-storefront) is not used at all.
  {
    family: 'istio_tcp_connections_opened',
    labels: istio(
      ['inventory', 'inventory'],
      ['storefront', 'storefront-web'],
      'mutual_tls',
    ),
    perStep: 5,
  },
  // … and legacy-billing, outside the mesh, whose plaintext STRICT refuses: ztunnel counts each
  // connection as opened, then closed for authorization (`response_flags="DENY"`).
  ...(
    ['istio_tcp_connections_opened', 'istio_tcp_connections_closed'] as const
  ).map(family => ({
    family,
    labels: {
      ...istio(['inventory', 'inventory'], 'unknown', 'unknown', {
        response_flags:
          family === 'istio_tcp_connections_closed' ? 'DENY' : '-',
      }),
      source_workload_namespace: 'legacy',
      source_workload: 'legacy-billing',
    },
    perStep: 1,
    activeFor: 5 * day,
  })),
  // analytics-api:8080 (Linkerd, mTLS only): etl-worker's allowed reads …
  {
    family: 'request',
    labels: linkerd(['data', 'analytics-api'], 8080, ['data', 'etl-worker'], {
      direction: 'inbound',
      authority: 'analytics-api.data.svc.cluster.local:8080',
    }),
    perStep: 6,
  },
  {
    family: 'tcp_open',
    labels: linkerd(['data', 'analytics-api'], 8080, ['data', 'etl-worker'], {
      direction: 'inbound',
      peer: 'src',
    }),
    perStep: 1,
  },
  // … and a plaintext caller the proxy refuses, for the last two days.
  {
    family: 'inbound_http_authz_deny',
    labels: linkerd(['data', 'analytics-api'], 8080, 'unknown', {
      srv_group: 'policy.linkerd.io',
      srv_kind: 'server',
      srv_name: 'analytics-http',
    }),
    perStep: 1,
    activeFor: 2 * day,
  },
  // Its connections: an HTTP port's connections are counted when accepted, before any request
  // is authorized (the refused requests above say what became of them).
  {
    family: 'tcp_open',
    labels: linkerd(['data', 'analytics-api'], 8080, 'unknown', {
      direction: 'inbound',
      peer: 'src',
      srv_group: 'policy.linkerd.io',
      srv_kind: 'server',
      srv_name: 'analytics-http',
    }),
    perStep: 1,
    activeFor: 2 * day,
  },
  // What every Linkerd proxy also exports, none of it a client's traffic (docs/traffic.md,
  // "Linkerd"): the proxy's own plaintext connections to its application over the loopback
  // (`peer="dst"`, no target address) …
  {
    family: 'tcp_open',
    labels: linkerdPod(['data', 'analytics-api'], {
      direction: 'inbound',
      peer: 'dst',
      tls: 'no_identity',
      no_tls_reason: 'loopback',
    }),
    perStep: 1,
  },
  // … and the kubelet's plaintext probes of its admin server, labelled with the server's
  // unspecified listen address.
  ...(['analytics-api', 'etl-worker'] as const).flatMap(name => [
    {
      family: 'request',
      labels: linkerdPod(['data', name], {
        direction: 'inbound',
        ...LINKERD_ADMIN_PROBE,
      }),
      perStep: 90,
    },
    {
      family: 'tcp_open',
      labels: linkerdPod(['data', name], {
        direction: 'inbound',
        peer: 'src',
        ...LINKERD_ADMIN_PROBE,
      }),
      perStep: 90,
    },
  ]),
  // etl-worker:9100 (PERMISSIVE): only mTLS, from Linkerd's Prometheus: ready for STRICT.
  {
    family: 'request',
    labels: linkerd(
      ['data', 'etl-worker'],
      9100,
      ['linkerd-viz', 'prometheus'],
      {
        direction: 'inbound',
        authority: '10.42.0.17:9100',
      },
    ),
    perStep: 4,
  },
  // An ambient lab cluster behind a waypoint (prometheus.services.test): the waypoint reports
  // the client (reporter="waypoint"), b's ztunnel the waypoint's hop; a client sidecar's own
  // report (reporter="source") is never read.
  ...(['waypoint', 'source'] as const).map(reporter => ({
    family: 'istio_requests',
    labels: {
      ...istio(['shop', 'b'], ['shop', 'a'], 'mutual_tls', {
        response_code: '200',
      }),
      cluster: 'ambient-lab',
      reporter,
    },
    perStep: 3,
  })),
  {
    family: 'istio_tcp_connections_opened',
    labels: {
      ...istio(['shop', 'b'], ['shop', 'waypoint'], 'mutual_tls'),
      cluster: 'ambient-lab',
    },
    perStep: 1,
  },
  // A Linkerd lab cluster (prometheus.services.test): shop/catalog's Server has HTTPRoutes, so a
  // request none of them matches is refused with 404 (`inbound_http_route_not_found_total`) and
  // one whose route admits no authorization of its client with 403
  // (`inbound_http_authz_deny_total`, naming the route). web uses its route, and tries another
  // and a path no route serves; crawler only asks for paths no route serves.
  ...linkerdLab(),
  // Another cluster sharing the Prometheus: never part of demo's observations.
  {
    family: 'istio_requests',
    labels: {
      ...istio(['storefront', 'checkout'], 'unknown', 'none'),
      cluster: 'other',
    },
    perStep: 100,
  },
];

/** shop/catalog:8080 of the Linkerd lab cluster, and its two callers. */
function linkerdLab(): DemoSeries[] {
  const server = {
    srv_group: 'policy.linkerd.io',
    srv_kind: 'server',
    srv_name: 'catalog-http',
  };
  const route = (name: string) => ({
    route_group: 'gateway.networking.k8s.io',
    route_kind: 'HTTPRoute',
    route_name: name,
  });
  const to: [string, string] = ['shop', 'catalog'];
  const series = (
    family: string,
    from: [string, string],
    perStep: number,
    extra: Record<string, string> = {},
  ): DemoSeries => ({
    family,
    labels: {
      ...linkerd(to, 8080, from, { ...server, ...extra }),
      cluster: 'linkerd-lab',
    },
    perStep,
  });
  const web: [string, string] = ['shop', 'web'];
  const crawler: [string, string] = ['shop', 'crawler'];
  return [
    series('request', web, 3, {
      direction: 'inbound',
      ...route('catalog-read'),
      status_code: '200',
    }),
    series('inbound_http_authz_deny', web, 1, route('catalog-admin')),
    series('inbound_http_route_not_found', web, 1),
    series('tcp_open', web, 1, { direction: 'inbound', peer: 'src' }),
    series('inbound_http_route_not_found', crawler, 2),
    series('tcp_open', crawler, 1, { direction: 'inbound', peer: 'src' }),
  ];
}

/** The history as OpenMetrics text (families contiguous, each series in time order). */
export function demoOpenMetrics(): string {
  const end = DEMO_TRAFFIC_TIME.getTime() / 1000;
  const start = end - HISTORY_SECONDS;
  const lines: string[] = [];
  const families = [...new Set(DEMO_SERIES.map(s => s.family))];
  for (const family of families) {
    lines.push(`# TYPE ${family} counter`);
    for (const series of DEMO_SERIES.filter(s => s.family === family)) {
      const labels = Object.entries(series.labels)
        .map(([name, value]) => `${name}="${value}"`)
        .join(',');
      let value = 0;
      for (let t = start; t <= end; t += STEP_SECONDS) {
        const since = end - t;
        const active =
          since < (series.activeFor ?? Infinity) &&
          since >= (series.stoppedFor ?? 0);
        if (t > start && active) value += series.perStep;
        lines.push(`${family}_total{${labels}} ${value} ${t}`);
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
