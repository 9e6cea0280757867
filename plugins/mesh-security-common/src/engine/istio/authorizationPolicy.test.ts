import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { JsonObject, SnapshotPolicy } from '../../model';
import { CallerContext } from '../core/caller';
import { compilePolicy, ruleOperations } from './authorizationMatch';
import { allowSourceClients, istioAuthorize } from './authorizationPolicy';
import {
  authorizationPolicy,
  deployment,
  namespace,
} from '../../__testUtils__/k8s';
import { createEngine } from '..';
import { readObjects } from '../core/reader';

describe('Istio AuthorizationPolicy: scope, actions and precedence', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['istio/authorizationPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe('istioAuthorize for a caller set ("any" request)', () => {
  const policy = (rules: unknown[]): SnapshotPolicy<JsonObject> => ({
    kind: 'AuthorizationPolicy',
    apiVersion: 'security.istio.io/v1',
    namespace: 'shop',
    name: 'b-allow',
    labels: {},
    annotations: {},
    spec: { rules } as JsonObject,
  });
  // A plaintext caller without known addresses: an address condition cannot be evaluated.
  const caller: CallerContext = {
    kind: 'workload',
    labels: {},
    nsLabels: {},
    mesh: 'none',
    mtls: false,
    inCluster: true,
  };
  const any = { port: 8080, mode: 'any' } as const;
  const ipRule = (...methods: string[][]) => ({
    from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }],
    to: methods.map(m => ({ operation: { methods: m } })),
  });

  it('notes what each operation of a rule could not evaluate, once per operation', () => {
    const verdict = istioAuthorize(
      [policy([ipRule(['GET'], ['POST'])])],
      caller,
      any,
      { l4Only: false, trustDomains: [] },
    );
    const note =
      "AuthorizationPolicy shop/b-allow: ipBlocks: the client's IP address is unknown";
    expect(verdict.effect).toBe('DENY');
    expect(verdict.cannotEvaluate).toEqual([note, note]);
    expect(
      istioAuthorize([policy([ipRule(['GET'])])], caller, any, {
        l4Only: false,
        trustDomains: [],
      }).cannotEvaluate,
    ).toEqual([note]);
  });

  it("unions the matching operations' methods, the same on every evaluation", () => {
    const known = { ...caller, ips: ['10.1.2.3'] };
    const policies = [policy([ipRule(['GET'], ['POST'], ['GET'])])];
    for (let i = 0; i < 3; i++) {
      const verdict = istioAuthorize(policies, { ...known }, any, {
        l4Only: false,
        trustDomains: [],
      });
      expect(verdict).toMatchObject({
        effect: 'ALLOW',
        methods: ['GET', 'POST'],
        operations: [{ methods: ['GET'] }, { methods: ['POST'] }],
      });
      expect(verdict.cannotEvaluate).toEqual([]);
    }
    // The operations of a rule are made once per compiled rule.
    const rule = compilePolicy(policies[0]).rules[0];
    expect(ruleOperations(rule)).toBe(ruleOperations(rule));
    expect(ruleOperations(rule).map(o => o.rule.to)).toEqual(
      rule.to!.map(op => [op]),
    );
  });
});

describe('allowSourceClients: the clients ALLOW rules can admit', () => {
  const policy = (
    rules: unknown[],
    action = 'ALLOW',
  ): SnapshotPolicy<JsonObject> => ({
    kind: 'AuthorizationPolicy',
    apiVersion: 'security.istio.io/v1',
    namespace: 'shop',
    name: `b-${action.toLowerCase()}`,
    labels: {},
    annotations: {},
    spec: { action, rules } as JsonObject,
  });
  const from = (...sources: object[]) => ({
    from: sources.map(source => ({ source })),
  });
  const clients = (
    policies: SnapshotPolicy<JsonObject>[],
    bundle: readonly string[] = ['cluster.local'],
  ) => {
    const map = allowSourceClients(policies, bundle);
    return (
      map &&
      Object.fromEntries(
        [...map].map(([ns, accounts]) => [
          ns,
          accounts ? [...accounts].sort() : 'any',
        ]),
      )
    );
  };

  it.each<[string, unknown[], unknown]>([
    [
      'exact principals: their namespaces and service accounts',
      [
        from(
          { principals: ['cluster.local/ns/mall/sa/a'] },
          { principals: ['cluster.local/ns/mall/sa/b', 'td/ns/lk/sa/c'] },
        ),
      ],
      { mall: ['a', 'b'], lk: ['c'] },
    ],
    [
      'service accounts, in the policy namespace when unqualified',
      [from({ serviceAccounts: ['mall/a', 'b'] })],
      { mall: ['a'], shop: ['b'] },
    ],
    [
      'namespaces: any client there',
      [from({ namespaces: ['mall'] }, { principals: ['x/ns/mall/sa/a'] })],
      { mall: 'any' },
    ],
    [
      'a wildcard principal bounded by its namespaces',
      [from({ principals: ['*'], namespaces: ['lk'] })],
      { lk: 'any' },
    ],
    ['`from: []` admits no one', [{ from: [] }], {}],
    ['a rule without `from`: anyone', [{ to: [] }], undefined],
    ['an empty rule: anyone', [{}], undefined],
    [
      'a principal wildcard: anyone',
      [from({ principals: ['cluster.local/ns/mall/*'] })],
      undefined,
    ],
    [
      'a principal of another form: anyone',
      [from({ principals: ['spiffe-less-id'] })],
      undefined,
    ],
    [
      'a namespace wildcard: anyone',
      [from({ namespaces: ['mall-*'] })],
      undefined,
    ],
    [
      'only negative fields: anyone',
      [from({ notPrincipals: ['cluster.local/ns/mall/sa/a'] })],
      undefined,
    ],
    [
      'one bounded rule and one that admits anyone: anyone',
      [from({ namespaces: ['mall'] }), from({ ipBlocks: ['10.0.0.0/8'] })],
      undefined,
    ],
  ])('%s', (_name, rules, expected) => {
    expect(clients([policy(rules)])).toEqual(expected);
  });

  it('is undefined without an ALLOW policy (DENY rules admit no one)', () => {
    expect(
      clients([policy([from({ namespaces: ['mall'] })], 'DENY')]),
    ).toBeUndefined();
  });

  it('names trust domain aliases by the same namespace and service account', () => {
    expect(
      clients(
        [policy([from({ principals: ['old.td/ns/mall/sa/a'] })])],
        ['cluster.local', 'old.td'],
      ),
    ).toEqual({ mall: ['a'] });
  });
});

describe('AuthorizationPolicies that Istio validation refuses', () => {
  it('ignores an ALLOW policy with an empty operation: the workload keeps every caller (MS401)', () => {
    // Read as written, the rule allows only a (any operation) and denies c; the policy never
    // reaches the cluster, so no ALLOW policy applies to b and c may call it.
    const { snapshot, findings } = readObjects([
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      deployment('shop', 'c'),
      authorizationPolicy('shop', 'b-from-a', {
        selector: { matchLabels: { app: 'b' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
            to: [{ operation: {} }],
          },
        ],
      }),
    ]);
    expect(findings.map(f => [f.code, f.message])).toEqual([
      [
        'MS401',
        'AuthorizationPolicy shop/b-from-a is malformed and was ignored: ' +
          "spec.rules[0].to[0].operation: must not be empty (Istio's validation refuses the policy)",
      ],
    ]);
    const decision = createEngine(snapshot).check({
      from: { namespace: 'shop', name: 'c' },
      to: { namespace: 'shop', name: 'b' },
      port: 8080,
    });
    expect(decision.decision).toBe('ALLOW');
  });
});
