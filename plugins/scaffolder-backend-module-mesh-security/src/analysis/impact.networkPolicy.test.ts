import { AppliedPolicy } from '@mesh-security/plugin-mesh-security-common';
import { demoPosture } from '../__testUtils__/demoEstate';
import { fixture } from '../__testUtils__/harness';
import { analyseChange, impactTable } from './impact';

/*
 * The NetworkPolicy layer in the impact: the mesh lets a caller in, a NetworkPolicy isolating the
 * target's pods still refuses the connection (deciding layer network-policy).
 */

const defaultDeny: AppliedPolicy = {
  kind: 'NetworkPolicy',
  apiVersion: 'networking.k8s.io/v1',
  namespace: 'data',
  name: 'default-deny-ingress',
  manifest: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-ingress', namespace: 'data' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  },
};
const allowEtl: AppliedPolicy = {
  ...defaultDeny,
  name: 'analytics-allow-etl',
  manifest: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'analytics-allow-etl', namespace: 'data' },
    spec: {
      podSelector: { matchLabels: { app: 'analytics-api' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'etl-worker' } } }] },
      ],
    },
  },
};

const BEFORE = fixture('linkerd-analytics.before.yaml');
const AFTER = fixture('linkerd-analytics.after.yaml'); // + data/reporting

function analyse(
  networkPolicies: AppliedPolicy[],
  etlLabels?: Record<string, string>,
) {
  const target = demoPosture('analytics-api', 'data').workloads[0];
  target.policies = [...target.policies, ...networkPolicies];
  const reporting = { namespace: 'data', serviceAccount: 'reporting' };
  const etl = {
    namespace: 'data',
    serviceAccount: 'etl-worker',
    ...(etlLabels ? { labels: etlLabels } : {}),
  };
  return analyseChange(
    { cluster: 'demo', target, callers: [reporting, etl] },
    BEFORE,
    AFTER,
    [8080],
    // The demo's analytics-http serves GET /api/* only (HTTPRoute analytics-api-read).
    { callers: [reporting], methods: ['GET'], paths: ['/api/*'] },
  );
}

describe('impact: NetworkPolicy layer', () => {
  it('reports callers the mesh admits but a default-deny NetworkPolicy blocks, with the policy', () => {
    const { impact, warnings } = analyse([defaultDeny]);
    expect(impact[0]).toMatchObject({
      after: ['data/etl-worker (GET /api/*)', 'data/reporting (GET /api/*)'],
      added: ['data/reporting (GET /api/*)'],
      requested: ['data/reporting GET /api/*: DENY → ALLOW'],
      blockedByNetworkPolicy: [
        'data/etl-worker: NetworkPolicy data/default-deny-ingress',
        'data/reporting: NetworkPolicy data/default-deny-ingress',
      ],
    });
    expect(warnings).toEqual([
      'data/reporting GET /api/* → data/analytics-api port 8080: the mesh allows it, but NetworkPolicy data/default-deny-ingress blocks the connection (deciding layer: network-policy). The request will not work until a NetworkPolicy allows it.',
    ]);
    expect(impactTable(impact)).toContain(
      '| `data/reporting GET /api/*: DENY → ALLOW` | `data/etl-worker: NetworkPolicy data/default-deny-ingress`, `data/reporting: NetworkPolicy data/default-deny-ingress` |',
    );
  });

  it.each<[string, Record<string, string> | undefined, string[]]>([
    [
      'a caller whose pod labels match the podSelector is let in',
      { app: 'etl-worker' },
      [],
    ],
    [
      'a caller whose pod labels do not match is blocked by the isolating policies',
      { app: 'loader' },
      [
        'data/etl-worker: NetworkPolicy data/analytics-allow-etl, NetworkPolicy data/default-deny-ingress',
      ],
    ],
    // Named by identity: its pod labels are unknown, a podSelector may admit it: not reported.
    ['a caller named by identity is not reported', undefined, []],
  ])('podSelector rules: %s', (_, etlLabels, blocked) => {
    const { impact } = analyse([defaultDeny, allowEtl], etlLabels);
    // data/reporting (named by identity) is never reported: allowEtl might select its pods.
    expect(impact[0].blockedByNetworkPolicy).toEqual(blocked);
  });

  it('assumes a namespaceSelector on labels it does not know matches (no false alarm)', () => {
    const byTeam: AppliedPolicy = {
      ...defaultDeny,
      name: 'analytics-allow-team',
      manifest: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'analytics-allow-team', namespace: 'data' },
        spec: {
          podSelector: {},
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { team: 'data' } } }],
            },
          ],
        },
      },
    };
    expect(
      analyse([defaultDeny, byTeam], { app: 'etl-worker' }).impact[0]
        .blockedByNetworkPolicy,
    ).toEqual([]);
  });

  it('reports nothing when no NetworkPolicy isolates the target', () => {
    const { impact, warnings } = analyse([]);
    expect(impact[0].blockedByNetworkPolicy).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
