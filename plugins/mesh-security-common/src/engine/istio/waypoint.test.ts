import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  namespace,
  service,
} from '../../__testUtils__/k8s';

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
      'pod opts out with use-waypoint none: evaluated as without',
      true,
      { 'istio.io/use-waypoint': 'none' },
      bySelector,
      'ALLOW',
      false,
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
