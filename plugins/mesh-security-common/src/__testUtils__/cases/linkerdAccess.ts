import { AccessRequest } from '../../model';
import {
  Obj,
  deployment,
  gatewayHttpRoute,
  httpRoute,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkAuthentication,
  serverAuthorization,
} from '../k8s';
import type { AccessCase } from './accessCase';

/*
 * Linkerd Server, AuthorizationPolicy and route access rules (cases/access.ts).
 */

const lns = namespace('data', {}, { 'linkerd.io/inject': 'enabled' });
const ldata = [lns, deployment('data', 'a'), deployment('data', 'b')];
const server = linkerdServer('data', 'b-http', {
  podSelector: { matchLabels: { app: 'b' } },
  port: 8080,
});
const dataReq = (
  over: Partial<AccessRequest> = {},
): Partial<AccessRequest> => ({
  from: { namespace: 'data', name: 'a' },
  to: { namespace: 'data', name: 'b' },
  port: 8080,
  ...over,
});
const policyOn = (
  name: string,
  refs: Obj[],
  target: Obj = { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
) =>
  linkerdAuthorizationPolicy('data', name, {
    targetRef: target,
    requiredAuthenticationRefs: refs,
  });
const mtlsRef = {
  group: 'policy.linkerd.io',
  kind: 'MeshTLSAuthentication',
  name: 'callers',
};
// Per-route fixtures: `a` and `c` are callers of b; `callers` names a, `c-callers` names c.
const parentB = [
  { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
];
const callersA = meshTlsAuthentication('data', 'callers', {
  identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
});
const callersC = meshTlsAuthentication('data', 'c-callers', {
  identityRefs: [{ kind: 'ServiceAccount', name: 'c' }],
});
const cRef = {
  group: 'policy.linkerd.io',
  kind: 'MeshTLSAuthentication',
  name: 'c-callers',
};
const routed = [...ldata, deployment('data', 'c'), server, callersA, callersC];
const route = (
  name: string,
  matches: Obj[],
  created?: string,
  extra: Obj = {},
) =>
  httpRoute(
    'data',
    name,
    { parentRefs: parentB, rules: [{ matches }], ...extra },
    created,
  );
const onRoute = (name: string, routeName: string, ref: Obj) =>
  policyOn(name, [ref], {
    group: 'policy.linkerd.io',
    kind: 'HTTPRoute',
    name: routeName,
  });
const fromC = (over: Partial<AccessRequest> = {}) =>
  dataReq({ from: { namespace: 'data', name: 'c' }, ...over });
const get = (path: string) => ({ method: 'GET', path });
const prefix = (value: string, method?: string): Obj => ({
  path: { type: 'PathPrefix', value },
  ...(method ? { method } : {}),
});
const exact = (value: string, method?: string): Obj => ({
  path: { type: 'Exact', value },
  ...(method ? { method } : {}),
});
const JAN = '2026-01-05T10:00:00Z';
const FEB = '2026-02-05T10:00:00Z';
// `a` authorized on the whole Server; one route: GET under /api.
const apiOnly = [
  ...routed,
  policyOn('b-callers', [mtlsRef]),
  route('b-api', [prefix('/api', 'GET')]),
];
// `/api` for c (b-api), the more specific `/api/admin` for a (b-admin).
const adminExact = [
  ...routed,
  route('b-api', [prefix('/api')], JAN),
  onRoute('b-api-c', 'b-api', cRef),
  route('b-admin', [exact('/api/admin')], FEB),
  onRoute('b-admin-a', 'b-admin', mtlsRef),
];
// `/api` for c, the longer prefix `/api/v2` for a.
const longerPrefix = [
  ...routed,
  route('b-api', [prefix('/api')], JAN),
  onRoute('b-api-c', 'b-api', cRef),
  route('b-v2', [prefix('/api/v2/')], FEB),
  onRoute('b-v2-a', 'b-v2', mtlsRef),
];
// Two equally specific routes: `old` for a, `new` for c.
const tie = (oldAt?: string, newAt?: string) => [
  ...routed,
  route('b-new', [prefix('/api')], newAt),
  onRoute('b-new-c', 'b-new', cRef),
  route('b-old', [prefix('/api')], oldAt),
  onRoute('b-old-a', 'b-old', mtlsRef),
];

/** `b` serving 5432 behind a Server with an authorization and a route for GET /api only. */
const routedDatabase = (annotations: Record<string, string> = {}) => [
  lns,
  deployment('data', 'a'),
  deployment('data', 'b', { ports: [5432], annotations }),
  linkerdServer('data', 'b-http', {
    podSelector: { matchLabels: { app: 'b' } },
    port: 5432,
  }),
  callersA,
  policyOn('b-callers', [mtlsRef]),
  route('b-api', [prefix('/api', 'GET')]),
];

// The Gateway API's HTTPRoute b-api (every request under /api) on Server b-http.
const gatewayApiRoute = gatewayHttpRoute('data', 'b-api', {
  parentRefs: parentB,
  rules: [{ matches: [prefix('/api')] }],
});

export const LINKERD_CASES: AccessCase[] = [
  {
    name: 'Linkerd default policies: all-unauthenticated allows an external client',
    objects: ldata,
    request: dataReq({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd default policies: cluster-unauthenticated denies an external client',
    objects: ldata,
    options: { linkerdDefaultInboundPolicy: 'cluster-unauthenticated' },
    request: dataReq({ from: { kind: 'external' } }),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Linkerd default policies: cluster-authenticated allows a meshed in-cluster client',
    objects: ldata,
    options: { linkerdDefaultInboundPolicy: 'cluster-authenticated' },
    request: dataReq(),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd default policies: all-authenticated denies a plaintext client',
    objects: [...ldata, namespace('legacy'), deployment('legacy', 'old')],
    options: { linkerdDefaultInboundPolicy: 'all-authenticated' },
    request: dataReq({ from: { namespace: 'legacy', name: 'old' } }),
    decision: 'DENY',
  },
  {
    name: 'Linkerd default policies: deny',
    objects: ldata,
    options: { linkerdDefaultInboundPolicy: 'deny' },
    request: dataReq(),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Linkerd default policies: audit allows',
    objects: ldata,
    options: { linkerdDefaultInboundPolicy: 'audit' },
    request: dataReq(),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd Server: a Server without authorizations denies (accessPolicy defaults to deny)',
    objects: [...ldata, server],
    request: dataReq(),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'b-http',
  },
  {
    name: 'Linkerd AuthorizationPolicy: MeshTLSAuthentication identityRefs to the caller ServiceAccount',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      policyOn('b-callers', [mtlsRef]),
    ],
    request: dataReq(),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    // The policy controller's `targets_kind` compares group and kind without case.
    name: 'Linkerd AuthorizationPolicy: target and authentication kinds match without case',
    objects: [
      ...routed,
      policyOn('b-callers', [{ ...mtlsRef, kind: 'meshtlsauthentication' }], {
        group: 'policy.linkerd.io',
        kind: 'server',
        name: 'b-http',
      }),
    ],
    request: dataReq(),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    // A route's parentRef with an empty group names the core group: the route is not attached
    // and the Server keeps its default route (no 404 for /other).
    name: 'Linkerd HTTPRoute: a parentRef with an empty group attaches to no Server',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      httpRoute('data', 'b-api', {
        parentRefs: [{ group: '', kind: 'Server', name: 'b-http' }],
        rules: [{ matches: [prefix('/api')] }],
      }),
    ],
    request: dataReq(get('/other')),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    name: 'Linkerd HTTPRoute: a parentRef kind matches without case',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      httpRoute('data', 'b-api', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'server', name: 'b-http' },
        ],
        rules: [{ matches: [prefix('/api')] }],
      }),
    ],
    request: dataReq(get('/other')),
    decision: 'DENY',
    layer: 'authorization',
    message: /Linkerd answers 404/,
  },
  {
    // Linkerd reads the Gateway API's HTTPRoutes on a Server as its own ("Linkerd and Gateway
    // API HTTPRoutes"): once attached, unmatched requests get 404.
    name: "Linkerd HTTPRoute: the Gateway API's, attached to the Server, an unmatched request gets 404",
    objects: [...routed, policyOn('b-callers', [mtlsRef]), gatewayApiRoute],
    request: dataReq(get('/other')),
    decision: 'DENY',
    layer: 'authorization',
    message: /Linkerd answers 404/,
  },
  {
    name: "Linkerd HTTPRoute: the Gateway API's, a policy targeting it authorizes its requests",
    objects: [
      ...routed,
      gatewayApiRoute,
      policyOn('b-api-c', [cRef], {
        group: 'gateway.networking.k8s.io',
        kind: 'HTTPRoute',
        name: 'b-api',
      }),
    ],
    request: fromC(get('/api/x')),
    decision: 'ALLOW',
    policy: 'b-api-c',
  },
  {
    // Linkerd's HTTPRoute b-api and the Gateway API's b-api are different objects.
    name: "Linkerd HTTPRoute: the Gateway API's, a policy on Linkerd's HTTPRoute of that name does not apply",
    objects: [...routed, gatewayApiRoute, onRoute('b-api-c', 'b-api', cRef)],
    request: fromC(get('/api/x')),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    // The Gateway API's CRD defaults a parentRef's group to its own: no Server is named.
    name: "Linkerd HTTPRoute: the Gateway API's, a parentRef without a group attaches to no Server",
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      gatewayHttpRoute('data', 'b-api', {
        parentRefs: [{ kind: 'Server', name: 'b-http' }],
        rules: [{ matches: [prefix('/api')] }],
      }),
    ],
    request: dataReq(get('/other')),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    name: 'Linkerd AuthorizationPolicy: MeshTLSAuthentication identities (exact)',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identities: ['a.data.serviceaccount.identity.linkerd.cluster.local'],
      }),
      policyOn('b-callers', [mtlsRef]),
    ],
    request: dataReq(),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd AuthorizationPolicy: MeshTLSAuthentication with another identity denies',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identities: ['c.data.serviceaccount.identity.linkerd.cluster.local'],
      }),
      policyOn('b-callers', [mtlsRef]),
    ],
    request: dataReq(),
    decision: 'DENY',
  },
  {
    name: 'Linkerd AuthorizationPolicy: a missing authentication makes the authorization ignored',
    objects: [...ldata, server, policyOn('b-callers', [mtlsRef])],
    request: dataReq(),
    decision: 'DENY',
  },
  {
    name: 'Linkerd AuthorizationPolicy: NetworkAuthentication 0.0.0.0/0 allows external clients',
    objects: [
      ...ldata,
      server,
      networkAuthentication('data', 'all', {
        networks: [{ cidr: '0.0.0.0/0' }],
      }),
      policyOn('b-all', [
        {
          group: 'policy.linkerd.io',
          kind: 'NetworkAuthentication',
          name: 'all',
        },
      ]),
    ],
    request: dataReq({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd AuthorizationPolicy: a Namespace target applies to every Server of the namespace',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      policyOn('ns-callers', [mtlsRef], { kind: 'Namespace', name: 'data' }),
    ],
    request: dataReq(),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd ServerAuthorization: meshTLS serviceAccounts',
    objects: [
      ...ldata,
      server,
      serverAuthorization('data', 'b-sa', {
        server: { name: 'b-http' },
        client: { meshTLS: { serviceAccounts: [{ name: 'a' }] } },
      }),
    ],
    request: dataReq(),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd ServerAuthorization: unauthenticated clients',
    objects: [
      ...ldata,
      server,
      serverAuthorization('data', 'b-any', {
        server: { name: 'b-http' },
        client: { unauthenticated: true },
      }),
    ],
    request: dataReq({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd per-route policy: an HTTPRoute authorization matches only its routes',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      httpRoute('data', 'b-api', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        ],
        rules: [
          {
            matches: [
              { path: { type: 'PathPrefix', value: '/api' }, method: 'GET' },
            ],
          },
        ],
      }),
      policyOn('b-api-callers', [mtlsRef], {
        group: 'policy.linkerd.io',
        kind: 'HTTPRoute',
        name: 'b-api',
      }),
    ],
    request: dataReq({ method: 'POST', path: '/api/x' }),
    decision: 'DENY',
  },
  {
    name: 'Linkerd per-route policy: a matching route request is allowed',
    objects: [
      ...ldata,
      server,
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      httpRoute('data', 'b-api', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        ],
        rules: [
          {
            matches: [
              { path: { type: 'PathPrefix', value: '/api' }, method: 'GET' },
            ],
          },
        ],
      }),
      policyOn('b-api-callers', [mtlsRef], {
        group: 'policy.linkerd.io',
        kind: 'HTTPRoute',
        name: 'b-api',
      }),
    ],
    request: dataReq({ method: 'GET', path: '/api/x' }),
    decision: 'ALLOW',
  },
  {
    name: 'Linkerd Server proxyProtocol opaque: HTTPRoute authorizations never match',
    objects: [
      ...ldata,
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
        proxyProtocol: 'opaque',
      }),
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      httpRoute('data', 'b-api', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        ],
        rules: [
          {
            matches: [
              { path: { type: 'PathPrefix', value: '/api' }, method: 'GET' },
            ],
          },
        ],
      }),
      policyOn('b-api-callers', [mtlsRef], {
        group: 'policy.linkerd.io',
        kind: 'HTTPRoute',
        name: 'b-api',
      }),
    ],
    request: dataReq({ method: 'GET', path: '/api/x' }),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Linkerd HTTPRoute: once a route is attached, a request matching no route gets 404 (no default route)',
    objects: apiOnly,
    request: dataReq(get('/health')),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'Server data/b-http',
    message:
      /no HTTPRoute of Server data\/b-http .*matches GET \/health: Linkerd answers 404/,
  },
  {
    name: 'Linkerd HTTPRoute: a method no route matches gets 404 too',
    objects: apiOnly,
    request: dataReq({ method: 'POST', path: '/api/x' }),
    decision: 'DENY',
    layer: 'authorization',
    message: /404/,
  },
  {
    name: 'Linkerd HTTPRoute: a Server-level authorization applies to route-matched requests',
    objects: apiOnly,
    request: dataReq(get('/api/x')),
    decision: 'ALLOW',
    policy: 'b-callers',
    message: /served by HTTPRoute data\/b-api/,
  },
  {
    name: 'Linkerd HTTPRoute: without routes the default route serves every request (unchanged)',
    objects: [...routed, policyOn('b-callers', [mtlsRef])],
    request: dataReq(get('/health')),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    name: 'Linkerd HTTPRoute: a request without method/path on a routed Server cannot be evaluated (not ALLOW)',
    objects: apiOnly,
    request: dataReq(),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
  },
  {
    name: 'Linkerd HTTPRoute: a RegularExpression path is implementation-specific (cannot evaluate)',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-re', [
        { path: { type: 'RegularExpression', value: '/api/.*' } },
      ]),
    ],
    request: dataReq(get('/api/x')),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Linkerd HTTPRoute: query parameters are matched from the request path',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-q', [
        { ...prefix('/api'), queryParams: [{ name: 'v', value: '2' }] },
      ]),
    ],
    request: dataReq(get('/api/items?v=2')),
    decision: 'ALLOW',
  },
  {
    name: "Linkerd HTTPRoute: a request without the route's query parameter gets 404",
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-q', [
        { ...prefix('/api'), queryParams: [{ name: 'v', value: '2' }] },
      ]),
    ],
    request: dataReq(get('/api/items')),
    decision: 'DENY',
    message: /404/,
  },
  {
    name: 'Linkerd HTTPRoute: hostnames need the request host (cannot evaluate without it)',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-host', [prefix('/')], undefined, {
        hostnames: ['b.data.svc.cluster.local'],
      }),
    ],
    request: dataReq(get('/x')),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Linkerd HTTPRoute: a matching request host selects the route',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-host', [prefix('/')], undefined, {
        hostnames: ['*.data.svc.cluster.local'],
      }),
    ],
    request: dataReq({ ...get('/x'), host: 'b.data.svc.cluster.local:8080' }),
    decision: 'ALLOW',
  },
  {
    name: "Linkerd HTTPRoute precedence: Exact beats PathPrefix (the Exact route's policy applies)",
    objects: adminExact,
    request: dataReq(get('/api/admin')),
    decision: 'ALLOW',
    policy: 'b-admin-a',
  },
  {
    name: "Linkerd HTTPRoute precedence: the less specific route's policy does not apply to the Exact route's requests",
    objects: adminExact,
    request: fromC(get('/api/admin')),
    decision: 'DENY',
    layer: 'authorization',
    message: /HTTPRoute data\/b-admin/,
  },
  {
    name: 'Linkerd HTTPRoute precedence: other paths go to the PathPrefix route',
    objects: adminExact,
    request: dataReq(get('/api/other')),
    decision: 'DENY',
    layer: 'authorization',
    message: /HTTPRoute data\/b-api/,
  },
  {
    name: 'Linkerd HTTPRoute precedence: the longer PathPrefix wins',
    objects: longerPrefix,
    request: dataReq(get('/api/v2/items')),
    decision: 'ALLOW',
    policy: 'b-v2-a',
  },
  {
    name: "Linkerd HTTPRoute precedence: the shorter PathPrefix's policy does not apply under the longer one",
    objects: longerPrefix,
    request: fromC(get('/api/v2/items')),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Linkerd HTTPRoute precedence: the shorter PathPrefix serves the rest',
    objects: longerPrefix,
    request: fromC(get('/api/v1/items')),
    decision: 'ALLOW',
    policy: 'b-api-c',
  },
  {
    name: 'Linkerd HTTPRoute precedence: equally specific routes tie, the oldest serves',
    objects: tie(JAN, FEB),
    request: dataReq(get('/api/x')),
    decision: 'ALLOW',
    policy: 'b-old-a',
  },
  {
    name: "Linkerd HTTPRoute precedence: the newer tied route's policy does not apply",
    objects: tie(JAN, FEB),
    request: fromC(get('/api/x')),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Linkerd HTTPRoute precedence: a tie without creation timestamps cannot be decided',
    objects: tie(),
    request: dataReq(get('/api/x')),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /undecided/,
  },
  {
    // Gateway API: Exact beats PathPrefix; linkerd2-proxy compares matched characters only.
    name: 'Linkerd HTTPRoute precedence: Exact vs PathPrefix of the same length (documented and proxy orders differ) cannot be decided',
    objects: [
      ...routed,
      route('b-prefix', [prefix('/api')], JAN),
      onRoute('b-prefix-c', 'b-prefix', cRef),
      route('b-exact', [exact('/api')], FEB),
      onRoute('b-exact-a', 'b-exact', mtlsRef),
    ],
    request: dataReq(get('/api')),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    // Gateway API: a method match beats header matches; linkerd2-proxy compares headers first.
    name: 'Linkerd HTTPRoute precedence: a method match vs a header match (documented and proxy orders differ) cannot be decided',
    objects: [
      ...routed,
      route('b-method', [exact('/x', 'GET')], JAN),
      onRoute('b-method-a', 'b-method', mtlsRef),
      route(
        'b-header',
        [{ ...exact('/x'), headers: [{ name: 'x-canary', value: '1' }] }],
        FEB,
      ),
      onRoute('b-header-c', 'b-header', cRef),
    ],
    request: dataReq({ ...get('/x'), headers: { 'x-canary': '1' } }),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Linkerd HTTPRoute: every route a request may take allows it (decided despite the missing path)',
    objects: [
      ...routed,
      policyOn('b-callers', [mtlsRef]),
      route('b-all', [prefix('/')]),
      route('b-api', [prefix('/api', 'GET')]),
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
        proxyProtocol: 'HTTP/1',
      }),
    ].filter(o => o !== server),
    request: dataReq(),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    name: 'Linkerd HTTPRoute: a protocol-detecting Server serves non-HTTP connections with Server-level authorizations only',
    objects: [
      ...routed,
      route('b-all', [prefix('/')]),
      onRoute('b-all-a', 'b-all', mtlsRef),
    ],
    request: dataReq(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Linkerd Server proxyProtocol opaque: no HTTP routing, no 404 (Server-level authorizations apply)',
    objects: [
      ...ldata,
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
        proxyProtocol: 'opaque',
      }),
      callersA,
      policyOn('b-callers', [mtlsRef]),
      route('b-api', [prefix('/api', 'GET')]),
    ],
    request: dataReq(get('/health')),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    // Linkerd "Protocol detection": ports in the default opaque list (proxy.opaquePorts,
    // 25,587,3306,4444,5432,6379,9300,11211) are opaque without any annotation.
    name: 'Linkerd Server: on a default opaque port (5432) no HTTP routing, Server-level authorizations apply',
    objects: routedDatabase(),
    request: dataReq({ port: 5432, ...get('/health') }),
    decision: 'ALLOW',
    policy: 'b-callers',
  },
  {
    // An opaque-ports annotation replaces the default list (the proxy injector's override).
    name: 'Linkerd Server: an opaque-ports annotation replaces the default list, so 5432 is routed again',
    objects: routedDatabase({ 'config.linkerd.io/opaque-ports': '4000-4100' }),
    request: dataReq({ port: 5432, ...get('/health') }),
    decision: 'DENY',
  },
  {
    name: 'Linkerd cross-mesh: an Istio client arrives as plaintext (no Linkerd identity)',
    objects: [
      ...ldata,
      server,
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      meshTlsAuthentication('data', 'callers', { identities: ['*'] }),
      policyOn('b-callers', [mtlsRef]),
    ],
    request: dataReq({ from: { namespace: 'shop', name: 'a' } }),
    decision: 'DENY',
  },
];
