import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  destinationRule,
  istioPair,
  linkerdServer,
  namespace,
  service,
  waypointGateway,
} from '../../__testUtils__/k8s';
import { readObjects } from './reader';

/*
 * docs/engine.md "Not evaluated": each unmodelled kind, when it may affect a workload, makes
 * the verdicts it may change UNKNOWN / "cannot evaluate" (access leans to DENY) with the reason
 * "not evaluated: <what>", and raises MS408; out of its scope it changes nothing.
 */

const object = (
  apiVersion: string,
  kind: string,
  ns: string | undefined,
  name: string,
  spec: Obj,
  extra: Obj = {},
): Obj => ({
  apiVersion,
  kind,
  metadata: { name, ...(ns ? { namespace: ns } : {}) },
  spec,
  ...extra,
});

const sidecar = (ns: string, name: string, spec: Obj = {}) =>
  object('networking.istio.io/v1', 'Sidecar', ns, name, spec);
const serviceEntry = (ns: string, name: string, spec: Obj) =>
  object('networking.istio.io/v1', 'ServiceEntry', ns, name, spec);
const anp = (kind: string, name: string, spec: Obj) =>
  object('policy.networking.k8s.io/v1alpha1', kind, undefined, name, spec);
const cilium = (
  kind: string,
  ns: string | undefined,
  name: string,
  spec: Obj,
) => object('cilium.io/v2', kind, ns, name, spec);
/** The deployment with `hostNetwork: true` in its pod template. */
const hostNetworked = (o: Obj): Obj => {
  const copy = JSON.parse(JSON.stringify(o));
  copy.spec.template.spec.hostNetwork = true;
  return copy;
};
const meshConfig = (name: string, mesh: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'istio-system' },
  data: { mesh },
});

/** `shop` in ambient mode: `a` calls `b` on 8080. */
const ambientPair = (bLabels: Record<string, string> = {}): Obj[] => [
  namespace('istio-system'),
  namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { labels: bLabels }),
  service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
];

/** Linkerd namespace `data`: `a` calls `b` on 8080. */
const linkerdPair = (): Obj[] => [
  namespace('data', {}, { 'linkerd.io/inject': 'enabled' }),
  deployment('data', 'a'),
  deployment('data', 'b'),
];

/** A Linkerd Server for `b`'s port that admits every client. */
const grpcServer = linkerdServer('data', 'b-grpc', {
  podSelector: { matchLabels: { app: 'b' } },
  port: 8080,
  proxyProtocol: 'gRPC',
  accessPolicy: 'all-unauthenticated',
});
interface Case {
  name: string;
  objects: Obj[];
  /** The reason b (or the client a, for outbound kinds) carries; absent: none at all. */
  reason?: string;
  /** Whether the check a → b on 8080 is DENY because of it (else it stays ALLOW). */
  denies?: boolean;
  /** Whether b's mTLS becomes UNKNOWN. */
  mtlsUnknown?: boolean;
  /** The workload carrying the reason (default b). */
  on?: 'a' | 'b';
  ns?: string;
}

const CASES: Case[] = [
  {
    name: 'Istio Sidecars left to an undefined choice (two selector-less in one namespace)',
    objects: [
      ...istioPair(),
      sidecar('shop', 'default'),
      sidecar('shop', 'other'),
    ],
    reason:
      'not evaluated: Sidecar shop/default (Sidecar shop/default and Sidecar shop/other are selector-less Sidecars of one namespace: Istio leaves the choice undefined)',
    denies: true,
    mtlsUnknown: true,
  },
  {
    name: 'Istio root-namespace Sidecar where the namespace has Sidecars selecting others',
    objects: [
      ...istioPair(),
      sidecar('istio-system', 'default'),
      sidecar('shop', 'c', { workloadSelector: { labels: { app: 'c' } } }),
    ],
    reason:
      'not evaluated: Sidecar istio-system/default (namespace shop has Sidecars, none selecting the workload: whether the root-namespace default applies there is not documented)',
    denies: true,
    mtlsUnknown: true,
  },
  {
    name: 'Istio Sidecar selecting another workload: out of scope',
    objects: [
      ...istioPair(),
      sidecar('shop', 'c', { workloadSelector: { labels: { app: 'c' } } }),
    ],
  },
  {
    name: 'Istio Sidecar of another namespace: out of scope',
    objects: [...istioPair(), namespace('other'), sidecar('other', 'default')],
  },
  {
    name: 'ServiceEntry naming an in-cluster Service host',
    objects: [
      ...istioPair(),
      serviceEntry('shop', 'se', { hosts: ['b.shop.svc.cluster.local'] }),
    ],
    reason:
      'not evaluated: ServiceEntry shop/se (its hosts name the in-cluster Service shop/b)',
    denies: true,
    mtlsUnknown: true,
  },
  {
    // Modelled: docs/engine.md "Istio service registry" (callees outside the snapshot).
    name: 'ServiceEntry of an external host: modelled',
    objects: [
      ...istioPair(),
      serviceEntry('shop', 'ext', { hosts: ['api.example.com'] }),
    ],
  },
  {
    name: 'ServiceEntry of a MESH_INTERNAL workloadSelector: modelled',
    objects: [
      ...istioPair(),
      serviceEntry('shop', 'b-internal', {
        hosts: ['b.internal'],
        location: 'MESH_INTERNAL',
        ports: [{ number: 80, targetPort: 8080, name: 'http' }],
        workloadSelector: { labels: { app: 'b' } },
      }),
    ],
  },
  {
    name: 'ServiceEntry with an endpoint at a pod address',
    objects: [
      ...istioPair().filter(o => (o.metadata as Obj).name !== 'b'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'b', namespace: 'shop', labels: { app: 'b' } },
        spec: {
          containers: [
            { name: 'app', ports: [{ containerPort: 8080 }] },
            { name: 'istio-proxy' },
          ],
        },
        status: { podIP: '10.1.0.5' },
      },
      serviceEntry('shop', 'vm', {
        hosts: ['vm.example.com'],
        endpoints: [{ address: '10.1.0.5' }],
      }),
    ],
    reason:
      'not evaluated: ServiceEntry shop/vm (endpoint 10.1.0.5 is in the cluster)',
    denies: true,
    mtlsUnknown: true,
  },
  {
    // Modelled: exported nowhere (docs/engine.md "Istio service registry").
    name: 'DestinationRule exportTo "~" alone: modelled',
    objects: [
      ...istioPair(),
      destinationRule('shop', 'b', { host: 'b', exportTo: ['~'] }),
    ],
  },
  {
    name: 'DestinationRule exportTo "~" beside a namespace',
    objects: [
      ...istioPair(),
      destinationRule('shop', 'b', { host: 'b', exportTo: ['~', 'shop'] }),
    ],
    reason: 'not evaluated: exportTo of DestinationRule shop/b',
    denies: true,
    mtlsUnknown: true,
  },
  {
    name: 'DestinationRule exportTo "." and namespace names are modelled',
    objects: [
      ...istioPair(),
      destinationRule('shop', 'b', { host: 'b', exportTo: ['.', 'other'] }),
    ],
  },
  {
    // Modelled: docs/engine.md "Istio service registry".
    name: 'Service exportTo annotation: modelled',
    objects: [
      ...istioPair().filter(o => o.kind !== 'Service'),
      {
        ...service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
        metadata: {
          name: 'b',
          namespace: 'shop',
          annotations: { 'networking.istio.io/exportTo': '.' },
        },
      },
    ],
  },
  {
    // Gateways and GatewayClass are modelled (docs/engine.md "Ambient waypoints").
    name: 'AuthorizationPolicy targeting a ServiceEntry, b uses a waypoint',
    objects: [
      ...ambientPair({ 'istio.io/use-waypoint': 'waypoint' }),
      authorizationPolicy('shop', 'at-entry', {
        targetRefs: [
          { kind: 'ServiceEntry', group: 'networking.istio.io', name: 'ext' },
        ],
        action: 'DENY',
        rules: [{ to: [{ operation: { methods: ['POST'] } }] }],
      }),
    ],
    reason:
      'not evaluated: AuthorizationPolicy shop/at-entry (targetRefs ServiceEntry)',
    denies: true,
  },
  {
    name: 'AuthorizationPolicy targeting another waypoint: out of scope',
    objects: [
      ...ambientPair({ 'istio.io/use-waypoint': 'waypoint' }),
      authorizationPolicy('shop', 'elsewhere', {
        targetRefs: [
          {
            kind: 'Gateway',
            group: 'gateway.networking.k8s.io',
            name: 'other-waypoint',
          },
        ],
        action: 'DENY',
        rules: [{ to: [{ operation: { methods: ['POST'] } }] }],
      }),
    ],
  },
  {
    // Modelled: docs/engine.md "Ambient waypoints".
    name: 'istio.io/use-waypoint on a Service, its Gateway and a policy on it: modelled',
    objects: [
      ...ambientPair().filter(o => o.kind !== 'Service'),
      {
        ...service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
        metadata: {
          name: 'b',
          namespace: 'shop',
          labels: { 'istio.io/use-waypoint': 'waypoint' },
        },
      },
      waypointGateway('shop', 'waypoint'),
      authorizationPolicy('shop', 'at-waypoint', {
        targetRefs: [
          {
            kind: 'Gateway',
            group: 'gateway.networking.k8s.io',
            name: 'waypoint',
          },
        ],
        action: 'DENY',
        rules: [
          { from: [{ source: { principals: ['cluster.local/ns/x/sa/y'] } }] },
        ],
      }),
    ],
  },
  {
    // Modelled: docs/engine.md "Trust domain".
    name: 'trust-domain aliases of the mesh config: modelled',
    objects: [
      ...istioPair(),
      meshConfig('istio', 'trustDomainAliases: [old.example.com]\n'),
    ],
  },
  {
    // Modelled for sidecar workloads: docs/engine.md "Trust domain".
    name: 'revisioned mesh ConfigMap of the namespace revision: modelled',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/rev': 'canary' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio-canary', 'trustDomain: canary.local\n'),
    ],
  },
  {
    name: 'revisioned mesh ConfigMap moving the root namespace',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/rev': 'canary' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio-canary', 'rootNamespace: mesh-root\n'),
    ],
    reason:
      'not evaluated: rootNamespace mesh-root of ConfigMap istio-system/istio-canary',
    denies: true,
    mtlsUnknown: true,
  },
  {
    name: 'revisioned mesh ConfigMap of an ambient workload',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'b',
          namespace: 'shop',
          labels: { app: 'b', 'istio.io/rev': 'canary' },
          annotations: { 'ambient.istio.io/redirection': 'enabled' },
        },
        spec: {
          containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
        },
        status: { podIP: '10.0.0.2' },
      },
      meshConfig('istio-canary', 'trustDomain: canary.local\n'),
    ],
    reason:
      'not evaluated: ConfigMap istio-system/istio-canary (ambient workload)',
    denies: true,
    mtlsUnknown: true,
  },
  // docs/engine.md "Trust domain": a revision tag ("Canary upgrades" › "Stable revision
  // labels", https://istio.io/latest/docs/setup/upgrade/canary/#stable-revision-labels:
  // `istio.io/rev=prod-stable` names a tag pointing to some revision) has no ConfigMap of its
  // own; once the input holds mesh ConfigMaps, its workloads fail closed instead of taking
  // `istio`'s trust domain.
  ...(
    [
      ['the namespace', 'istio', 'b', true],
      ['the namespace', 'istio-canary', 'b', true],
      ['the client', 'istio', 'a', false],
    ] as const
  ).map(
    ([labelled, configMap, on, mtlsUnknown]): Case => ({
      name: `revision tag on ${labelled} beside ConfigMap ${configMap}`,
      objects: [
        namespace('istio-system'),
        namespace('shop', on === 'b' ? { 'istio.io/rev': 'prod-stable' } : {}),
        deployment('shop', 'a', {
          labels:
            on === 'a'
              ? { 'istio.io/rev': 'prod-stable' }
              : { 'sidecar.istio.io/inject': 'true' },
        }),
        deployment('shop', 'b', {
          labels: { 'sidecar.istio.io/inject': 'true' },
        }),
        meshConfig(configMap, 'trustDomain: example.org\n'),
      ],
      reason:
        'not evaluated: istio.io/rev prod-stable (revision prod-stable has no mesh ConfigMap istio-prod-stable: a revision tag? tags are not read)',
      denies: true,
      mtlsUnknown,
      on,
    }),
  ),
  {
    name: 'revision tag of an ambient workload beside ConfigMap istio',
    objects: [
      namespace('istio-system'),
      namespace('shop', {
        'istio.io/dataplane-mode': 'ambient',
        'istio.io/rev': 'prod-stable',
      }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio', 'trustDomain: example.org\n'),
    ],
    reason:
      'not evaluated: istio.io/rev prod-stable (revision prod-stable has no mesh ConfigMap istio-prod-stable: a revision tag? tags are not read)',
    denies: true,
    mtlsUnknown: true,
  },
  {
    // GitOps repositories often hold no mesh ConfigMap: nothing tells a tag from a revision.
    name: 'revision without a ConfigMap in an input without mesh ConfigMaps: istio defaults',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/rev': 'prod-stable' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
    ],
  },
  {
    // The default revision is served by ConfigMap istio.
    name: 'revision default beside ConfigMap istio: modelled',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/rev': 'default' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio', 'trustDomain: example.org\n'),
    ],
  },
  {
    // docs/engine.md "Istio service registry": the exportTo defaults come from ConfigMap istio.
    name: 'revisioned mesh ConfigMap with its own defaultServiceExportTo',
    objects: [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/rev': 'canary' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio-canary', 'defaultServiceExportTo: ["."]\n'),
    ],
    reason:
      'not evaluated: defaultServiceExportTo of ConfigMap istio-system/istio-canary',
    denies: true,
    on: 'a',
  },
  {
    name: 'revisioned mesh ConfigMap of another revision: out of scope',
    objects: [...istioPair(), meshConfig('istio-canary', 'trustDomain: x\n')],
  },
  {
    // docs/engine.md "Linkerd ExternalWorkload": modelled as a caller; as a callee (behind the
    // Services selecting it) it is outside the snapshot.
    name: 'Linkerd ExternalWorkload: callees outside the snapshot only',
    objects: [
      ...linkerdPair(),
      object('workload.linkerd.io/v1beta1', 'ExternalWorkload', 'data', 'vm', {
        meshTLS: {
          identity: 'spiffe://root.linkerd.cluster.local/vm',
          serverName: 'vm',
        },
        workloadIPs: [{ ip: '192.0.2.10' }],
      }),
    ],
    reason: 'not evaluated: ExternalWorkload data/vm',
    on: 'a',
    ns: 'data',
  },
  {
    // docs/engine.md "Linkerd EgressNetwork": without `networks`, everything outside the
    // cluster networks, where no workload of the snapshot is.
    name: 'Linkerd EgressNetwork without networks: nothing the engine reports',
    objects: [
      ...linkerdPair(),
      object(
        'policy.linkerd.io/v1alpha1',
        'EgressNetwork',
        'linkerd-egress',
        'all',
        { trafficPolicy: 'Deny' },
      ),
    ],
    ns: 'data',
  },
  {
    name: 'Linkerd EgressNetwork reaching into the cluster networks, in linkerd-egress: every client',
    objects: [
      ...linkerdPair(),
      object(
        'policy.linkerd.io/v1alpha1',
        'EgressNetwork',
        'linkerd-egress',
        'all',
        { trafficPolicy: 'Deny', networks: [{ cidr: '10.0.0.0/8' }] },
      ),
    ],
    reason: 'not evaluated: EgressNetwork linkerd-egress/all',
    on: 'a',
    ns: 'data',
    denies: true,
  },
  {
    // The Gateway API's GRPCRoute on a Linkerd Server: it routes (and authorizes) the
    // Server's requests, and refuses the Server's HTTPRoutes; not modelled.
    name: "Linkerd Server with the Gateway API's GRPCRoute: its pods' authorization",
    objects: [
      ...linkerdPair(),
      grpcServer,
      object('gateway.networking.k8s.io/v1', 'GRPCRoute', 'data', 'b-grpc', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-grpc' },
        ],
      }),
    ],
    reason: 'not evaluated: GRPCRoute data/b-grpc',
    ns: 'data',
    denies: true,
  },
  {
    // A Gateway's (ingress) or a Service's GRPCRoute, or a parentRef without the group (the
    // Gateway API's own): not read.
    name: 'GRPCRoutes attached to no Linkerd Server: nothing the engine reports',
    objects: [
      ...linkerdPair(),
      grpcServer,
      object('gateway.networking.k8s.io/v1', 'GRPCRoute', 'data', 'ingress', {
        parentRefs: [{ name: 'public-gateway' }],
      }),
      object('gateway.networking.k8s.io/v1', 'GRPCRoute', 'data', 'no-group', {
        parentRefs: [{ kind: 'Server', name: 'b-grpc' }],
      }),
    ],
    ns: 'data',
  },
  {
    // API reference, AdminNetworkPolicySpec.priority: with two policies of one priority "the
    // implementation can apply any of the matching policies" (docs/engine.md
    // "AdminNetworkPolicy").
    name: 'Two AdminNetworkPolicies with the same priority selecting the server',
    objects: [
      ...istioPair(),
      anp('AdminNetworkPolicy', 'allow-shop', {
        priority: 10,
        subject: { namespaces: {} },
        ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }],
      }),
      anp('AdminNetworkPolicy', 'deny-shop', {
        priority: 10,
        subject: {
          pods: {
            namespaceSelector: {},
            podSelector: { matchLabels: { app: 'b' } },
          },
        },
        ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
      }),
    ],
    reason:
      'not evaluated: AdminNetworkPolicy allow-shop, deny-shop (same priority 10)',
    denies: true,
  },
  {
    name: 'AdminNetworkPolicy of another namespace: out of scope',
    objects: [
      ...istioPair(),
      anp('AdminNetworkPolicy', 'other', {
        priority: 10,
        subject: {
          namespaces: {
            matchLabels: { 'kubernetes.io/metadata.name': 'other' },
          },
        },
        ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
      }),
    ],
  },
  {
    name: 'CiliumNetworkPolicy with a readable endpoint selector: modelled',
    objects: [
      ...istioPair(),
      cilium('CiliumNetworkPolicy', 'shop', 'b-in', {
        endpointSelector: { matchLabels: { 'k8s:app': 'b' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }],
      }),
    ],
  },
  {
    name: 'CiliumClusterwideNetworkPolicy host policy: pods on the pod network out of scope',
    objects: [
      ...istioPair(),
      cilium('CiliumClusterwideNetworkPolicy', undefined, 'nodes', {
        nodeSelector: {},
        ingress: [{ fromEntities: ['world'] }],
      }),
    ],
  },
  {
    name: 'CiliumClusterwideNetworkPolicy host policy: a host-networked server',
    objects: [
      namespace('shop'),
      deployment('shop', 'a'),
      hostNetworked(deployment('shop', 'b')),
      cilium('CiliumClusterwideNetworkPolicy', undefined, 'nodes', {
        nodeSelector: {},
        ingress: [{ fromEntities: ['world'] }],
      }),
    ],
    reason: 'not evaluated: CiliumClusterwideNetworkPolicy nodes',
    denies: true,
  },
  {
    name: 'CiliumClusterwideNetworkPolicy of another namespace: out of scope',
    objects: [
      ...istioPair(),
      cilium('CiliumClusterwideNetworkPolicy', undefined, 'other', {
        endpointSelector: {
          matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' },
        },
        ingress: [{ fromEndpoints: [{}] }],
      }),
    ],
  },
  {
    name: 'CiliumClusterwideNetworkPolicy with a reserved: selector may select anything',
    objects: [
      ...istioPair(),
      cilium('CiliumClusterwideNetworkPolicy', undefined, 'host', {
        endpointSelector: { matchLabels: { 'reserved:host': '' } },
        ingress: [{ fromEntities: ['cluster'] }],
      }),
    ],
    reason: 'not evaluated: CiliumClusterwideNetworkPolicy host',
    denies: true,
  },
];

describe('not evaluated (unmodelled kinds)', () => {
  const run = (c: Case) => {
    const ns = c.ns ?? 'shop';
    const engine = engineOf(c.objects);
    return {
      engine,
      posture: (name: string) => engine.posture({ namespace: ns, name }),
      decision: engine.check({
        from: { namespace: ns, name: 'a' },
        to: { namespace: ns, name: 'b' },
        port: 8080,
      }),
      findings: engine.evaluate().findings,
      callers: () => engine.callersOf({ namespace: ns, name: 'b' }),
    };
  };

  it.each(CASES.filter(c => c.reason).map(c => [c.name, c] as const))(
    '%s',
    (_n, c) => {
      const reason = c.reason!;
      const { posture, decision, findings, callers } = run(c);
      expect(posture(c.on ?? 'b').notEvaluated).toContain(reason);
      expect(
        findings.filter(f => f.code === 'MS408').map(f => f.message),
      ).toEqual(expect.arrayContaining([expect.stringContaining(reason)]));
      expect(decision.decision).toBe(c.denies ? 'DENY' : 'ALLOW');
      expect((decision.cannotEvaluate ?? []).includes(reason)).toBe(!!c.denies);
      expect(posture('b').mtls === 'UNKNOWN').toBe(!!c.mtlsUnknown);
      expect(
        posture('b').ports.every(
          p => p.mtls !== 'UNKNOWN' || p.reason?.includes(reason),
        ),
      ).toBe(true);
      // Every caller edge of an affected target is partial: the object may change it.
      const edges = (c.on ?? 'b') === 'b' ? callers() : [];
      expect(edges.every(e => e.cannotEvaluate?.includes(reason))).toBe(true);
    },
  );

  it.each(CASES.filter(c => !c.reason).map(c => [c.name, c] as const))(
    '%s',
    (_n, c) => {
      const { posture, decision, findings } = run(c);
      expect(posture('a').notEvaluated).toBeUndefined();
      expect(posture('b').notEvaluated).toBeUndefined();
      expect(decision.decision).toBe('ALLOW');
      expect(findings.map(f => f.code)).not.toContain('MS408');
    },
  );

  it('the reader keeps unmodelled kinds, cluster-scoped ones without namespace', () => {
    const { snapshot, findings } = readObjects([
      anp('AdminNetworkPolicy', 'x', {
        priority: 1,
        subject: { namespaces: {} },
      }),
      cilium('CiliumNetworkPolicy', 'shop', 'y', { endpointSelector: {} }),
      sidecar('shop', 'z'),
      meshConfig('istio-sidecar-injector', 'x: 1\n'),
      { ...meshConfig('istio-canary', 'trustDomain: a\n') },
      object('example.com/v1', 'Sidecar', 'shop', 'not-istio', {}),
    ]);
    expect(findings).toEqual([]);
    expect(
      (snapshot.unevaluated ?? []).map(
        o => `${o.kind} ${o.namespace}/${o.name}`,
      ),
    ).toEqual([
      'AdminNetworkPolicy /x',
      'CiliumNetworkPolicy shop/y',
      'Sidecar shop/z',
    ]);
  });

  it('an estate without unmodelled objects has no notEvaluated anywhere', () => {
    const engine = engineOf(istioPair());
    expect(engine.evaluate().workloads.every(w => !w.notEvaluated)).toBe(true);
  });
});
