import { EngineOptions } from '../../engine/core/options';
import { MtlsMode } from '../../model';
import {
  Obj,
  deployment,
  istioPair,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkAuthentication,
  peerAuthentication,
} from '../k8s';

/** One documented mTLS rule: objects in, the mode of `shop/b` (or `workload`) out. */
export interface MtlsCase {
  name: string;
  objects: Obj[];
  options?: EngineOptions;
  workload?: string;
  /** Port modes keyed `8080` (TCP) or `53/UDP` (another protocol). */
  ports?: Record<string, MtlsMode>;
  /** Phrases the reason of a port (keyed as `ports`) must contain. */
  portReasons?: Record<string, RegExp>;
  mtls: MtlsMode;
  mesh?: string;
}

const strict = { mtls: { mode: 'STRICT' } };
const linkerdNs = (annotations: Record<string, string> = {}) =>
  namespace('data', {}, { 'linkerd.io/inject': 'enabled', ...annotations });

export const MTLS_CASES: MtlsCase[] = [
  {
    name: 'Istio Authentication policy: without any PeerAuthentication the mode is PERMISSIVE',
    objects: istioPair(),
    mtls: 'PERMISSIVE',
    ports: { 8080: 'PERMISSIVE' },
  },
  {
    name: 'PeerAuthentication: a policy without selector in the root namespace is mesh-wide',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'default', strict),
    ],
    mtls: 'STRICT',
  },
  {
    // Unlike a root-namespace AuthorizationPolicy, which applies in every namespace.
    name: 'PeerAuthentication: a policy with a selector in the root namespace is ignored',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'b-strict', {
        selector: { matchLabels: { app: 'b' } },
        ...strict,
      }),
    ],
    mtls: 'PERMISSIVE',
  },
  {
    name: "PeerAuthentication: a policy with a selector in the root namespace is ignored for the root namespace's own workloads too",
    options: { rootNamespace: 'shop' },
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'b-strict', {
        selector: { matchLabels: { app: 'b' } },
        ...strict,
      }),
    ],
    mtls: 'PERMISSIVE',
  },
  {
    name: 'PeerAuthentication: rootNamespace comes from the options',
    options: { rootNamespace: 'mesh-root' },
    objects: [
      ...istioPair(),
      namespace('mesh-root'),
      peerAuthentication('mesh-root', 'default', strict),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'PeerAuthentication: namespace-wide policy overrides mesh-wide',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'default', strict),
      peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
    ],
    mtls: 'PERMISSIVE',
  },
  {
    name: 'PeerAuthentication: workload-selector policy overrides namespace-wide',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', strict),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'DISABLE' },
      }),
    ],
    mtls: 'DISABLED',
  },
  {
    name: 'PeerAuthentication: UNSET inherits from the parent scope',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', strict),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'UNSET' },
      }),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'PeerAuthentication: an empty selector is namespace-wide',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', {
        selector: {},
        mtls: { mode: 'STRICT' },
      }),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'PeerAuthentication: portLevelMtls overrides the workload mode on its port (workload becomes PARTIAL)',
    objects: [
      ...istioPair('shop', { ports: [8080, 9090] }),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '9090': { mode: 'DISABLE' } },
      }),
    ],
    ports: { 8080: 'STRICT', 9090: 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'PeerAuthentication: portLevelMtls UNSET inherits the workload mode',
    objects: [
      ...istioPair('shop', { ports: [8080, 9090] }),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '9090': { mode: 'UNSET' } },
      }),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'Authentication policy: among several namespace-wide policies the oldest applies',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'z-old', strict, '2026-01-01T00:00:00Z'),
      peerAuthentication(
        'shop',
        'a-new',
        { mtls: { mode: 'DISABLE' } },
        '2026-06-01T00:00:00Z',
      ),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'Authentication policy: oldest-wins cannot be decided without creation times (UNKNOWN)',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'one', strict),
      peerAuthentication('shop', 'two', { mtls: { mode: 'DISABLE' } }),
    ],
    mtls: 'UNKNOWN',
  },
  {
    name: 'Traffic interception: excludeInboundPorts bypasses the sidecar (DISABLED)',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'STRICT', 9090: 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'Traffic interception: includeInboundPorts limits the intercepted ports',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '8080' },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'STRICT', 9090: 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'Sidecar injection: a namespace without injection label has no sidecar (DISABLED)',
    objects: [
      namespace('shop'),
      deployment('shop', 'b'),
      peerAuthentication('istio-system', 'default', strict),
      namespace('istio-system'),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection: pod label sidecar.istio.io/inject=false opts out',
    objects: [
      ...istioPair('shop', { labels: { 'sidecar.istio.io/inject': 'false' } }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection: pod label sidecar.istio.io/inject=true injects without namespace label',
    objects: [
      namespace('shop'),
      deployment('shop', 'b', {
        labels: { 'sidecar.istio.io/inject': 'true' },
      }),
    ],
    mtls: 'PERMISSIVE',
    mesh: 'istio-sidecar',
  },
  {
    name: 'Sidecar injection: istio-injection=disabled wins over the pod label',
    objects: [
      namespace('shop', { 'istio-injection': 'disabled' }),
      deployment('shop', 'b', {
        labels: { 'sidecar.istio.io/inject': 'true' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection: istio.io/rev namespace label injects',
    objects: [
      namespace('shop', { 'istio.io/rev': '1-24' }),
      deployment('shop', 'b'),
    ],
    mtls: 'PERMISSIVE',
    mesh: 'istio-sidecar',
  },
  {
    name: 'Traffic interception: excludeInboundPorts applies only when includeInboundPorts is "*"',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: {
          'traffic.sidecar.istio.io/includeInboundPorts': '*',
          'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
        },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'STRICT', 9090: 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'Traffic interception: with an explicit include list, an excluded port that is included is still captured',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: {
          'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090',
          'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
        },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'STRICT', 9090: 'STRICT' },
    mtls: 'STRICT',
  },
  {
    name: 'Traffic interception: an empty includeInboundPorts disables all inbound redirection',
    objects: [
      ...istioPair('shop', {
        ports: [8080],
        annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '' },
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'DISABLED' },
    mtls: 'DISABLED',
  },
  {
    name: 'Sidecar injection (revision table): pod label istio.io/rev injects in a namespace without injection labels',
    objects: [
      namespace('shop'),
      deployment('shop', 'b', { labels: { 'istio.io/rev': 'canary' } }),
    ],
    mtls: 'PERMISSIVE',
    mesh: 'istio-sidecar',
  },
  {
    name: 'Sidecar injection (revision table): pod label istio.io/rev with sidecar.istio.io/inject=false is not injected',
    objects: [
      namespace('shop'),
      deployment('shop', 'b', {
        labels: {
          'istio.io/rev': 'canary',
          'sidecar.istio.io/inject': 'false',
        },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection (revision table): istio-injection=disabled wins over the pod label istio.io/rev',
    objects: [
      namespace('shop', { 'istio-injection': 'disabled' }),
      deployment('shop', 'b', { labels: { 'istio.io/rev': 'canary' } }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection (revision table): istio-injection=disabled wins over the namespace label istio.io/rev',
    objects: [
      namespace('shop', {
        'istio-injection': 'disabled',
        'istio.io/rev': 'canary',
      }),
      deployment('shop', 'b'),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection (revision table): namespace istio.io/rev with pod inject=false is not injected',
    objects: [
      namespace('shop', { 'istio.io/rev': 'canary' }),
      deployment('shop', 'b', {
        labels: { 'sidecar.istio.io/inject': 'false' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Sidecar injection: istio-injection=enabled injects',
    objects: [
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'b'),
    ],
    mtls: 'PERMISSIVE',
    mesh: 'istio-sidecar',
  },
  {
    name: 'Sidecar injection: kube-system is never injected, whatever the labels say',
    workload: 'kube-system/b',
    objects: [
      namespace('kube-system', { 'istio-injection': 'enabled' }),
      deployment('kube-system', 'b'),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Missing data: a pod opt-in without its namespace is unknown (a namespace label could veto it)',
    objects: [
      deployment('shop', 'b', {
        labels: { 'sidecar.istio.io/inject': 'true' },
      }),
    ],
    mtls: 'UNKNOWN',
    mesh: 'none',
  },
  {
    name: 'Ambient mode: DISABLE is not supported; ztunnel accepts mTLS and plaintext (PERMISSIVE)',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b'),
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
    ],
    mtls: 'PERMISSIVE',
    mesh: 'istio-ambient',
  },
  {
    name: 'Ambient mode: namespace istio.io/dataplane-mode=ambient enrolls pods; ztunnel enforces STRICT',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b'),
      peerAuthentication('shop', 'default', strict),
    ],
    mtls: 'STRICT',
    mesh: 'istio-ambient',
  },
  {
    name: 'Ambient mode: pod label istio.io/dataplane-mode=none opts out',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b', {
        labels: { 'istio.io/dataplane-mode': 'none' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Missing data: namespace not in the input makes injection unknown',
    objects: [deployment('shop', 'b')],
    mtls: 'UNKNOWN',
    mesh: 'none',
  },
  {
    name: 'Linkerd default policies: all-unauthenticated accepts plaintext (PERMISSIVE)',
    workload: 'data/b',
    objects: [linkerdNs(), deployment('data', 'b')],
    mtls: 'PERMISSIVE',
    mesh: 'linkerd',
  },
  {
    name: 'Linkerd default policies: cluster default all-authenticated (option) is STRICT',
    workload: 'data/b',
    options: { linkerdDefaultInboundPolicy: 'all-authenticated' },
    objects: [linkerdNs(), deployment('data', 'b')],
    mtls: 'STRICT',
  },
  {
    name: 'Linkerd default policies: namespace annotation deny',
    workload: 'data/b',
    objects: [
      linkerdNs({ 'config.linkerd.io/default-inbound-policy': 'deny' }),
      deployment('data', 'b'),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'Linkerd default policies: pod annotation overrides the namespace',
    workload: 'data/b',
    objects: [
      linkerdNs({ 'config.linkerd.io/default-inbound-policy': 'deny' }),
      deployment('data', 'b', {
        annotations: {
          'config.linkerd.io/default-inbound-policy': 'cluster-unauthenticated',
        },
      }),
    ],
    mtls: 'PERMISSIVE',
  },
  {
    name: 'Linkerd injection: pod annotation linkerd.io/inject=disabled opts out',
    workload: 'data/b',
    objects: [
      linkerdNs(),
      deployment('data', 'b', {
        annotations: { 'linkerd.io/inject': 'disabled' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Linkerd injection: the injector never runs in kube-system, whatever its annotation says',
    workload: 'kube-system/b',
    objects: [
      namespace('kube-system', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('kube-system', 'b'),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Linkerd injection: the injector never runs in cert-manager, even with a pod annotation',
    workload: 'cert-manager/b',
    objects: [
      namespace('cert-manager'),
      deployment('cert-manager', 'b', {
        annotations: { 'linkerd.io/inject': 'enabled' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Linkerd injection: a namespace labelled config.linkerd.io/admission-webhooks=disabled is never injected',
    workload: 'data/b',
    objects: [
      namespace(
        'data',
        { 'config.linkerd.io/admission-webhooks': 'disabled' },
        { 'linkerd.io/inject': 'enabled' },
      ),
      deployment('data', 'b', {
        annotations: { 'linkerd.io/inject': 'enabled' },
      }),
    ],
    mtls: 'DISABLED',
    mesh: 'none',
  },
  {
    name: 'Linkerd proxy configuration: skip-inbound-ports bypasses the proxy',
    workload: 'data/b',
    objects: [
      linkerdNs(),
      deployment('data', 'b', {
        ports: [8080, 9990],
        annotations: { 'config.linkerd.io/skip-inbound-ports': '9990' },
      }),
    ],
    ports: { 8080: 'PERMISSIVE', 9990: 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'Linkerd proxy configuration: require-identity inbound ports are STRICT',
    workload: 'data/b',
    objects: [
      linkerdNs(),
      deployment('data', 'b', {
        annotations: {
          'config.linkerd.io/proxy-require-identity-inbound-ports': '8080',
        },
      }),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'Linkerd Server: every authorization requires MeshTLSAuthentication (STRICT)',
    workload: 'data/b',
    objects: [
      linkerdNs(),
      deployment('data', 'b'),
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
      }),
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      linkerdAuthorizationPolicy('data', 'b-http-callers', {
        targetRef: {
          group: 'policy.linkerd.io',
          kind: 'Server',
          name: 'b-http',
        },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: 'callers',
          },
        ],
      }),
    ],
    mtls: 'STRICT',
  },
  {
    name: 'Linkerd Server: a NetworkAuthentication authorization accepts plaintext (PERMISSIVE)',
    workload: 'data/b',
    objects: [
      linkerdNs(),
      deployment('data', 'b'),
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
      }),
      networkAuthentication('data', 'cluster', {
        networks: [{ cidr: '10.0.0.0/8' }],
      }),
      linkerdAuthorizationPolicy('data', 'b-http-net', {
        targetRef: {
          group: 'policy.linkerd.io',
          kind: 'Server',
          name: 'b-http',
        },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'NetworkAuthentication',
            name: 'cluster',
          },
        ],
      }),
    ],
    mtls: 'PERMISSIVE',
  },
  {
    name: 'Traffic capture: the sidecar captures TCP only; a UDP port is DISABLED whatever the PeerAuthentication',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      peerAuthentication('istio-system', 'default', strict),
    ],
    ports: { 8080: 'STRICT', '53/UDP': 'DISABLED' },
    portReasons: {
      '53/UDP':
        /UDP is not carried by the mesh proxy \(it captures TCP only\): traffic on 53\/UDP is not encrypted/,
    },
    mtls: 'PARTIAL',
  },
  {
    name: 'Traffic capture: 53/TCP and 53/UDP are two ports; only the TCP one is STRICT',
    objects: [
      ...istioPair('shop', {
        ports: [
          { port: 53, name: 'dns-tcp', protocol: 'TCP' },
          { port: 53, name: 'dns', protocol: 'UDP' },
        ],
      }),
      peerAuthentication('istio-system', 'default', strict),
    ],
    ports: { 53: 'STRICT', '53/UDP': 'DISABLED' },
    mtls: 'PARTIAL',
  },
  {
    name: 'Traffic capture: an SCTP port is not captured either, even with portLevelMtls STRICT',
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 9000, protocol: 'SCTP' }] }),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { 9000: { mode: 'STRICT' } },
      }),
    ],
    ports: { 8080: 'STRICT', '9000/SCTP': 'DISABLED' },
    portReasons: { '9000/SCTP': /SCTP is not carried by the mesh proxy/ },
    mtls: 'PARTIAL',
  },
  {
    name: 'Ambient mode: ztunnel proxies TCP only; a UDP port is DISABLED',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'b', {
        ports: [8080, { port: 5353, protocol: 'UDP' }],
      }),
      peerAuthentication('shop', 'default', strict),
    ],
    ports: { 8080: 'STRICT', '5353/UDP': 'DISABLED' },
    mtls: 'PARTIAL',
    mesh: 'istio-ambient',
  },
  {
    name: 'Missing data: a UDP port is DISABLED even when mesh membership is unknown',
    options: { unavailable: { namespaces: 'not read' } },
    objects: [
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
    ],
    ports: { 8080: 'UNKNOWN', '53/UDP': 'DISABLED' },
    mtls: 'UNKNOWN',
  },
  {
    name: 'Linkerd proxy configuration: the proxy carries TCP only; a UDP port is DISABLED',
    workload: 'data/b',
    objects: [
      linkerdNs({
        'config.linkerd.io/default-inbound-policy': 'all-authenticated',
      }),
      deployment('data', 'b', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
    ],
    ports: { 8080: 'STRICT', '53/UDP': 'DISABLED' },
    mtls: 'PARTIAL',
  },
];
