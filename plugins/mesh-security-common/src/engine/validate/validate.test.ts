import { durationMs } from './check';
import {
  validateAuthorizationPolicy,
  validateDestinationRule,
  validatePeerAuthentication,
} from './istio';
import {
  validateHttpRoute,
  validateLinkerdAuthorizationPolicy,
  validateMeshTlsAuthentication,
  validateNetworkAuthentication,
  validateNetworkPolicy,
  validateServer,
  validateServerAuthorization,
} from './linkerd';

/*
 * The reader's structural checks, mirroring the CRD schemas and their CEL rules
 * (x-kubernetes-validations) and the NetworkPolicy API. Each row: a spec and the problem expected
 * (or none).
 */
const MTLS_REF = {
  group: 'policy.linkerd.io',
  kind: 'MeshTLSAuthentication',
  name: 'm',
};
const NET_REF = {
  group: 'policy.linkerd.io',
  kind: 'NetworkAuthentication',
  name: 'n',
};
const SA_REF = { kind: 'ServiceAccount', name: 'sa' };
/** A Linkerd AuthorizationPolicy spec on Server `s` requiring the references. */
const onServer = (...requiredAuthenticationRefs: object[]) => ({
  targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 's' },
  requiredAuthenticationRefs,
});

const CASES: Array<
  [string, (spec: unknown) => string[], unknown, RegExp | null]
> = [
  [
    'PeerAuthentication: empty spec is valid (UNSET)',
    validatePeerAuthentication,
    undefined,
    null,
  ],
  [
    'PeerAuthentication CEL: wildcard in a selector label value',
    validatePeerAuthentication,
    { selector: { matchLabels: { app: 'a*' } } },
    /wildcard not allowed in label value/,
  ],
  [
    'PeerAuthentication CEL: empty label key',
    validatePeerAuthentication,
    { selector: { matchLabels: { '': 'x' } } },
    /key must not be empty/,
  ],
  [
    'PeerAuthentication: portLevelMtls mode enum',
    validatePeerAuthentication,
    {
      selector: { matchLabels: { a: 'b' } },
      portLevelMtls: { '80': { mode: 'ON' } },
    },
    /Unsupported value/,
  ],
  [
    'AuthorizationPolicy CEL: selector with targetRefs',
    validateAuthorizationPolicy,
    {
      selector: { matchLabels: { a: 'b' } },
      targetRefs: [{ kind: 'Service', name: 's' }],
    },
    /only one of targetRefs or selector/,
  ],
  [
    'AuthorizationPolicy CEL: cross-namespace targetRef',
    validateAuthorizationPolicy,
    { targetRef: { kind: 'Service', name: 's', namespace: 'other' } },
    /cross namespace/,
  ],
  [
    'AuthorizationPolicy: action enum',
    validateAuthorizationPolicy,
    { action: 'MAYBE' },
    /Unsupported value/,
  ],
  [
    'AuthorizationPolicy: when key required',
    validateAuthorizationPolicy,
    { rules: [{ when: [{ values: ['x'] }] }] },
    /key: Required value/,
  ],
  [
    'AuthorizationPolicy: serviceAccounts at most 16',
    validateAuthorizationPolicy,
    {
      rules: [
        {
          from: [
            {
              source: {
                serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa${i}`),
              },
            },
          ],
        },
      ],
    },
    /at most 16/,
  ],
  [
    'DestinationRule: host required',
    validateDestinationRule,
    { trafficPolicy: {} },
    /spec.host: Required value/,
  ],
  [
    'DestinationRule: tls mode enum',
    validateDestinationRule,
    { host: 'a', trafficPolicy: { tls: { mode: 'PLAIN' } } },
    /Unsupported value/,
  ],
  [
    'DestinationRule CEL: warmup duration at least 1ms',
    validateDestinationRule,
    {
      host: 'a',
      trafficPolicy: { loadBalancer: { warmup: { duration: '0s' } } },
    },
    /greater than 1ms/,
  ],
  [
    'DestinationRule: subset trafficPolicy checked too',
    validateDestinationRule,
    {
      host: 'a',
      subsets: [{ name: 'v1', trafficPolicy: { tls: { mode: 'NOPE' } } }],
    },
    /subsets\[0\]\.trafficPolicy\.tls\.mode/,
  ],
  [
    'Server: port required',
    validateServer,
    { podSelector: {} },
    /spec.port: Required value/,
  ],
  [
    'Server: exactly one selector',
    validateServer,
    { port: 80 },
    /exactly one of podSelector/,
  ],
  [
    'Server: a named port is valid',
    validateServer,
    { port: 'http', podSelector: { matchLabels: { app: 'a' } } },
    null,
  ],
  [
    'ServerAuthorization: client required',
    validateServerAuthorization,
    { server: { name: 's' } },
    /spec.client: Required value/,
  ],
  [
    'Linkerd AuthorizationPolicy: requiredAuthenticationRefs required',
    validateLinkerdAuthorizationPolicy,
    { targetRef: { kind: 'Server', name: 's' } },
    /requiredAuthenticationRefs: Required value/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: two MeshTLSAuthentications',
    validateLinkerdAuthorizationPolicy,
    onServer(MTLS_REF, { ...MTLS_REF, name: 'm2' }),
    /only a single MeshTLSAuthentication may be set \(Linkerd's admission refuses the object\)/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: two ServiceAccounts',
    validateLinkerdAuthorizationPolicy,
    onServer(SA_REF, SA_REF),
    /only a single ServiceAccount may be set/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: a MeshTLSAuthentication beside a ServiceAccount',
    validateLinkerdAuthorizationPolicy,
    onServer(MTLS_REF, SA_REF),
    /may not be set together/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: two NetworkAuthentications',
    validateLinkerdAuthorizationPolicy,
    onServer(NET_REF, NET_REF),
    /only a single NetworkAuthentication/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: a MeshTLSAuthentication without its group',
    validateLinkerdAuthorizationPolicy,
    onServer({ kind: 'MeshTLSAuthentication', name: 'm' }),
    /unsupported authentication kind\(s\): MeshTLSAuthentication /,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: a Server target without its group',
    validateLinkerdAuthorizationPolicy,
    { ...onServer(MTLS_REF), targetRef: { kind: 'Server', name: 's' } },
    /spec.targetRef: unsupported authorization target type: Server \(without a group the reference names the core API group: set group: policy.linkerd.io\) \(Linkerd's admission refuses the object\)/,
  ],
  [
    'Linkerd AuthorizationPolicy, admission: a target of another kind',
    validateLinkerdAuthorizationPolicy,
    {
      ...onServer(MTLS_REF),
      targetRef: { group: 'apps', kind: 'Deployment', name: 'd' },
    },
    /unsupported authorization target type: Deployment.apps \(Linkerd/,
  ],
  ...[
    { kind: 'Namespace', name: 'ns' },
    { group: '', kind: 'Namespace', name: 'ns' },
    { group: 'policy.linkerd.io', kind: 'server', name: 's' },
    { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'r' },
    { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' },
    { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'r' },
  ].map((targetRef): [string, (spec: unknown) => string[], unknown, null] => [
    `Linkerd AuthorizationPolicy, admission: targets ${
      targetRef.group ?? '(no group)'
    } ${targetRef.kind}`,
    validateLinkerdAuthorizationPolicy,
    { ...onServer(MTLS_REF), targetRef },
    null,
  ]),
  [
    'Linkerd AuthorizationPolicy, admission: one of each accepted kind',
    validateLinkerdAuthorizationPolicy,
    onServer(MTLS_REF, NET_REF),
    null,
  ],
  [
    'MeshTLSAuthentication, admission: identities in SPIFFE or DNS form',
    validateMeshTlsAuthentication,
    {
      identities: [
        'Web.A.serviceaccount.identity.linkerd.cluster.local',
        'spiffe://td/a//b',
      ],
    },
    /identities\[0\]: id .* is invalid: must be a valid SPIFFE id or a DNS SAN.*identities\[1\]: .*empty segments/,
  ],
  [
    'MeshTLSAuthentication, admission: identityRefs of a ServiceAccount or Namespace only',
    validateMeshTlsAuthentication,
    {
      identityRefs: [
        { kind: 'Namespace', name: 'b', namespace: 'x' },
        { kind: 'Pod', name: 'p' },
      ],
    },
    /identityRefs\[0\]: Namespace identity_ref is cluster-scoped.*identityRefs\[1\]: invalid identity target kind: Pod/,
  ],
  [
    'MeshTLSAuthentication, admission: what it accepts',
    validateMeshTlsAuthentication,
    {
      identities: [
        '*',
        '*.b.serviceaccount.identity.linkerd.cluster.local',
        'spiffe://root.linkerd.cluster.local/ns/b/sa/cli',
      ],
    },
    null,
  ],
  [
    'MeshTLSAuthentication: identities xor identityRefs',
    validateMeshTlsAuthentication,
    { identities: ['*'], identityRefs: [{ kind: 'Namespace' }] },
    /exactly one of identities or identityRefs/,
  ],
  [
    'MeshTLSAuthentication: at least one identity',
    validateMeshTlsAuthentication,
    { identities: [] },
    /at least 1 items/,
  ],
  [
    'NetworkAuthentication: CIDR syntax',
    validateNetworkAuthentication,
    { networks: [{ cidr: '10.0.0.0/33' }] },
    /not a valid CIDR/,
  ],
  [
    'HTTPRoute: parentRefs need kind and name',
    validateHttpRoute,
    { parentRefs: [{ kind: 'Server' }] },
    /parentRefs\[0\]\.name: Required value/,
  ],
  [
    'HTTPRoute: path type enum',
    validateHttpRoute,
    { rules: [{ matches: [{ path: { type: 'Suffix', value: '.json' } }] }] },
    /rules\[0\]\.matches\[0\]\.path\.type: Unsupported value/,
  ],
  [
    'HTTPRoute: header matches need a name and a value',
    validateHttpRoute,
    { rules: [{ matches: [{ headers: [{ name: 'x-canary' }] }] }] },
    /headers\[0\]\.value: Required value/,
  ],
  [
    'HTTPRoute: a valid route',
    validateHttpRoute,
    {
      parentRefs: [{ kind: 'Server', name: 's' }],
      hostnames: ['*.example.com'],
      rules: [
        {
          matches: [
            {
              path: { value: '/api/' },
              method: 'GET',
              queryParams: [{ name: 'v', value: '2', type: 'Exact' }],
            },
          ],
        },
        {},
      ],
    },
    null,
  ],
  [
    'AuthorizationPolicy, Istio webhook: an empty operation (read as written: every operation)',
    validateAuthorizationPolicy,
    { rules: [{ to: [{ operation: {} }] }] },
    /spec\.rules\[0\]\.to\[0\]\.operation: must not be empty \(Istio's validation refuses the policy\)/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: an empty source',
    validateAuthorizationPolicy,
    { rules: [{ from: [{ source: {} }] }] },
    /from\[0\]\.source: must not be empty/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: empty from and to lists',
    validateAuthorizationPolicy,
    { rules: [{ from: [], to: [] }] },
    /from: must not be an empty list.*to: must not be an empty list/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: a port that is no number',
    validateAuthorizationPolicy,
    {
      rules: [
        { to: [{ operation: { ports: ['http'], notPorts: ['70000'] } }] },
      ],
    },
    /ports: bad port \(http\).*notPorts: bad port \(70000\)/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: an empty value in a list',
    validateAuthorizationPolicy,
    { rules: [{ from: [{ source: { principals: [''] } }] }] },
    /principals: must not contain an empty value/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: a bad IP block',
    validateAuthorizationPolicy,
    { rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] },
    /bad IP address or CIDR \(10\.0\.0\.0\/33\)/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: a condition without values',
    validateAuthorizationPolicy,
    { rules: [{ when: [{ key: 'request.headers[x]' }] }] },
    /at least one of `values` or `notValues` must be set/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: a provider without CUSTOM',
    validateAuthorizationPolicy,
    { action: 'DENY', provider: { name: 'ext' }, rules: [{}] },
    /spec\.provider: must not be set with action DENY/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: CUSTOM with identities',
    validateAuthorizationPolicy,
    {
      action: 'CUSTOM',
      provider: { name: 'ext' },
      rules: [{ from: [{ source: { principals: ['a'] } }] }],
    },
    /principals: is not supported with CUSTOM action/,
  ],
  [
    'AuthorizationPolicy, Istio webhook: what it accepts',
    validateAuthorizationPolicy,
    {
      rules: [
        {},
        { from: [{ source: { serviceAccounts: ['shop/a'] } }] },
        { to: [{ operation: { ports: ['0', '65535'], notPaths: ['/x'] } }] },
        { when: [{ key: 'source.ip', notValues: ['10.0.0.1'] }] },
      ],
    },
    null,
  ],
  [
    'AuthorizationPolicy, Istio webhook: DENY without rules (no effect either way: MS2xx)',
    validateAuthorizationPolicy,
    { action: 'DENY' },
    null,
  ],
  [
    'NetworkPolicy: podSelector required',
    validateNetworkPolicy,
    { ingress: [] },
    /spec.podSelector: Required value/,
  ],
  [
    'NetworkPolicy: policyTypes enum',
    validateNetworkPolicy,
    { podSelector: {}, policyTypes: ['Sideways'] },
    /Unsupported value/,
  ],
  [
    'NetworkPolicy: ipBlock not combined with selectors',
    validateNetworkPolicy,
    {
      podSelector: {},
      ingress: [
        { from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] },
      ],
    },
    /may not be combined/,
  ],
  [
    'NetworkPolicy: endPort needs a numeric port not above it',
    validateNetworkPolicy,
    { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 8000 }] }] },
    /endPort/,
  ],
  [
    'NetworkPolicy: a string port is a port name, so "8080" is refused',
    validateNetworkPolicy,
    { podSelector: {}, ingress: [{ ports: [{ port: '8080' }] }] },
    /ports\[0\]\.port: Invalid value: "8080": must contain at least one letter \(a-z\)/,
  ],
  [
    'NetworkPolicy: port names as Kubernetes validates them',
    validateNetworkPolicy,
    {
      podSelector: {},
      ingress: [
        {
          ports: [
            { port: 'Http' },
            { port: 'a--b' },
            { port: '-web' },
            { port: 'a-very-long-port-name' },
          ],
        },
      ],
    },
    /ports\[0\]\.port: .*alpha-numeric.*ports\[1\]\.port: .*consecutive.*ports\[2\]\.port: .*hyphen.*ports\[3\]\.port: .*1 to 15/,
  ],
  [
    'NetworkPolicy: protocol enum (case matters)',
    validateNetworkPolicy,
    { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'tcp' }] }] },
    /ports\[0\]\.protocol: Unsupported value: "tcp"/,
  ],
  [
    'NetworkPolicy: endPort at most 65535',
    validateNetworkPolicy,
    { podSelector: {}, egress: [{ ports: [{ port: 80, endPort: 70000 }] }] },
    /endPort/,
  ],
  [
    'NetworkPolicy: In needs values, Exists takes none (ValidateLabelSelector)',
    validateNetworkPolicy,
    {
      podSelector: {
        matchExpressions: [
          { key: 'app', operator: 'In', values: [] },
          { key: 'tier', operator: 'Exists', values: ['web'] },
        ],
      },
    },
    /matchExpressions\[0\]\.values: must be specified.*matchExpressions\[1\]\.values: may not be specified/,
  ],
  [
    'NetworkPolicy: label keys and values as Kubernetes validates them',
    validateNetworkPolicy,
    {
      podSelector: { matchLabels: { '-app': 'web', tier: 'a b' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  { key: 'Team.Example/x', operator: 'In', values: ['y'] },
                ],
              },
            },
          ],
        },
      ],
    },
    /"-app": name part.*"a b": must be at most 63.*"Team.Example\/x": prefix part/,
  ],
  [
    'NetworkPolicy: a valid policy',
    validateNetworkPolicy,
    {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'a', tier: '' },
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['a'] },
          { key: 'example.com/canary', operator: 'DoesNotExist' },
        ],
      },
      ingress: [
        {
          from: [{ namespaceSelector: {} }],
          ports: [
            { port: 'http' },
            { port: 'grpc-2', protocol: 'TCP' },
            { port: 53, protocol: 'UDP' },
            { port: 8000, endPort: 65535, protocol: 'SCTP' },
          ],
        },
      ],
    },
    null,
  ],
];

describe('structural validation (CRD schemas and CEL rules)', () => {
  it.each(
    CASES.map(
      ([name, fn, spec, expected]) => [name, fn, spec, expected] as const,
    ),
  )('%s', (_n, fn, spec, expected) => {
    const problems = fn(spec).join('; ');
    expect(problems).toMatch(expected ?? /^$/);
  });

  it.each([
    ['300s', 300000],
    ['1m30s', 90000],
    ['10ms', 10],
    ['1.5h', 5400000],
    ['abc', undefined],
    ['', undefined],
  ] as const)('durationMs(%s)', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });
});
