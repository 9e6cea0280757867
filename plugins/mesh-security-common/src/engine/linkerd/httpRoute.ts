import { JsonObject, SnapshotPolicy } from '../../model';
import { Tri, and } from '../core/caller';
import { isObject } from '../validate/check';

/*
 * Linkerd inbound HTTPRoutes (policy.linkerd.io) and how one request matches one of them.
 *
 * - "HTTPRoute" reference (https://linkerd.io/2-edge/reference/httproute/): a rule matches when
 *   any of its matches does; within a match, path, method, headers and query parameters are
 *   ANDed. A missing path is a PathPrefix `/` (matches everything); a rule without matches
 *   matches every request; a route without `rules` gets the CRD default (one catch-all rule),
 *   while an explicit empty `rules: []` matches nothing. Hostnames are matched against the
 *   request's host (exact, or `*.suffix` wildcards).
 * - PathPrefix matches whole path segments, ignoring a trailing `/` on both sides (`/api/`
 *   matches `/api`, `/api/x`, not `/apix`), as linkerd2-proxy's `linkerd-http-route` does.
 * - RegularExpression matches (paths, headers, query parameters) are implementation-specific
 *   in the Gateway API: never evaluated, reported as "cannot evaluate".
 *
 * Which of several matching routes serves a request is decided in httpRoutePrecedence.ts.
 */

type P = SnapshotPolicy<JsonObject>;

/**
 * A header or query-parameter condition of an HTTPRoute match.
 *
 * @public
 */
export interface ValueMatch {
  /** Header or query-parameter name. */
  name: string;
  /** `Exact` (the default) or `RegularExpression`. */
  type: string;
  /** The value matched. */
  value: string;
}

/**
 * How an HTTPRoute match ranks against other matches (the request-independent part).
 *
 * @public
 */
export interface MatchRank {
  /** Exact path match (Gateway API: an Exact match beats any PathPrefix). */
  exact: boolean;
  /** RegularExpression path: precedence is implementation-specific. */
  regex: boolean;
  /** Characters matched in the path: the value (Exact) or the prefix without trailing `/`. */
  pathLen: number;
  /** The match names a method. */
  method: boolean;
  /** How many header conditions the match has. */
  headers: number;
  /** How many query-parameter conditions the match has. */
  queryParams: number;
}

/**
 * One match of an HTTPRoute rule (Gateway API `HTTPRouteMatch`), with the CRD defaults applied.
 *
 * @public
 */
export interface RouteMatch {
  /** The HTTP method matched; any method when absent. */
  method?: string;
  /** `Exact`, `PathPrefix` (the default) or `RegularExpression`. */
  pathType: string;
  /** The path value (`/` by default). */
  path: string;
  /** Header conditions, ANDed. */
  headers: ValueMatch[];
  /** Query-parameter conditions, ANDed. */
  queryParams: ValueMatch[];
  /** How the match ranks against others. */
  rank: MatchRank;
}

/** An HTTPRoute attached to a Server, parsed once. */
export interface HttpRouteView {
  /** `HTTPRoute namespace/name`. */
  ref: string;
  route: P;
  hostnames: string[];
  /** Every match of every rule, in rule order. */
  matches: RouteMatch[];
}

/** The request attributes route matching reads (`path` may carry a `?query`). */
export interface RouteRequest {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
}

/** A request prepared for matching: path without query, parsed query, lower-cased headers. */
export interface ParsedRouteRequest {
  method?: string;
  path?: string;
  query?: Array<[string, string]>;
  host?: string;
  headers?: Map<string, string>;
}

/** A host match's rank: exact beats wildcard, then more characters. */
export interface HostRank {
  exact: boolean;
  len: number;
}

const trimSlash = (p: string) => p.replace(/\/+$/, '');

function valueMatches(list: unknown): ValueMatch[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map(v => ({
    name: String(v.name ?? ''),
    type: typeof v.type === 'string' ? v.type : 'Exact',
    value: String(v.value ?? ''),
  }));
}

/**
 * One HTTPRoute match as written (`{ method?, path?: { type?, value? }, headers?, queryParams? }`),
 * with the CRD defaults applied.
 *
 * @public
 */
export function routeMatchOf(m: Record<string, unknown>): RouteMatch {
  const path = isObject(m.path) ? m.path : {};
  const pathType = typeof path.type === 'string' ? path.type : 'PathPrefix';
  const value = typeof path.value === 'string' ? path.value : '/';
  const headers = valueMatches(m.headers);
  const queryParams = valueMatches(m.queryParams);
  const method = typeof m.method === 'string' ? m.method : undefined;
  return {
    method,
    pathType,
    path: value,
    headers,
    queryParams,
    rank: {
      exact: pathType === 'Exact',
      regex: pathType !== 'Exact' && pathType !== 'PathPrefix',
      pathLen:
        pathType === 'PathPrefix'
          ? Math.max(1, trimSlash(value).length)
          : value.length,
      method: method !== undefined,
      headers: headers.length,
      queryParams: queryParams.length,
    },
  };
}

/**
 * Every match of every rule of an HTTPRoute spec, in rule order, with the CRD defaults.
 *
 * @public
 */
export function httpRouteMatches(spec: Record<string, unknown>): RouteMatch[] {
  // CRD default for an absent `rules`: one rule matching every request.
  let rules: Array<Record<string, unknown>> = [{}];
  if (spec.rules !== undefined)
    rules = Array.isArray(spec.rules) ? spec.rules.filter(isObject) : [];
  const matches: RouteMatch[] = [];
  for (const rule of rules) {
    // A rule without matches has the implicit match PathPrefix `/`.
    const list =
      Array.isArray(rule.matches) && rule.matches.length > 0
        ? rule.matches.filter(isObject)
        : [{}];
    for (const m of list) matches.push(routeMatchOf(m));
  }
  return matches;
}

/** Parses an HTTPRoute's hostnames and matches. */
export function parseHttpRoute(route: P): HttpRouteView {
  const matches = httpRouteMatches(route.spec);
  const hostnames = Array.isArray(route.spec.hostnames)
    ? route.spec.hostnames.filter((h): h is string => typeof h === 'string')
    : [];
  return {
    ref: `HTTPRoute ${route.namespace}/${route.name}`,
    route,
    hostnames,
    matches,
  };
}

function parseQuery(q: string): Array<[string, string]> {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return q
    .split('&')
    .filter(Boolean)
    .map(kv => {
      const i = kv.indexOf('=');
      return i < 0
        ? [decode(kv), '']
        : [decode(kv.slice(0, i)), decode(kv.slice(i + 1))];
    });
}

/** Splits path and query, lower-cases header names, drops the host's port and trailing dot. */
export function parseRouteRequest(req: RouteRequest): ParsedRouteRequest {
  let path = req.path;
  let query: Array<[string, string]> | undefined;
  if (path !== undefined) {
    const hash = path.indexOf('#');
    if (hash >= 0) path = path.slice(0, hash);
    const q = path.indexOf('?');
    query = q >= 0 ? parseQuery(path.slice(q + 1)) : [];
    if (q >= 0) path = path.slice(0, q);
  }
  const host = req.host?.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
  const headers = req.headers
    ? new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]))
    : undefined;
  return { method: req.method, path, query, host, headers };
}

/** Whether a PathPrefix value matches a request path (whole segments, trailing `/` ignored). */
export function prefixMatches(prefix: string, path: string): boolean {
  const p = trimSlash(prefix);
  if (p === '') return true;
  const rest = trimSlash(path);
  return rest === p || rest.startsWith(`${p}/`);
}

/** Whether the request matches one route match; `why` collects what made it `unknown`. */
export function matchRequest(
  m: RouteMatch,
  req: ParsedRouteRequest,
  why: Set<string>,
): Tri {
  let result: Tri = 'yes';
  if (m.method !== undefined) {
    if (req.method === undefined) {
      why.add('the request gives no method');
      result = 'unknown';
    } else if (req.method !== m.method) return 'no';
  }
  const catchAll = m.pathType === 'PathPrefix' && trimSlash(m.path) === '';
  if (!catchAll) {
    if (req.path === undefined) {
      why.add('the request gives no path');
      result = 'unknown';
    } else if (m.pathType === 'Exact') {
      if (req.path !== m.path) return 'no';
    } else if (m.pathType === 'PathPrefix') {
      if (!prefixMatches(m.path, req.path)) return 'no';
    } else {
      why.add(`${m.pathType} path matches are implementation-specific`);
      result = 'unknown';
    }
  }
  for (const h of m.headers) {
    if (h.type !== 'Exact') {
      why.add(`${h.type} header matches are implementation-specific`);
      result = and(result, 'unknown');
    } else if (!req.headers) {
      why.add('the request gives no headers');
      result = and(result, 'unknown');
    } else if (req.headers.get(h.name.toLowerCase()) !== h.value) return 'no';
  }
  for (const q of m.queryParams) {
    if (q.type !== 'Exact') {
      why.add(`${q.type} query parameter matches are implementation-specific`);
      result = and(result, 'unknown');
    } else if (!req.query) {
      why.add('the request gives no path (query parameters)');
      result = and(result, 'unknown');
    } else if (!req.query.some(([k, v]) => k === q.name && v === q.value))
      return 'no';
  }
  return result;
}

function hostRankOf(hostname: string): HostRank {
  return hostname.startsWith('*.')
    ? { exact: false, len: hostname.length - 1 }
    : { exact: true, len: hostname.length };
}

/**
 * Whether the request's host matches the route's hostnames (none: every host), with the rank of
 * the best matching hostname (for an unknown host: the best the route could get).
 */
export function matchHost(
  route: HttpRouteView,
  req: ParsedRouteRequest,
  why: Set<string>,
): { tri: Tri; rank?: HostRank } {
  if (route.hostnames.length === 0) return { tri: 'yes' };
  const best = (list: string[]) =>
    list.map(hostRankOf).sort((a, b) => compareHostRank(b, a))[0];
  if (req.host === undefined) {
    why.add('the request gives no host');
    return { tri: 'unknown', rank: best(route.hostnames) };
  }
  const host = req.host;
  const hits = route.hostnames.filter(h => {
    const name = h.toLowerCase().replace(/\.$/, '');
    return name.startsWith('*.')
      ? host.endsWith(name.slice(1)) && host.length > name.length - 1
      : host === name;
  });
  return hits.length > 0 ? { tri: 'yes', rank: best(hits) } : { tri: 'no' };
}

/** Orders host ranks: no hostname < wildcard < exact, then more characters. */
export function compareHostRank(
  a: HostRank | undefined,
  b: HostRank | undefined,
): number {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  if (a.exact !== b.exact) return a.exact ? 1 : -1;
  return Math.sign(a.len - b.len);
}

function displayPath(routeMatch: RouteMatch): string {
  if (routeMatch.pathType === 'Exact') return routeMatch.path;
  if (routeMatch.pathType === 'PathPrefix')
    return `${trimSlash(routeMatch.path)}/*`;
  return `~${routeMatch.path}`;
}

/**
 * The methods and paths a set of matches allows, for an access edge: a list is absent when some
 * match does not restrict it (any method; PathPrefix `/`). Like Istio's operations, the two
 * lists are shown side by side, not as pairs.
 */
export function restrictionOf(matches: RouteMatch[]): {
  methods?: string[];
  paths?: string[];
  operations?: Array<{ methods?: string[]; paths?: string[] }>;
} {
  const anyMethod = matches.some(m => m.method === undefined);
  const anyPath = matches.some(
    m => m.pathType === 'PathPrefix' && trimSlash(m.path) === '',
  );
  // Each match as written, when there are several: the union alone would pair a method with a
  // path no match pairs.
  const operations = new Map<
    string,
    { methods?: string[]; paths?: string[] }
  >();
  for (const routeMatch of matches) {
    const everyPath =
      routeMatch.pathType === 'PathPrefix' && trimSlash(routeMatch.path) === '';
    const operation = {
      ...(routeMatch.method ? { methods: [routeMatch.method] } : {}),
      ...(everyPath ? {} : { paths: [displayPath(routeMatch)] }),
    };
    operations.set(JSON.stringify(operation), operation);
  }
  return {
    ...(anyMethod
      ? {}
      : { methods: [...new Set(matches.map(m => m.method!))] }),
    ...(anyPath ? {} : { paths: [...new Set(matches.map(displayPath))] }),
    ...(operations.size > 1 && !(anyMethod && anyPath)
      ? { operations: [...operations.values()] }
      : {}),
  };
}

/**
 * Readable matches for messages, as access edges show paths: `GET /reports/*, /status`.
 *
 * @public
 */
export function describeRouteMatches(matches: RouteMatch[]): string {
  return matches
    .map(m => (m.method ? `${m.method} ${displayPath(m)}` : displayPath(m)))
    .join(', ');
}

/** A readable form of a request for messages: `GET /x`. */
export function describeRequest(req: RouteRequest): string {
  return `${req.method ?? '(any method)'} ${req.path ?? '(any path)'}`;
}
