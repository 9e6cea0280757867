import { JsonObject, SnapshotPolicy } from '../../model';
import {
  CallerContext,
  RequestAttrs,
  Tri,
  and,
  not,
  or,
  unknownForGroup,
} from '../core/caller';
import {
  addressSetWithin,
  cidrContains,
  istioStringMatch,
} from '../core/match';
import { Json, isObject } from '../validate/check';
import {
  TrustDomainBundle,
  expandPrincipals,
  expandTrustDomains,
} from './trustDomain';

/*
 * Matching of Istio AuthorizationPolicy rules, "Authorization Policy" reference
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/): a rule
 * matches when `from`, `to` and `when` all match; within `from`/`to` the entries are ORed and
 * the fields of one entry ANDed; within a field the values are ORed; `notX` fields match when
 * none of the values do. Plaintext requests carry no principal, namespace or service account,
 * so `principals`/`namespaces`/`serviceAccounts` never match them ("Source" and the
 * "Authorization Policy" concept page, "Authenticated and unauthenticated identity").
 * Policies are compiled once (per policy object) so that the caller-set query stays cheap.
 */

/** Collects what could not be evaluated and L7 restrictions (in `any` mode). */
export interface MatchNotes {
  cannot: string[];
  methods?: string[];
  paths?: string[];
}

type Strs = string[] | undefined;
interface CSource {
  principals: Strs;
  notPrincipals: Strs;
  namespaces: Strs;
  notNamespaces: Strs;
  trustDomains: Strs;
  notTrustDomains: Strs;
  serviceAccounts: Strs;
  notServiceAccounts: Strs;
  ipBlocks: Strs;
  notIpBlocks: Strs;
  remoteIpBlocks: Strs;
  notRemoteIpBlocks: Strs;
  requestPrincipals: boolean;
}
export interface COp {
  ports: Strs;
  notPorts: Strs;
  methods: Strs;
  notMethods: Strs;
  paths: Strs;
  notPaths: Strs;
  hosts: Strs;
  notHosts: Strs;
  l7: boolean;
}
interface CCond {
  key: string;
  values: Strs;
  notValues: Strs;
}
export interface CRule {
  from?: CSource[];
  to?: COp[];
  when?: CCond[];
  hasL7: boolean;
}
/** A compiled AuthorizationPolicy. */
export interface CPolicy {
  ref: string;
  action: string;
  rules: CRule[];
  /** DENY rules as ztunnel enforces them (L7 parts dropped). */ l4Rules: CRule[];
}

const strs = (v: unknown): Strs =>
  Array.isArray(v)
    ? v.filter((s): s is string => typeof s === 'string')
    : undefined;
const L7_OPS = [
  'methods',
  'notMethods',
  'paths',
  'notPaths',
  'hosts',
  'notHosts',
];

function compileRule(
  rule: Json,
  policyNs: string,
  bundle: TrustDomainBundle | undefined,
): CRule {
  // Trust domain aliases (istio/trustDomain.ts): istiod rewrites principals and trust domains.
  const principals = (v: unknown) => {
    const list = strs(v);
    return list && bundle ? expandPrincipals(list, bundle) : list;
  };
  const trustDomains = (v: unknown) => {
    const list = strs(v);
    return list && bundle ? expandTrustDomains(list, bundle) : list;
  };
  const byCondition = new Map([
    ['source.principal', principals],
    ['source.trustDomain', trustDomains],
  ]);
  const from = Array.isArray(rule.from)
    ? rule.from.map(f => {
        const s = isObject(f) && isObject(f.source) ? f.source : {};
        // serviceAccounts entries are `ns/sa`, or `sa` in the policy's namespace.
        const serviceAccount = (v: unknown) =>
          strs(v)?.map(x => (x.includes('/') ? x : `${policyNs}/${x}`));
        return {
          principals: principals(s.principals),
          notPrincipals: principals(s.notPrincipals),
          namespaces: strs(s.namespaces),
          notNamespaces: strs(s.notNamespaces),
          trustDomains: trustDomains(s.trustDomains),
          notTrustDomains: trustDomains(s.notTrustDomains),
          serviceAccounts: serviceAccount(s.serviceAccounts),
          notServiceAccounts: serviceAccount(s.notServiceAccounts),
          ipBlocks: strs(s.ipBlocks),
          notIpBlocks: strs(s.notIpBlocks),
          remoteIpBlocks: strs(s.remoteIpBlocks),
          notRemoteIpBlocks: strs(s.notRemoteIpBlocks),
          requestPrincipals:
            s.requestPrincipals !== undefined ||
            s.notRequestPrincipals !== undefined,
        };
      })
    : undefined;
  const to = Array.isArray(rule.to)
    ? rule.to.map(t => {
        const o = isObject(t) && isObject(t.operation) ? t.operation : {};
        return {
          ports: strs(o.ports),
          notPorts: strs(o.notPorts),
          methods: strs(o.methods),
          notMethods: strs(o.notMethods),
          paths: strs(o.paths),
          notPaths: strs(o.notPaths),
          hosts: strs(o.hosts),
          notHosts: strs(o.notHosts),
          l7: L7_OPS.some(k => o[k] !== undefined),
        };
      })
    : undefined;
  const when = Array.isArray(rule.when)
    ? rule.when.filter(isObject).map(c => {
        const key = typeof c.key === 'string' ? c.key : '';
        const expand = byCondition.get(key) ?? strs;
        return {
          key,
          values: expand(c.values),
          notValues: expand(c.notValues),
        };
      })
    : undefined;
  const hasL7 =
    !!to?.some(o => o.l7) ||
    !!from?.some(s => s.requestPrincipals) ||
    !!when?.some(c => c.key.startsWith('request.'));
  return { from, to, when, hasL7 };
}

/** Drops L7 parts of a rule (ztunnel enforces the L4 remainder of a DENY rule). */
function l4Only(rule: CRule): CRule {
  return {
    from: rule.from?.map(s => ({ ...s, requestPrincipals: false })),
    to: rule.to?.map(o => ({
      ...o,
      methods: undefined,
      notMethods: undefined,
      paths: undefined,
      notPaths: undefined,
      hosts: undefined,
      notHosts: undefined,
      l7: false,
    })),
    when: rule.when?.filter(c => !c.key.startsWith('request.')),
    hasL7: false,
  };
}

/** A rule with one of its operations (or the rule itself, without `to`). */
export interface RuleOperation {
  op?: COp;
  rule: CRule;
}

const byOperation = new WeakMap<CRule, RuleOperation[]>();

/**
 * A rule's operations one by one, each as a rule of its own (`to` of that operation alone), for
 * the caller-set query that reads what each matching operation allows; built once per compiled
 * rule (a copy of the rule per operation per caller was most of what that query allocated).
 */
export function ruleOperations(rule: CRule): RuleOperation[] {
  let list = byOperation.get(rule);
  if (!list) {
    list = rule.to
      ? rule.to.map(op => ({ op, rule: { ...rule, to: [op] } }))
      : [{ rule }];
    byOperation.set(rule, list);
  }
  return list;
}

const compiled = new WeakMap<object, Map<string, CPolicy>>();

/** Forgets the compiled forms of these policies (they are compiled again when asked). */
export function forgetCompiled(policies: ReadonlyArray<object>): void {
  for (const p of policies) compiled.delete(p);
}

/**
 * Compiles (once per bundle) an AuthorizationPolicy; `bundle`: the trust domains of the mesh
 * config of the proxy that enforces it, undefined where nothing rewrites principals (ztunnel).
 */
export function compilePolicy(
  p: SnapshotPolicy<JsonObject>,
  bundle?: TrustDomainBundle,
): CPolicy {
  let byBundle = compiled.get(p);
  if (!byBundle) compiled.set(p, (byBundle = new Map()));
  const key = bundle ? bundle.join(' ') : '';
  let c = byBundle.get(key);
  if (!c) {
    const rules = (Array.isArray(p.spec.rules) ? p.spec.rules : []).map(r =>
      compileRule(isObject(r) ? r : {}, p.namespace, bundle),
    );
    c = {
      ref: `AuthorizationPolicy ${p.namespace}/${p.name}`,
      action: typeof p.spec.action === 'string' ? p.spec.action : 'ALLOW',
      rules,
      l4Rules: rules.map(r => (r.hasL7 ? l4Only(r) : r)),
    };
    byBundle.set(key, c);
  }
  return c;
}

/**
 * `values` ORed; `notValues` none-of. A missing attribute matches nothing positive. Loops, not
 * closures: every caller group of a target is matched against every source of its policies.
 */
function field(
  values: Strs,
  notValues: Strs,
  value: string | undefined,
  match: (p: string, v: string | undefined) => boolean,
): Tri {
  if (values && !someMatch(values, value, match)) return 'no';
  if (notValues && someMatch(notValues, value, match)) return 'no';
  return 'yes';
}

function someMatch(
  list: string[],
  value: string | undefined,
  match: (p: string, v: string | undefined) => boolean,
): boolean {
  for (const p of list) if (match(p, value)) return true;
  return false;
}

/** {@link field} for a value that may be partly known (a caller group's principal). */
function fieldOf(
  values: Strs,
  notValues: Strs,
  match: (p: string) => Tri,
): Tri {
  let result: Tri = values ? anyOf(values, match) : 'yes';
  if (result !== 'no' && notValues)
    result = and(result, not(anyOf(notValues, match)));
  return result;
}

/** The values ORed: `yes` at the first that matches. */
function anyOf(list: string[], match: (p: string) => Tri): Tri {
  let result: Tri = 'no';
  for (const p of list) {
    result = or(result, match(p));
    if (result === 'yes') break;
  }
  return result;
}

/**
 * Istio string matching of a principal `<prefix><sa>` whose service account is unknown (a
 * caller group's representative): definite where the known prefix decides, `unknown` where only
 * the service account could. Service account names contain no `/`.
 */
function groupPrincipalMatch(
  pattern: string,
  prefix: string,
  caller: CallerContext,
): Tri {
  if (pattern === '*') return 'yes';
  if (pattern.endsWith('*')) {
    const start = pattern.slice(0, -1);
    if (prefix.startsWith(start)) return 'yes';
    return start.startsWith(prefix) ? unknownForGroup(caller) : 'no';
  }
  if (pattern.startsWith('*')) {
    const end = pattern.slice(1);
    const slash = end.lastIndexOf('/');
    // A suffix with a `/` ends the known prefix exactly at its last `/`.
    if (slash >= 0 && !prefix.endsWith(end.slice(0, slash + 1))) return 'no';
    return unknownForGroup(caller);
  }
  return pattern.startsWith(prefix) &&
    pattern.length > prefix.length &&
    !pattern.slice(prefix.length).includes('/')
    ? unknownForGroup(caller)
    : 'no';
}

function ipField(
  values: Strs,
  notValues: Strs,
  caller: CallerContext,
  what: string,
  notes: MatchNotes,
): Tri {
  if (!values && !notValues) return 'yes';
  const network = caller.network;
  if (network) {
    // A network peer: every address of its range must satisfy the condition.
    const remote = what === 'remoteIpBlocks' || what === 'when remote.ip';
    if (remote !== !!network.remote) {
      notes.cannot.push(
        `${what}: a network peer admitted by its ${
          network.remote ? 'original client' : "connection's source"
        } address has no known ${
          network.remote ? "connection's source" : 'original client'
        } address`,
      );
      return 'unknown';
    }
    const within = (list: string[]) =>
      addressSetWithin(network, { cidrs: list });
    let r: Tri = values ? within(values) : 'yes';
    if (notValues) r = and(r, not(within(notValues)));
    if (r === 'unknown')
      notes.cannot.push(
        `${what}: the network peer's addresses are only partly in the listed blocks`,
      );
    return r;
  }
  const ips = caller.ips;
  if (!ips || ips.length === 0) {
    notes.cannot.push(`${what}: the client's IP address is unknown`);
    return caller.group ? unknownForGroup(caller) : 'unknown';
  }
  const inAny = (list: string[]): Tri => {
    let result: Tri = 'no';
    for (const cidr of list) {
      const all = ips.map(ip => cidrContains(cidr, ip));
      if (all.every(x => x === true)) return 'yes';
      if (all.some(x => x === undefined || x === true)) result = 'unknown';
    }
    return result;
  };
  let r: Tri = values ? inAny(values) : 'yes';
  if (notValues) r = and(r, not(inAny(notValues)));
  return r;
}

type Identity = NonNullable<CallerContext['identity']>;
const PRINCIPAL = /^(.*)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The caller's authenticated identity parts (cached per caller); plaintext has none. */
function identityOf(caller: CallerContext): Identity {
  let id = caller.identity;
  if (!id) {
    id = {};
    if (caller.mtls && caller.principal) {
      const match = PRINCIPAL.exec(caller.principal);
      id = match
        ? {
            principal: caller.principal,
            td: match[1],
            ns: match[2],
            sa: match[3],
            nsSa: `${match[2]}/${match[3]}`,
          }
        : { principal: caller.principal };
    }
    caller.identity = id;
  }
  return id;
}

const exact = (p: string, v: string | undefined) => p === v;

/** Matches the caller's principal, known in full or (a caller group) up to its service account. */
function principalMatcher(
  caller: CallerContext,
  id: Identity,
): (pattern: string) => Tri {
  if (caller.group?.namespaceUnknown)
    return pattern => (pattern === '*' ? 'yes' : unknownForGroup(caller));
  const prefix = id.principalPrefix;
  if (prefix !== undefined)
    return pattern => groupPrincipalMatch(pattern, prefix, caller);
  return pattern => (istioStringMatch(pattern, id.principal) ? 'yes' : 'no');
}

/** Matches `<ns>/<sa>` service accounts; a caller group knows the namespace only. */
function serviceAccountMatcher(
  caller: CallerContext,
  id: Identity,
): (pattern: string) => Tri {
  if (caller.group?.namespaceUnknown) return () => unknownForGroup(caller);
  if (id.principalPrefix !== undefined)
    return pattern =>
      pattern.startsWith(`${id.ns}/`) ? unknownForGroup(caller) : 'no';
  return pattern => (exact(pattern, id.nsSa) ? 'yes' : 'no');
}

/** The caller's namespace (mTLS only) against a field; unknown for a caller class. */
function namespaceField(
  values: Strs,
  notValues: Strs,
  caller: CallerContext,
  id: Identity,
): Tri {
  if (
    (values || notValues) &&
    id.ns !== undefined &&
    caller.group?.namespaceUnknown
  )
    return unknownForGroup(caller);
  return field(values, notValues, id.ns, istioStringMatch);
}

function sourceMatches(
  s: CSource,
  caller: CallerContext,
  notes: MatchNotes,
): Tri {
  const id = identityOf(caller);
  let result = fieldOf(
    s.principals,
    s.notPrincipals,
    principalMatcher(caller, id),
  );
  if (result === 'no') return result;
  result = and(
    result,
    namespaceField(s.namespaces, s.notNamespaces, caller, id),
  );
  if (result === 'no') return result;
  result = and(
    result,
    field(s.trustDomains, s.notTrustDomains, id.td, istioStringMatch),
  );
  if (result === 'no') return result;
  result = and(
    result,
    fieldOf(
      s.serviceAccounts,
      s.notServiceAccounts,
      serviceAccountMatcher(caller, id),
    ),
  );
  if (result === 'no') return result;
  result = and(
    result,
    ipField(s.ipBlocks, s.notIpBlocks, caller, 'ipBlocks', notes),
  );
  result = and(
    result,
    ipField(
      s.remoteIpBlocks,
      s.notRemoteIpBlocks,
      caller,
      'remoteIpBlocks',
      notes,
    ),
  );
  if (s.requestPrincipals) {
    notes.cannot.push(
      'requestPrincipals: request JWTs are not part of the query',
    );
    result = and(result, 'unknown');
  }
  return result;
}

/** Istio path matching: exact, `prefix*`, `*suffix`, `*`, and `{*}` / `{**}` templates. */
export function pathMatch(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (pattern.includes('{*}') || pattern.includes('{**}')) {
    const SEGMENT: Record<string, string> = { '{**}': '.+', '{*}': '[^/]+' };
    const re = pattern
      .split('/')
      .map(seg => SEGMENT[seg] ?? seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&'))
      .join('/');
    return new RegExp(`^${re}$`).test(path);
  }
  return istioStringMatch(pattern, path);
}

const hostMatch = (p: string, v: string | undefined) =>
  istioStringMatch(p.toLowerCase(), v?.toLowerCase());

function l7Field(
  name: string,
  vals: Strs,
  nots: Strs,
  value: string | undefined,
  matcher: (p: string, v: string | undefined) => boolean,
  req: RequestAttrs,
  notes: MatchNotes,
  forDeny: boolean,
): Tri {
  if (!vals && !nots) return 'yes';
  if (req.mode === 'any') {
    // "Is some request allowed": an ALLOW rule restricted to some methods/paths still lets the
    // client in for those; a DENY restricted that way does not shut it out entirely.
    if (forDeny) return 'no';
    if (name === 'methods' && vals)
      notes.methods = [...(notes.methods ?? []), ...vals];
    if (name === 'paths' && vals)
      notes.paths = [...(notes.paths ?? []), ...vals];
    return 'yes';
  }
  if (value === undefined) {
    notes.cannot.push(
      `to.operation.${
        vals ? name : `not${name[0].toUpperCase()}${name.slice(1)}`
      }: the request gives no ${name.slice(0, -1)}`,
    );
    return 'unknown';
  }
  return field(vals, nots, value, matcher);
}

function operationMatches(
  op: COp,
  req: RequestAttrs,
  notes: MatchNotes,
  forDeny: boolean,
): Tri {
  if (
    (op.ports || op.notPorts) &&
    field(op.ports, op.notPorts, String(req.port), exact) === 'no'
  )
    return 'no';
  if (!op.l7) return 'yes';
  let result = l7Field(
    'methods',
    op.methods,
    op.notMethods,
    req.method,
    istioStringMatch,
    req,
    notes,
    forDeny,
  );
  if (result === 'no') return result;
  result = and(
    result,
    l7Field(
      'paths',
      op.paths,
      op.notPaths,
      req.path,
      pathMatch,
      req,
      notes,
      forDeny,
    ),
  );
  if (result === 'no') return result;
  return and(
    result,
    l7Field(
      'hosts',
      op.hosts,
      op.notHosts,
      req.host,
      hostMatch,
      req,
      notes,
      forDeny,
    ),
  );
}

/** `when` conditions ("Authorization Policy Conditions"); keys the query lacks are unknown. */
function conditionMatches(
  c: CCond,
  caller: CallerContext,
  req: RequestAttrs,
  notes: MatchNotes,
): Tri {
  const id = identityOf(caller);
  switch (c.key) {
    case 'source.principal':
      return fieldOf(c.values, c.notValues, principalMatcher(caller, id));
    case 'source.namespace':
      return namespaceField(c.values, c.notValues, caller, id);
    case 'source.trustDomain':
      return field(c.values, c.notValues, id.td, istioStringMatch);
    case 'destination.port':
      return field(c.values, c.notValues, String(req.port), exact);
    case 'source.ip':
    case 'remote.ip':
      return ipField(c.values, c.notValues, caller, `when ${c.key}`, notes);
    default: {
      // `request.headers[name]` is evaluated when the query carries headers (names are
      // case-insensitive); a header the query lacks is absent, as it would be on the wire.
      const header = /^request\.headers\[(.+)\]$/.exec(c.key);
      if (header && req.headers && req.mode === 'request') {
        const value = Object.entries(req.headers).find(
          ([k]) => k.toLowerCase() === header[1].toLowerCase(),
        )?.[1];
        return field(c.values, c.notValues, value, istioStringMatch);
      }
      notes.cannot.push(`when ${c.key}: not part of the query`);
      return 'unknown';
    }
  }
}

/** One compiled rule; an empty rule `{}` matches every request. */
export function ruleMatches(
  rule: CRule,
  caller: CallerContext,
  req: RequestAttrs,
  notes: MatchNotes,
  forDeny: boolean,
): Tri {
  let result: Tri = 'yes';
  if (rule.from) {
    let any: Tri = 'no';
    for (const s of rule.from) {
      any = or(any, sourceMatches(s, caller, notes));
      if (any === 'yes') break;
    }
    if (any === 'no') return 'no';
    result = any;
  }
  if (rule.to) {
    let any: Tri = 'no';
    for (const o of rule.to) {
      any = or(any, operationMatches(o, req, notes, forDeny));
      if (any === 'yes') break;
    }
    result = and(result, any);
    if (result === 'no') return result;
  }
  if (rule.when)
    for (const c of rule.when)
      result = and(result, conditionMatches(c, caller, req, notes));
  return result;
}
