import { Tri } from '../core/caller';
import {
  HostRank,
  HttpRouteView,
  MatchRank,
  ParsedRouteRequest,
  RouteMatch,
  compareHostRank,
  matchHost,
  matchRequest,
  prefixMatches,
} from './httpRoute';

/*
 * Which HTTPRoute of a Server serves a request. "Authorization Policy" reference › HTTPRoute
 * (https://linkerd.io/2-edge/reference/authorization-policy/#httproute): "A given HTTP request
 * can only match one HTTPRoute. If multiple HTTPRoutes are present that match a request, one
 * will be picked according to the Gateway API rules of precedence"
 * (https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule): hostname, then an Exact path,
 * the longest PathPrefix, a method match, the most header matches, the most query-parameter
 * matches; ties go to the oldest route (creationTimestamp), then `namespace/name`
 * alphabetically. "When no rules matching a request have been successfully attached to the
 * parent a request is coming from, a HTTP 404 status code MUST be returned."
 *
 * linkerd2-proxy (`linkerd/http/route`) orders matches by characters matched in the path (an
 * Exact and a PathPrefix of the same length tie), then header matches, query-parameter matches,
 * and only then the method; the policy controller sends routes oldest first, then by name.
 * Where the documented order and the proxy's disagree, or routes tie without creation
 * timestamps (manifests), the engine does not guess: every route that may serve the request is
 * an outcome, and the authorization layer allows only when all outcomes allow.
 */

/** Compares two ranks by a list of keys: 1 when `a` wins, -1 when `b` wins, 0 on a tie. */
function lexical(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) return a[i] > b[i] ? 1 : -1;
  return 0;
}

const n = (b: boolean) => (b ? 1 : 0);

/**
 * Compares two matches (host rank first): 1 when `a` has precedence, -1 when `b` has, 0 on a tie,
 * `undefined` when the Gateway API order and linkerd2-proxy's disagree (or a RegularExpression
 * path is involved, whose precedence is implementation-specific).
 */
export function compareMatches(
  a: MatchRank,
  ah: HostRank | undefined,
  b: MatchRank,
  bh: HostRank | undefined,
): number | undefined {
  const host = compareHostRank(ah, bh);
  if (host !== 0) return host;
  if (a.regex || b.regex) return undefined;
  const documented = lexical(
    [n(a.exact), a.pathLen, n(a.method), a.headers, a.queryParams],
    [n(b.exact), b.pathLen, n(b.method), b.headers, b.queryParams],
  );
  const proxy = lexical(
    [a.pathLen, a.headers, a.queryParams, n(a.method)],
    [b.pathLen, b.headers, b.queryParams, n(b.method)],
  );
  return documented === proxy ? documented : undefined;
}

/** -1 when route `a` comes first on a tie (older, then by name), 1 when `b` does; undefined when unknown. */
export function routeOrder(
  a: HttpRouteView,
  b: HttpRouteView,
): number | undefined {
  const ta = a.route.creationTimestamp
    ? Date.parse(a.route.creationTimestamp)
    : NaN;
  const tb = b.route.creationTimestamp
    ? Date.parse(b.route.creationTimestamp)
    : NaN;
  if (Number.isNaN(ta) || Number.isNaN(tb)) return undefined;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.route.namespace}/${a.route.name}`;
  const kb = `${b.route.namespace}/${b.route.name}`;
  return ka < kb ? -1 : 1;
}

interface Candidate<R extends HttpRouteView> {
  route: R;
  match: RouteMatch;
  host?: HostRank;
  tri: Tri;
  why: Set<string>;
}

/** Whether `d` serves every request both match instead of `c` (certainly). */
function beats<R extends HttpRouteView>(
  d: Candidate<R>,
  c: Candidate<R>,
): boolean {
  const r = compareMatches(d.match.rank, d.host, c.match.rank, c.host);
  return r === 1 || (r === 0 && routeOrder(d.route, c.route) === -1);
}

/** The routes that may serve a request. */
export interface RouteChoice<R extends HttpRouteView> {
  /** Every route that may serve the request (one when the choice is decided). */
  routes: R[];
  /** The request may match no route at all: Linkerd answers 404. */
  notFound: boolean;
  /** Why several outcomes remain (empty when decided). */
  undecided: string[];
}

/** Chooses the HTTPRoute serving a request among a Server's routes. */
export function chooseRoute<R extends HttpRouteView>(
  routes: R[],
  req: ParsedRouteRequest,
): RouteChoice<R> {
  const candidates: Array<Candidate<R>> = [];
  for (const route of routes) {
    const hostWhy = new Set<string>();
    const host = matchHost(route, req, hostWhy);
    if (host.tri === 'no') continue;
    for (const match of route.matches) {
      const why = new Set(hostWhy);
      const tri = matchRequest(match, req, why);
      if (tri !== 'no')
        candidates.push({
          route,
          match,
          host: host.rank,
          tri: host.tri === 'unknown' ? 'unknown' : tri,
          why,
        });
    }
  }
  const sure = candidates.filter(c => c.tri === 'yes');
  const winners = candidates.filter(
    c => !sure.some(d => d.route !== c.route && beats(d, c)),
  );
  const chosen = [...new Set(winners.map(c => c.route))];
  const notFound = sure.length === 0;
  const undecided = new Set<string>();
  if (chosen.length + (notFound ? 1 : 0) > 1) {
    winners
      .filter(c => c.tri === 'unknown')
      .forEach(c => c.why.forEach(w => undecided.add(w)));
    for (const a of winners) {
      for (const b of winners) {
        if (a.route === b.route) continue;
        const r = compareMatches(a.match.rank, a.host, b.match.rank, b.host);
        if (r === undefined)
          undecided.add(
            a.match.rank.regex || b.match.rank.regex
              ? 'the precedence of RegularExpression paths is implementation-specific'
              : "the Gateway API precedence and linkerd2-proxy's order differ for these matches",
          );
        else if (r === 0 && routeOrder(a.route, b.route) === undefined)
          undecided.add(
            'equally specific routes are ordered by creationTimestamp, which is unknown',
          );
      }
    }
  }
  return { routes: chosen, notFound, undecided: [...undecided] };
}

/** Whether match `outer` (of a route without hostnames) matches every request `inner` matches. */
function covers(outer: RouteMatch, inner: RouteMatch): boolean {
  if (outer.method !== undefined && outer.method !== inner.method) return false;
  const same = (
    a: { name: string; type: string; value: string },
    b: { name: string; type: string; value: string },
  ) =>
    a.type === b.type &&
    a.value === b.value &&
    a.name.toLowerCase() === b.name.toLowerCase();
  if (!outer.headers.every(h => inner.headers.some(i => same(h, i))))
    return false;
  if (
    !outer.queryParams.every(q =>
      inner.queryParams.some(i => same(q, i) && i.name === q.name),
    )
  )
    return false;
  if (outer.rank.regex || inner.rank.regex) return false;
  if (outer.pathType === 'Exact')
    return inner.pathType === 'Exact' && inner.path === outer.path;
  // A PathPrefix covers an Exact path it matches, and every PathPrefix at or below it.
  return prefixMatches(outer.path, inner.path);
}

/**
 * For every match of every route, the other routes that serve all of its requests instead
 * (a match "fully shadowed" by a route: every request it matches goes to that route). Partial
 * shadowing (a more specific route taking some of its requests) is not computed.
 */
export function shadowingRoutes(
  routes: HttpRouteView[],
): Map<RouteMatch, HttpRouteView[]> {
  const out = new Map<RouteMatch, HttpRouteView[]>();
  for (const route of routes) {
    for (const routeMatch of route.matches) {
      const by: HttpRouteView[] = [];
      if (route.hostnames.length === 0) {
        for (const other of routes) {
          if (other === route || other.hostnames.length > 0) continue;
          const wins = other.matches.some(o => {
            if (!covers(o, routeMatch)) return false;
            const r = compareMatches(
              o.rank,
              undefined,
              routeMatch.rank,
              undefined,
            );
            return r === 1 || (r === 0 && routeOrder(other, route) === -1);
          });
          if (wins) by.push(other);
        }
      }
      out.set(routeMatch, by);
    }
  }
  return out;
}
