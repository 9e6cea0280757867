import { RouteMatch, prefixMatches } from './httpRoute';

/*
 * Set relations between Linkerd HTTPRoute matches ("HTTPRoute" reference,
 * https://linkerd.io/2-edge/reference/httproute/), for tools that edit routes: a match ANDs its
 * method and path (headers and query parameters narrow it further); the matches of a route are
 * ORed. PathPrefix matching is element-wise and ignores a trailing `/`, as in httpRoute.ts.
 */

const trimSlash = (p: string) => p.replace(/\/+$/, '');

/**
 * The Gateway API path match for an access-request path pattern (the Istio form of
 * docs/engine.md): `/exact` → Exact `/exact`; `/prefix/*` → PathPrefix `/prefix` (element-wise:
 * it also matches `/prefix` itself, which Istio's `/prefix/*` does not); `/*` → PathPrefix `/`.
 * Undefined for a suffix (`*.json`), which Gateway API paths cannot express.
 *
 * @public
 */
export function gatewayPathMatch(
  pattern: string,
): { type: 'Exact' | 'PathPrefix'; value: string } | undefined {
  if (pattern.startsWith('*')) return undefined;
  if (pattern.endsWith('/*'))
    return { type: 'PathPrefix', value: pattern.slice(0, -2) || '/' };
  return { type: 'Exact', value: pattern };
}

const conditions = (list: RouteMatch['headers']) =>
  list
    .map(c => `${c.type}:${c.name.toLowerCase()}=${c.value}`)
    .sort()
    .join('&');

/**
 * A key equal for matches that match the same requests as written (a PathPrefix's trailing `/`
 * ignored).
 *
 * @public
 */
export function routeMatchKey(m: RouteMatch): string {
  const path = m.pathType === 'PathPrefix' ? trimSlash(m.path) || '/' : m.path;
  return [
    m.method ?? '*',
    m.pathType,
    path,
    conditions(m.headers),
    conditions(m.queryParams),
  ].join(' ');
}

/**
 * Whether two match lists describe the same requests, as sets of matches.
 *
 * @public
 */
export function sameRouteMatches(a: RouteMatch[], b: RouteMatch[]): boolean {
  const ka = new Set(a.map(routeMatchKey));
  const kb = new Set(b.map(routeMatchKey));
  return ka.size === kb.size && [...ka].every(k => kb.has(k));
}

/**
 * Whether some request can match both. Header and query-parameter conditions are assumed to be
 * met, and RegularExpression paths to meet anything: the answer errs towards "yes".
 *
 * @public
 */
export function routeMatchesOverlap(a: RouteMatch, b: RouteMatch): boolean {
  if (a.method && b.method && a.method !== b.method) return false;
  if (a.pathType === 'Exact' && b.pathType === 'Exact')
    return a.path === b.path;
  if (a.pathType === 'Exact' && b.pathType === 'PathPrefix')
    return prefixMatches(b.path, a.path);
  if (a.pathType === 'PathPrefix' && b.pathType === 'Exact')
    return prefixMatches(a.path, b.path);
  if (a.pathType === 'PathPrefix' && b.pathType === 'PathPrefix')
    return prefixMatches(a.path, b.path) || prefixMatches(b.path, a.path);
  return true;
}
