import { engineOf } from '../../__testUtils__/engine';
import {
  authorizationPolicy,
  deployment,
  externalSecret,
  istioPair,
  namespace,
  networkPolicy,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { combineScorecards } from './posture';

describe('scorecard', () => {
  it('a hardened workload passes every pillar', () => {
    const objects = [
      ...istioPair('shop', { secrets: ['db'] }),
      peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
      authorizationPolicy('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
          },
        ],
      }),
      networkPolicy('shop', 'default-deny', {
        podSelector: {},
        policyTypes: ['Ingress'],
      }),
      externalSecret('shop', 'db'),
    ];
    const card = engineOf(objects).posture({
      namespace: 'shop',
      name: 'b',
    }).scorecard;
    expect(Object.values(card).map(p => p.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
  });

  it('a STRICT workload with a UDP port warns: the mesh cannot carry it (core/ports.ts)', () => {
    const card = engineOf([
      ...istioPair('shop', { ports: [8080, { port: 53, protocol: 'UDP' }] }),
      peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
    ]).posture({ namespace: 'shop', name: 'b' }).scorecard;
    expect(card.verifyExplicitly).toEqual({
      status: 'warn',
      detail:
        'every TCP port accepts mTLS only; the mesh does not carry 53/UDP, which is plaintext',
    });
  });

  it('an open workload fails or warns, with details', () => {
    const objects = [
      ...istioPair('shop', { secrets: ['db'] }),
      authorizationPolicy('shop', 'all', {
        selector: { matchLabels: { app: 'b' } },
        rules: [{}],
      }),
    ];
    const card = engineOf(objects).posture({
      namespace: 'shop',
      name: 'b',
    }).scorecard;
    expect(card.verifyExplicitly.status).toBe('warn');
    expect(card.leastPrivilege).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('allow-all'),
    });
    expect(card.assumeBreach.status).toBe('fail');
    expect(card.noCredentialLeakage).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('db'),
    });
  });

  it('wildcard identities only warn', () => {
    const objects = [
      ...istioPair(),
      authorizationPolicy('shop', 'any', {
        selector: { matchLabels: { app: 'b' } },
        rules: [{ from: [{ source: { namespaces: ['*'] } }] }],
      }),
    ];
    expect(
      engineOf(objects).posture({ namespace: 'shop', name: 'b' }).scorecard
        .leastPrivilege.status,
    ).toBe('warn');
  });

  it('a workload outside the mesh fails verify-explicitly and least-privilege', () => {
    const card = engineOf([
      namespace('legacy'),
      deployment('legacy', 'old'),
    ]).posture({ namespace: 'legacy', name: 'old' }).scorecard;
    expect([card.verifyExplicitly.status, card.leastPrivilege.status]).toEqual([
      'fail',
      'fail',
    ]);
  });

  it('a component takes the worst status per pillar', () => {
    const pass = { status: 'pass' as const, detail: 'ok' };
    const combined = combineScorecards([
      {
        verifyExplicitly: pass,
        leastPrivilege: pass,
        assumeBreach: pass,
        noCredentialLeakage: pass,
      },
      {
        verifyExplicitly: { status: 'warn', detail: 'w' },
        leastPrivilege: { status: 'unknown', detail: 'u' },
        assumeBreach: { status: 'fail', detail: 'f' },
        noCredentialLeakage: pass,
      },
    ]);
    expect(Object.values(combined).map(p => p.status)).toEqual([
      'warn',
      'unknown',
      'fail',
      'pass',
    ]);
    expect(combineScorecards([]).verifyExplicitly.status).toBe('unknown');
  });
});

describe('ports that bypass the proxy', () => {
  const bypassing = (
    annotations: Record<string, string>,
    options: { linkerd?: boolean } = {},
  ) => {
    const ports = [8080, 9090, { port: 53, protocol: 'UDP' }];
    const objects = options.linkerd
      ? [
          namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }),
          deployment('shop', 'b', { ports, annotations }),
        ]
      : istioPair('shop', { ports, annotations });
    return engineOf(objects)
      .posture({ namespace: 'shop', name: 'b' })
      .ports.filter(p => p.bypassesProxy)
      .map(p => p.port);
  };

  it.each([
    ['nothing excluded', {}, []],
    [
      'an Istio excluded port',
      { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' },
      [9090],
    ],
    [
      'an Istio port outside the include list',
      { 'traffic.sidecar.istio.io/includeInboundPorts': '8080' },
      [9090],
    ],
    [
      'an Istio port included and excluded: captured',
      {
        'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090',
        'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
      },
      [],
    ],
  ])('%s (the UDP port is never marked)', (_name, annotations, expected) => {
    expect(bypassing(annotations)).toEqual(expected);
  });

  it('a Linkerd skipped port', () => {
    expect(
      bypassing(
        { 'config.linkerd.io/skip-inbound-ports': '9090' },
        { linkerd: true },
      ),
    ).toEqual([9090]);
  });
});
