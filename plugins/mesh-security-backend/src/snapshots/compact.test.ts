import { Compactor } from './compact';

describe('Compactor', () => {
  const workload = (name: string, ns: string) => ({
    name,
    namespace: ns,
    ports: [{ port: 8080, mtls: 'STRICT', reason: `STRICT: PeerAuthentication ${ns}/default` }],
    scorecard: { verifyExplicitly: { status: 'pass', detail: 'mTLS STRICT on every port' } },
    findings: [{ code: 'MS201', message: `workload ${ns}/${name} has no AuthorizationPolicy`, object: { kind: 'Deployment', namespace: ns, name } }],
    optional: undefined,
  });
  const input = [workload('a', 'shop'), workload('b', 'shop'), workload('c', 'other')];

  it('returns the same JSON', () => {
    const out = new Compactor().compact(input);
    expect(JSON.stringify(out)).toBe(JSON.stringify(input));
    expect(out).toEqual(JSON.parse(JSON.stringify(input)));
  });

  it('shares equal parts between workloads and keeps different ones apart', () => {
    const [a, b, c] = new Compactor().compact(input);
    expect(a.ports).toBe(b.ports); // same namespace, same reason
    expect(a.ports).not.toBe(c.ports);
    expect(a.scorecard).toBe(c.scorecard);
    expect(a.findings).not.toBe(b.findings);
    expect(a.findings[0].message).toBe('workload shop/a has no AuthorizationPolicy');
  });

  it('does not share objects whose JSON exceeds the bound', () => {
    const big = { text: 'x'.repeat(100) };
    const [p, q] = new Compactor(50).compact([{ ...big }, { ...big }]);
    expect(p).toEqual(q);
    expect(p).not.toBe(q);
    expect(p.text).toBe(q.text);
  });

  it('does not touch the input', () => {
    const copy = JSON.parse(JSON.stringify(input));
    new Compactor().compact(input);
    expect(JSON.parse(JSON.stringify(input))).toEqual(copy);
    expect(input[0]).toHaveProperty('optional');
  });
});
