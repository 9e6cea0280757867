import { JsonObject, SnapshotPolicy } from '../model';
import { Tri } from './caller';
import { isObject } from './validate/check';

/*
 * Linkerd per-route policy ("Configuring Per-Route Policy"): an AuthorizationPolicy targeting
 * an HTTPRoute applies only to requests matching the route. Matches follow the Gateway API
 * HTTPRoute semantics: path type PathPrefix with value `/` when omitted; RegularExpression is
 * implementation-specific and reported as "cannot evaluate".
 */

type P = SnapshotPolicy<JsonObject>;

/** One match of an HTTPRoute rule. */
export interface RouteMatch { method?: string; pathType: string; path: string }

/** The matches of an HTTPRoute, and their methods/paths for display. */
export function routeRestriction(route: P): { methods: string[]; paths: string[]; matches: RouteMatch[] } {
  const matches: RouteMatch[] = [];
  for (const rule of Array.isArray(route.spec.rules) ? route.spec.rules.filter(isObject) : [{}]) {
    const list = Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches.filter(isObject) : [{}];
    for (const m of list) {
      const path = isObject(m.path) ? m.path : {};
      matches.push({
        method: typeof m.method === 'string' ? m.method : undefined,
        pathType: typeof path.type === 'string' ? path.type : 'PathPrefix',
        path: typeof path.value === 'string' ? path.value : '/',
      });
    }
  }
  return {
    matches,
    methods: [...new Set(matches.map(m => m.method ?? '*'))],
    paths: [...new Set(matches.map(displayPath))],
  };
}

function displayPath(m: RouteMatch): string {
  if (m.pathType === 'Exact') return m.path;
  if (m.pathType === 'PathPrefix') return `${m.path.replace(/\/$/, '')}/*`;
  return `~${m.path}`;
}

/** Whether a request matches one of the route's matches. */
export function routeMatches(route: { matches: RouteMatch[] }, method: string | undefined, path: string | undefined): Tri {
  let result: Tri = 'no';
  for (const m of route.matches) {
    let ok: Tri = 'yes';
    if (m.method !== undefined && method === undefined) ok = 'unknown';
    else if (m.method !== undefined) ok = method === m.method ? 'yes' : 'no';
    if (ok !== 'no' && !(m.pathType === 'PathPrefix' && m.path === '/')) {
      if (path === undefined) ok = 'unknown';
      else if (m.pathType === 'Exact') ok = path === m.path ? ok : 'no';
      else if (m.pathType === 'PathPrefix') {
        const prefix = m.path.replace(/\/$/, '');
        ok = path === prefix || path.startsWith(`${prefix}/`) ? ok : 'no';
      } else ok = 'unknown'; // RegularExpression: implementation-specific
    }
    if (ok === 'yes') return 'yes';
    if (ok === 'unknown') result = 'unknown';
  }
  return result;
}

