import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { deployment, namespace, networkPolicy } from '../../__testUtils__/k8s';
import { createEngine } from '..';
import { readObjects } from '../core/reader';

describe('Kubernetes NetworkPolicy', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['networkPolicy/networkPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe('NetworkPolicy ports as the API server validates them', () => {
  it('ignores a policy whose port is "9090" in quotes, not isolating the pod (MS401)', () => {
    // The API server refuses the policy ("must contain at least one letter"), so b stays open on
    // 8080; reading "9090" as 9090 would isolate b and claim a DENY.
    const { snapshot, findings } = readObjects([
      namespace('shop'),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      networkPolicy('shop', 'quoted', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ ports: [{ port: '9090' }] }],
      }),
    ]);
    expect(
      findings.filter(f => f.code === 'MS401').map(f => f.message),
    ).toEqual([
      'NetworkPolicy shop/quoted is malformed and was ignored: ' +
        'spec.ingress[0].ports[0].port: Invalid value: "9090": must contain at least one letter (a-z)',
    ]);
    const decision = createEngine(snapshot).check({
      from: { namespace: 'shop', name: 'a' },
      to: { namespace: 'shop', name: 'b' },
      port: 8080,
    });
    expect(decision.decision).toBe('ALLOW');
    expect(
      decision.reasons.find(r => r.layer === 'network-policy')?.message,
    ).toBe('no NetworkPolicy isolates this connection');
  });

  it('ignores a policy whose selector the API server refuses: Exists with values (MS401)', () => {
    const { snapshot, findings } = readObjects([
      namespace('shop'),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      networkPolicy('shop', 'exists', {
        podSelector: {
          matchExpressions: [{ key: 'app', operator: 'Exists', values: ['b'] }],
        },
        ingress: [{ ports: [{ port: 9090 }] }],
      }),
    ]);
    expect(findings.map(f => f.code)).toContain('MS401');
    // Read as `app` exists, it would isolate b and allow 9090 only.
    expect(
      createEngine(snapshot).check({
        from: { namespace: 'shop', name: 'a' },
        to: { namespace: 'shop', name: 'b' },
        port: 8080,
      }).decision,
    ).toBe('ALLOW');
  });
});
