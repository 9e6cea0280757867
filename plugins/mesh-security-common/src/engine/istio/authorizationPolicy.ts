import {
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { CallerContext, LayerVerdict, RequestAttrs, Tri } from '../core/caller';
import {
  COp,
  CPolicy,
  CRule,
  MatchNotes,
  compilePolicy,
  forgetCompiled,
  ruleMatches,
  ruleOperations,
} from './authorizationMatch';
import { TrustDomainBundle } from './trustDomain';
import { SelectorIndex, groupBy } from '../core/selectorIndex';
import { Json, isObject } from '../validate/check';
import { GATEWAY_API_GROUP, WAYPOINT_GATEWAY_CLASS } from './waypoint';

/*
 * Istio authorization, "Authorization policy" concept page
 * (https://istio.io/latest/docs/concepts/security/#authorization-policies) and the
 * AuthorizationPolicy reference: policies in the root namespace apply mesh-wide, policies in a
 * namespace apply to its workloads, a `selector` narrows to matching workloads. Evaluation order
 * (“Implicit enablement” / “Authorization policy precedence”): CUSTOM, then DENY, then ALLOW;
 * AUDIT never decides. With no ALLOW policy the request is allowed; with ALLOW policies it must
 * match one. An ALLOW policy without rules matches nothing (denies all); a rule `{}` matches all.
 */

type P = SnapshotPolicy<JsonObject>;

export const apAction = (p: P) =>
  typeof p.spec.action === 'string' ? p.spec.action : 'ALLOW';
export const apSelector = (p: P): LabelSelector | undefined =>
  isObject(p.spec.selector) ? (p.spec.selector as LabelSelector) : undefined;
export const apTargetRefs = (p: P): Json[] => [
  ...(isObject(p.spec.targetRef) ? [p.spec.targetRef] : []),
  ...(Array.isArray(p.spec.targetRefs)
    ? p.spec.targetRefs.filter(isObject)
    : []),
];
export const apRules = (p: P): Json[] =>
  Array.isArray(p.spec.rules)
    ? p.spec.rules.map(r => (isObject(r) ? r : {}))
    : [];

export class AuthorizationIndex {
  private readonly byNs = new Map<string, SelectorIndex<P>>();

  /** `unavailable`: why the AuthorizationPolicies (or the root namespace) are not known. */
  constructor(
    private readonly snapshot: Snapshot,
    readonly rootNamespace: string,
    readonly unavailable?: string,
  ) {
    for (const [ns, list] of groupBy(
      snapshot.istio.authorizationPolicies,
      p => p.namespace,
    )) {
      // Policies with targetRefs are indexed with an impossible selector and handled separately.
      const idx = new SelectorIndex<P>(p =>
        apTargetRefs(p).length > 0
          ? { matchLabels: { '\u0000targetRef': '' } }
          : apSelector(p),
      );
      list.forEach(p => idx.add(p));
      this.byNs.set(ns, idx);
    }
  }

  private readonly cache = new Map<SnapshotWorkload, P[]>();

  /** Forgets what was cached per workload (see EngineContext.releaseWorkloadCaches). */
  releaseCaches(): void {
    this.cache.clear();
    this.waypointCache.clear();
    // Compiled once per policy object, which lives as long as the snapshot: a graph's context
    // that forgets its workloads' caches forgets them too (docs/benchmarks.md, "Memory per pod").
    forgetCompiled(this.snapshot.istio.authorizationPolicies);
  }

  /**
   * Policies a workload's own proxy (sidecar or ztunnel) applies: root-namespace ones
   * (mesh-wide) and its namespace's, by selector; policies with `targetRefs` never attach to a
   * workload (istio/istio `pilot/pkg/model/policyattachment.go` `ShouldAttachPolicy`). Cached.
   */
  forWorkload(workload: SnapshotWorkload): P[] {
    let hit = this.cache.get(workload);
    if (!hit) this.cache.set(workload, (hit = this.compute(workload)));
    return hit;
  }

  private compute(workload: SnapshotWorkload): P[] {
    const out = [
      ...(this.byNs.get(this.rootNamespace)?.matching(workload.labels) ?? []),
    ];
    if (workload.namespace !== this.rootNamespace)
      out.push(
        ...(this.byNs.get(workload.namespace)?.matching(workload.labels) ?? []),
      );
    return out;
  }

  private readonly waypointCache = new Map<string, P[]>();

  /**
   * Policies an ambient waypoint applies to traffic addressed to `service` (or to a pod, without
   * it), as istiod attaches them to waypoints (`ShouldAttachPolicy`; "Configure waypoint
   * proxies", "Attach L7 policies to waypoint proxies"): `targetRefs` to the `GatewayClass`
   * `istio-waypoint` in the root namespace, to the waypoint's `Gateway` in its namespace, and to
   * the Service addressed in the Service's namespace. Selector and namespace-wide policies never
   * attach to a waypoint.
   */
  forWaypoint(
    waypoint: { namespace: string; name: string },
    service?: { namespace: string; name: string },
  ): P[] {
    const key = `${waypoint.namespace}/${waypoint.name}|${
      service ? `${service.namespace}/${service.name}` : ''
    }`;
    let hit = this.waypointCache.get(key);
    if (hit) return hit;
    const targeting = (namespace: string, test: (ref: Json) => boolean): P[] =>
      (this.byNs.get(namespace)?.items() ?? []).filter(p =>
        apTargetRefs(p).some(test),
      );
    const gatewayApi = (ref: Json, kind: string, name: string) =>
      ref.kind === kind && ref.group === GATEWAY_API_GROUP && ref.name === name;
    hit = [
      ...new Set([
        ...targeting(this.rootNamespace, r =>
          gatewayApi(r, 'GatewayClass', WAYPOINT_GATEWAY_CLASS),
        ),
        ...targeting(waypoint.namespace, r =>
          gatewayApi(r, 'Gateway', waypoint.name),
        ),
        ...(service
          ? targeting(
              service.namespace,
              r =>
                r.kind === 'Service' &&
                (r.group === undefined ||
                  r.group === '' ||
                  r.group === 'core') &&
                r.name === service.name,
            )
          : []),
      ]),
    ];
    this.waypointCache.set(key, hit);
    return hit;
  }

  all(): P[] {
    return [...this.byNs.values()].flatMap(i => [...i.items()]);
  }
}

function policyMatch(
  policy: CPolicy,
  caller: CallerContext,
  req: RequestAttrs,
  l4Only: boolean,
  notes: MatchNotes,
): Tri {
  const deny = policy.action === 'DENY';
  let result: Tri = 'no';
  const rules = l4Only && deny ? policy.l4Rules : policy.rules;
  for (const rule of rules) {
    // At L4 (ztunnel; a sidecar's TCP port): ALLOW rules with L7 attributes are ignored and
    // DENY rules enforced without their L7 parts (fails closed).
    if (l4Only && !deny && rule.hasL7) continue;
    const m = ruleMatches(rule, caller, req, notes, deny);
    if (m === 'yes') return 'yes';
    if (m === 'unknown') result = 'unknown';
  }
  return result;
}

/** The methods, paths and operations that matching L7 operations allow. */
interface LayerL7 {
  methods: Set<string>;
  paths: Set<string>;
  anyMethod: boolean;
  anyPath: boolean;
  operations: Map<string, { methods?: string[]; paths?: string[] }>;
}

/** `l7` (made on first use) with what an L7 operation allows added. */
function withOperation(l7: LayerL7 | undefined, op: COp): LayerL7 {
  const into = l7 ?? {
    methods: new Set<string>(),
    paths: new Set<string>(),
    anyMethod: false,
    anyPath: false,
    operations: new Map(),
  };
  if (op.methods) for (const m of op.methods) into.methods.add(m);
  else into.anyMethod = true;
  if (op.paths) for (const p of op.paths) into.paths.add(p);
  else into.anyPath = true;
  const operation = {
    ...(op.methods ? { methods: op.methods } : {}),
    ...(op.paths ? { paths: op.paths } : {}),
  };
  into.operations.set(JSON.stringify(operation), operation);
  return into;
}

interface Grouped {
  custom: CPolicy[];
  deny: CPolicy[];
  allow: CPolicy[];
  allowRefs: string;
  noMatch: string;
  /** Some rule has HTTP fields (what an L4-only enforcement leaves out). */
  hasL7: boolean;
}
const groupedCache = new WeakMap<P[], Map<string, Grouped>>();

function grouped(policies: P[], bundle?: TrustDomainBundle): Grouped {
  let byBundle = groupedCache.get(policies);
  if (!byBundle) groupedCache.set(policies, (byBundle = new Map()));
  const key = bundle ? bundle.join(' ') : '';
  let g = byBundle.get(key);
  if (!g) {
    const c = policies.map(p => compilePolicy(p, bundle));
    const allow = c.filter(p => p.action === 'ALLOW');
    const allowRefs = allow.map(p => p.ref).join(', ');
    g = {
      custom: c.filter(p => p.action === 'CUSTOM'),
      deny: c.filter(p => p.action === 'DENY'),
      allow,
      allowRefs,
      noMatch: `ALLOW policies apply to the workload and none matches the request: ${allowRefs}`,
      hasL7: c.some(p => p.action !== 'AUDIT' && p.rules.some(r => r.hasL7)),
    };
    byBundle.set(key, g);
  }
  return g;
}

/**
 * Caller sets ("is some request of this client allowed, and which"): a request is allowed when
 * any ALLOW rule matches it ("Authorization Policy": ALLOW policies are ORed), so the client may
 * make the union of what every matching rule operation allows — unrestricted as soon as one
 * matching operation has no HTTP conditions. (The first matching rule alone would under-report
 * a client that two policies allow.)
 */
function allowAny(
  g: Grouped,
  caller: CallerContext,
  req: RequestAttrs,
  l4Only: boolean,
  cannot: string[],
): LayerVerdict {
  let first: CPolicy | undefined;
  let unrestrictedBy: CPolicy | undefined;
  // What the matching L7 operations allow, made when one matches: most callers of a target
  // with ALLOW policies match none (docs/benchmarks.md).
  let l7: LayerL7 | undefined;
  // One notes object, emptied before each operation (what it noted is copied out).
  const notes: MatchNotes = { cannot: [] };
  for (const p of g.allow) {
    for (const rule of p.rules) {
      if (l4Only && rule.hasL7) continue;
      for (const { op, rule: one } of ruleOperations(rule)) {
        notes.cannot.length = 0;
        const m = ruleMatches(one, caller, req, notes, false);
        if (m === 'unknown')
          for (const c of notes.cannot) cannot.push(`${p.ref}: ${c}`);
        if (m !== 'yes') continue;
        first ??= p;
        if (!op || !op.l7) {
          unrestrictedBy ??= p;
          continue;
        }
        l7 = withOperation(l7, op);
      }
    }
  }
  if (unrestrictedBy) {
    return {
      effect: 'ALLOW',
      policy: unrestrictedBy.ref,
      message: `${unrestrictedBy.ref} (ALLOW) matches every request of the client`,
      cannotEvaluate: cannot,
    };
  }
  if (first) {
    return {
      effect: 'ALLOW',
      policy: first.ref,
      message: `${first.ref} (ALLOW) matches some requests of the client`,
      cannotEvaluate: cannot,
      methods:
        !l7 || l7.anyMethod || l7.methods.size === 0
          ? undefined
          : [...l7.methods].sort(),
      paths:
        !l7 || l7.anyPath || l7.paths.size === 0
          ? undefined
          : [...l7.paths].sort(),
      ...(l7 && l7.operations.size > 1
        ? { operations: [...l7.operations.values()] }
        : {}),
    };
  }
  return {
    effect: 'DENY',
    policy: g.allowRefs,
    message: g.noMatch,
    cannotEvaluate: cannot,
  };
}

/** A principal `<trust domain>/ns/<namespace>/sa/<service account>`. */
const PRINCIPAL_PARTS = /^.*\/ns\/([^/]+)\/sa\/([^/]+)$/;

/**
 * The clients an ALLOW rule of `policies` can admit on a sidecar, as `istioAuthorize` matches
 * them (trust domain aliases included), by namespace: each source of each rule names them
 * exactly by `principals` (`<trust domain>/ns/<namespace>/sa/<sa>`), `serviceAccounts`
 * (`<namespace>/<sa>`) or `namespaces`, which only an mTLS client of that namespace (and
 * service account) matches. A namespace maps to the service accounts named, or to undefined
 * when any of its clients may match. Undefined when no ALLOW policy applies, or when a rule may
 * admit a client of any namespace: a rule without `from`, a source naming none of those fields
 * exactly (wildcards, other forms).
 */
export function allowSourceClients(
  policies: P[],
  trustDomains: TrustDomainBundle,
): Map<string, Set<string> | undefined> | undefined {
  const { allow } = grouped(policies, trustDomains);
  if (allow.length === 0) return undefined;
  const clients = new Map<string, Set<string> | undefined>();
  const add = (namespace: string, serviceAccount?: string) => {
    if (!clients.has(namespace))
      clients.set(namespace, serviceAccount ? new Set() : undefined);
    const accounts = clients.get(namespace);
    if (!accounts) return;
    if (serviceAccount) accounts.add(serviceAccount);
    else clients.set(namespace, undefined);
  };
  for (const p of allow) {
    for (const rule of p.rules) {
      // A rule `{}` or without `from` admits every client; `from: []` matches none.
      if (!rule.from) return undefined;
      for (const source of rule.from) {
        const named = sourceClients(source);
        if (!named) return undefined;
        for (const [namespace, serviceAccount] of named)
          add(namespace, serviceAccount);
      }
    }
  }
  return clients;
}

/**
 * The `[namespace, service account]` pairs one source admits (service account undefined: any),
 * undefined when unbounded. Its fields are ANDed: any field named exactly bounds it.
 */
function sourceClients(
  source: NonNullable<CRule['from']>[number],
): Array<[string, string | undefined]> | undefined {
  const exact = (list: string[] | undefined): list is string[] =>
    !!list && list.every(v => !v.includes('*'));
  if (exact(source.principals)) {
    const named = source.principals.map(v => PRINCIPAL_PARTS.exec(v));
    if (named.every(m => m !== null)) return named.map(m => [m![1], m![2]]);
  }
  // Compiled as `<namespace>/<sa>` and matched exactly.
  if (source.serviceAccounts?.every(v => v.includes('/')))
    return source.serviceAccounts.map(v => {
      const slash = v.indexOf('/');
      return [v.slice(0, slash), v.slice(slash + 1)];
    });
  // Matched against the client's namespace with Istio's string match: exact without `*`.
  if (exact(source.namespaces))
    return source.namespaces.map(ns => [ns, undefined]);
  return undefined;
}

/** How the proxy that receives a request enforces the policies that apply to it. */
export interface IstioEnforcement {
  /**
   * Only L4 attributes: ztunnel, and a sidecar receiving TCP traffic. ALLOW rules with HTTP
   * fields (methods, paths, hosts, request principals, `request.*` conditions) are ignored,
   * DENY rules are enforced without them ("Authorization Policy", "Authorization Policy for
   * TCP"; https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/).
   */
  l4Only: boolean;
  /** Why only L4, said in the verdict when a rule with HTTP fields applies. */
  l4Reason?: string;
  /**
   * The trust domain and aliases of the mesh config serving the workload
   * (istio/trustDomain.ts); none for ztunnel, which does not apply them.
   */
  trustDomains?: TrustDomainBundle;
}

/** The Istio authorization layer for one request to a workload, by the policies applying to it. */
export function istioAuthorize(
  policies: P[],
  caller: CallerContext,
  req: RequestAttrs,
  enforcement: IstioEnforcement,
): LayerVerdict {
  const verdict = authorize(policies, caller, req, enforcement);
  const reason = enforcement.l4Reason;
  if (!reason) return verdict;
  return grouped(policies, enforcement.trustDomains).hasL7
    ? {
        ...verdict,
        message: `${verdict.message} (${reason}: ALLOW rules with HTTP fields do not apply, and DENY rules apply without them)`,
      }
    : verdict;
}

function authorize(
  policies: P[],
  caller: CallerContext,
  req: RequestAttrs,
  { l4Only, trustDomains }: IstioEnforcement,
): LayerVerdict {
  const g = grouped(policies, trustDomains);
  const cannot: string[] = [];
  for (const p of g.custom) {
    if (policyMatch(p, caller, req, l4Only, { cannot: [] }) !== 'no') {
      // The external authorizer decides; we cannot know its answer, so stay conservative.
      return {
        effect: 'DENY',
        policy: p.ref,
        message: `${p.ref} (CUSTOM) delegates the decision to an external authorizer`,
        cannotEvaluate: [`${p.ref}: external authorizer decision`],
      };
    }
  }
  for (const p of g.deny) {
    const notes: MatchNotes = { cannot: [] };
    const m = policyMatch(p, caller, req, l4Only, notes);
    if (m === 'yes')
      return {
        effect: 'DENY',
        policy: p.ref,
        message: `${p.ref} (DENY) matches the request`,
        cannotEvaluate: cannot,
      };
    if (m === 'unknown') {
      return {
        effect: 'DENY',
        policy: p.ref,
        message: `${p.ref} (DENY) may match the request; treated as matching`,
        cannotEvaluate: notes.cannot.map(c => `${p.ref}: ${c}`),
      };
    }
  }
  if (g.allow.length === 0) {
    return {
      effect: 'ALLOW',
      message:
        'no ALLOW AuthorizationPolicy applies to the workload: Istio allows the request',
      cannotEvaluate: cannot,
      byDefault: true,
    };
  }
  if (req.mode === 'any') return allowAny(g, caller, req, l4Only, cannot);
  for (const p of g.allow) {
    const notes: MatchNotes = { cannot: [] };
    const m = policyMatch(p, caller, req, l4Only, notes);
    if (m === 'yes') {
      return {
        effect: 'ALLOW',
        policy: p.ref,
        message: `${p.ref} (ALLOW) matches the request`,
        cannotEvaluate: cannot,
        methods: notes.methods,
        paths: notes.paths,
      };
    }
    if (m === 'unknown')
      cannot.push(...notes.cannot.map(c => `${p.ref}: ${c}`));
  }
  return {
    effect: 'DENY',
    policy: g.allowRefs,
    message: g.noMatch,
    cannotEvaluate: cannot,
  };
}
