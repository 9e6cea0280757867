import { JsonObject, LabelSelector, Snapshot, SnapshotPolicy, SnapshotService, SnapshotWorkload } from '../model';
import { CallerContext, LayerVerdict, RequestAttrs, Tri } from './caller';
import { MatchNotes, ruleMatches } from './authzMatch';
import { selectorMatches } from './match';
import { SelectorIndex, groupBy } from './selectorIndex';
import { Json, isObject } from './validate/check';

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

export const policyRef = (p: P) => `AuthorizationPolicy ${p.namespace}/${p.name}`;
export const apAction = (p: P) => (typeof p.spec.action === 'string' ? p.spec.action : 'ALLOW');
export const apSelector = (p: P): LabelSelector | undefined => (isObject(p.spec.selector) ? (p.spec.selector as LabelSelector) : undefined);
export const apTargetRefs = (p: P): Json[] => [
  ...(isObject(p.spec.targetRef) ? [p.spec.targetRef] : []),
  ...(Array.isArray(p.spec.targetRefs) ? p.spec.targetRefs.filter(isObject) : []),
];
export const apRules = (p: P): Json[] => (Array.isArray(p.spec.rules) ? p.spec.rules.map(r => (isObject(r) ? r : {})) : []);

/** L7 attributes ztunnel cannot enforce ("Layer 4 authorization policy" in ambient mode). */
function ruleHasL7(rule: Json): boolean {
  const ops = Array.isArray(rule.to) ? rule.to.filter(isObject).map(t => (isObject(t.operation) ? t.operation : {})) : [];
  const l7Op = ops.some(o => ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'].some(k => o[k] !== undefined));
  const l7Src = (Array.isArray(rule.from) ? rule.from.filter(isObject) : []).some(f => isObject(f.source) && (f.source.requestPrincipals !== undefined || f.source.notRequestPrincipals !== undefined));
  const l7When = (Array.isArray(rule.when) ? rule.when.filter(isObject) : []).some(c => typeof c.key === 'string' && c.key.startsWith('request.'));
  return l7Op || l7Src || l7When;
}

/** Drops L7 parts of a rule (ztunnel enforces the L4 remainder of a DENY rule). */
function l4Only(rule: Json): Json {
  const to = Array.isArray(rule.to)
    ? rule.to.filter(isObject).map(t => {
      const op = isObject(t.operation) ? { ...t.operation } : {};
      for (const k of ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts']) delete op[k];
      return { operation: op };
    })
    : undefined;
  const when = Array.isArray(rule.when) ? rule.when.filter(c => !(isObject(c) && typeof c.key === 'string' && c.key.startsWith('request.'))) : undefined;
  return { ...rule, to, when };
}

export class AuthorizationIndex {
  private readonly byNs = new Map<string, SelectorIndex<P>>();
  private readonly services: Map<string, SnapshotService[]>;

  constructor(snapshot: Snapshot, readonly rootNamespace: string) {
    for (const [ns, list] of groupBy(snapshot.istio.authorizationPolicies, p => p.namespace)) {
      // Policies with targetRefs are indexed with an impossible selector and handled separately.
      const idx = new SelectorIndex<P>(p => (apTargetRefs(p).length > 0 ? { matchLabels: { '\u0000targetRef': '' } } : apSelector(p)));
      list.forEach(p => idx.add(p));
      this.byNs.set(ns, idx);
    }
    this.services = groupBy(snapshot.services, s => s.namespace);
  }

  /** Policies applying to a workload: root-namespace ones (mesh-wide) and its namespace's. */
  forWorkload(w: SnapshotWorkload, ambientWaypoint: boolean): P[] {
    const out = [...(this.byNs.get(this.rootNamespace)?.matching(w.labels) ?? [])];
    if (w.namespace !== this.rootNamespace) out.push(...(this.byNs.get(w.namespace)?.matching(w.labels) ?? []));
    if (ambientWaypoint) {
      // Waypoint-enforced policies target the Service (targetRefs kind Service) selecting the pods.
      for (const p of this.byNs.get(w.namespace)?.items() ?? []) {
        const refs = apTargetRefs(p);
        if (refs.some(r => r.kind === 'Service' && (this.services.get(w.namespace) ?? []).some(s => s.name === r.name && s.selector && Object.keys(s.selector).length > 0 && selectorMatches({ matchLabels: s.selector }, w.labels)))) out.push(p);
      }
    }
    return out;
  }

  all(): P[] {
    return [...this.byNs.values()].flatMap(i => [...i.items()]);
  }
}

function policyMatch(p: P, caller: CallerContext, req: RequestAttrs, ztunnelOnly: boolean, notes: MatchNotes): Tri {
  const deny = apAction(p) === 'DENY';
  let result: Tri = 'no';
  for (let rule of apRules(p)) {
    if (ztunnelOnly && ruleHasL7(rule)) {
      // Ambient without waypoint: ztunnel ignores ALLOW rules with L7 attributes and
      // enforces DENY rules without their L7 parts (fails closed).
      if (!deny) continue;
      rule = l4Only(rule);
    }
    const m = ruleMatches(rule, caller, req, p.namespace, notes, deny);
    if (m === 'yes') return 'yes';
    if (m === 'unknown') result = 'unknown';
  }
  return result;
}

/** The Istio authorization layer for one request to `w`. */
export function istioAuthorize(policies: P[], caller: CallerContext, req: RequestAttrs, ztunnelOnly: boolean): LayerVerdict {
  const cannot: string[] = [];
  const custom = policies.filter(p => apAction(p) === 'CUSTOM');
  for (const p of custom) {
    const notes: MatchNotes = { cannot: [] };
    if (policyMatch(p, caller, req, ztunnelOnly, notes) !== 'no') {
      // The external authorizer decides; we cannot know its answer, so stay conservative.
      return { effect: 'DENY', policy: policyRef(p), message: `${policyRef(p)} (CUSTOM) delegates the decision to an external authorizer`, cannotEvaluate: [`${policyRef(p)}: external authorizer decision`] };
    }
  }
  for (const p of policies.filter(x => apAction(x) === 'DENY')) {
    const notes: MatchNotes = { cannot: [] };
    const m = policyMatch(p, caller, req, ztunnelOnly, notes);
    if (m === 'yes') return { effect: 'DENY', policy: policyRef(p), message: `${policyRef(p)} (DENY) matches the request`, cannotEvaluate: cannot };
    if (m === 'unknown') {
      return { effect: 'DENY', policy: policyRef(p), message: `${policyRef(p)} (DENY) may match the request; treated as matching`, cannotEvaluate: [...cannot, ...notes.cannot.map(c => `${policyRef(p)}: ${c}`)] };
    }
  }
  const allow = policies.filter(p => apAction(p) === 'ALLOW');
  if (allow.length === 0) {
    return { effect: 'ALLOW', message: 'no ALLOW AuthorizationPolicy applies to the workload: Istio allows the request', cannotEvaluate: cannot, byDefault: true };
  }
  for (const p of allow) {
    const notes: MatchNotes = { cannot: [] };
    const m = policyMatch(p, caller, req, ztunnelOnly, notes);
    if (m === 'yes') {
      return { effect: 'ALLOW', policy: policyRef(p), message: `${policyRef(p)} (ALLOW) matches the request`, cannotEvaluate: cannot, methods: notes.methods, paths: notes.paths };
    }
    if (m === 'unknown') cannot.push(...notes.cannot.map(c => `${policyRef(p)}: ${c}`));
  }
  return { effect: 'DENY', policy: allow.map(policyRef).join(', '), message: `ALLOW policies apply to the workload and none matches the request: ${allow.map(policyRef).join(', ')}`, cannotEvaluate: cannot };
}
