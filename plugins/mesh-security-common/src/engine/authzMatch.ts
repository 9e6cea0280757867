import { CallerContext, RequestAttrs, Tri, and, not, or } from './caller';
import { cidrContains, istioStringMatch } from './match';
import { Json, isObject } from './validate/check';

/*
 * Matching of one Istio AuthorizationPolicy rule, "Authorization Policy" reference
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/): a rule
 * matches when `from`, `to` and `when` all match; within `from`/`to` the entries are ORed and
 * the fields of one entry ANDed; within a field the values are ORed; `notX` fields match when
 * none of the values do. Plaintext requests carry no principal, namespace or service account,
 * so `principals`/`namespaces`/`serviceAccounts` never match them ("Source" and the
 * "Authorization Policy" concept page, "Authenticated and unauthenticated identity").
 */

/** Collects what could not be evaluated and L7 restrictions (in `any` mode). */
export interface MatchNotes {
  cannot: string[];
  methods?: string[];
  paths?: string[];
  /** In `any` mode, a DENY matched only some requests (method/path restricted). */
  partial?: boolean;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);

/** `values` ORed; `notValues` none-of. A missing attribute matches nothing positive. */
function field(values: string[] | undefined, notValues: string[] | undefined, value: string | undefined, match: (p: string, v: string | undefined) => boolean): Tri {
  let r: Tri = 'yes';
  if (values) r = values.some(p => match(p, value)) ? 'yes' : 'no';
  if (notValues && r !== 'no') r = notValues.some(p => match(p, value)) ? 'no' : 'yes';
  return r;
}

function ipField(values: string[] | undefined, notValues: string[] | undefined, ips: string[] | undefined, what: string, notes: MatchNotes): Tri {
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

/** The principal's parts; plaintext has none. */
function principalParts(caller: CallerContext): { ns?: string; sa?: string; td?: string } {
  if (!caller.mtls || !caller.principal) return {};
  const m = /^(.*)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(caller.principal);
  return m ? { td: m[1], ns: m[2], sa: m[3] } : {};
}

/** `any-meshed` callers match only wildcard identity patterns (`*`). */
function identityMatcher(caller: CallerContext): (p: string, v: string | undefined) => boolean {
  if (caller.kind === 'any-meshed') return p => p === '*';
  return istioStringMatch;
}

export function sourceMatches(source: Json, caller: CallerContext, policyNs: string, notes: MatchNotes): Tri {
  const id = caller.kind === 'any-meshed' ? { ns: '\u0000', sa: '\u0000', td: '\u0000' } : principalParts(caller);
  const principal = caller.kind === 'any-meshed' ? '\u0000' : caller.mtls ? caller.principal : undefined;
  const m = identityMatcher(caller);
  let r: Tri = field(strings(source.principals), strings(source.notPrincipals), principal, m);
  r = and(r, field(strings(source.namespaces), strings(source.notNamespaces), id.ns, m));
  r = and(r, field(strings(source.trustDomains), strings(source.notTrustDomains), id.td, m));
  const saMatch = (p: string, v: string | undefined) => {
    if (caller.kind === 'any-meshed' || v === undefined) return false;
    // serviceAccounts entries are `ns/sa`, or `sa` in the policy's namespace.
    const full = p.includes('/') ? p : `${policyNs}/${p}`;
    return full === v;
  };
  r = and(r, field(strings(source.serviceAccounts), strings(source.notServiceAccounts), id.ns && id.sa ? `${id.ns}/${id.sa}` : undefined, saMatch));
  if (r === 'no') return r;
  r = and(r, ipField(strings(source.ipBlocks), strings(source.notIpBlocks), caller.ips, 'ipBlocks', notes));
  r = and(r, ipField(strings(source.remoteIpBlocks), strings(source.notRemoteIpBlocks), caller.ips, 'remoteIpBlocks', notes));
  if (source.requestPrincipals !== undefined || source.notRequestPrincipals !== undefined) {
    notes.cannot.push('requestPrincipals: request JWTs are not part of the query');
    r = and(r, 'unknown');
  }
  return r;
}

/** Istio path matching: exact, `prefix*`, `*suffix`, `*`, and `{*}` / `{**}` templates. */
export function pathMatch(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (pattern.includes('{*}') || pattern.includes('{**}')) {
    const re = pattern.split('/').map(seg => (seg === '{**}' ? '.+' : seg === '{*}' ? '[^/]+' : seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&'))).join('/');
    return new RegExp(`^${re}$`).test(path);
  }
  return istioStringMatch(pattern, path);
}

export function operationMatches(op: Json, req: RequestAttrs, notes: MatchNotes, forDeny: boolean): Tri {
  let r: Tri = field(strings(op.ports), strings(op.notPorts), String(req.port), (p, v) => p === v);
  if (r === 'no') return r;
  const l7: Array<[string, string | undefined, (p: string, v: string | undefined) => boolean]> = [
    ['methods', req.method, istioStringMatch],
    ['paths', req.path, pathMatch],
    ['hosts', req.host, (p, v) => istioStringMatch(p.toLowerCase(), v?.toLowerCase())],
  ];
  for (const [name, value, matcher] of l7) {
    const notName = `not${name[0].toUpperCase()}${name.slice(1)}`;
    const vals = strings(op[name]);
    const nots = strings(op[notName]);
    if (!vals && !nots) continue;
    if (req.mode === 'any') {
      // "Is some request allowed": an ALLOW rule restricted to some methods/paths still lets
      // the client in for those; a DENY restricted that way does not shut it out entirely.
      if (forDeny) {
        notes.partial = true;
        return 'no';
      }
      if (name === 'methods' && vals) notes.methods = [...(notes.methods ?? []), ...vals];
      if (name === 'paths' && vals) notes.paths = [...(notes.paths ?? []), ...vals];
      continue;
    }
    if (value === undefined) {
      notes.cannot.push(`to.operation.${vals ? name : notName}: the request gives no ${name.slice(0, -1)}`);
      r = and(r, 'unknown');
      continue;
    }
    r = and(r, field(vals, nots, value, matcher));
    if (r === 'no') return r;
  }
  return r;
}

/** `when` conditions ("Authorization Policy Conditions"); keys the query lacks are unknown. */
export function conditionMatches(cond: Json, caller: CallerContext, req: RequestAttrs, notes: MatchNotes): Tri {
  const key = typeof cond.key === 'string' ? cond.key : '';
  const values = strings(cond.values);
  const notValues = strings(cond.notValues);
  const id = principalParts(caller);
  const m = identityMatcher(caller);
  switch (key) {
    case 'source.principal':
      return field(values, notValues, caller.mtls ? caller.principal : undefined, m);
    case 'source.namespace':
      return field(values, notValues, id.ns, m);
    case 'source.trustDomain':
      return field(values, notValues, id.td, m);
    case 'destination.port':
      return field(values, notValues, String(req.port), (p, v) => p === v);
    case 'source.ip':
    case 'remote.ip':
      return ipField(values, notValues, caller.ips, `when ${key}`, notes);
    case 'request.headers[:method]':
    case 'request.headers[:path]':
    default:
      notes.cannot.push(`when ${key}: not part of the query`);
      return 'unknown';
  }
}

/** One rule; an empty rule `{}` matches every request. */
export function ruleMatches(rule: Json, caller: CallerContext, req: RequestAttrs, policyNs: string, notes: MatchNotes, forDeny: boolean): Tri {
  let r: Tri = 'yes';
  if (Array.isArray(rule.from)) {
    let any: Tri = 'no';
    for (const f of rule.from) any = or(any, isObject(f) && isObject(f.source) ? sourceMatches(f.source, caller, policyNs, notes) : 'yes');
    r = and(r, any);
    if (r === 'no') return r;
  }
  if (Array.isArray(rule.to)) {
    let any: Tri = 'no';
    for (const t of rule.to) any = or(any, isObject(t) && isObject(t.operation) ? operationMatches(t.operation, req, notes, forDeny) : 'yes');
    r = and(r, any);
    if (r === 'no') return r;
  }
  if (Array.isArray(rule.when)) {
    for (const c of rule.when) if (isObject(c)) r = and(r, conditionMatches(c, caller, req, notes));
  }
  return r;
}
