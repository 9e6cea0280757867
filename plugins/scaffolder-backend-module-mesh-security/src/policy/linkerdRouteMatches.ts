import { InputError } from '@backstage/errors';
import { Document } from 'yaml';
import { plain } from './document';

/*
 * HTTPRoute matches (Gateway API HTTPRoute, as Linkerd's policy.linkerd.io/v1beta3 CRD defines
 * it): a match ANDs its method and path; the matches of a route are ORed. PathPrefix matching is
 * element-wise (`/api` matches `/api` and `/api/x`, not `/apix`) and ignores a trailing slash.
 */

/** One HTTPRoute match: method (any when absent) and path. */
export interface RouteMatch {
  method?: string;
  path: { type: string; value: string };
  /** The match also tests headers or query parameters (narrower than method and path). */
  narrowed?: boolean;
}

/** `spec.rules[].matches` holds at most 8 entries and `spec.rules` 16 (the HTTPRoute CRD). */
export const MATCHES_PER_RULE = 8;
const MAX_RULES = 16;

/**
 * The Gateway API path match for an input pattern: `/exact` → Exact `/exact`; `/prefix/*` →
 * PathPrefix `/prefix` (element-wise: it also matches `/prefix` itself, which Istio's `/prefix/*`
 * does not); `/*` → PathPrefix `/`. A suffix (`*.json`) has no Gateway API equivalent.
 */
export function linkerdPathMatch(pattern: string): {
  type: 'Exact' | 'PathPrefix';
  value: string;
} {
  if (pattern.startsWith('*')) {
    throw new InputError(
      `Path ${pattern}: Linkerd HTTPRoutes match a path exactly or by prefix (Gateway API Exact / PathPrefix); a suffix match cannot be expressed. Use /exact or /prefix/* paths`,
    );
  }
  if (pattern.endsWith('/*'))
    return { type: 'PathPrefix', value: pattern.slice(0, -2) || '/' };
  return { type: 'Exact', value: pattern };
}

/** PathPrefix matching is element-wise and ignores a trailing slash. */
const prefixValue = (v: string) => v.replace(/\/+$/, '') || '/';

const matchKey = (m: RouteMatch) =>
  `${m.method ?? '*'} ${m.path.type} ${
    m.path.type === 'PathPrefix' ? prefixValue(m.path.value) : m.path.value
  }${m.narrowed ? ' +' : ''}`;

/** The matches for methods × paths (a match ANDs its method and path; matches are ORed). */
export function routeMatchesFor(
  methods: string[] | undefined,
  paths: string[] | undefined,
): RouteMatch[] {
  const ps = paths?.length
    ? paths.map(linkerdPathMatch)
    : [{ type: 'PathPrefix', value: '/' }];
  const ms = methods?.length ? methods : [undefined];
  const out: RouteMatch[] = [];
  for (const path of ps)
    for (const method of ms) out.push({ ...(method ? { method } : {}), path });
  const unique = [...new Map(out.map(m => [matchKey(m), m])).values()];
  if (unique.length > MATCHES_PER_RULE * MAX_RULES) {
    throw new InputError(
      `${unique.length} method × path combinations exceed what one HTTPRoute holds (${MAX_RULES} rules of ${MATCHES_PER_RULE} matches); split the request`,
    );
  }
  return unique;
}

/** Readable matches (`GET /reports/*`, `/status`), as the engine displays routes. */
export function describeMatches(matches: RouteMatch[]): string {
  return matches
    .map(m => {
      let v = `~${m.path.value}`; // RegularExpression
      if (m.path.type === 'PathPrefix')
        v = `${prefixValue(m.path.value).replace(/\/$/, '')}/*`;
      if (m.path.type === 'Exact') v = m.path.value;
      return m.method ? `${m.method} ${v}` : v;
    })
    .join(', ');
}

type RawMatch = {
  method?: string;
  path?: { type?: string; value?: string };
  headers?: unknown[];
  queryParams?: unknown[];
};

/** The matches of an HTTPRoute with the CRD defaults (path PathPrefix `/`). */
export function routeMatchList(route: Document): RouteMatch[] {
  const rules = plain(route, ['spec', 'rules']);
  const list = Array.isArray(rules) && rules.length > 0 ? rules : [{}];
  return list.flatMap((rule: { matches?: RawMatch[] }) => {
    const matches =
      Array.isArray(rule?.matches) && rule.matches.length > 0
        ? rule.matches
        : [{}];
    return matches.map((m: RawMatch) => ({
      ...(typeof m?.method === 'string' ? { method: m.method } : {}),
      path: {
        type: m?.path?.type ?? 'PathPrefix',
        value: m?.path?.value ?? '/',
      },
      ...(m?.headers?.length || m?.queryParams?.length
        ? { narrowed: true }
        : {}),
    }));
  });
}

/** Whether two match lists describe the same requests (as sets of matches). */
export const sameMatches = (a: RouteMatch[], b: RouteMatch[]) => {
  const ka = new Set(a.map(matchKey));
  const kb = new Set(b.map(matchKey));
  return ka.size === kb.size && [...ka].every(k => kb.has(k));
};

/** Whether some request can match both (regular expressions are assumed to). */
export function overlap(a: RouteMatch, b: RouteMatch): boolean {
  if (a.method && b.method && a.method !== b.method) return false;
  const under = (prefix: string, path: string) => {
    const p = prefixValue(prefix);
    return p === '/' || path === p || path.startsWith(`${p}/`);
  };
  const [x, y] = [a.path, b.path];
  if (x.type === 'Exact' && y.type === 'Exact') return x.value === y.value;
  if (x.type === 'Exact' && y.type === 'PathPrefix')
    return under(y.value, x.value);
  if (x.type === 'PathPrefix' && y.type === 'Exact')
    return under(x.value, y.value);
  if (x.type === 'PathPrefix' && y.type === 'PathPrefix')
    return (
      under(x.value, prefixValue(y.value)) ||
      under(y.value, prefixValue(x.value))
    );
  return true;
}
