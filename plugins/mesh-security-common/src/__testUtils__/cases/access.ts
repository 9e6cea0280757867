import { AccessRequest } from '../../model';
import { EngineOptions } from '../../engine/core/options';
import {
  Obj,
  authorizationPolicy,
  deployment,
  destinationRule,
  httpRoute,
  istioPair,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkAuthentication,
  networkPolicy,
  peerAuthentication,
  serverAuthorization,
  service,
} from '../k8s';
import { ADMIN_NETPOL_CASES } from './adminNetworkPolicy';
import { CILIUM_NETPOL_CASES } from './ciliumNetworkPolicy';
import { SERVICE_REGISTRY_CASES } from './serviceEntry';
import { WAYPOINT_CASES } from './waypoint';

/** One documented access rule: objects and a request in, a decision (and deciding layer) out. */
export interface AccessCase {
  name: string;
  objects: Obj[];
  options?: EngineOptions;
  request: Partial<AccessRequest>;
  decision: 'ALLOW' | 'DENY';
  /** The layer that denies (DENY cases) or names the allowing policy. */
  layer?: 'mtls' | 'authorization' | 'network-policy';
  policy?: string;
  cannotEvaluate?: boolean;
  /** A phrase the reason of the deciding layer must contain. */
  message?: RegExp;
}

const toB = (over: Partial<AccessRequest> = {}): Partial<AccessRequest> => ({
  from: { namespace: 'shop', name: 'a' },
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
  ...over,
});
const sel = { matchLabels: { app: 'b' } };
const strictNs = peerAuthentication('shop', 'default', {
  mtls: { mode: 'STRICT' },
});
const ap = (name: string, spec: Obj) => authorizationPolicy('shop', name, spec);
const fromSa = (sa: string) => [
  { from: [{ source: { principals: [`cluster.local/ns/shop/sa/${sa}`] } }] },
];
const legacy = [namespace('legacy'), deployment('legacy', 'old')];
const fromLegacy = { namespace: 'legacy', name: 'old' };

export const ISTIO_AUTHZ_CASES: AccessCase[] = [
  {
    name: 'Authorization policy: no policy applies, the request is allowed',
    objects: istioPair(),
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Authorization policy: ALLOW policy without rules denies every request (deny-all)',
    objects: [...istioPair(), ap('deny-all', {})],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'deny-all',
  },
  {
    name: 'Authorization policy: ALLOW rule {} allows every request',
    objects: [...istioPair(), ap('allow-all', { rules: [{}] })],
    request: { ...toB(), from: { kind: 'external' } },
    decision: 'ALLOW',
    layer: 'authorization',
    policy: 'allow-all',
  },
  {
    name: 'Authorization policy precedence: DENY is evaluated before ALLOW',
    objects: [
      ...istioPair(),
      ap('allow-all', { rules: [{}] }),
      ap('deny-a', { action: 'DENY', rules: fromSa('a') }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'deny-a',
  },
  {
    name: 'Authorization policy precedence: AUDIT never decides',
    objects: [...istioPair(), ap('audit', { action: 'AUDIT', rules: [{}] })],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Authorization policy precedence: CUSTOM first; its external decision cannot be evaluated',
    objects: [
      ...istioPair(),
      ap('ext', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
  },
  {
    name: 'Source principals: the caller principal matches (exact)',
    objects: [
      ...istioPair(),
      ap('allow-a', { selector: sel, rules: fromSa('a') }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'allow-a',
  },
  {
    name: 'Source principals: another principal does not match',
    objects: [
      ...istioPair(),
      ap('allow-c', { selector: sel, rules: fromSa('c') }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Source principals: prefix match',
    objects: [
      ...istioPair(),
      ap('allow-prefix', {
        selector: sel,
        rules: [
          { from: [{ source: { principals: ['cluster.local/ns/shop/*'] } }] },
        ],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Source principals: suffix match',
    objects: [
      ...istioPair(),
      ap('allow-suffix', {
        selector: sel,
        rules: [{ from: [{ source: { principals: ['*/sa/a'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Source notPrincipals: excludes the caller',
    objects: [
      ...istioPair(),
      ap('not-a', {
        selector: sel,
        rules: [
          {
            from: [
              { source: { notPrincipals: ['cluster.local/ns/shop/sa/a'] } },
            ],
          },
        ],
      }),
    ],
    request: toB(),
    decision: 'DENY',
  },
  {
    name: 'Source namespaces: the caller namespace from its identity',
    objects: [
      ...istioPair(),
      ap('same-ns', {
        rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Source notNamespaces: excluded namespace',
    objects: [
      ...istioPair(),
      ap('not-shop', {
        action: 'DENY',
        rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Source serviceAccounts: `sa` is relative to the policy namespace',
    objects: [
      ...istioPair(),
      ap('sa', { rules: [{ from: [{ source: { serviceAccounts: ['a'] } }] }] }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Source serviceAccounts: `ns/sa` form',
    objects: [
      ...istioPair(),
      ap('sa', {
        rules: [{ from: [{ source: { serviceAccounts: ['other/a'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
  },
  {
    name: 'Authenticated identity: a plaintext caller has no principal (PERMISSIVE server)',
    objects: [
      ...istioPair(),
      ...legacy,
      ap('allow-any-principal', {
        rules: [{ from: [{ source: { principals: ['*'] } }] }],
      }),
    ],
    request: toB({ from: fromLegacy }),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Authenticated identity: notPrincipals ["*"] matches plaintext callers (DENY)',
    objects: [
      ...istioPair(),
      ...legacy,
      ap('deny-plaintext', {
        action: 'DENY',
        rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }],
      }),
    ],
    request: toB({ from: fromLegacy }),
    decision: 'DENY',
    policy: 'deny-plaintext',
  },
  {
    name: 'Authenticated identity: notPrincipals ["*"] does not match mTLS callers',
    objects: [
      ...istioPair(),
      ap('deny-plaintext', {
        action: 'DENY',
        rules: [{ from: [{ source: { notPrincipals: ['*'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Operation methods: matching method',
    objects: [
      ...istioPair(),
      ap('get', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
    ],
    request: toB({ method: 'GET' }),
    decision: 'ALLOW',
  },
  {
    name: 'Operation methods: other method',
    objects: [
      ...istioPair(),
      ap('get', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
    ],
    request: toB({ method: 'POST' }),
    decision: 'DENY',
  },
  {
    name: 'Operation methods: a request without method cannot be evaluated (conservative DENY)',
    objects: [
      ...istioPair(),
      ap('get', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Operation paths: prefix match',
    objects: [
      ...istioPair(),
      ap('api', { rules: [{ to: [{ operation: { paths: ['/api/*'] } }] }] }),
    ],
    request: toB({ path: '/api/v1', method: 'GET' }),
    decision: 'ALLOW',
  },
  {
    name: 'Operation paths: template {*} matches one segment',
    objects: [
      ...istioPair(),
      ap('tpl', {
        rules: [{ to: [{ operation: { paths: ['/items/{*}'] } }] }],
      }),
    ],
    request: toB({ path: '/items/a/b', method: 'GET' }),
    decision: 'DENY',
  },
  {
    name: 'Operation notPaths: excluded path',
    objects: [
      ...istioPair(),
      ap('not-admin', {
        rules: [{ to: [{ operation: { notPaths: ['/admin*'] } }] }],
      }),
    ],
    request: toB({ path: '/admin/x', method: 'GET' }),
    decision: 'DENY',
  },
  {
    name: 'Operation ports: the target port',
    objects: [
      ...istioPair(),
      ap('port', { rules: [{ to: [{ operation: { ports: ['9090'] } }] }] }),
    ],
    request: toB(),
    decision: 'DENY',
  },
  {
    name: 'Condition: destination.port is evaluated',
    objects: [
      ...istioPair(),
      ap('cond', {
        rules: [{ when: [{ key: 'destination.port', values: ['8080'] }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Condition: request.headers cannot be evaluated (conservative)',
    objects: [
      ...istioPair(),
      ap('hdr', {
        rules: [{ when: [{ key: 'request.headers[x-token]', values: ['t'] }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Condition: request.headers is evaluated when the request carries headers',
    objects: [
      ...istioPair(),
      ap('hdr', {
        rules: [
          { when: [{ key: 'request.headers[x-token]', values: ['t*'] }] },
        ],
      }),
    ],
    request: toB({ method: 'GET', path: '/', headers: { 'X-Token': 'tok' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Condition: a header the request lacks does not match',
    objects: [
      ...istioPair(),
      ap('hdr', {
        rules: [
          { when: [{ key: 'request.headers[x-token]', values: ['t*'] }] },
        ],
      }),
    ],
    request: toB({ method: 'GET', path: '/', headers: {} }),
    decision: 'DENY',
  },
  {
    name: 'Condition: an unknown when key in a DENY rule is treated as matching',
    objects: [
      ...istioPair(),
      ap('deny-hdr', {
        action: 'DENY',
        rules: [{ when: [{ key: 'request.headers[x-evil]', values: ['1'] }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Source ipBlocks: the caller address is unknown (cannot evaluate)',
    objects: [
      ...istioPair(),
      ap('ip', {
        rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Source ipBlocks: evaluated with a given source address',
    objects: [
      ...istioPair(),
      ap('ip', {
        rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }],
      }),
    ],
    request: toB({ sourceIp: '10.1.2.3' }),
    decision: 'ALLOW',
  },
  {
    name: 'Policy scope: a root-namespace policy applies mesh-wide',
    objects: [
      ...istioPair(),
      authorizationPolicy('istio-system', 'global-deny-all', {}),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'global-deny-all',
  },
  {
    name: 'Policy scope: a policy in another namespace does not apply',
    objects: [
      ...istioPair(),
      namespace('other'),
      authorizationPolicy('other', 'deny-all', {}),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Policy scope: the selector narrows to matching workloads',
    objects: [
      ...istioPair(),
      ap('deny-all-c', { selector: { matchLabels: { app: 'c' } } }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Ambient L4 policy: ztunnel ignores ALLOW rules with HTTP attributes',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      ap('http', {
        selector: sel,
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    request: toB({ method: 'GET', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
  },
];

export const MTLS_ACCESS_CASES: AccessCase[] = [
  {
    name: 'PeerAuthentication STRICT: a plaintext client (external) is rejected',
    objects: [...istioPair(), strictNs],
    request: toB({ from: { kind: 'external' } }),
    decision: 'DENY',
    layer: 'mtls',
  },
  {
    name: 'PeerAuthentication STRICT: a client without proxy is rejected',
    objects: [...istioPair(), ...legacy, strictNs],
    request: toB({ from: fromLegacy }),
    decision: 'DENY',
    layer: 'mtls',
  },
  {
    name: 'Auto mutual TLS: a meshed client sends mTLS to a STRICT server',
    objects: [...istioPair(), strictNs],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'ClientTLSSettings: DestinationRule DISABLE against STRICT fails',
    objects: [
      ...istioPair(),
      strictNs,
      destinationRule('shop', 'b-plain', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'b-plain',
  },
  {
    name: 'ClientTLSSettings: a short host is resolved in the rule namespace',
    objects: [
      ...istioPair(),
      strictNs,
      destinationRule('shop', 'b-plain', {
        host: 'b',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
  },
  {
    name: 'ClientTLSSettings: SIMPLE TLS carries no mesh identity (STRICT rejects it)',
    objects: [
      ...istioPair(),
      strictNs,
      destinationRule('shop', 'b-tls', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'SIMPLE' } },
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
  },
  {
    name: 'ClientTLSSettings: portLevelSettings override for the service port',
    objects: [
      ...istioPair(),
      strictNs,
      destinationRule('shop', 'b', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: {
          tls: { mode: 'DISABLE' },
          portLevelSettings: [
            { port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } },
          ],
        },
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'ClientTLSSettings: DISABLE to a PERMISSIVE server means plaintext (no principal)',
    objects: [
      ...istioPair(),
      destinationRule('shop', 'b-plain', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
      ap('allow-a', { selector: sel, rules: fromSa('a') }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'ClientTLSSettings: ISTIO_MUTUAL towards a workload without proxy fails',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      namespace('plain'),
      deployment('shop', 'a'),
      deployment('plain', 'b'),
      service('plain', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
      destinationRule('shop', 'b-mtls', {
        host: 'b.plain.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
    ],
    request: {
      from: { namespace: 'shop', name: 'a' },
      to: { namespace: 'plain', name: 'b' },
      port: 8080,
    },
    decision: 'DENY',
    layer: 'mtls',
  },
  {
    name: 'Traffic interception: an excluded port bypasses mTLS and authorization',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' },
      }),
      strictNs,
      ap('deny-all', {}),
    ],
    request: toB({ from: { kind: 'external' }, port: 9090 }),
    decision: 'ALLOW',
  },
  {
    name: 'Traffic capture: a UDP port is not captured, so STRICT does not reject a plaintext client on it',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      ...legacy,
      strictNs,
    ],
    request: toB({ from: fromLegacy, port: 53 }),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /port 53\/UDP is DISABLED \(UDP is not carried by the mesh proxy/,
  },
  {
    name: 'Traffic capture: 53/TCP stays STRICT beside 53/UDP',
    objects: [
      ...istioPair('shop', {
        ports: [
          { port: 53, name: 'dns-tcp', protocol: 'TCP' },
          { port: 53, name: 'dns', protocol: 'UDP' },
        ],
      }),
      ...legacy,
      strictNs,
    ],
    request: toB({ from: fromLegacy, port: 53 }),
    decision: 'DENY',
    layer: 'mtls',
    message: /port 53 is STRICT/,
  },
  {
    name: 'Traffic capture: an AuthorizationPolicy is not enforced on a UDP port the sidecar does not capture',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      ap('deny-all', {}),
    ],
    request: toB({ port: 53 }),
    decision: 'ALLOW',
    layer: 'authorization',
    message: /port 53\/UDP bypasses the proxy/,
  },
];

const np = (name: string, spec: Obj) => networkPolicy('shop', name, spec);
const plainPair = [
  namespace('shop'),
  namespace('other', { team: 'x' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports: [{ port: 8080, name: 'http' }, 9090] }),
  deployment('other', 'c'),
];

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

const dnsPair = (
  ports: Array<{ port: number; name?: string; protocol?: string }>,
) => [
  namespace('shop'),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports }),
];
const allowPort53 = (protocol: string) => ({
  podSelector: sel,
  ingress: [{ ports: [{ port: 53, protocol }] }],
});

export const NETPOL_CASES: AccessCase[] = [
  {
    name: 'Network Policies: pods are non-isolated without a selecting policy',
    objects: plainPair,
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: a policy with no ingress rules isolates (default deny)',
    objects: [
      ...plainPair,
      np('deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Network Policies: policyTypes default to Ingress',
    objects: [...plainPair, np('deny', { podSelector: {} })],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Network Policies: policies are additive',
    objects: [
      ...plainPair,
      np('deny', { podSelector: {} }),
      np('allow-a', {
        podSelector: sel,
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'allow-a',
  },
  {
    name: 'Network Policies: podSelector peers are in the policy namespace only',
    objects: [
      ...plainPair,
      np('allow-a', {
        podSelector: sel,
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: namespaceSelector with the implicit kubernetes.io/metadata.name label',
    objects: [
      ...plainPair,
      np('allow-other', {
        podSelector: sel,
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'other' },
                },
              },
            ],
          },
        ],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: namespaceSelector and podSelector together select pods of those namespaces',
    objects: [
      ...plainPair,
      np('allow', {
        podSelector: sel,
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: 'x' } },
                podSelector: { matchLabels: { app: 'other-app' } },
              },
            ],
          },
        ],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: named ports resolve against the destination pod',
    objects: [
      ...plainPair,
      np('http-only', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
    request: toB({ port: 9090 }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: endPort ranges',
    objects: [
      ...plainPair,
      np('range', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }],
      }),
    ],
    request: toB({ port: 9090 }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: ipBlock 0.0.0.0/0 allows external clients',
    objects: [
      ...plainPair,
      np('world', {
        podSelector: sel,
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      }),
    ],
    request: toB({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: ipBlock excludes pods whose address is unknown (cannot evaluate)',
    objects: [
      ...plainPair,
      np('cidr', {
        podSelector: sel,
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Ambient and NetworkPolicy: mesh traffic to an ambient pod arrives on the HBONE port 15008',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      np('app-port-only', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 8080 }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Ambient and NetworkPolicy: allowing port 15008 lets meshed clients in',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      np('hbone', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 15008 }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: the client egress must allow too',
    objects: [
      ...plainPair,
      np('a-egress', {
        podSelector: { matchLabels: { app: 'a' } },
        policyTypes: ['Egress'],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'a-egress',
  },
  {
    name: 'Network Policies: egress is implied by egress rules',
    objects: [
      ...plainPair,
      np('a-egress', {
        podSelector: { matchLabels: { app: 'a' } },
        egress: [
          {
            to: [{ podSelector: { matchLabels: { app: 'b' } } }],
            ports: [{ port: 8080 }],
          },
        ],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: a rule allowing 53/TCP does not allow the 53/UDP the pod exposes',
    objects: [
      ...dnsPair([{ port: 53, protocol: 'UDP' }]),
      np('dns', allowPort53('TCP')),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
    message: /no rule allows this peer on port 53\/UDP/,
  },
  {
    name: 'Network Policies: a rule allowing 53/UDP allows the 53/UDP the pod exposes',
    objects: [
      ...dnsPair([{ port: 53, protocol: 'UDP' }]),
      np('dns', allowPort53('UDP')),
    ],
    request: toB({ port: 53 }),
    decision: 'ALLOW',
    layer: 'network-policy',
    message: /allows ingress from\/to every peer on port 53\/UDP/,
  },
  {
    name: 'Network Policies: a rule allowing 53/UDP does not allow 53/TCP when the pod exposes both',
    objects: [
      ...dnsPair([
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
        { port: 53, name: 'dns', protocol: 'UDP' },
      ]),
      np('dns', allowPort53('UDP')),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
    message: /no rule allows this peer on port 53$/,
  },
  {
    name: 'Network Policies: a named port matches only the container port of its protocol',
    objects: [
      ...dnsPair([
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
        { port: 53, name: 'dns', protocol: 'UDP' },
      ]),
      np('dns', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }],
      }),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
  },
];

export const ALL_ACCESS_CASES = [
  ...ISTIO_AUTHZ_CASES,
  ...MTLS_ACCESS_CASES,
  ...LINKERD_CASES,
  ...NETPOL_CASES,
  ...ADMIN_NETPOL_CASES,
  ...CILIUM_NETPOL_CASES,
  ...SERVICE_REGISTRY_CASES,
  ...WAYPOINT_CASES,
];
