import {
  ISTIO_AUTHZ_CASES,
  LINKERD_CASES,
  MTLS_ACCESS_CASES,
  NETPOL_CASES,
  AccessCase,
} from '../../__testUtils__/cases/access';
import { engineOf } from '../../__testUtils__/engine';
import { AccessRequest } from '../../model';
import { WorkloadNotFoundError } from './access';

function run(c: AccessCase) {
  const decision = engineOf(c.objects, c.options).check(
    c.request as AccessRequest,
  );
  expect(decision.decision).toBe(c.decision);
  if (c.decision === 'DENY' && c.layer) {
    expect(
      decision.reasons.filter(r => r.effect === 'DENY').map(r => r.layer),
    ).toContain(c.layer);
  }
  if (c.policy) {
    const relevant = decision.reasons.filter(
      r => r.effect === c.decision && (!c.layer || r.layer === c.layer),
    );
    expect(relevant.map(r => r.policy ?? '').join(' ')).toContain(c.policy);
  }
  if (c.cannotEvaluate)
    expect(decision.cannotEvaluate?.length).toBeGreaterThan(0);
  else if (c.decision === 'ALLOW')
    expect(decision.cannotEvaluate).toBeUndefined();
  if (c.message) {
    const relevant = decision.reasons.filter(
      r => r.effect === c.decision && (!c.layer || r.layer === c.layer),
    );
    expect(relevant.map(r => r.message).join(' | ')).toMatch(c.message);
  }
  // Every DENY names its layer.
  if (decision.decision === 'DENY')
    expect(decision.reasons.some(r => r.effect === 'DENY')).toBe(true);
}

const table = (cases: AccessCase[]) => cases.map(c => [c.name, c] as const);

describe('access check', () => {
  describe('Istio authorization layer', () => {
    it.each(table(ISTIO_AUTHZ_CASES))('%s', (_n, c) =>
      expect(() => run(c)).not.toThrow(),
    );
  });
  describe('mTLS layer', () => {
    it.each(table(MTLS_ACCESS_CASES))('%s', (_n, c) =>
      expect(() => run(c)).not.toThrow(),
    );
  });
  describe('Linkerd authorization layer', () => {
    it.each(table(LINKERD_CASES))('%s', (_n, c) =>
      expect(() => run(c)).not.toThrow(),
    );
  });
  describe('NetworkPolicy layer', () => {
    it.each(table(NETPOL_CASES))('%s', (_n, c) =>
      expect(() => run(c)).not.toThrow(),
    );
  });

  it('throws WorkloadNotFoundError for a workload not in the snapshot', () => {
    const engine = engineOf(ISTIO_AUTHZ_CASES[0].objects);
    expect(() =>
      engine.check({
        from: { kind: 'external' },
        to: { namespace: 'shop', name: 'nope' },
        port: 80,
      }),
    ).toThrow(WorkloadNotFoundError);
  });
});
