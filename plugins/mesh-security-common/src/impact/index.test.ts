import { engineOf } from '../__testUtils__/engine';
import {
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  networkPolicy,
  peerAuthentication,
} from '../__testUtils__/k8s';
import { estateImpact, isMtlsDowngrade } from '.';

const strict = peerAuthentication('shop', 'default', {
  mtls: { mode: 'STRICT' },
});
const onlyA = authorizationPolicy('shop', 'b', {
  selector: { matchLabels: { app: 'b' } },
  action: 'ALLOW',
  rules: [
    {
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
      to: [{ operation: { methods: ['GET'] } }],
    },
  ],
});
const other = [
  namespace('other', { 'istio-injection': 'enabled' }),
  deployment('other', 'x'),
];
const base = [...istioPair(), ...other, strict, onlyA];

describe('estateImpact', () => {
  it('reports nothing for two equal states', () => {
    expect(estateImpact(engineOf(base), engineOf(base))).toEqual({
      workloads: [],
      introduced: [],
      resolved: [],
    });
  });

  it('reports a principal widened to a namespace as callers gained', () => {
    const widened = authorizationPolicy('shop', 'b', {
      selector: { matchLabels: { app: 'b' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
    });
    const impact = estateImpact(
      engineOf([...base, deployment('shop', 'c')]),
      engineOf([
        ...istioPair(),
        ...other,
        strict,
        widened,
        deployment('shop', 'c'),
      ]),
    );
    expect(impact.workloads).toEqual([
      expect.objectContaining({
        namespace: 'shop',
        name: 'b',
        change: 'changed',
        ports: [
          expect.objectContaining({
            port: 8080,
            added: ['Any Istio workload (2) except other'],
            removed: ['shop/a (GET)'],
            layers: [],
            mtls: expect.objectContaining({
              before: 'STRICT',
              after: 'STRICT',
            }),
          }),
        ],
      }),
    ]);
  });

  it('reports STRICT relaxed to PERMISSIVE as a downgrade, with its finding', () => {
    const permissive = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const impact = estateImpact(
      engineOf(base),
      engineOf([...istioPair(), ...other, permissive, onlyA]),
    );
    const port = impact.workloads.find(w => w.name === 'b')!.ports[0];
    expect(port.mtls).toMatchObject({ before: 'STRICT', after: 'PERMISSIVE' });
    expect(isMtlsDowngrade(port.mtls.before, port.mtls.after)).toBe(true);
    expect(impact.introduced.map(f => f.code)).toContain('MS101');
    expect(impact.resolved).toEqual([]);
  });

  it('reports the TCP port of a number also declared over UDP (UDP is never mTLS)', () => {
    const dns = {
      ports: [
        { port: 53, name: 'dns', protocol: 'UDP' },
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
      ],
    };
    const permissive = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const impact = estateImpact(
      engineOf([...istioPair('shop', dns), strict]),
      engineOf([...istioPair('shop', dns), permissive]),
    );
    const port = impact.workloads.find(w => w.name === 'b')!.ports[0];
    expect(port).toMatchObject({
      port: 53,
      mtls: { before: 'STRICT', after: 'PERMISSIVE' },
    });
  });

  it('names the NetworkPolicy that now refuses a caller the mesh allows', () => {
    const denyAll = networkPolicy('shop', 'deny-b', {
      podSelector: { matchLabels: { app: 'b' } },
      policyTypes: ['Ingress'],
    });
    const impact = estateImpact(engineOf(base), engineOf([...base, denyAll]));
    const port = impact.workloads.find(w => w.name === 'b')!.ports[0];
    expect(port.removed).toEqual(['shop/a (GET)']);
    expect(port.layers).toEqual([
      {
        caller: 'shop/a',
        before: {
          layer: 'authorization',
          policy: 'AuthorizationPolicy shop/b',
        },
        after: { layer: 'network-policy', policy: 'NetworkPolicy shop/deny-b' },
        allowed: false,
      },
    ]);
  });

  it('lists workloads added and removed', () => {
    const impact = estateImpact(
      engineOf([...base, deployment('shop', 'old')]),
      engineOf([...base, namespace('web'), deployment('web', 'new')]),
    );
    expect(impact.workloads.map(w => [w.name, w.change])).toEqual([
      // shop/old called other/x and shop/a before
      ['x', 'changed'],
      ['a', 'changed'],
      ['old', 'removed'],
      ['new', 'added'],
    ]);
  });
});

describe('isMtlsDowngrade', () => {
  it.each([
    ['STRICT', 'PERMISSIVE', true],
    ['PERMISSIVE', 'DISABLED', true],
    ['STRICT', 'UNKNOWN', true],
    ['PERMISSIVE', 'STRICT', false],
    ['UNKNOWN', 'DISABLED', false],
    ['STRICT', 'STRICT', false],
  ] as const)('%s → %s: %s', (before, after, expected) => {
    expect(isMtlsDowngrade(before, after)).toBe(expected);
  });
});
