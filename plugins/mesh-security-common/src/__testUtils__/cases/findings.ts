import {
  Obj,
  authorizationPolicy,
  deployment,
  gatewayHttpRoute,
  destinationRule,
  externalSecret,
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
  serviceEntry,
  waypointGateway,
} from '../k8s';

/** The deployment with a `linkerd-proxy` container added to its pod template. */
function manuallyInjected(d: Obj): Obj {
  const template = (d.spec as Obj).template as Obj;
  const podSpec = template.spec as { containers: Obj[] };
  podSpec.containers.push({ name: 'linkerd-proxy', image: 'linkerd/proxy' });
  return d;
}

/**
 * A sidecar workload `b` with an HTTP port (8080) and a port its Service declares tcp (5432),
 * and a selector policy whose one rule has the operation `operation`.
 */
const httpAndTcpPorts = (operation: Obj): Obj[] => [
  namespace('shop', { 'istio-injection': 'enabled' }),
  deployment('shop', 'b', { ports: [8080, 5432] }),
  service('shop', 'b', { app: 'b' }, [
    { port: 80, targetPort: 8080, name: 'http' },
    { port: 5432, name: 'tcp-postgres' },
  ]),
  authorizationPolicy('shop', 'http', {
    selector: { matchLabels: { app: 'b' } },
    rules: [{ to: [{ operation }] }],
  }),
];

/** A configuration and the finding codes it must produce (among others). */
export interface FindingCase {
  name: string;
  objects: Obj[];
  codes: string[];
  absent?: string[];
}

const sel = { matchLabels: { app: 'b' } };
const strict = { mtls: { mode: 'STRICT' } };
const lns = namespace('data', {}, { 'linkerd.io/inject': 'enabled' });
/** b's DISABLE policy in a STRICT namespace: auto mTLS sends b mTLS (MS116). */
const disableUnderStrict = [
  ...istioPair(),
  peerAuthentication('shop', 'default', strict),
  peerAuthentication('shop', 'b', { selector: sel, mtls: { mode: 'DISABLE' } }),
];

export const FINDING_CASES: FindingCase[] = [
  { name: 'PERMISSIVE port', objects: istioPair(), codes: ['MS101', 'MS210'] },
  {
    name: 'DISABLE and excluded port',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    codes: ['MS102'],
    absent: ['MS101'],
  },
  {
    name: 'STRICT server behind DestinationRule DISABLE',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', strict),
      destinationRule('shop', 'b', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: ['MS103'],
  },
  {
    name: 'DestinationRule DISABLE towards a PERMISSIVE meshed workload',
    objects: [
      ...istioPair(),
      destinationRule('shop', 'b', {
        host: 'b',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: ['MS112'],
  },
  {
    name: 'several mesh-wide PeerAuthentications',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'one', strict, '2026-01-01T00:00:00Z'),
      peerAuthentication('istio-system', 'two', strict, '2026-02-01T00:00:00Z'),
    ],
    codes: ['MS105'],
  },
  {
    name: 'several namespace-wide PeerAuthentications',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'one', strict),
      peerAuthentication('shop', 'two', { mtls: { mode: 'DISABLE' } }),
    ],
    codes: ['MS106', 'MS113'],
  },
  {
    name: 'several PeerAuthentications for one workload; one names an unknown port',
    objects: [
      ...istioPair(),
      peerAuthentication(
        'shop',
        'b1',
        { selector: sel, mtls: { mode: 'STRICT' } },
        '2026-01-01T00:00:00Z',
      ),
      peerAuthentication(
        'shop',
        'b2',
        { selector: sel, portLevelMtls: { '9999': { mode: 'STRICT' } } },
        '2026-02-01T00:00:00Z',
      ),
    ],
    codes: ['MS107', 'MS111'],
  },
  {
    name: 'workload outside the mesh; default ServiceAccount elsewhere',
    objects: [
      ...istioPair(),
      namespace('legacy'),
      deployment('legacy', 'old'),
      deployment('shop', 'c', { sa: 'default' }),
    ],
    codes: ['MS108', 'MS402'],
  },
  {
    name: 'PeerAuthentication selecting nothing',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'ghost', {
        selector: { matchLabels: { app: 'ghost' } },
        mtls: { mode: 'STRICT' },
      }),
    ],
    codes: ['MS109'],
  },
  {
    name: 'PeerAuthentication with a selector in the root namespace',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'b-strict', {
        selector: sel,
        mtls: { mode: 'STRICT' },
      }),
    ],
    codes: ['MS115', 'MS101'],
    absent: ['MS109'],
  },
  {
    name: 'auto mTLS: a workload STRICT port in a namespace-wide DISABLE namespace (MS116)',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
      peerAuthentication('shop', 'b', { selector: sel, ...strict }),
    ],
    codes: ['MS116'],
  },
  {
    name: 'auto mTLS: a workload DISABLE port in a STRICT namespace (MS116)',
    objects: [...disableUnderStrict],
    codes: ['MS116', 'MS102'],
  },
  {
    name: 'auto mTLS: a DestinationRule TLS mode for the Service port is no MS116',
    objects: [
      ...disableUnderStrict,
      destinationRule('shop', 'b-plain', {
        host: 'b',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: ['MS102'],
    absent: ['MS116'],
  },
  {
    name: 'auto mTLS: enableAutoMtls false with a STRICT port (MS116)',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', strict),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: { mesh: 'enableAutoMtls: false\n' },
      },
    ],
    codes: ['MS116'],
  },
  {
    name: 'auto mTLS agreeing with the port is no MS116',
    objects: [...istioPair(), peerAuthentication('shop', 'default', strict)],
    codes: [],
    absent: ['MS116'],
  },
  {
    name: 'live pods differ in mesh membership',
    objects: [
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'b'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'b-1',
          namespace: 'shop',
          labels: { app: 'b' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'b',
              uid: 'u',
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'app' }, { name: 'istio-proxy' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'b-2',
          namespace: 'shop',
          labels: { app: 'b' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'b',
              uid: 'u',
              controller: true,
            },
          ],
        },
        spec: { containers: [{ name: 'app' }] },
      },
    ],
    codes: ['MS110'],
  },
  {
    name: 'ALLOW rule {} and wildcard principals',
    objects: [
      ...istioPair(),
      authorizationPolicy('shop', 'all', { selector: sel, rules: [{}] }),
      authorizationPolicy('shop', 'any-id', {
        selector: sel,
        rules: [{ from: [{ source: { principals: ['*'] } }] }],
      }),
    ],
    codes: ['MS201', 'MS209', 'MS203'],
  },
  {
    name: 'AuthorizationPolicy selecting nothing',
    objects: [
      ...istioPair(),
      authorizationPolicy('shop', 'ghost', {
        selector: { matchLabels: { app: 'ghost' } },
        rules: [{}],
      }),
    ],
    codes: ['MS202'],
  },
  {
    name: 'ALLOW without rules, DENY without rules, CUSTOM, unknown when key',
    objects: [
      ...istioPair(),
      authorizationPolicy('shop', 'deny-all', {}),
      authorizationPolicy('shop', 'noop', { action: 'DENY' }),
      authorizationPolicy('shop', 'ext', {
        action: 'CUSTOM',
        provider: { name: 'opa' },
        rules: [{ when: [{ key: 'source.color', values: ['red'] }] }],
      }),
    ],
    codes: ['MS204', 'MS205', 'MS206', 'MS207'],
    absent: ['MS210'],
  },
  {
    name: 'HTTP rules on an ambient workload without waypoint',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b'),
      authorizationPolicy('shop', 'http', {
        selector: sel,
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    codes: ['MS208'],
  },
  {
    // "Use Layer 4 security policy", "Targeting policies": a waypoint applies targetRefs
    // policies only; a selector policy stays the ztunnel's, at L4.
    name: 'HTTP rules of a selector policy on an ambient workload with a waypoint',
    objects: [
      namespace('shop', {
        'istio.io/dataplane-mode': 'ambient',
        'istio.io/use-waypoint': 'waypoint',
      }),
      deployment('shop', 'b'),
      service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
      waypointGateway('shop', 'waypoint'),
      authorizationPolicy('shop', 'http', {
        selector: sel,
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    codes: ['MS208'],
    absent: ['MS215'],
  },
  {
    // "Authorization Policy for TCP": a sidecar receives a port declared tcp as TCP, where it
    // ignores an ALLOW rule with HTTP conditions.
    name: 'HTTP rules on a port a sidecar receives as TCP',
    objects: httpAndTcpPorts({ methods: ['GET'] }),
    codes: ['MS216'],
    absent: ['MS208'],
  },
  {
    // The same for a policy of the namespace: its DENY rule `paths: /admin*` refuses every
    // connection to the TCP port.
    name: 'A namespace-wide DENY rule with HTTP conditions on a port a sidecar receives as TCP',
    objects: [
      ...httpAndTcpPorts({}).filter(o => o.kind !== 'AuthorizationPolicy'),
      authorizationPolicy('shop', 'deny-admin', {
        action: 'DENY',
        rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }],
      }),
    ],
    codes: ['MS216'],
  },
  {
    name: 'HTTP rules limited to the HTTP port of a workload that also has a TCP port',
    objects: httpAndTcpPorts({ ports: ['8080'], methods: ['GET'] }),
    codes: [],
    absent: ['MS216'],
  },
  {
    name: 'HTTP rules of a policy on the waypoint',
    objects: [
      namespace('shop', {
        'istio.io/dataplane-mode': 'ambient',
        'istio.io/use-waypoint': 'waypoint',
      }),
      deployment('shop', 'b'),
      service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
      waypointGateway('shop', 'waypoint'),
      authorizationPolicy('shop', 'http', {
        targetRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'waypoint',
          },
        ],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    codes: [],
    absent: ['MS208'],
  },
  {
    // docs/engine.md "Ambient waypoints": istiod uses no waypoint that does not exist.
    name: 'use-waypoint naming a waypoint Gateway that is not in the input',
    objects: [
      namespace('shop', {
        'istio.io/dataplane-mode': 'ambient',
        'istio.io/use-waypoint': 'waypoint',
      }),
      deployment('shop', 'b'),
      service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    ],
    codes: ['MS215'],
  },
  {
    name: 'Linkerd: missing references, allow-all authentications, Server selecting nothing, two Servers on one port',
    objects: [
      lns,
      deployment('data', 'b'),
      linkerdServer('data', 'ghost', {
        podSelector: { matchLabels: { app: 'ghost' } },
        port: 8080,
      }),
      linkerdServer('data', 'b-1', { podSelector: sel, port: 8080 }),
      linkerdServer('data', 'b-2', { podSelector: sel, port: 8080 }),
      meshTlsAuthentication('data', 'everyone', { identities: ['*'] }),
      networkAuthentication('data', 'world', {
        networks: [{ cidr: '0.0.0.0/0' }],
      }),
      linkerdAuthorizationPolicy('data', 'dangling', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'nope' },
        requiredAuthenticationRefs: [],
      }),
    ],
    codes: ['MS211', 'MS212', 'MS213', 'MS214'],
  },
  {
    // A policy on the Gateway API's HTTPRoute of a Server, on a GRPCRoute (not read) and on a
    // Server spelt in lower case: none is "missing" (MS211).
    name: 'Linkerd AuthorizationPolicies on Gateway API routes and a lower-case Server kind',
    objects: [
      lns,
      deployment('data', 'b'),
      linkerdServer('data', 'b-http', { podSelector: sel, port: 8080 }),
      gatewayHttpRoute('data', 'r', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        ],
      }),
      meshTlsAuthentication('data', 'callers', { identities: ['a.data'] }),
      ...[
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' },
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'g' },
        { group: 'policy.linkerd.io', kind: 'server', name: 'b-http' },
      ].map((targetRef, i) =>
        linkerdAuthorizationPolicy('data', `p${i}`, {
          targetRef,
          requiredAuthenticationRefs: [
            {
              group: 'policy.linkerd.io',
              kind: 'meshTLSAuthentication',
              name: 'callers',
            },
          ],
        }),
      ),
    ],
    codes: [],
    absent: ['MS211'],
  },
  {
    name: 'NetworkPolicies: selecting nothing, allow-all sources, internet, unknown named port, namespaceSelector matching nothing',
    objects: [
      namespace('shop'),
      deployment('shop', 'b', { ports: [{ port: 8080, name: 'http' }] }),
      networkPolicy('shop', 'ghost', {
        podSelector: { matchLabels: { app: 'ghost' } },
      }),
      networkPolicy('shop', 'open', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 'grpc' }] }],
      }),
      networkPolicy('shop', 'internet', {
        podSelector: sel,
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '0.0.0.0/0' } },
              { namespaceSelector: { matchLabels: { team: 'nobody' } } },
            ],
          },
        ],
      }),
    ],
    codes: ['MS301', 'MS302', 'MS303', 'MS304', 'MS305', 'MS306'],
  },
  {
    name: 'namespace with a default deny',
    objects: [
      namespace('shop'),
      deployment('shop', 'b'),
      networkPolicy('shop', 'deny', {
        podSelector: {},
        policyTypes: ['Ingress'],
      }),
    ],
    codes: [],
    absent: ['MS302'],
  },
  {
    name: 'shared ServiceAccount and unmanaged Secret',
    objects: [
      ...istioPair(),
      deployment('shop', 'c', { sa: 'a', secrets: ['db', 'token'] }),
      externalSecret('shop', 'token-es', 'token'),
    ],
    codes: ['MS403', 'MS404'],
  },
  {
    name: 'principal in the wrong format or trust domain',
    objects: [
      ...istioPair(),
      authorizationPolicy('shop', 'ids', {
        selector: sel,
        rules: [
          {
            from: [
              {
                source: {
                  principals: [
                    'spiffe://cluster.local/ns/shop/sa/a',
                    'other.domain/ns/shop/sa/a',
                  ],
                },
              },
            ],
          },
        ],
      }),
    ],
    codes: ['MS405', 'MS406'],
  },
  {
    name: 'Linkerd identity in another trust domain',
    objects: [
      lns,
      deployment('data', 'b'),
      serverAuthorization('data', 'sa', {
        server: { name: 'x' },
        client: {
          meshTLS: {
            identities: ['a.data.serviceaccount.identity.linkerd.other.local'],
          },
        },
      }),
    ],
    codes: ['MS405'],
  },
  {
    name: 'namespace missing from the input',
    objects: [
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      // Injected by hand (`linkerd inject --manual`): meshed whatever its namespace says.
      manuallyInjected(deployment('elsewhere', 'b')),
    ],
    codes: ['MS407'],
  },
  {
    // The STRICT one is replaced by the later definition: the port is PERMISSIVE.
    name: 'an object defined twice is read from its last definition',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
      peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
    ],
    codes: ['MS409', 'MS101'],
  },
  {
    name: 'DISABLE on an ambient workload has no effect',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b'),
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
    ],
    codes: ['MS114', 'MS101'],
    absent: ['MS102', 'MS113'],
  },
  {
    // Two selector-less Sidecars in one namespace: Istio leaves the choice undefined.
    name: 'Istio Sidecars left to an undefined choice (not evaluated)',
    objects: [
      ...istioPair(),
      ...['default', 'other'].map(name => ({
        apiVersion: 'networking.istio.io/v1',
        kind: 'Sidecar',
        metadata: { name, namespace: 'shop' },
        spec: {},
      })),
    ],
    codes: ['MS408'],
  },
  {
    // The mesh cannot carry UDP: MS102's fix (remove DISABLE or the exclusion) does not apply.
    name: 'UDP port of a STRICT workload: DISABLED, but no MS101/MS102/MS113',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      peerAuthentication('shop', 'default', strict),
    ],
    codes: [],
    absent: ['MS101', 'MS102', 'MS113'],
  },
  {
    // A client sidecar does not capture UDP: the rule's TLS mode never reaches 53/TCP.
    name: 'DestinationRule DISABLE on a UDP Service port is not MS103 for the STRICT 53/TCP',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'dns', {
        ports: [
          { port: 53, name: 'dns-tcp', protocol: 'TCP' },
          { port: 53, name: 'dns', protocol: 'UDP' },
        ],
      }),
      service('shop', 'dns', { app: 'dns' }, [
        { port: 53, targetPort: 53, name: 'dns', protocol: 'UDP' },
      ]),
      peerAuthentication('shop', 'default', strict),
      destinationRule('shop', 'dns', {
        host: 'dns.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: [],
    absent: ['MS103', 'MS112'],
  },
  {
    // docs/engine.md "Istio service registry": a DestinationRule for a ServiceEntry host
    // reaches the pods the entry selects.
    name: 'DestinationRule DISABLE for a ServiceEntry host selecting a STRICT workload',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', strict),
      serviceEntry('shop', 'b-internal', {
        hosts: ['b.internal'],
        location: 'MESH_INTERNAL',
        ports: [
          { number: 9000, targetPort: 8080, name: 'tcp', protocol: 'TCP' },
        ],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'b' } },
      }),
      destinationRule('shop', 'b-internal', {
        host: 'b.internal',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: ['MS103'],
  },
  {
    name: 'DestinationRule DISABLE for a ServiceEntry host selecting a PERMISSIVE workload',
    objects: [
      ...istioPair(),
      serviceEntry('shop', 'b-internal', {
        hosts: ['b.internal'],
        location: 'MESH_INTERNAL',
        ports: [
          { number: 9000, targetPort: 8080, name: 'tcp', protocol: 'TCP' },
        ],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'b' } },
      }),
      destinationRule('shop', 'b-internal', {
        host: 'b.internal',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    codes: ['MS112'],
  },
  {
    name: 'portLevelMtls naming a port the workload exposes over UDP only (MS111)',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      peerAuthentication('shop', 'b', {
        selector: sel,
        portLevelMtls: { '53': { mode: 'STRICT' } },
      }),
    ],
    codes: ['MS111'],
  },
];
