import {
  Obj,
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  service,
} from '../k8s';
import { toB, sel, ap, fromSa, legacy, fromLegacy } from './accessFixtures';
import type { AccessCase } from './accessCase';

/*
 * Istio AuthorizationPolicy access rules (cases/access.ts).
 */

/**
 * `b` receiving on 5432, which its Service declares with `port` (by default a port named
 * `tcp-postgres`): a sidecar receives that port's traffic as TCP.
 */
const tcpPair = (
  port: { name?: string; appProtocol?: string } = { name: 'tcp-postgres' },
): Obj[] => [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports: [5432] }),
  service('shop', 'b', { app: 'b' }, [{ port: 5432, ...port }]),
];
const getFromA = ap('get-from-a', {
  rules: [{ ...fromSa('a')[0], to: [{ operation: { methods: ['GET'] } }] }],
});

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
  // "Authorization Policy for TCP" (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/):
  // on TCP traffic an ALLOW rule with HTTP-only fields is ignored, a DENY rule applies without
  // them; a port's protocol is what its Service declares (explicit protocol selection).
  {
    name: 'Authorization policy for TCP: on a port named tcp-*, an ALLOW rule with HTTP fields does not apply',
    objects: [...tcpPair(), getFromA],
    request: toB({ port: 5432, method: 'GET', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'get-from-a',
    message:
      /port 5432 is declared tcp.*ALLOW rules with HTTP fields do not apply/,
  },
  {
    name: 'Authorization policy for TCP: on a port of appProtocol mysql, an ALLOW rule with HTTP fields does not apply',
    objects: [...tcpPair({ name: 'db', appProtocol: 'mysql' }), getFromA],
    request: toB({ port: 5432, method: 'GET', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
  },
  {
    name: 'Authorization policy for TCP: a DENY rule with HTTP fields applies without them',
    objects: [
      ...tcpPair(),
      ap('deny-get', {
        action: 'DENY',
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    request: toB({ port: 5432, method: 'POST', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'deny-get',
  },
  {
    name: 'Authorization policy for TCP: an ALLOW rule without HTTP fields applies as on any port',
    objects: [...tcpPair(), ap('allow-a', { rules: fromSa('a') })],
    request: toB({ port: 5432 }),
    decision: 'ALLOW',
    policy: 'allow-a',
  },
  {
    name: 'Authorization policy for TCP: on a port no Service declares, the sidecar detects HTTP, and HTTP rules apply',
    objects: [
      ...istioPair('shop', { ports: [8080, 9000] }),
      ap('get-from-a', {
        rules: [
          {
            ...fromSa('a')[0],
            to: [{ operation: { ports: ['9000'], methods: ['GET'] } }],
          },
        ],
      }),
    ],
    request: toB({ port: 9000, method: 'GET', path: '/' }),
    decision: 'ALLOW',
    policy: 'get-from-a',
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
