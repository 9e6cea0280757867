import { Finding, FindingDefinition, SnapshotWorkload } from '../../model';
import {
  apAction,
  apRules,
  apSelector,
  apTargetRefs,
} from '../istio/authorizationPolicy';
import { EngineContext } from '../core/context';
import { POLICIES_PER_STEP } from '../core/steps';
import { selectorMatches } from '../core/match';
import { istioTcpPort } from '../core/protocol';
import { Json, isObject } from '../validate/check';
import { makeFinding } from './make';

/** MS2xx: authorization (Istio AuthorizationPolicy, Linkerd policy). */
export const AUTHZ_FINDINGS = {
  allowAll: {
    code: 'MS201',
    severity: 'high',
    title: 'ALLOW rule allows everyone',
    description:
      'An ALLOW AuthorizationPolicy has a rule `{}` (no from, to or when): it matches every request, so the policy allows all callers.',
    fix: 'Replace the empty rule with `from.source.principals`/`serviceAccounts` naming the callers (and `to.operation` naming the methods/paths they need).',
  },
  selectsNothing: {
    code: 'MS202',
    severity: 'medium',
    title: 'AuthorizationPolicy selects no workload',
    description:
      'The selector of the AuthorizationPolicy matches no workload in its scope, so it has no effect (often a typo in a label).',
    fix: 'Fix the selector labels or delete the policy.',
  },
  identityOnPlaintext: {
    code: 'MS203',
    severity: 'medium',
    title: 'Identity conditions on a workload that accepts plaintext',
    description:
      'The policy matches on `principals`, `namespaces` or `serviceAccounts`, which exist only for mTLS requests, but the workload accepts plaintext (PERMISSIVE or DISABLED): plaintext callers are never matched, and DENY rules on identities can be bypassed with plaintext.',
    fix: 'Make the workload STRICT (PeerAuthentication) or add a DENY rule with `notPrincipals: ["*"]` for plaintext.',
  },
  allowNoRules: {
    code: 'MS204',
    severity: 'info',
    title: 'ALLOW policy without rules denies every request',
    description:
      'An ALLOW policy with no rules matches nothing; applied to a workload it denies every request (the documented "deny-all" idiom).',
    fix: 'Intended as deny-all? Keep it and add ALLOW policies for legitimate callers. Otherwise add rules.',
  },
  denyNoRules: {
    code: 'MS205',
    severity: 'low',
    title: 'DENY policy without rules has no effect',
    description: 'A DENY policy with no rules matches nothing.',
    fix: 'Add the rules to deny, or delete the policy.',
  },
  custom: {
    code: 'MS206',
    severity: 'info',
    title: 'CUSTOM policy delegates to an external authorizer',
    description:
      'Decisions of CUSTOM policies are made by an external authorizer; the engine reports them as "cannot evaluate" and stays conservative.',
    fix: 'None required; verify the external authorizer configuration separately.',
  },
  unknownConditionKey: {
    code: 'MS207',
    severity: 'low',
    title: 'Unknown `when` key',
    description:
      'A `when` condition uses a key that is not a documented Istio authorization attribute; Istio rejects or ignores it.',
    fix: 'Use a key from "Authorization Policy Conditions" (e.g. `source.ip`, `request.headers[...]`, `request.auth.claims[...]`).',
  },
  l7OnZtunnel: {
    code: 'MS208',
    severity: 'medium',
    title: 'HTTP rules of a policy that ztunnel enforces',
    description:
      'A policy that selects an ambient workload (`selector`) is enforced by ztunnel, with or without a waypoint: a waypoint applies only the policies whose `targetRefs` name it, its GatewayClass or a Service it serves. ztunnel enforces only L4 attributes: an ALLOW rule with methods/paths/hosts/JWT conditions is skipped, and such DENY rules are enforced without their HTTP parts.',
    fix: 'Deploy a waypoint (`istio.io/use-waypoint`) if the workload has none, and attach the policy to the Service (or the waypoint) with `targetRefs` instead of `selector`; or remove the HTTP conditions.',
  },
  wildcardIdentity: {
    code: 'MS209',
    severity: 'medium',
    title: 'ALLOW with a wildcard identity',
    description:
      'An ALLOW rule names `principals: ["*"]` or `namespaces: ["*"]`: any authenticated workload of the mesh is allowed.',
    fix: 'Name the calling service accounts explicitly.',
  },
  noAllowPolicy: {
    code: 'MS210',
    severity: 'low',
    title: 'No ALLOW policy: every caller is allowed',
    description:
      'No ALLOW AuthorizationPolicy (or Linkerd Server authorization) applies to the meshed workload, so every client that reaches it is allowed (least privilege not enforced).',
    fix: 'Add a namespace deny-all (`spec: {}`) and ALLOW policies naming the callers, or a Linkerd `deny` default inbound policy with AuthorizationPolicies.',
  },
  linkerdMissingRef: {
    code: 'MS211',
    severity: 'high',
    title: 'Linkerd AuthorizationPolicy references a missing object',
    description:
      "The policy's targetRef or a requiredAuthenticationRef names an object that does not exist; Linkerd ignores the authorization.",
    fix: 'Create the referenced Server/HTTPRoute/MeshTLSAuthentication/NetworkAuthentication, or fix the name.',
  },
  serverSelectsNothing: {
    code: 'MS212',
    severity: 'medium',
    title: 'Linkerd Server selects no pod',
    description:
      "The Server's podSelector matches no workload in its namespace, or none of the selected workloads exposes its port.",
    fix: 'Fix the podSelector or port (a number or a container port name).',
  },
  linkerdAllowAll: {
    code: 'MS213',
    severity: 'medium',
    title: 'Linkerd authentication allows everyone',
    description:
      'A MeshTLSAuthentication with identity `*` or a NetworkAuthentication covering `0.0.0.0/0`/`::/0` authorizes every client.',
    fix: 'Name the client identities (identityRefs to ServiceAccounts) or narrow the networks.',
  },
  severalServers: {
    code: 'MS214',
    severity: 'medium',
    title: 'Several Linkerd Servers select one port',
    description:
      "More than one Server selects the same pod port; Linkerd uses only one of them, so the others' authorizations may not apply.",
    fix: 'Keep one Server per workload port.',
  },
  waypointNotUsed: {
    code: 'MS215',
    severity: 'high',
    title: 'Waypoint named by istio.io/use-waypoint is not used',
    description:
      'A namespace, Service or pod label `istio.io/use-waypoint` names a waypoint that istiod does not use for that traffic: the Gateway does not exist, does not handle that traffic type (`istio.io/waypoint-for`) or does not admit the namespace (`allowedRoutes`). The traffic meets ztunnel alone: the policies attached to the waypoint and its HTTP rules are not enforced.',
    fix: 'Create the waypoint Gateway (`gatewayClassName: istio-waypoint`), set its `istio.io/waypoint-for` to the traffic it must take (`service`, `workload` or `all`), or admit the namespace in its HBONE listener `allowedRoutes`; otherwise fix the label.',
  },
  l7OnTcpPort: {
    code: 'MS216',
    severity: 'medium',
    title: 'HTTP rules on a port the sidecar receives as TCP',
    description:
      'A policy with HTTP conditions (methods, paths, hosts, request principals, `request.*` conditions) selects a sidecar workload on a port that every Service targeting it declares a protocol other than HTTP (`tcp`, `tls`, `https`, `mongo`, `mysql`, `redis`; `appProtocol`, else the port name). The sidecar receives TCP there ("Authorization Policy for TCP"): it ignores such an ALLOW rule, so the clients it names are refused on that port, and enforces such a DENY rule without its HTTP conditions, so it refuses every connection of the clients it names.',
    fix: 'If the port serves HTTP, declare it (`appProtocol: http`, or a port name starting with `http-`); otherwise remove the HTTP conditions, or limit the rule to the HTTP ports with `to.operation.ports`.',
  },
} satisfies Record<string, FindingDefinition>;

const KNOWN_KEYS =
  /^(source\.(ip|namespace|principal|trustDomain)|remote\.ip|destination\.(ip|port)|connection\.sni|request\.(headers\[.+\]|auth\.(principal|audiences|presenter|claims\[.+\]))|experimental\.envoy\.filters\..+)$/;

function ruleIsEmpty(rule: Json): boolean {
  return (
    !Array.isArray(rule.from) &&
    !Array.isArray(rule.to) &&
    !Array.isArray(rule.when)
  );
}

function sourcesOf(rule: Json): Json[] {
  return Array.isArray(rule.from)
    ? rule.from.filter(isObject).map(f => (isObject(f.source) ? f.source : {}))
    : [];
}

/** Whether a rule has a field or condition only HTTP requests carry. */
const hasHttpFields = (rule: Json): boolean =>
  /"(methods|notMethods|paths|notPaths|hosts|notHosts|requestPrincipals|notRequestPrincipals)"|"key":"request\./.test(
    JSON.stringify(rule),
  );

/** The ports a rule is limited to (`to.operation.ports` of every operation); undefined: all. */
function rulePorts(rule: Json): number[] | undefined {
  const to = Array.isArray(rule.to) ? rule.to.filter(isObject) : [];
  if (to.length === 0) return undefined;
  const ports = new Set<number>();
  for (const t of to) {
    const op = isObject(t.operation) ? t.operation : {};
    if (!Array.isArray(op.ports) || op.ports.length === 0) return undefined;
    for (const p of op.ports) {
      const n = Number(p);
      if (Number.isInteger(n)) ports.add(n);
    }
  }
  return [...ports];
}

/**
 * MS216 for one sidecar workload a policy applies to: each port that its rules with HTTP
 * conditions reach and that its Services declare TCP ("Authorization Policy for TCP": the sidecar
 * ignores such ALLOW rules there and enforces such DENY rules without their HTTP conditions;
 * core/access.ts).
 */
function tcpPortFindings(
  ctx: EngineContext,
  obj: Finding['object'],
  action: string,
  httpRules: Json[],
  w: SnapshotWorkload,
): Finding[] {
  if (action !== 'ALLOW' && action !== 'DENY') return [];
  const tcp = new Map<number, string>();
  for (const r of httpRules) {
    for (const port of rulePorts(r) ?? w.ports.map(wp => wp.port)) {
      if (tcp.has(port)) continue;
      const why = istioTcpPort(
        w,
        port,
        ctx.snapshot.services,
        ctx.namespaces.get(w.namespace),
      );
      if (why) tcp.set(port, why);
    }
  }
  return [...tcp.values()].map(why =>
    makeFinding(
      AUTHZ_FINDINGS.l7OnTcpPort,
      obj,
      action === 'ALLOW'
        ? `has an ALLOW rule with HTTP conditions for ${w.namespace}/${w.name}, whose ${why}: the sidecar ignores the rule there, so the clients it names are refused on that port`
        : `has a DENY rule with HTTP conditions for ${w.namespace}/${w.name}, whose ${why}: the sidecar enforces it there without its HTTP conditions, refusing every connection of the clients it names`,
    ),
  );
}

/**
 * Findings about Istio AuthorizationPolicies (object-level) and their effect on workloads, a step
 * per {@link POLICIES_PER_STEP} policies (a delta's apply takes them between requests).
 */
export function* istioAuthzFindingSteps(
  ctx: EngineContext,
): Generator<void, Finding[], void> {
  const out: Finding[] = [];
  const cluster = ctx.options.cluster;
  let taken = 0;
  for (const p of ctx.authz.all()) {
    if (++taken % POLICIES_PER_STEP === 0) yield;
    const obj = {
      kind: 'AuthorizationPolicy',
      namespace: p.namespace,
      name: p.name,
      cluster,
    };
    const action = apAction(p);
    const rules = apRules(p);
    if (action === 'ALLOW' && rules.some(ruleIsEmpty))
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.allowAll,
          obj,
          `an empty ALLOW rule: every request is allowed`,
        ),
      );
    if (action === 'ALLOW' && rules.length === 0)
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.allowNoRules,
          obj,
          `an ALLOW policy without rules: it denies every request to the workloads it applies to`,
        ),
      );
    if (action === 'DENY' && rules.length === 0)
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.denyNoRules,
          obj,
          `a DENY policy without rules: it has no effect`,
        ),
      );
    if (action === 'CUSTOM')
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.custom,
          obj,
          `delegates decisions to the external authorizer ${
            isObject(p.spec.provider) ? String(p.spec.provider.name) : ''
          }`.trim(),
        ),
      );
    if (
      action === 'ALLOW' &&
      rules.some(r =>
        sourcesOf(r).some(
          s =>
            (Array.isArray(s.principals) && s.principals.includes('*')) ||
            (Array.isArray(s.namespaces) && s.namespaces.includes('*')),
        ),
      )
    ) {
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.wildcardIdentity,
          obj,
          `allows any authenticated identity (principals or namespaces "*")`,
        ),
      );
    }
    for (const r of rules) {
      for (const c of Array.isArray(r.when) ? r.when.filter(isObject) : []) {
        if (typeof c.key === 'string' && !KNOWN_KEYS.test(c.key))
          out.push(
            makeFinding(
              AUTHZ_FINDINGS.unknownConditionKey,
              obj,
              `uses the unknown condition key ${c.key}`,
            ),
          );
      }
    }
    if (apTargetRefs(p).length > 0) continue;
    const sel = apSelector(p);
    const hasLabels =
      !!sel &&
      (Object.keys(sel.matchLabels ?? {}).length > 0 ||
        (sel.matchExpressions ?? []).length > 0);
    if (!hasLabels) {
      // A policy of a namespace (or, in the root namespace, of the mesh) applies to every
      // sidecar of it: a rule with HTTP conditions reaches its TCP ports too.
      const httpRules = rules.filter(hasHttpFields);
      if (httpRules.length === 0) continue;
      const scope =
        p.namespace === ctx.options.rootNamespace
          ? ctx.snapshot.workloads
          : ctx.byNamespace.get(p.namespace) ?? [];
      for (const w of scope)
        if (ctx.info(w).membership.mesh === 'istio-sidecar')
          out.push(...tcpPortFindings(ctx, obj, action, httpRules, w));
      continue;
    }
    const scope =
      p.namespace === ctx.options.rootNamespace
        ? ctx.snapshot.workloads
        : ctx.byNamespace.get(p.namespace) ?? [];
    const selected = scope.filter(w => selectorMatches(sel, w.labels));
    if (selected.length === 0)
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.selectsNothing,
          obj,
          `selects no workload${
            p.namespace === ctx.options.rootNamespace
              ? ' in the mesh'
              : ` in ${p.namespace}`
          }`,
        ),
      );
    const usesIdentity = rules.some(r =>
      sourcesOf(r).some(s =>
        ['principals', 'namespaces', 'serviceAccounts'].some(
          k => s[k] !== undefined,
        ),
      ),
    );
    const httpRules = rules.filter(hasHttpFields);
    for (const w of selected) {
      const info = ctx.info(w);
      const mesh = info.membership.mesh;
      if (
        usesIdentity &&
        (mesh === 'istio-sidecar' || mesh === 'istio-ambient') &&
        info.ports.some(port => port.mtls === 'PERMISSIVE')
      ) {
        out.push(
          makeFinding(
            AUTHZ_FINDINGS.identityOnPlaintext,
            obj,
            `matches on identities, but ${w.namespace}/${w.name} accepts plaintext on some ports`,
          ),
        );
      }
      // docs/engine.md "Ambient waypoints": a `selector` policy is the workload's ztunnel's,
      // never its waypoint's (waypoints take policies "attached using the targetRef field",
      // https://istio.io/latest/docs/ambient/usage/l4-policy/ "Targeting policies"), so its
      // HTTP rules are L4-only with a waypoint as without one.
      if (mesh === 'istio-ambient' && httpRules.length > 0) {
        const waypoints = [
          ...new Set(
            ctx.waypoints
              .waypointsOf(w)
              .map(({ waypoint }) => `${waypoint.namespace}/${waypoint.name}`),
          ),
        ];
        const where = `${w.namespace}/${w.name}`;
        out.push(
          makeFinding(
            AUTHZ_FINDINGS.l7OnZtunnel,
            obj,
            waypoints.length === 0 && !ctx.waypoints.labelled(w)
              ? `has HTTP conditions but ${where} is ambient without a waypoint`
              : `has HTTP conditions and selects ${where}: ztunnel enforces a selector policy at L4 only, and ${
                  waypoints.length > 0
                    ? `its waypoint ${waypoints.join(', ')}`
                    : 'the waypoint its istio.io/use-waypoint label names'
                } does not apply it; the rule must use targetRefs (the Service or the waypoint) to be enforced at the waypoint`,
          ),
        );
      }
      if (mesh === 'istio-sidecar')
        out.push(...tcpPortFindings(ctx, obj, action, httpRules, w));
    }
  }
  return out;
}

/** Per-workload: meshed, yet no authorization narrows its callers. */
export function workloadAuthzFindings(
  ctx: EngineContext,
  w: SnapshotWorkload,
): Finding[] {
  const info = ctx.info(w);
  const mesh = info.membership.mesh;
  const obj = {
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    cluster: ctx.options.cluster,
  };
  const out: Finding[] = [];
  // docs/engine.md "Ambient waypoints": what istiod reports as "waypoint is not ready", an
  // unsupported traffic type or a denied attachment, once per label and reason.
  if (mesh === 'istio-ambient')
    for (const why of ctx.waypoints.skipped(w))
      out.push(makeFinding(AUTHZ_FINDINGS.waypointNotUsed, obj, why));
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient') {
    const policies = ctx.authz.forWorkload(w);
    if (!policies.some(p => apAction(p) === 'ALLOW'))
      out.push(
        makeFinding(
          AUTHZ_FINDINGS.noAllowPolicy,
          obj,
          'no ALLOW AuthorizationPolicy applies: every caller is allowed',
        ),
      );
  }
  return out;
}
