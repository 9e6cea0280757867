import {
  deployment,
  destinationRule,
  istioPair,
  namespace,
  peerAuthentication,
  service,
} from '../k8s';
import { toB, sel, ap, fromSa, legacy, fromLegacy } from './accessFixtures';
import type { AccessCase } from './accessCase';

/*
 * mTLS access rules: PeerAuthentication, DestinationRule, mesh membership (cases/access.ts).
 */

const strictNs = peerAuthentication('shop', 'default', {
  mtls: { mode: 'STRICT' },
});
const istioMeshConfig = (mesh: string, name = 'istio') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'istio-system' },
  data: { mesh },
});
const noAutoMtls = istioMeshConfig('enableAutoMtls: false\n');
const workloadPolicy = (mode: string) =>
  peerAuthentication('shop', 'b', { selector: sel, mtls: { mode } });
/** `a` in namespace `canary`, injected by revision `canary`. */
const canaryClient = [
  namespace('canary', { 'istio.io/rev': 'canary' }),
  deployment('canary', 'a'),
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
    // excludeInboundPorts "only applies when all inbound traffic (i.e. '*') is being redirected"
    // (Istio annotation reference), as the port's mTLS mode reads it.
    name: 'Traffic interception: with an explicit include list, an included port excluded too still enforces authorization',
    objects: [
      ...istioPair('shop', {
        ports: [8080, 9090],
        annotations: {
          'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090',
          'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
        },
      }),
      ap('deny-all', {}),
    ],
    request: toB({ port: 9090 }),
    decision: 'DENY',
    layer: 'authorization',
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
  {
    name: 'Auto mutual TLS: with enableAutoMtls false and no DestinationRule the client sends plaintext, which STRICT rejects',
    objects: [...istioPair(), strictNs, noAutoMtls],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
    message: /enableAutoMtls is false .*ConfigMap istio/,
  },
  {
    name: 'Auto mutual TLS: with enableAutoMtls false a PERMISSIVE server receives plaintext',
    objects: [...istioPair(), noAutoMtls],
    request: toB(),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /the client sidecar sends plaintext/,
  },
  {
    name: 'Auto mutual TLS: with enableAutoMtls false a DestinationRule ISTIO_MUTUAL still sends mTLS',
    objects: [
      ...istioPair(),
      strictNs,
      noAutoMtls,
      destinationRule('shop', 'b-mtls', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'b-mtls',
  },
  {
    name: "Auto mutual TLS: enableAutoMtls comes from the client's revision",
    objects: [
      ...istioPair(),
      ...canaryClient,
      strictNs,
      istioMeshConfig('enableAutoMtls: false\n', 'istio-canary'),
    ],
    request: toB({ from: { namespace: 'canary', name: 'a' } }),
    decision: 'DENY',
    layer: 'mtls',
    message: /ConfigMap istio-canary/,
  },
  {
    name: "Auto mutual TLS: a revision's ConfigMap without enableAutoMtls takes Istio's default (true), not istio's",
    objects: [
      ...istioPair(),
      ...canaryClient,
      strictNs,
      noAutoMtls,
      istioMeshConfig('trustDomain: cluster.local\n', 'istio-canary'),
    ],
    request: toB({ from: { namespace: 'canary', name: 'a' } }),
    decision: 'ALLOW',
  },
  {
    // The "known limitation with workload level peer authentication" of Istio's auto mTLS.
    name: 'Auto mutual TLS: a namespace-wide DISABLE makes clients send plaintext, which a workload STRICT policy rejects',
    objects: [
      ...istioPair(),
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
      workloadPolicy('STRICT'),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
    message: /reads namespace-wide and mesh-wide PeerAuthentications only/,
  },
  {
    name: 'Auto mutual TLS: a mesh-wide DISABLE under a namespace-wide UNSET makes clients send plaintext',
    objects: [
      ...istioPair(),
      peerAuthentication('istio-system', 'default', {
        mtls: { mode: 'DISABLE' },
      }),
      peerAuthentication('shop', 'default', { mtls: { mode: 'UNSET' } }),
      workloadPolicy('STRICT'),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
    message: /istio-system\/default sets DISABLE/,
  },
  {
    name: 'Auto mutual TLS: a workload DISABLE policy under a STRICT namespace receives mTLS its sidecar does not terminate',
    objects: [...istioPair(), strictNs, workloadPolicy('DISABLE')],
    request: toB(),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'PeerAuthentication shop/b',
    message: /does not terminate/,
  },
  {
    name: 'Auto mutual TLS: a DestinationRule DISABLE reaches a workload DISABLE policy in plaintext',
    objects: [
      ...istioPair(),
      strictNs,
      workloadPolicy('DISABLE'),
      destinationRule('shop', 'b-plain', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Auto mutual TLS: a sidecar port of unknown mode cannot be evaluated (it may be DISABLE)',
    objects: [
      ...istioPair(),
      workloadPolicy('STRICT'),
      peerAuthentication('shop', 'b-2', {
        selector: sel,
        mtls: { mode: 'DISABLE' },
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
];
