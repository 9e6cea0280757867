import { AccessRequest } from '../../model';
import {
  Obj,
  authorizationPolicy,
  deployment,
  namespace,
  service,
  waypointGateway,
} from '../k8s';
import type { AccessCase } from './accessCase';

/*
 * Istio ambient waypoints (istio/waypoint.ts, docs/engine.md "Ambient waypoints"). Each case
 * cites what it follows: "Configure waypoint proxies" (WP,
 * https://istio.io/latest/docs/ambient/usage/waypoint/), "Ambient data plane" (DP,
 * https://istio.io/latest/docs/ambient/architecture/data-plane/), istiod's waypoint resolution
 * (ISTIOD, istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go) or its
 * policy attachment (ATTACH, istio/istio pilot/pkg/model/policyattachment.go
 * `ShouldAttachPolicy`).
 */

/** `shop` in ambient mode (plus `labels`): `a`, `b` (8080), `c`; Service `b` 80 → 8080. */
const estate = (
  labels: Record<string, string> = {},
  o: {
    serviceLabels?: Record<string, string>;
    bLabels?: Record<string, string>;
  } = {},
): Obj[] => [
  namespace('istio-system'),
  namespace('infra'),
  namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...labels }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { labels: o.bLabels ?? {} }),
  deployment('shop', 'c'),
  {
    ...service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    metadata: { name: 'b', namespace: 'shop', labels: o.serviceLabels ?? {} },
  },
];
const nsWaypoint = { 'istio.io/use-waypoint': 'waypoint' };
const toB = (over: Partial<AccessRequest> = {}): Partial<AccessRequest> => ({
  from: { namespace: 'shop', name: 'a' },
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
  ...over,
});
const fromC = { namespace: 'shop', name: 'c' };
const gatewayRef = (name: string) => ({
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name,
});
const allowA = [
  { from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }] },
];
/** An ALLOW policy admitting only `a`, attached to `targetRefs`. */
const allowOnlyA = (ns: string, name: string, targetRefs: Obj[]) =>
  authorizationPolicy(ns, name, { targetRefs, action: 'ALLOW', rules: allowA });
/** An ALLOW policy without rules (denies every request), attached to `targetRefs`. */
const denyAll = (ns: string, name: string, targetRefs: Obj[]) =>
  authorizationPolicy(ns, name, { targetRefs });

export const WAYPOINT_CASES: AccessCase[] = [
  // WP, "Use a waypoint proxy" / "Attach a L7 policy to the entire waypoint proxy".
  {
    name: 'Ambient waypoints: a policy on the namespace waypoint admits its client',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint'),
      allowOnlyA('shop', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB(),
    decision: 'ALLOW',
    layer: 'authorization',
    policy: 'AuthorizationPolicy shop/only-a',
  },
  // WP: "by default, a waypoint will only handle service traffic"; DP: a request to a pod IP
  // goes to the pod's waypoint, the namespace waypoint serves Services only.
  {
    name: 'Ambient waypoints: a service-only waypoint leaves the pod address to ztunnel',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint'),
      allowOnlyA('shop', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message:
      /depends on how the client addresses the workload: allowed via the pod address, denied via Service shop\/b/,
  },
  // WP, `istio.io/waypoint-for: all`: the waypoint takes both Service and pod traffic.
  {
    name: 'Ambient waypoints: a waypoint for all traffic denies on every address',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      allowOnlyA('shop', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy shop/only-a',
  },
  // WP, "Attach a L7 policy to the entire waypoint proxy": the waypoint enforces HTTP rules.
  {
    name: 'Ambient waypoints: the waypoint enforces HTTP methods',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      authorizationPolicy('shop', 'get-only', {
        targetRefs: [gatewayRef('waypoint')],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    request: toB({ method: 'POST', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy shop/get-only',
  },
  // "Authorization Policy for TCP" (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/):
  // the waypoint's Envoy receives a port its Service declares tcp as TCP, where an ALLOW rule
  // with HTTP fields grants nothing, even to a request that names the method.
  {
    name: 'Ambient waypoints: on a port its Service declares tcp, HTTP rules grant nothing',
    objects: [
      ...estate(nsWaypoint).filter(o => o.kind !== 'Service'),
      service('shop', 'b', { app: 'b' }, [
        { port: 80, targetPort: 8080, name: 'tcp-b' },
      ]),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      authorizationPolicy('shop', 'get-only', {
        targetRefs: [gatewayRef('waypoint')],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    request: toB({ method: 'GET', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy shop/get-only',
    message: /port 8080 is declared tcp/,
  },
  // "Use Layer 4 security policy" (https://istio.io/latest/docs/ambient/usage/l4-policy/,
  // "Targeting policies"): a waypoint takes policies "attached using the targetRef field"; a
  // selector policy stays the destination ztunnel's, HTTP rules and all (MS208 says so).
  {
    name: 'Ambient waypoints: a selector policy with HTTP rules is not applied at the waypoint',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      authorizationPolicy('shop', 'get-only', {
        selector: { matchLabels: { app: 'b' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      }),
    ],
    request: toB({ method: 'GET', path: '/' }),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message:
      /not evaluated: AuthorizationPolicy shop\/get-only behind waypoint shop\/waypoint/,
  },
  // WP, "Attach a L7 policy to a specific service": Service targetRefs apply to traffic
  // addressed to that Service only (ATTACH: one Service per match).
  {
    name: 'Ambient waypoints: a policy on the Service applies to traffic to the Service only',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      allowOnlyA('shop', 'only-a', [{ group: '', kind: 'Service', name: 'b' }]),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message: /allowed via the pod address, denied via Service shop\/b/,
  },
  // WP, "Configure a service to use a specific waypoint"; ISTIOD: the Service's own label wins
  // over its namespace's.
  {
    name: 'Ambient waypoints: a Service label wins over the namespace label',
    objects: [
      ...estate(nsWaypoint, {
        serviceLabels: { 'istio.io/use-waypoint': 'b-waypoint' },
      }),
      waypointGateway('shop', 'waypoint'),
      waypointGateway('shop', 'b-waypoint'),
      denyAll('shop', 'deny-at-namespace-waypoint', [gatewayRef('waypoint')]),
    ],
    request: toB(),
    decision: 'ALLOW',
    message: /waypoint shop\/b-waypoint/,
  },
  // ISTIOD `getUseWaypoint`: `none` opts the object out of its namespace's waypoint.
  {
    name: 'Ambient waypoints: use-waypoint none on the Service opts out',
    objects: [
      ...estate(nsWaypoint, {
        serviceLabels: { 'istio.io/use-waypoint': 'none' },
      }),
      waypointGateway('shop', 'waypoint'),
      denyAll('shop', 'deny-at-waypoint', [gatewayRef('waypoint')]),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // WP, "Configure a pod to use a specific waypoint" (`--for workload`).
  {
    name: 'Ambient waypoints: a pod label sends traffic to the pod through its waypoint',
    objects: [
      ...estate({}, { bLabels: { 'istio.io/use-waypoint': 'b-pod' } }),
      waypointGateway('shop', 'b-pod', { waypointFor: 'workload' }),
      denyAll('shop', 'deny-at-pod-waypoint', [gatewayRef('b-pod')]),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message: /allowed via Service shop\/b, denied via the pod address/,
  },
  // WP, "Debug your waypoint proxies": a pod using a waypoint that only processes service
  // traffic has no waypoint (ISTIOD `fetchWaypointForWorkload`).
  {
    name: 'Ambient waypoints: a pod label naming a service-only waypoint is not used',
    objects: [
      ...estate({}, { bLabels: { 'istio.io/use-waypoint': 'waypoint' } }),
      waypointGateway('shop', 'waypoint'),
      denyAll('shop', 'deny-at-waypoint', [gatewayRef('waypoint')]),
    ],
    request: toB(),
    decision: 'ALLOW',
    message:
      /handles service traffic \(istio.io\/waypoint-for\), not workload traffic/,
  },
  // ISTIOD `getUseWaypoint`: `istio.io/use-waypoint-namespace` names the waypoint's namespace;
  // `AllowsAttachmentFromNamespace`: its HBONE listener's allowedRoutes must admit the namespace.
  {
    name: 'Ambient waypoints: a waypoint in another namespace that admits all namespaces',
    objects: [
      ...estate({
        ...nsWaypoint,
        'istio.io/use-waypoint-namespace': 'infra',
      }),
      waypointGateway('infra', 'waypoint', {
        waypointFor: 'all',
        allowedRoutes: { namespaces: { from: 'All' } },
      }),
      allowOnlyA('infra', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy infra/only-a',
  },
  {
    name: 'Ambient waypoints: a waypoint in another namespace admits only its own by default',
    objects: [
      ...estate({
        ...nsWaypoint,
        'istio.io/use-waypoint-namespace': 'infra',
      }),
      waypointGateway('infra', 'waypoint', { waypointFor: 'all' }),
      allowOnlyA('infra', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
    message: /does not admit namespace shop/,
  },
  {
    name: 'Ambient waypoints: allowedRoutes from Selector admits the namespaces it selects',
    objects: [
      ...estate({
        ...nsWaypoint,
        'istio.io/use-waypoint-namespace': 'infra',
      }),
      waypointGateway('infra', 'waypoint', {
        waypointFor: 'all',
        allowedRoutes: {
          namespaces: {
            from: 'Selector',
            selector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'shop' },
            },
          },
        },
      }),
      allowOnlyA('infra', 'only-a', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy infra/only-a',
  },
  // ISTIOD `fetchWaypointForTarget`: a waypoint that does not exist is "not ready" and the
  // traffic goes without one (no fallback): its policies are not enforced.
  {
    name: 'Ambient waypoints: a waypoint Gateway missing from the input is not used',
    objects: [
      ...estate(nsWaypoint),
      allowOnlyA('shop', 'only-a', [{ group: '', kind: 'Service', name: 'b' }]),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
    message: /is not in the input: istiod sends the traffic without a waypoint/,
  },
  // docs/engine.md "Unavailable inputs": Gateways that could not be listed fail closed.
  {
    name: 'Ambient waypoints: Gateways that cannot be read fail closed',
    objects: [...estate(nsWaypoint)],
    options: { unavailable: { istioWaypoints: 'Gateways: forbidden' } },
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message: /cannot be known: Gateways: forbidden/,
  },
  {
    name: 'Ambient waypoints: a Gateway of another class is not modelled',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { gatewayClassName: 'other-proxy' }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message: /class other-proxy, not istio-waypoint: not modelled/,
  },
  // ATTACH: the GatewayClass `istio-waypoint` in the root namespace attaches to every waypoint.
  {
    name: 'Ambient waypoints: a policy on the GatewayClass in the root namespace',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      denyAll('istio-system', 'all-waypoints', [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'GatewayClass',
          name: 'istio-waypoint',
        },
      ]),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'authorization',
    policy: 'AuthorizationPolicy istio-system/all-waypoints',
  },
  {
    name: 'Ambient waypoints: a policy on the GatewayClass outside the root namespace is ignored',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      denyAll('shop', 'all-waypoints', [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'GatewayClass',
          name: 'istio-waypoint',
        },
      ]),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // DP, "Inbound": a workload outside the mesh sends to the pod directly, without a waypoint.
  {
    name: 'Ambient waypoints: a client outside the mesh does not go through the waypoint',
    objects: [
      ...estate(nsWaypoint),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      denyAll('shop', 'deny-at-waypoint', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  // DP: sidecars do not use waypoints; istiod's sidecar_interop.go says they may: both count.
  {
    name: 'Ambient waypoints: an Istio sidecar client may or may not use the waypoint',
    objects: [
      ...estate(nsWaypoint),
      namespace('legacy', { 'istio-injection': 'enabled' }),
      deployment('legacy', 'old'),
      waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
      denyAll('shop', 'deny-at-waypoint', [gatewayRef('waypoint')]),
    ],
    request: toB({ from: { namespace: 'legacy', name: 'old' } }),
    decision: 'DENY',
    layer: 'authorization',
    cannotEvaluate: true,
    message: /an Istio sidecar may not use waypoints/,
  },
];
