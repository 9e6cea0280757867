import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { JsonObject, SnapshotPolicy } from '../../model';
import { CallerContext } from '../core/caller';
import { compilePolicy, ruleOperations } from './authorizationMatch';
import { istioAuthorize } from './authorizationPolicy';

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
      false,
      [],
    );
    const note =
      "AuthorizationPolicy shop/b-allow: ipBlocks: the client's IP address is unknown";
    expect(verdict.effect).toBe('DENY');
    expect(verdict.cannotEvaluate).toEqual([note, note]);
    expect(
      istioAuthorize([policy([ipRule(['GET'])])], caller, any, false, [])
        .cannotEvaluate,
    ).toEqual([note]);
  });

  it("unions the matching operations' methods, the same on every evaluation", () => {
    const known = { ...caller, ips: ['10.1.2.3'] };
    const policies = [policy([ipRule(['GET'], ['POST'], ['GET'])])];
    for (let i = 0; i < 3; i++) {
      const verdict = istioAuthorize(policies, { ...known }, any, false, []);
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
