import { FINDING_CASES } from '../../__testUtils__/cases/findings';
import { engineOf } from '../../__testUtils__/engine';
import {
  deployment,
  gatewayHttpRoute,
  linkerdAuthorizationPolicy,
  namespace,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { readObjects } from '../core/reader';
import { readText, repoRoot } from '../../__testUtils__/testdata';
import { TRAFFIC_CASES } from '../../__testUtils__/cases/traffic';
import { certificateFindings } from './certificates';
import { detectNetworkPolicyEnforcement, enforcementFindings } from './cni';
import { CLUSTER_WIDE_FINDING_CODES, findingDefinitions } from '.';

function codesOf(objects: unknown[]): string[] {
  const engine = engineOf(objects);
  return [...engine.readFindings, ...engine.evaluate().findings].map(
    f => f.code,
  );
}

describe('findings', () => {
  it.each(FINDING_CASES.map(c => [c.name, c] as const))('%s', (_n, c) => {
    const codes = codesOf(c.objects);
    for (const code of c.codes) expect(codes).toContain(code);
    for (const code of c.absent ?? []) expect(codes).not.toContain(code);
  });

  it('portLevelMtls without selector is reported by the reader (MS104) and ignored', () => {
    const { findings, snapshot } = readObjects([
      namespace('shop'),
      deployment('shop', 'b'),
      peerAuthentication('shop', 'pl', {
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      }),
    ]);
    expect(findings.map(f => f.code)).toEqual(['MS104']);
    expect(snapshot.istio.peerAuthentications).toHaveLength(1);
  });

  it('a root-namespace PeerAuthentication with a selector names the workloads it would have selected (MS115)', () => {
    const objects = [
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      ...['b', 'c', 'd', 'e'].map(n =>
        deployment('shop', n, { labels: { tier: 'back' } }),
      ),
      peerAuthentication('istio-system', 'back', {
        selector: { matchLabels: { tier: 'back' } },
        mtls: { mode: 'STRICT' },
      }),
      peerAuthentication('istio-system', 'nobody', {
        selector: { matchLabels: { app: 'nobody' } },
        mtls: { mode: 'STRICT' },
      }),
    ];
    const engine = engineOf(objects);
    const ms115 = engine
      .evaluate()
      .findings.filter(f => f.code === 'MS115')
      .map(f => [f.object.name, f.message]);
    expect(ms115).toEqual([
      [
        'back',
        'has a selector in the root namespace istio-system, where Istio ignores it: it applies to no workload; its selector matches shop/b, shop/c, shop/d and 1 more',
      ],
      [
        'nobody',
        'has a selector in the root namespace istio-system, where Istio ignores it: it applies to no workload',
      ],
    ]);
    expect(engine.posture({ namespace: 'shop', name: 'e' }).mtls).toBe(
      'PERMISSIVE',
    );
  });

  it('MS116 says what the clients send and through which Service', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'b'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'b', namespace: 'shop' },
        spec: {
          selector: { app: 'b' },
          ports: [{ port: 80, targetPort: 8080, name: 'http' }],
        },
      },
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: 'STRICT' },
      }),
    ]);
    expect(
      engine
        .evaluate()
        .findings.filter(f => f.code === 'MS116')
        .map(f => f.message),
    ).toEqual([
      "port 8080 is STRICT (PeerAuthentication shop/b), but auto mTLS reads PeerAuthentication shop/default (DISABLE), not the workload's: sidecar clients send plaintext, which it refuses (Service shop/b)",
    ]);
  });

  it("MS211 on the Gateway API's HTTPRoute names it so, and says it may exist elsewhere", () => {
    const linkerd = { 'linkerd.io/inject': 'enabled' };
    const engine = engineOf([
      namespace('data', {}, linkerd),
      deployment('data', 'b'),
      // A route of the Service (outbound routing), not of a Server: the engine does not keep it.
      gatewayHttpRoute('data', 'to-b', {
        parentRefs: [{ group: '', kind: 'Service', name: 'b' }],
      }),
      linkerdAuthorizationPolicy('data', 'on-route', {
        targetRef: {
          group: 'gateway.networking.k8s.io',
          kind: 'HTTPRoute',
          name: 'to-b',
        },
        requiredAuthenticationRefs: [],
      }),
    ]);
    expect(
      engine
        .evaluate()
        .findings.filter(f => f.code === 'MS211')
        .map(f => f.message),
    ).toEqual([
      expect.stringContaining(
        'references the Gateway API HTTPRoute data/to-b, which does not exist or is attached to no Server: Linkerd ignores this authorization',
      ),
    ]);
  });

  it('registry: at least 20 unique codes, each in its family, with severity, description and fix', () => {
    const codes = findingDefinitions.map(d => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThanOrEqual(20);
    for (const d of findingDefinitions) {
      expect(d.code).toMatch(/^MS[1-5]\d\d$/);
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(
        d.severity,
      );
      expect(d.title && d.description && d.fix).toBeTruthy();
    }
  });

  it('every registered code is produced by some scenario (no dead codes)', () => {
    // MS330 and MS42x are raised from cluster objects the snapshot does not carry (node
    // agents, trust roots): their rules are run here directly.
    const cluster = [
      ...enforcementFindings('c', detectNetworkPolicyEnforcement([], true), [
        { namespace: 'n', name: 'p' },
      ]),
      ...certificateFindings(
        'c',
        (['expiring', 'expired', 'unknown'] as const).map(state => ({
          role: 'istio-root',
          object: { kind: 'ConfigMap', namespace: 'n', name: 'c' },
          state,
        })),
      ),
    ];
    const produced = new Set([
      'MS104',
      'MS401',
      ...cluster.map(f => f.code),
      ...FINDING_CASES.flatMap(c => codesOf(c.objects)),
      // MS5xx come from observed traffic joined with the policies.
      ...TRAFFIC_CASES.flatMap(c => c()),
    ]);
    expect(
      findingDefinitions.map(d => d.code).filter(c => !produced.has(c)),
    ).toEqual([]);
  });

  it('lists the cluster-wide codes', () => {
    expect([...CLUSTER_WIDE_FINDING_CODES].sort()).toEqual([
      'MS330',
      'MS420',
      'MS421',
      'MS422',
    ]);
  });

  it('findings carry the object and the definition fix', () => {
    const f = codesOf(FINDING_CASES[0].objects);
    expect(f.length).toBeGreaterThan(0);
    const finding = engineOf(FINDING_CASES[0].objects)
      .evaluate()
      .findings.find(x => x.code === 'MS101')!;
    expect(finding.object).toEqual({
      kind: 'Deployment',
      namespace: 'shop',
      name: 'a',
      cluster: 'default',
    });
    expect(finding.fix).toBe(
      findingDefinitions.find(d => d.code === 'MS101')!.fix,
    );
  });
});

describe('docs/findings.md', () => {
  it('documents every registered code', () => {
    const doc = readText(`${repoRoot}/docs/findings.md`);
    expect(
      findingDefinitions
        .filter(d => !doc.includes(`### ${d.code}`))
        .map(d => d.code),
    ).toEqual([]);
  });
});
