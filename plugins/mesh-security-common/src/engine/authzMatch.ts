import { JsonObject, SnapshotPolicy } from '../model';
import { CallerContext, RequestAttrs, Tri, and, not, or } from './caller';
import { cidrContains, istioStringMatch } from './match';
import { Json, isObject } from './validate/check';

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
interface COp {
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

function compileRule(rule: Json, policyNs: string): CRule {
  const from = Array.isArray(rule.from)
    ? rule.from.map(f => {
        const s = isObject(f) && isObject(f.source) ? f.source : {};
        // serviceAccounts entries are `ns/sa`, or `sa` in the policy's namespace.
        const sa = (v: unknown) =>
          strs(v)?.map(x => (x.includes('/') ? x : `${policyNs}/${x}`));
        return {
          principals: strs(s.principals),
          notPrincipals: strs(s.notPrincipals),
          namespaces: strs(s.namespaces),
          notNamespaces: strs(s.notNamespaces),
          trustDomains: strs(s.trustDomains),
          notTrustDomains: strs(s.notTrustDomains),
          serviceAccounts: sa(s.serviceAccounts),
          notServiceAccounts: sa(s.notServiceAccounts),
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
    ? rule.when.filter(isObject).map(c => ({
        key: typeof c.key === 'string' ? c.key : '',
        values: strs(c.values),
        notValues: strs(c.notValues),
      }))
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

const compiled = new WeakMap<object, CPolicy>();

/** Compiles (once) an AuthorizationPolicy. */
export function compilePolicy(p: SnapshotPolicy<JsonObject>): CPolicy {
  let c = compiled.get(p);
  if (!c) {
    const rules = (Array.isArray(p.spec.rules) ? p.spec.rules : []).map(r =>
      compileRule(isObject(r) ? r : {}, p.namespace),
    );
    c = {
      ref: `AuthorizationPolicy ${p.namespace}/${p.name}`,
      action: typeof p.spec.action === 'string' ? p.spec.action : 'ALLOW',
      rules,
      l4Rules: rules.map(r => (r.hasL7 ? l4Only(r) : r)),
    };
    compiled.set(p, c);
  }
  return c;
}

/** `values` ORed; `notValues` none-of. A missing attribute matches nothing positive. */
function field(
  values: Strs,
  notValues: Strs,
  value: string | undefined,
  match: (p: string, v: string | undefined) => boolean,
): Tri {
  if (values && !values.some(p => match(p, value))) return 'no';
  if (notValues && notValues.some(p => match(p, value))) return 'no';
  return 'yes';
}

function ipField(
  values: Strs,
  notValues: Strs,
  ips: string[] | undefined,
  what: string,
  notes: MatchNotes,
): Tri {
  if (!values && !notValues) return 'yes';
  if (!ips || ips.length === 0) {
    notes.cannot.push(`${what}: the client's IP address is unknown`);
    return 'unknown';
  }
  const inAny = (list: string[]): Tri => {
    let r: Tri = 'no';
    for (const cidr of list) {
      const all = ips.map(ip => cidrContains(cidr, ip));
      if (all.every(x => x === true)) return 'yes';
      if (all.some(x => x === undefined || x === true)) r = 'unknown';
    }
    return r;
  };
  let r: Tri = values ? inAny(values) : 'yes';
  if (notValues) r = and(r, not(inAny(notValues)));
  return r;
}

interface Identity {
  principal?: string;
  ns?: string;
  sa?: string;
  td?: string;
  nsSa?: string;
}
const PRINCIPAL = /^(.*)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The caller's authenticated identity parts (cached per caller); plaintext has none. */
function identityOf(caller: CallerContext): Identity {
  let id = caller.identity;
  if (!id) {
    id = {};
    if (caller.kind === 'any-meshed')
      id = { principal: '\u0000', ns: '\u0000', td: '\u0000' };
    else if (caller.mtls && caller.principal) {
      const m = PRINCIPAL.exec(caller.principal);
      id = m
        ? {
            principal: caller.principal,
            td: m[1],
            ns: m[2],
            sa: m[3],
            nsSa: `${m[2]}/${m[3]}`,
          }
        : { principal: caller.principal };
    }
    caller.identity = id;
  }
  return id;
}

/** `any-meshed` callers match only wildcard identity patterns (`*`). */
const anyMeshedMatch = (p: string) => p === '*';
const exact = (p: string, v: string | undefined) => p === v;

function sourceMatches(
  s: CSource,
  caller: CallerContext,
  notes: MatchNotes,
): Tri {
  const id = identityOf(caller);
  const m = caller.kind === 'any-meshed' ? anyMeshedMatch : istioStringMatch;
  if (field(s.principals, s.notPrincipals, id.principal, m) === 'no')
    return 'no';
  if (field(s.namespaces, s.notNamespaces, id.ns, m) === 'no') return 'no';
  if (field(s.trustDomains, s.notTrustDomains, id.td, m) === 'no') return 'no';
  if (
    field(
      s.serviceAccounts,
      s.notServiceAccounts,
      caller.kind === 'any-meshed' ? undefined : id.nsSa,
      exact,
    ) === 'no'
  )
    return 'no';
  let r: Tri = ipField(
    s.ipBlocks,
    s.notIpBlocks,
    caller.ips,
    'ipBlocks',
    notes,
  );
  r = and(
    r,
    ipField(
      s.remoteIpBlocks,
      s.notRemoteIpBlocks,
      caller.ips,
      'remoteIpBlocks',
      notes,
    ),
  );
  if (s.requestPrincipals) {
    notes.cannot.push(
      'requestPrincipals: request JWTs are not part of the query',
    );
    r = and(r, 'unknown');
  }
  return r;
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
  let r = l7Field(
    'methods',
    op.methods,
    op.notMethods,
    req.method,
    istioStringMatch,
    req,
    notes,
    forDeny,
  );
  if (r === 'no') return r;
  r = and(
    r,
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
  if (r === 'no') return r;
  return and(
    r,
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
  const m = caller.kind === 'any-meshed' ? anyMeshedMatch : istioStringMatch;
  switch (c.key) {
    case 'source.principal':
      return field(c.values, c.notValues, id.principal, m);
    case 'source.namespace':
      return field(c.values, c.notValues, id.ns, m);
    case 'source.trustDomain':
      return field(c.values, c.notValues, id.td, m);
    case 'destination.port':
      return field(c.values, c.notValues, String(req.port), exact);
    case 'source.ip':
    case 'remote.ip':
      return ipField(c.values, c.notValues, caller.ips, `when ${c.key}`, notes);
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
  let r: Tri = 'yes';
  if (rule.from) {
    let any: Tri = 'no';
    for (const s of rule.from) {
      any = or(any, sourceMatches(s, caller, notes));
      if (any === 'yes') break;
    }
    if (any === 'no') return 'no';
    r = any;
  }
  if (rule.to) {
    let any: Tri = 'no';
    for (const o of rule.to) {
      any = or(any, operationMatches(o, req, notes, forDeny));
      if (any === 'yes') break;
    }
    r = and(r, any);
    if (r === 'no') return r;
  }
  if (rule.when)
    for (const c of rule.when)
      r = and(r, conditionMatches(c, caller, req, notes));
  return r;
}
