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
