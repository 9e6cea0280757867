import {
  demoClusterDir,
  manifestFiles,
  readText,
} from '../__testUtils__/testdata';
import { createEngine } from '.';
import { parseManifests } from './core/manifests';
import { readObjects } from './core/reader';
import { AccessRequest } from '../model';

/*
 * The demo estate (catalog/demo-cluster, written alongside) documents its expected verdicts in
 * its README; these are the rows of its "Who may call whom" and mTLS tables.
 */

const ref = (s: string) =>
  s === 'external'
    ? { kind: 'external' as const }
    : { namespace: s.split('/')[0], name: s.split('/')[1] };
const CHECKS: Array<
  [
    string,
    string,
    number,
    string | undefined,
    string | undefined,
    'ALLOW' | 'DENY',
    string?,
  ]
> = [
  [
    'storefront/checkout',
    'payments/payments-api',
    8080,
    'POST',
    '/charge',
    'ALLOW',
  ],
  [
    'storefront/checkout',
    'payments/payments-api',
    8080,
    'GET',
    '/charge',
    'DENY',
    'authorization',
  ],
  [
    'storefront/checkout',
    'payments/payments-api',
    8080,
    'POST',
    '/admin/refund',
    'DENY',
    'authorization',
  ],
  [
    'storefront/checkout',
    'payments/payments-api',
    9090,
    'GET',
    '/metrics',
    'DENY',
    'network-policy',
  ],
  [
    'storefront/storefront-web',
    'payments/payments-api',
    8080,
    'POST',
    '/charge',
    'DENY',
    'authorization',
  ],
  [
    'external',
    'payments/payments-api',
    8080,
    'POST',
    '/charge',
    'DENY',
    'mtls',
  ],
  [
    'payments/payments-api',
    'payments/payments-ledger',
    5432,
    undefined,
    undefined,
    'ALLOW',
  ],
  [
    'storefront/checkout',
    'payments/payments-ledger',
    5432,
    undefined,
    undefined,
    'DENY',
    'authorization',
  ],
  [
    'payments/payments-api',
    'payments/fraud-check',
    8080,
    'POST',
    '/score',
    'DENY',
    'mtls',
  ],
  [
    'storefront/storefront-web',
    'storefront/checkout',
    8080,
    'POST',
    '/checkout',
    'ALLOW',
  ],
  [
    'external',
    'storefront/checkout',
    8080,
    'POST',
    '/checkout',
    'DENY',
    'authorization',
  ],
  ['external', 'storefront/storefront-web', 8080, 'GET', '/', 'ALLOW'],
  [
    'storefront/storefront-web',
    'inventory/inventory',
    8080,
    'GET',
    '/stock/sku-1',
    'ALLOW',
  ],
  [
    'storefront/checkout',
    'inventory/inventory',
    8080,
    'GET',
    '/stock/sku-1',
    'ALLOW',
  ],
  [
    'legacy/legacy-billing',
    'inventory/inventory',
    8080,
    'GET',
    '/stock/sku-1',
    'DENY',
    'mtls',
  ],
  ['data/etl-worker', 'data/analytics-api', 8080, 'GET', '/api/query', 'ALLOW'],
  [
    'data/etl-worker',
    'data/analytics-api',
    8080,
    'POST',
    '/api/query',
    'DENY',
    'authorization',
  ],
  [
    'data/etl-worker',
    'data/analytics-api',
    8080,
    'GET',
    '/health',
    'DENY',
    'authorization',
  ],
  [
    'legacy/legacy-billing',
    'data/analytics-api',
    8080,
    'GET',
    '/api/query',
    'DENY',
  ],
  [
    'storefront/storefront-web',
    'data/analytics-api',
    8080,
    'GET',
    '/api/query',
    'DENY',
  ],
  ['external', 'data/analytics-api', 9990, 'GET', '/', 'ALLOW'],
];

describe('demo estate (catalog/demo-cluster)', () => {
  const objects = manifestFiles(demoClusterDir).flatMap(
    f => parseManifests(readText(f), f).objects,
  );
  const { snapshot, findings } = readObjects(objects);
  const engine = createEngine(snapshot);

  it('reads without malformed objects', () => expect(findings).toEqual([]));

  it('raises no mesh-membership findings for platform components (issue: less noise)', () => {
    const membership = (e: ReturnType<typeof createEngine>) =>
      e
        .evaluate()
        .workloads.filter(w =>
          ['istio-system', 'kube-system'].includes(w.namespace),
        )
        .flatMap(w => w.findings.map(f => `${w.namespace}/${w.name} ${f.code}`))
        .filter(line => /MS10[8]|MS110|MS113/.test(line));
    expect(membership(engine)).toEqual([]);
    expect(
      engine
        .evaluate()
        .workloads.filter(w => w.namespace === 'istio-system')
        .every(w => w.platform),
    ).toBe(true);
    // Still evaluated, and reported when the platform list is emptied.
    expect(
      membership(createEngine(snapshot, { platformNamespaces: [] })),
    ).not.toEqual([]);
  });

  it('marks every edge whose peer is a platform component, and only those', () => {
    // docs/engine.md "Platform peers": graphs and tables group these edges.
    const platform = new Set([
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'istio-system',
      'linkerd',
      'cert-manager',
    ]);
    const marked: string[] = [];
    for (const w of engine.evaluate().workloads) {
      const self = { namespace: w.namespace, name: w.name, kind: w.kind };
      for (const edge of [
        ...engine.callersOf(self),
        ...engine.calleesOf(self),
      ]) {
        const peer = edge.peer as { kind: string; namespace?: string };
        const expected =
          peer.kind !== 'external-plaintext' &&
          peer.namespace !== undefined &&
          platform.has(peer.namespace) &&
          !['any-meshed', 'outside-mesh', 'any-workload'].includes(peer.kind);
        expect([w.name, peer, edge.platform === true]).toEqual([
          w.name,
          peer,
          expected,
        ]);
        if (expected) marked.push(`${peer.namespace}`);
      }
    }
    // payments-api calls istiod and coredns: such edges exist in the demo.
    expect(marked).toEqual(
      expect.arrayContaining(['istio-system', 'kube-system']),
    );
  });

  it('matches the documented workload mTLS modes', () => {
    const modes = Object.fromEntries(
      engine
        .evaluate()
        .workloads.map(w => [
          `${w.namespace}/${w.name}`,
          `${w.mesh} ${w.mtls}`,
        ]),
    );
    expect(modes).toMatchObject({
      'storefront/storefront-web': 'istio-sidecar PARTIAL',
      'storefront/checkout': 'istio-sidecar PERMISSIVE',
      'payments/payments-api': 'istio-sidecar PARTIAL',
      'payments/payments-ledger': 'istio-sidecar PARTIAL',
      'payments/fraud-check': 'istio-sidecar STRICT',
      'inventory/inventory': 'istio-ambient STRICT',
      'data/analytics-api': 'linkerd PARTIAL',
      'data/etl-worker': 'linkerd PERMISSIVE',
      'legacy/legacy-billing': 'none DISABLED',
      'legacy/legacy-report': 'none DISABLED',
      'istio-system/istiod-1-24': 'none DISABLED',
      'istio-system/ztunnel': 'none DISABLED',
    });
    expect(Object.keys(modes)).toHaveLength(14);
  });

  it('matches the documented zero-trust pillars', () => {
    const cards = Object.fromEntries(
      engine
        .evaluate()
        .workloads.map(w => [`${w.namespace}/${w.name}`, w.scorecard]),
    );
    const passing = (pillar: 'verifyExplicitly' | 'assumeBreach') =>
      Object.keys(cards)
        .filter(k => cards[k][pillar].status === 'pass')
        .sort();
    expect(passing('verifyExplicitly')).toEqual(['inventory/inventory']);
    // STRICT, but its only caller is told to send plaintext (MS103): the pillar fails.
    expect(cards['payments/fraud-check'].verifyExplicitly).toEqual({
      status: 'fail',
      detail:
        'clients are rejected (MS103): DestinationRule payments/fraud-check-plaintext sets tls.mode DISABLE for STRICT port 8080',
    });
    expect(passing('assumeBreach')).toEqual([
      'payments/fraud-check',
      'payments/payments-api',
      'payments/payments-ledger',
    ]);
    for (const k of [
      'storefront/storefront-web',
      'data/etl-worker',
      'legacy/legacy-billing',
      'legacy/legacy-report',
    ]) {
      expect([k, cards[k].leastPrivilege.status]).toEqual([k, 'fail']);
    }
    expect(cards['storefront/checkout'].noCredentialLeakage.status).toBe(
      'pass',
    );
    expect(cards['data/etl-worker'].noCredentialLeakage.status).toBe('fail');
  });

  it('shows etl-worker the scrapers its NetworkAuthentication admits as a network peer', () => {
    const callers = engine.callersOf({ namespace: 'data', name: 'etl-worker' });
    expect(
      callers
        .filter(e => e.peer.kind === 'network')
        .map(e => [e.peer, e.port, e.connection, e.portMtls, e.decidedBy]),
    ).toEqual([
      [
        { kind: 'network', cidrs: ['10.0.0.0/8'], except: ['10.96.0.0/12'] },
        9100,
        'plaintext',
        'PERMISSIVE',
        {
          layer: 'authorization',
          policy: 'AuthorizationPolicy data/etl-metrics-scrape',
        },
      ],
    ]);
  });

  it('shows fraud-check its caller blocked by a DestinationRule, never as an allowed one', () => {
    const fraudCheck = { namespace: 'payments', name: 'fraud-check' };
    expect(engine.callersOf(fraudCheck)).toEqual([]);
    expect(engine.blockedCallersOf(fraudCheck)).toEqual([
      {
        peer: {
          cluster: 'default',
          namespace: 'payments',
          name: 'payments-api',
          kind: 'Deployment',
        },
        port: 8080,
        methods: ['POST'],
        paths: ['/score'],
        decidedBy: {
          layer: 'authorization',
          policy: 'AuthorizationPolicy payments/fraud-check-allow-payments-api',
        },
        portMtls: 'STRICT',
        connection: 'plaintext',
        protocol: 'http',
        blocked: {
          layer: 'mtls',
          policy: 'DestinationRule payments/fraud-check-plaintext',
          reason: expect.stringContaining('is STRICT'),
          finding: 'MS103',
        },
      },
    ]);
    // Nobody else is meant to call it: the namespace denies all but the named caller.
    expect(
      engine.blockedCallersOf({ namespace: 'payments', name: 'payments-api' }),
    ).toEqual([]);
  });

  it("shows connections to istiod's own TLS ports as TLS, its plaintext port as plaintext", () => {
    const connections = Object.fromEntries(
      engine
        .callersOf({ namespace: 'istio-system', name: 'istiod-1-24' })
        .filter(e => e.peer.kind === 'external-plaintext')
        .map(e => [e.port, e.connection]),
    );
    expect(connections).toEqual({
      15010: 'plaintext',
      15012: 'tls',
      15014: 'plaintext',
      15017: 'tls',
    });
  });

  it('routes analytics-http through its only HTTPRoute: requests outside GET /api/* get 404', () => {
    const to = { namespace: 'data', name: 'analytics-api' };
    const health = engine.check({
      from: ref('data/etl-worker'),
      to,
      port: 8080,
      method: 'GET',
      path: '/health',
    });
    expect(health.reasons.find(r => r.layer === 'authorization')).toMatchObject(
      {
        policy: 'Server data/analytics-http',
        message: expect.stringContaining('Linkerd answers 404'),
      },
    );
    // Without method and path the route cannot be chosen: not an ALLOW.
    const any = engine.check({
      from: ref('data/etl-worker'),
      to,
      port: 8080,
    });
    expect([any.decision, any.cannotEvaluate?.length]).toEqual(['DENY', 1]);
    // The caller set: etl-worker may send GET /api/* only.
    const callers = engine.callersOf(to, 8080);
    expect(callers).toEqual([
      {
        peer: {
          cluster: 'default',
          namespace: 'data',
          name: 'etl-worker',
          kind: 'Deployment',
        },
        port: 8080,
        methods: ['GET'],
        paths: ['/api/*'],
        decidedBy: {
          layer: 'authorization',
          policy: 'AuthorizationPolicy data/analytics-http-data-callers',
        },
        portMtls: 'STRICT',
        connection: 'mtls',
        protocol: 'http',
      },
    ]);
  });

  it.each(
    CHECKS.map(
      c =>
        [
          `${c[0]} → ${c[1]}:${c[2]} ${c[3] ?? ''} ${c[4] ?? ''} = ${c[5]}`,
          c,
        ] as const,
    ),
  )('%s', (_n, c) => {
    const request: AccessRequest = {
      from: ref(c[0]),
      to: ref(c[1]) as { namespace: string; name: string },
      port: c[2],
      method: c[3],
      path: c[4],
    };
    const decision = engine.check(request);
    expect(decision.decision).toBe(c[5]);
    expect(
      c[6]
        ? decision.reasons.filter(r => r.effect === 'DENY').map(r => r.layer)
        : [undefined],
    ).toContain(c[6]);
  });
});
