import { parseAllDocuments } from 'yaml';
import { parsePolicyFile, stringifyPolicyFile } from './document';
import { addIstioAccess } from './istio';
import { removeIstioAccess } from './istioRevoke';
import { paymentsAllowPolicy } from '../__testUtils__/policies';

const base = {
  namespace: 'payments',
  targetLabels: { app: 'payments-api', version: 'v1' },
  selectorLabels: { app: 'payments-api' },
  targetName: 'payments-api',
};
const CHECKOUT = 'cluster.local/ns/storefront/sa/checkout';
const FRAUD = 'cluster.local/ns/payments/sa/fraud-check';

const policy = (rules: string) => `# keep me\n${paymentsAllowPolicy(rules)}`;

const checkoutCharge = `    - from:
        - source:
            principals: ["${CHECKOUT}"]
      to:
        - operation:
            methods: ["POST"]
            paths: ["/charge"]
`;

function edit(
  text: string,
  fn: (docs: ReturnType<typeof parsePolicyFile>) => boolean,
) {
  const docs = parsePolicyFile(text, 'p.yaml');
  const changed = fn(docs);
  const out = stringifyPolicyFile(docs);
  return { changed, out, rules: parseAllDocuments(out)[0].toJS().spec.rules };
}

describe('addIstioAccess', () => {
  it("extends the caller's own rule with a new operation (no cross product)", () => {
    const { rules, out } = edit(policy(checkoutCharge), d =>
      addIstioAccess(d, {
        ...base,
        principals: [CHECKOUT],
        operation: { methods: ['GET'], paths: ['/status'] },
      }),
    );
    expect(rules).toEqual([
      {
        from: [{ source: { principals: [CHECKOUT] } }],
        to: [
          { operation: { methods: ['POST'], paths: ['/charge'] } },
          { operation: { methods: ['GET'], paths: ['/status'] } },
        ],
      },
    ]);
    expect(out.startsWith('# keep me\n')).toBe(true);
  });

  it("adds a principal to a rule with exactly the requested operation, not to another caller's", () => {
    const { rules } = edit(policy(checkoutCharge), d =>
      addIstioAccess(d, {
        ...base,
        principals: [FRAUD],
        operation: { methods: ['POST'], paths: ['/charge'] },
      }),
    );
    expect(rules[0].from[0].source.principals).toEqual([CHECKOUT, FRAUD]);
  });

  it('appends a new rule when no rule fits, leaving existing ones untouched', () => {
    const { rules } = edit(policy(checkoutCharge), d =>
      addIstioAccess(d, {
        ...base,
        principals: [FRAUD],
        operation: { ports: ['9090'] },
      }),
    );
    expect(rules).toHaveLength(2);
    expect(rules[0]).toEqual({
      from: [{ source: { principals: [CHECKOUT] } }],
      to: [{ operation: { methods: ['POST'], paths: ['/charge'] } }],
    });
    expect(rules[1]).toEqual({
      from: [{ source: { principals: [FRAUD] } }],
      to: [{ operation: { ports: ['9090'] } }],
    });
  });

  it('ignores DENY policies and policies selecting other workloads', () => {
    const deny = policy(checkoutCharge).replace(
      'action: ALLOW',
      'action: DENY',
    );
    const other = policy(checkoutCharge).replace(
      /app: payments-api/,
      'app: fraud-check',
    );
    for (const text of [deny, other]) {
      const docs = parsePolicyFile(text, 'p.yaml');
      addIstioAccess(docs, { ...base, principals: [FRAUD] });
      expect(docs).toHaveLength(2);
      expect(docs[1].toJS().metadata.name).toBe('payments-api-allow-callers');
    }
  });
});

describe('removeIstioAccess', () => {
  it('removes the principal and drops a rule left without `from` (it would allow everyone)', () => {
    const shared = `    - from:
        - source:
            principals: ["${CHECKOUT}", "${FRAUD}"]
${checkoutCharge}`;
    const { rules, changed } = edit(policy(shared), d =>
      removeIstioAccess(d, { ...base, principals: [CHECKOUT] }),
    );
    expect(changed).toBe(true);
    expect(rules).toEqual([{ from: [{ source: { principals: [FRAUD] } }] }]);
  });

  it('drops a source left without principals even when it has other fields (they alone would widen it)', () => {
    const mixed = `    - from:
        - source:
            principals: ["${CHECKOUT}"]
            namespaces: ["storefront"]
        - source:
            principals: ["${FRAUD}"]
      to:
        - operation:
            methods: ["GET"]
`;
    const { rules } = edit(policy(mixed), d =>
      removeIstioAccess(d, { ...base, principals: [CHECKOUT] }),
    );
    expect(rules).toEqual([
      {
        from: [{ source: { principals: [FRAUD] } }],
        to: [{ operation: { methods: ['GET'] } }],
      },
    ]);
  });

  it('reports no change for a principal the file does not name', () => {
    expect(
      edit(policy(checkoutCharge), d =>
        removeIstioAccess(d, { ...base, principals: [FRAUD] }),
      ).changed,
    ).toBe(false);
  });
});
