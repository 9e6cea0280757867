import { AccessRequest } from '../model';
import { ALL_ACCESS_CASES, AccessCase } from './cases/access';
import { ADMIN_NETPOL_CASES } from './cases/adminNetworkPolicy';
import { CILIUM_NETPOL_CASES } from './cases/ciliumNetworkPolicy';
import { ISTIO_AUTHZ_CASES } from './cases/istioAccess';
import { LINKERD_CASES } from './cases/linkerdAccess';
import { MTLS_ACCESS_CASES } from './cases/mtlsAccess';
import { NETPOL_CASES } from './cases/networkPolicyAccess';
import { SERVICE_REGISTRY_CASES } from './cases/serviceEntry';
import { WAYPOINT_CASES } from './cases/waypoint';
import { engineOf } from './engine';

/*
 * The access-check table cases (cases/access.ts and the files it gathers), split by the rule file they exercise so each
 * rule file has its test beside it; every case belongs to exactly one rule (core/access.test.ts
 * checks that).
 */

/** Runs one case through `engine.check` and asserts its decision, layer, policy and reason. */
export function expectAccessCase(c: AccessCase) {
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

/** `it.each` rows: the case name, then the case. */
export const caseTable = (cases: AccessCase[]) =>
  cases.map(c => [c.name, c] as const);

const withPrefix = (cases: AccessCase[], ...prefixes: string[]) =>
  cases.filter(c => prefixes.some(p => c.name.startsWith(`${p}:`)));

const LINKERD_AUTHENTICATION_KINDS = new Set([
  'MeshTLSAuthentication',
  'NetworkAuthentication',
]);
const linkerdAuthorization = withPrefix(
  LINKERD_CASES,
  'Linkerd AuthorizationPolicy',
  'Linkerd ServerAuthorization',
  'Linkerd per-route policy',
);
const namesAuthentication = (c: AccessCase) =>
  c.objects.some(o => LINKERD_AUTHENTICATION_KINDS.has(String(o.kind)));

/** The cases of each rule file. */
export const ACCESS_CASES_BY_RULE: Record<string, AccessCase[]> = {
  'istio/authorizationPolicy': withPrefix(
    ISTIO_AUTHZ_CASES,
    'Authorization policy',
    'Authorization policy precedence',
    'Authorization policy for TCP',
    'Policy scope',
    'Ambient L4 policy',
  ),
  'istio/authorizationMatch': withPrefix(
    ISTIO_AUTHZ_CASES,
    'Source principals',
    'Source notPrincipals',
    'Source namespaces',
    'Source notNamespaces',
    'Source serviceAccounts',
    'Source ipBlocks',
    'Authenticated identity',
    'Operation methods',
    'Operation paths',
    'Operation notPaths',
    'Operation ports',
    'Condition',
  ),
  'core/access': MTLS_ACCESS_CASES,
  'linkerd/server': withPrefix(
    LINKERD_CASES,
    'Linkerd default policies',
    'Linkerd Server',
    'Linkerd Server proxyProtocol opaque',
    'Linkerd cross-mesh',
  ),
  'linkerd/authentication': linkerdAuthorization.filter(namesAuthentication),
  'linkerd/authorization': linkerdAuthorization.filter(
    c => !namesAuthentication(c),
  ),
  'linkerd/httpRoute': withPrefix(LINKERD_CASES, 'Linkerd HTTPRoute'),
  'linkerd/httpRoutePrecedence': withPrefix(
    LINKERD_CASES,
    'Linkerd HTTPRoute precedence',
  ),
  'networkPolicy/networkPolicy': NETPOL_CASES,
  'networkPolicy/adminNetworkPolicy': ADMIN_NETPOL_CASES,
  'networkPolicy/ciliumNetworkPolicy': CILIUM_NETPOL_CASES,
  'istio/serviceRegistry': SERVICE_REGISTRY_CASES,
  'istio/waypoint': WAYPOINT_CASES,
};

export { ALL_ACCESS_CASES };
