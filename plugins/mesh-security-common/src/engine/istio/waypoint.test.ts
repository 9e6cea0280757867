import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  namespace,
  service,
  waypointGateway,
} from '../../__testUtils__/k8s';
import { readObjects } from '../core/reader';

// The table (__testUtils__/cases/waypoint.ts) cites the upstream rule of each case.
describe('Ambient waypoints: which waypoint, which policies', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['istio/waypoint']))('%s', (_name, c) =>
    expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

/*
 * docs/engine.md "Ambient waypoints": behind a waypoint (`istio.io/use-waypoint`), the policies
 * the destination ztunnel enforces (selector, namespace-wide, mesh-wide) see the waypoint's
 * identity for traffic the waypoint forwards and the client's for traffic that bypasses it
 * ("Use Layer 4 security policy": policy "can now be enforced in two places"; "Ambient data
 * plane": clients outside the mesh send directly) — not evaluated, never guessed. Policies
 * targeting the Service (`targetRefs`) are the waypoint's and are evaluated.
 */

const A = { namespace: 'shop', name: 'a' };
const B = { namespace: 'shop', name: 'b' };

const estate = (
  nsWaypoint: boolean,
  bLabels: Record<string, string>,
  policy: Obj,
) => [
  namespace('istio-system'),
  namespace('shop', {
    'istio.io/dataplane-mode': 'ambient',
    ...(nsWaypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {}),
  }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { labels: bLabels }),
  service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
  waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
  waypointGateway('shop', 'wp', { waypointFor: 'workload' }),
  policy,
];

const allowA = (target: Obj) =>
  authorizationPolicy('shop', 'b-allow-a', {
    ...target,
    action: 'ALLOW',
    rules: [
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }] },
    ],
  });
const bySelector = allowA({ selector: { matchLabels: { app: 'b' } } });
const byService = allowA({
  targetRefs: [{ group: '', kind: 'Service', name: 'b' }],
});

describe('Ambient waypoints', () => {
  it.each([
    [
      'no waypoint: the ztunnel policy is evaluated',
      false,
      {},
      bySelector,
      'ALLOW',
      false,
    ],
    [
      'namespace waypoint: a selector policy is not evaluated',
      true,
      {},
      bySelector,
      'DENY',
      true,
    ],
    [
      'pod waypoint: a selector policy is not evaluated',
      false,
      { 'istio.io/use-waypoint': 'wp' },
      bySelector,
      'DENY',
      true,
    ],
    [
      'pod opts out with use-waypoint none: traffic to its Service still uses the namespace waypoint',
      true,
      { 'istio.io/use-waypoint': 'none' },
      bySelector,
      'DENY',
      true,
    ],
    [
      'namespace waypoint: a policy targeting the Service is evaluated',
      true,
      {},
      byService,
      'ALLOW',
      false,
    ],
  ] as const)('%s', (_name, nsWaypoint, bLabels, policy, decision, cannot) => {
    const engine = engineOf(estate(nsWaypoint, { ...bLabels }, policy));
    const d = engine.check({ from: A, to: B, port: 8080 });
    expect([d.decision, (d.cannotEvaluate ?? []).length > 0]).toEqual([
      decision,
      cannot,
    ]);
    expect(
      !cannot ||
        (d.cannotEvaluate ?? []).some(r =>
          r.includes("the destination ztunnel sees the waypoint's identity"),
        ),
    ).toBe(true);
  });
});

describe('malformed waypoint Gateways (MS401)', () => {
  // Gateway API reference, "Gateway" and "Listener": gatewayClassName and 1-64 listeners with
  // name, port and protocol are required; allowedRoutes.namespaces.from is an enum.
  const gateway = waypointGateway('shop', 'waypoint');
  const spec = gateway.spec as Obj;
  it.each([
    [
      'no gatewayClassName',
      { ...gateway, spec: { ...spec, gatewayClassName: undefined } },
      /spec.gatewayClassName: Required value/,
    ],
    [
      'no listeners',
      { ...gateway, spec: { ...spec, listeners: [] } },
      /spec.listeners: must have 1-64 items/,
    ],
    [
      'a listener without a port',
      {
        ...gateway,
        spec: { ...spec, listeners: [{ name: 'mesh', protocol: 'HBONE' }] },
      },
      /spec.listeners\[0\].port: Required value/,
    ],
    [
      'an unknown allowedRoutes.namespaces.from',
      waypointGateway('shop', 'waypoint', {
        allowedRoutes: { namespaces: { from: 'Everywhere' } },
      }),
      /allowedRoutes.namespaces.from: Unsupported value/,
    ],
    [
      'a version that is not served',
      { ...gateway, apiVersion: 'gateway.networking.k8s.io/v9' },
      /not a served version/,
    ],
  ])('%s', (_name, object, problem) => {
    const { snapshot, findings } = readObjects([object]);
    expect(findings.map(f => f.code)).toEqual(['MS401']);
    expect(findings[0].message).toMatch(problem);
    expect(snapshot.unevaluated ?? []).toEqual([]);
  });

  it('keeps a well-formed Gateway, of any class', () => {
    const { snapshot, findings } = readObjects([
      waypointGateway('shop', 'waypoint'),
      waypointGateway('shop', 'ingress', { gatewayClassName: 'istio' }),
    ]);
    expect(findings).toEqual([]);
    expect(snapshot.unevaluated?.map(o => o.name)).toEqual([
      'ingress',
      'waypoint',
    ]);
  });
});

describe('MS215: a waypoint istiod does not use', () => {
  const ambientEstate = (labels: Obj, ...more: Obj[]) => [
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...labels }),
    deployment('shop', 'b'),
    service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    ...more,
  ];
  const messages = (objects: Obj[]) =>
    engineOf(objects)
      .evaluate()
      .findings.filter(f => f.code === 'MS215')
      .map(f => f.message);

  it.each([
    [
      'a missing Gateway',
      ambientEstate({ 'istio.io/use-waypoint': 'waypoint' }),
      [
        'waypoint shop/waypoint (istio.io/use-waypoint on Namespace shop) is not in the input: istiod sends the traffic without a waypoint',
      ],
    ],
    [
      'a Gateway for workload traffic named for Services',
      ambientEstate(
        { 'istio.io/use-waypoint': 'waypoint' },
        waypointGateway('shop', 'waypoint', { waypointFor: 'workload' }),
      ),
      [
        'waypoint shop/waypoint (istio.io/use-waypoint on Namespace shop) handles workload traffic (istio.io/waypoint-for), not service traffic: istiod uses no waypoint',
      ],
    ],
    [
      'a Gateway in another namespace that does not admit this one',
      [
        ...ambientEstate({
          'istio.io/use-waypoint': 'waypoint',
          'istio.io/use-waypoint-namespace': 'infra',
        }),
        waypointGateway('infra', 'waypoint'),
      ],
      [
        'waypoint infra/waypoint (istio.io/use-waypoint on Namespace shop) does not admit namespace shop (allowedRoutes of its HBONE listener): istiod uses no waypoint',
      ],
    ],
    [
      'a used waypoint',
      ambientEstate(
        { 'istio.io/use-waypoint': 'waypoint' },
        waypointGateway('shop', 'waypoint'),
      ),
      [],
    ],
    [
      'a namespace waypoint for services only, which the pods do not use (the default)',
      ambientEstate(
        { 'istio.io/use-waypoint': 'waypoint' },
        waypointGateway('shop', 'waypoint', { waypointFor: 'service' }),
      ),
      [],
    ],
  ])('%s', (_name, objects, expected) =>
    expect(messages(objects)).toEqual(expected),
  );
});

describe('MS208: HTTP rules of a selector policy, with or without a waypoint', () => {
  // "Use Layer 4 security policy" (https://istio.io/latest/docs/ambient/usage/l4-policy/,
  // "Targeting policies"): waypoints take the policies "attached using the targetRef field";
  // a selector policy is the destination ztunnel's, which enforces L4 attributes only.
  const getOnly = (target: Obj) =>
    authorizationPolicy('shop', 'get-only', {
      ...target,
      rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
    });
  const selector = { selector: { matchLabels: { app: 'b' } } };
  const ambientEstate = (labels: Obj, ...more: Obj[]) => [
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...labels }),
    deployment('shop', 'b'),
    service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    ...more,
  ];
  const nsWaypoint = { 'istio.io/use-waypoint': 'waypoint' };
  const messages = (objects: Obj[]) =>
    engineOf(objects)
      .evaluate()
      .findings.filter(f => f.code === 'MS208')
      .map(f => `${f.object.name}: ${f.message}`);
  const atWaypoint =
    'get-only: has HTTP conditions and selects shop/b: ztunnel enforces a selector policy at L4 only, and its waypoint shop/waypoint does not apply it; the rule must use targetRefs (the Service or the waypoint) to be enforced at the waypoint';

  it.each<[string, Obj[], string[]]>([
    [
      'no waypoint',
      ambientEstate({}, getOnly(selector)),
      [
        'get-only: has HTTP conditions but shop/b is ambient without a waypoint',
      ],
    ],
    [
      'a namespace waypoint',
      ambientEstate(
        nsWaypoint,
        waypointGateway('shop', 'waypoint'),
        getOnly(selector),
      ),
      [atWaypoint],
    ],
    [
      'a waypoint for all traffic',
      ambientEstate(
        nsWaypoint,
        waypointGateway('shop', 'waypoint', { waypointFor: 'all' }),
        getOnly(selector),
      ),
      [atWaypoint],
    ],
    [
      'a label naming a waypoint that is not in the input (MS215)',
      ambientEstate(nsWaypoint, getOnly(selector)),
      [
        'get-only: has HTTP conditions and selects shop/b: ztunnel enforces a selector policy at L4 only, and the waypoint its istio.io/use-waypoint label names does not apply it; the rule must use targetRefs (the Service or the waypoint) to be enforced at the waypoint',
      ],
    ],
    [
      'a policy on the waypoint: enforced there',
      ambientEstate(
        nsWaypoint,
        waypointGateway('shop', 'waypoint'),
        getOnly({
          targetRefs: [
            {
              group: 'gateway.networking.k8s.io',
              kind: 'Gateway',
              name: 'waypoint',
            },
          ],
        }),
      ),
      [],
    ],
    [
      'a policy on the Service: enforced at its waypoint',
      ambientEstate(
        nsWaypoint,
        waypointGateway('shop', 'waypoint'),
        getOnly({ targetRefs: [{ group: '', kind: 'Service', name: 'b' }] }),
      ),
      [],
    ],
  ])('%s', (_name, objects, expected) =>
    expect(messages(objects)).toEqual(expected),
  );
});
