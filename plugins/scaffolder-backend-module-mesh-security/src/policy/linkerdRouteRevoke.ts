import { InputError } from '@backstage/errors';
import { Document } from 'yaml';
import { objectId } from './document';
import { grantsOf, mtaIdentities, revokeFromGrant } from './linkerdGrants';
import {
  identityOf,
  PolicyTarget,
  routesOf,
  routeTarget,
  serversFor,
} from './linkerdObjects';
import {
  describeRouteMatches,
  routeMatchesOverlap,
  sameRouteMatches,
} from '@mesh-security/plugin-mesh-security-common';
import { routeMatchesFor, routeMatchList } from './linkerdRouteMatches';
import type { LinkerdRouteChange } from './linkerdRoutes';

/*
 * Revoking per-route Linkerd access: the callers leave the grant of the HTTPRoute whose matches
 * are exactly the revoked requests. An AuthorizationPolicy cannot subtract requests, so access
 * that comes from a broader grant (the whole port, or an overlapping route) is refused with
 * guidance instead of being half revoked.
 */

const name = (d: Document) => objectId(d).name;

/**
 * Removes the callers from the grants of the HTTPRoutes matching exactly these requests on the
 * ports' Servers. Linkerd cannot subtract requests from a broader grant, so a caller allowed on
 * the whole port (Server-level grant) or through an overlapping route is refused with guidance
 * instead. Each removal is described in `removed`.
 */
export function removeLinkerdRouteAccess(
  docs: Document[],
  change: LinkerdRouteChange,
  trustDomain: string,
  removed: string[],
): boolean {
  const wanted = routeMatchesFor(change.methods, change.paths);
  const callerIds = new Set(
    change.callers.map(c => identityOf(c, trustDomain)),
  );
  const named = (ids: string[]) =>
    change.callers
      .filter(c => ids.includes(identityOf(c, trustDomain)))
      .map(c => `${c.namespace}/${c.name}`)
      .join(', ');
  let changed = false;
  for (const port of change.ports) {
    for (const server of serversFor(docs, change, port)) {
      const serverName = name(server);
      const routes = routesOf(docs, change.namespace, serverName);
      const holding = (target: PolicyTarget) =>
        grantsOf(docs, change.namespace, target).filter(g =>
          [...mtaIdentities(g.mta, change.namespace, trustDomain)].some(id =>
            callerIds.has(id),
          ),
        );
      const portWide = holding({ kind: 'Server', name: serverName });
      if (portWide.length > 0) {
        const ids = [
          ...mtaIdentities(portWide[0].mta, change.namespace, trustDomain),
        ].filter(id => callerIds.has(id));
        throw new InputError(
          `${named(ids)} may call every request on port ${
            port.port
          } through AuthorizationPolicy ${change.namespace}/${name(
            portWide[0].policy,
          )} (Server ${serverName}); Linkerd cannot take single requests out of a port-level grant. Revoke the port (leave methods and paths empty), then request the routes to keep`,
        );
      }
      const exact = routes.find(r =>
        sameRouteMatches(routeMatchList(r), wanted),
      );
      for (const r of routes) {
        if (r === exact) continue;
        const wider = holding(routeTarget(r));
        const theirs = routeMatchList(r);
        if (
          wider.length > 0 &&
          theirs.some(t => wanted.some(w => routeMatchesOverlap(t, w)))
        )
          throw new InputError(
            `The callers reach ${describeRouteMatches(
              wanted,
            )} through HTTPRoute ${change.namespace}/${name(
              r,
            )} (${describeRouteMatches(
              theirs,
            )}), whose matches differ; revoke exactly those matches (or the port) instead`,
          );
      }
      if (!exact) continue;
      for (const grant of grantsOf(
        docs,
        change.namespace,
        routeTarget(exact),
      )) {
        const policy = name(grant.policy);
        const ids = revokeFromGrant(docs, grant, callerIds, trustDomain);
        if (ids.length === 0) continue;
        changed = true;
        removed.push(
          `${named(ids)}: ${describeRouteMatches(wanted)} on port ${
            port.port
          } (HTTPRoute ${name(
            exact,
          )} of Server ${serverName}, AuthorizationPolicy ${policy})`,
        );
      }
    }
  }
  return changed;
}
