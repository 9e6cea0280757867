import { AccessRequest } from '../../model';
import {
  Obj,
  authorizationPolicy,
  deployment,
  destinationRule,
  namespace,
  peerAuthentication,
  service,
  serviceEntry,
} from '../k8s';
import type { AccessCase } from './accessCase';

/*
 * Istio's service registry as a sidecar client sees it (istio/serviceRegistry.ts, docs/engine.md
 * "Istio service registry"). Each case cites what it follows: the DestinationRule reference
 * (DR, https://istio.io/latest/docs/reference/config/networking/destination-rule/), the
 * ServiceEntry reference (SE, https://istio.io/latest/docs/reference/config/networking/service-entry/),
 * Resource annotations (ANNOTATIONS, https://istio.io/latest/docs/reference/config/annotations/),
 * "Unmatched traffic" in Traffic routing (ROUTING,
 * https://istio.io/latest/docs/ops/configuration/traffic-management/traffic-routing/#unmatched-traffic),
 * or istiod's `pilot/pkg/model/push_context.go` (PUSH: `initServiceRegistry`,
 * `setDestinationRules`, `getExportedDestinationRuleFromNamespace`) and
 * `pilot/pkg/serviceregistry/serviceentry/conversion.go` (CONVERSION) in istio/istio.
 */

const http = [{ port: 80, targetPort: 8080, name: 'http' }];
/** Sidecar namespaces `shop` (`a`, `b` on 8080 named http) and `other` (`c`); `b` STRICT. */
const estate = (b: Obj[] = [service('shop', 'b', { app: 'b' }, http)]) => [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  namespace('other', { 'istio-injection': 'enabled' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports: [{ port: 8080, name: 'http' }] }),
  deployment('other', 'c'),
  ...b,
];
const strictB = peerAuthentication('shop', 'b', {
  selector: { matchLabels: { app: 'b' } },
  mtls: { mode: 'STRICT' },
});
const hiddenB = (exportTo: string) =>
  service('shop', 'b', { app: 'b' }, http, {
    'networking.istio.io/exportTo': exportTo,
  });
const meshConfig = (mesh: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh },
});
const registryOnly = meshConfig(
  'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n',
);
const disableFor = (host: string, exportTo?: string[], extra: Obj = {}) =>
  destinationRule('shop', 'b-plain', {
    host,
    trafficPolicy: { tls: { mode: 'DISABLE' } },
    ...(exportTo ? { exportTo } : {}),
    ...extra,
  });
const toB = (from: {
  namespace: string;
  name: string;
}): Partial<AccessRequest> => ({
  from,
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
});
const fromA = { namespace: 'shop', name: 'a' };
const fromC = { namespace: 'other', name: 'c' };
/** A MESH_INTERNAL ServiceEntry selecting `b` for `b.internal` port 9000 → 8080. */
const internalB = (spec: Obj = {}) =>
  serviceEntry('shop', 'b-internal', {
    hosts: ['b.internal'],
    location: 'MESH_INTERNAL',
    ports: [{ number: 9000, targetPort: 8080, name: 'tcp-b', protocol: 'TCP' }],
    resolution: 'STATIC',
    workloadSelector: { labels: { app: 'b' } },
    ...spec,
  });
/** A Sidecar importing only the hosts given. */
const sidecar = (ns: string, ...hosts: string[]): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Sidecar',
  metadata: { name: 'default', namespace: ns },
  spec: { egress: [{ hosts }] },
});

export const SERVICE_REGISTRY_CASES: AccessCase[] = [
  // DR "exportTo": `.` and `*` are reserved, other values name namespaces; PUSH exports a rule
  // to what its entries name, so `~` (no namespace, "not allowed for Istio configuration
  // objects" in validation) reaches no client: the client keeps auto mTLS.
  {
    name: 'DestinationRule exportTo: "~" alone reaches no client',
    objects: [...estate(), strictB, disableFor('b', ['~'])],
    request: toB(fromA),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  {
    name: 'DestinationRule exportTo: without "~" the rule applies',
    objects: [...estate(), strictB, disableFor('b', ['.'])],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'DestinationRule shop/b-plain',
  },
  // Validation rejects `~` beside other entries while PUSH would export the rule to them:
  // whether the rule exists decides, so it is not evaluated.
  {
    name: 'DestinationRule exportTo: "~" beside a namespace is not evaluated',
    objects: [...estate(), strictB, disableFor('b', ['~', 'shop'])],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    cannotEvaluate: true,
    message: /not evaluated: exportTo of DestinationRule shop\/b-plain/,
  },
  // ANNOTATIONS "networking.istio.io/exportTo": "'.' indicates it is reachable within its
  // namespace"; PUSH leaves the Service out of other namespaces' registries, so their sidecars
  // send to it as unmatched traffic, which ALLOW_ANY forwards "without mutual TLS" (ROUTING).
  {
    name: 'Service exportTo: a hidden Service gets plaintext from another namespace',
    objects: [...estate([hiddenB('.')]), strictB],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
    message: /not exported to namespace other.*without mutual TLS/,
  },
  {
    name: 'Service exportTo: "." keeps auto mTLS in its own namespace',
    objects: [...estate([hiddenB('.')]), strictB],
    request: toB(fromA),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  {
    name: 'Service exportTo: a namespace it names keeps auto mTLS',
    objects: [...estate([hiddenB('other, .')]), strictB],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  // PUSH `initServiceRegistry`: "exportTo ~ - i.e. not visible to anyone", its own namespace
  // included (`*` would win over it).
  {
    name: 'Service exportTo: "~" hides it from its own namespace too',
    objects: [...estate([hiddenB('~')]), strictB],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
  },
  {
    name: 'Service exportTo: "*" beside "~" exports to every namespace',
    objects: [...estate([hiddenB('~,*')]), strictB],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
  },
  // A plaintext client carries no identity: a rule naming `c` does not match it.
  {
    name: 'Service exportTo: a hidden Service sees the client without identity',
    objects: [
      ...estate([hiddenB('.')]),
      authorizationPolicy('shop', 'only-c', {
        selector: { matchLabels: { app: 'b' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/other/sa/c'] } }],
          },
        ],
      }),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'authorization',
  },
  // ROUTING: with REGISTRY_ONLY "unknown outbound traffic will be dropped".
  {
    name: 'Service exportTo: REGISTRY_ONLY drops traffic to a hidden Service',
    objects: [...estate([hiddenB('.')]), registryOnly],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
    message: /drops/,
  },
  // One visible Service is enough for the destination to be in the registry.
  {
    name: 'Service exportTo: another Service exported to the client keeps auto mTLS',
    objects: [
      ...estate([
        hiddenB('.'),
        service('shop', 'b-public', { app: 'b' }, http),
      ]),
      strictB,
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
  },
  // A DestinationRule for a hidden host is not used either: the client has no such host.
  {
    name: 'Service exportTo: the DestinationRule of a hidden Service is not used',
    objects: [
      ...estate([
        hiddenB('.'),
        service('shop', 'b-public', { app: 'b' }, http),
      ]),
      strictB,
      disableFor('b'),
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  // Global Mesh Options (MESH, https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/)
  // `defaultServiceExportTo`: "If not set the system will use "*" as the default value"; set to
  // `.`, Services without the annotation are visible in their namespace only (PUSH
  // `serviceExportTo`).
  {
    name: 'Service exportTo: the mesh default "." hides Services from other namespaces',
    objects: [
      ...estate(),
      strictB,
      meshConfig('defaultServiceExportTo: ["."]\n'),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
  },
  {
    name: 'Service exportTo: the annotation wins over the mesh default',
    objects: [
      ...estate([hiddenB('*')]),
      strictB,
      meshConfig('defaultServiceExportTo: ["."]\n'),
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
  },
  // MESH `defaultDestinationRuleExportTo`, of which PUSH `setDestinationRules` honours `.`: a
  // rule without `exportTo` then reaches its own namespace only.
  {
    name: 'DestinationRule exportTo: the mesh default "." keeps a rule in its namespace',
    objects: [
      ...estate(),
      strictB,
      disableFor('b'),
      meshConfig('defaultDestinationRuleExportTo: ["."]\n'),
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  {
    name: 'DestinationRule exportTo: under the mesh default "." its namespace uses it',
    objects: [
      ...estate(),
      strictB,
      disableFor('b'),
      meshConfig('defaultDestinationRuleExportTo: ["."]\n'),
    ],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'DestinationRule shop/b-plain',
  },
  // SE "workloadSelector": MESH_INTERNAL entries select pods, whose endpoint port is
  // `targetPort` (CONVERSION); a DestinationRule for the entry's host then applies (DR "host":
  // "services defined … by ServiceEntries").
  {
    name: 'ServiceEntry workloadSelector: a DestinationRule for its host applies',
    objects: [...estate([]), strictB, internalB(), disableFor('b.internal')],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'DestinationRule shop/b-plain',
  },
  {
    name: 'ServiceEntry workloadSelector: auto mTLS to the pods it selects',
    objects: [...estate([]), strictB, internalB()],
    request: toB(fromA),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  // With REGISTRY_ONLY the entry puts `b` in the registry, where no Service does.
  {
    name: 'ServiceEntry workloadSelector: its hosts are in the registry (REGISTRY_ONLY)',
    objects: [...estate([]), strictB, internalB(), registryOnly],
    request: toB(fromA),
    decision: 'ALLOW',
    layer: 'mtls',
  },
  {
    name: 'ServiceEntry workloadSelector: without it REGISTRY_ONLY drops the traffic',
    objects: [...estate([]), strictB, registryOnly],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    message: /drops/,
  },
  // SE "exportTo": the entry is visible to the namespaces it names only.
  {
    name: 'ServiceEntry workloadSelector: not exported to the client, it is dropped',
    objects: [
      ...estate([]),
      strictB,
      internalB({ exportTo: ['.'] }),
      registryOnly,
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'ServiceEntry shop/b-internal',
  },
  // A Sidecar's egress hosts import the entry by `namespace/host` (Sidecar reference).
  {
    name: 'ServiceEntry workloadSelector: a Sidecar egress host imports it',
    objects: [
      ...estate([]),
      strictB,
      internalB(),
      sidecar('other', 'shop/b.internal'),
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  {
    name: 'ServiceEntry workloadSelector: a Sidecar importing other hosts sends plaintext',
    objects: [
      ...estate([]),
      strictB,
      internalB(),
      sidecar('other', 'shop/elsewhere.internal'),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
  },
  // SE "location": MESH_EXTERNAL is the default, and `workloadSelector` is "Applicable only
  // for MESH_INTERNAL services": such an entry is not evaluated.
  {
    name: 'ServiceEntry workloadSelector: on a MESH_EXTERNAL entry it is not evaluated',
    objects: [...estate(), internalB({ location: 'MESH_EXTERNAL' })],
    request: toB(fromA),
    decision: 'DENY',
    layer: 'mtls',
    cannotEvaluate: true,
    message: /not evaluated: ServiceEntry shop\/b-internal/,
  },
  // An external host is a callee outside the snapshot: calls between workloads do not change.
  {
    name: 'ServiceEntry external host: in-cluster calls are unchanged',
    objects: [
      ...estate(),
      strictB,
      serviceEntry('shop', 'api', {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
        resolution: 'DNS',
      }),
    ],
    request: toB(fromC),
    decision: 'ALLOW',
    layer: 'mtls',
    message: /Istio auto mTLS/,
  },
  // IST0134 (https://istio.io/latest/docs/reference/config/analysis/ist0134/): without
  // `addresses`, "all traffic on the port defined in the ServiceEntry is matched, regardless of
  // the host" for TCP, so the entry may take unmatched traffic on its port: not evaluated. An
  // HTTP port is routed by host instead, and `addresses` narrow a TCP port.
  {
    name: 'ServiceEntry TCP port without addresses may take unmatched traffic',
    objects: [
      ...estate([hiddenB('.')]),
      strictB,
      serviceEntry('other', 'db', {
        hosts: ['db.example.com'],
        ports: [{ number: 80, name: 'tcp-db', protocol: 'TCP' }],
        resolution: 'DNS',
      }),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    cannotEvaluate: true,
    message:
      /not evaluated: ServiceEntry other\/db \(its port 80 has no addresses/,
  },
  {
    name: 'ServiceEntry HTTP port without addresses leaves unmatched traffic as it was',
    objects: [
      ...estate([hiddenB('.')]),
      strictB,
      serviceEntry('other', 'web', {
        hosts: ['web.example.com'],
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        resolution: 'DNS',
      }),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
  },
  {
    name: 'ServiceEntry TCP port with addresses leaves unmatched traffic as it was',
    objects: [
      ...estate([hiddenB('.')]),
      strictB,
      serviceEntry('other', 'db', {
        hosts: ['db.example.com'],
        addresses: ['203.0.113.7'],
        ports: [{ number: 80, name: 'tcp-db', protocol: 'TCP' }],
        resolution: 'STATIC',
        endpoints: [{ address: '203.0.113.7' }],
      }),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    policy: 'Service shop/b',
  },
  // A host that names an in-cluster Service shares it with the Kubernetes registry (PUSH
  // `initServiceRegistry`: per namespace, the Kubernetes Service first): not evaluated.
  {
    name: 'ServiceEntry naming an in-cluster Service host is not evaluated',
    objects: [
      ...estate(),
      serviceEntry('other', 'b-alias', {
        hosts: ['b.shop.svc.cluster.local'],
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        resolution: 'DNS',
      }),
    ],
    request: toB(fromC),
    decision: 'DENY',
    layer: 'mtls',
    cannotEvaluate: true,
    message: /not evaluated: ServiceEntry other\/b-alias \(its hosts name/,
  },
];
