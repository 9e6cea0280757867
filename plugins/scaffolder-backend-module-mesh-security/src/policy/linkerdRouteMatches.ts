import { InputError } from '@backstage/errors';
import {
  gatewayPathMatch,
  httpRouteMatches,
  RouteMatch,
  routeMatchKey,
  routeMatchOf,
} from '@mesh-security/plugin-mesh-security-common';
import { Document } from 'yaml';
import { plain } from './document';

/*
 * The HTTPRoute matches an access request asks for, and those a route in the policy file has.
 * What a match means, and how two matches relate, is the engine's (`engine/linkerd/httpRoute.ts` and
 * `engine/linkerd/httpRouteMatches.ts` in the common package); this file adds the limits of one HTTPRoute
 * object and the refusals an access request gets.
 */

/** `spec.rules[].matches` holds at most 8 entries and `spec.rules` 16 (the HTTPRoute CRD). */
export const MATCHES_PER_RULE = 8;
const MAX_RULES = 16;

/** The Gateway API path match for an input pattern; refuses a suffix (`*.json`). */
export function linkerdPathMatch(pattern: string): {
  type: 'Exact' | 'PathPrefix';
  value: string;
} {
  const match = gatewayPathMatch(pattern);
  if (!match) {
    throw new InputError(
      `Path ${pattern}: Linkerd HTTPRoutes match a path exactly or by prefix (Gateway API Exact / PathPrefix); a suffix match cannot be expressed. Use /exact or /prefix/* paths`,
    );
  }
  return match;
}

/** The matches for methods × paths (a match ANDs its method and path; matches are ORed). */
export function routeMatchesFor(
  methods: string[] | undefined,
  paths: string[] | undefined,
): RouteMatch[] {
  const pathMatches = paths?.length
    ? paths.map(linkerdPathMatch)
    : [{ type: 'PathPrefix', value: '/' }];
  const methodList = methods?.length ? methods : [undefined];
  const out: RouteMatch[] = [];
  for (const path of pathMatches)
    for (const method of methodList)
      out.push(routeMatchOf({ ...(method ? { method } : {}), path }));
  const unique = [...new Map(out.map(m => [routeMatchKey(m), m])).values()];
  if (unique.length > MATCHES_PER_RULE * MAX_RULES) {
    throw new InputError(
      `${unique.length} method × path combinations exceed what one HTTPRoute holds (${MAX_RULES} rules of ${MATCHES_PER_RULE} matches); split the request`,
    );
  }
  return unique;
}

/** The matches of an HTTPRoute in the policy file, with the CRD defaults. */
export function routeMatchList(route: Document): RouteMatch[] {
  const spec = plain(route, ['spec']);
  return httpRouteMatches(
    spec && typeof spec === 'object' && !Array.isArray(spec)
      ? (spec as Record<string, unknown>)
      : {},
  );
}
