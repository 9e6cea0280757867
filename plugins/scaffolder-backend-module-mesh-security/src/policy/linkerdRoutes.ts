import { InputError } from '@backstage/errors';
import { Document } from 'yaml';
import {
  describeRouteMatches,
  parseLinkerdIdentity,
  RouteMatch,
  routeMatchesOverlap,
  sameRouteMatches,
} from '@mesh-security/plugin-mesh-security-common';
import { freeName, newObjectDocument, objectId, plain } from './document';
import type { LinkerdAccessChange } from './linkerd';
import { serverOrRefuse } from './linkerd';
import { grantAccess, grantsOf, mtaIdentities } from './linkerdGrants';
import {
  GROUP,
  policiesTargeting,
  routesOf,
  routeTarget,
} from './linkerdObjects';
import {
  MATCHES_PER_RULE,
  routeMatchesFor,
  routeMatchList,
} from './linkerdRouteMatches';

/*
 * Linkerd per-route access ("Configuring Per-Route Authorization Policy", and the HTTPRoute and
 * AuthorizationPolicy sections of the "Authorization Policy" reference): an HTTPRoute attached
 * to a Server (parentRefs) describes a subset of its HTTP requests by method and path; an
 * AuthorizationPolicy whose targetRef is the HTTPRoute admits its clients to those requests.
 *
 * Two facts of Linkerd's inbound proxy shape every edit here:
 * - A Server without HTTPRoutes is served through a default route matching every request (and a
 *   route for the kubelet's probes). Once any HTTPRoute is attached, only requests matching one
 *   of the Server's routes are served; the others are refused with 404, whoever sends them.
 * - A request matches one route only (Gateway API precedence: the most specific match wins) and
 *   is authorized by that route's AuthorizationPolicies plus those targeting the Server.
 * So a first route, or a new route overlapping a route that has its own AuthorizationPolicies,
 * can take requests away from existing callers. Those edits are refused, never made silently.
 */

const name = (d: Document) => objectId(d).name;

/** `ns/sa` of the identities a Server's grants name, for messages. */
function serverCallers(
  docs: Document[],
  namespace: string,
  server: string,
  trustDomain: string,
): string[] {
  return grantsOf(docs, namespace, { kind: 'Server', name: server }).flatMap(
    g =>
      [...mtaIdentities(g.mta, namespace, trustDomain)].map(id => {
        const identity = parseLinkerdIdentity(id);
        return identity
          ? `${identity.namespace}/${identity.serviceAccount}`
          : id;
      }),
  );
}

/** Per-route access to grant or revoke on a Linkerd workload. */
export interface LinkerdRouteChange extends LinkerdAccessChange {
  methods?: string[];
  paths?: string[];
  /** The ports were named in the request (else: every port whose Server is in the file). */
  portsExplicit: boolean;
  /** Names of HTTPRoutes the target's live policies target (to find routes outside the file). */
  routesElsewhere?: string[];
  /** The policy file (for messages). */
  path: string;
}

function firstRouteRefusal(
  docs: Document[],
  change: LinkerdRouteChange,
  server: string,
  trustDomain: string,
): InputError {
  const callers = serverCallers(docs, change.namespace, server, trustDomain);
  return new InputError(
    `Server ${change.namespace}/${server} has no HTTPRoute in ${
      change.path
    }. Linkerd serves a Server without HTTPRoutes through a default route matching every request (and a route for the kubelet's probes); the first HTTPRoute attached to it replaces both, so every request that matches no route would be refused with 404 — ${
      callers.length
        ? `including those of the callers allowed on the whole port today (${callers.join(
            ', ',
          )}) and `
        : ''
    }the kubelet's liveness and readiness probes. Request port-level access instead (leave methods and paths empty), or add HTTPRoutes covering today's traffic and the probe paths to the file first (see "Linkerd per-route access" in the scaffolder docs), then retry`,
  );
}

/** The Servers of the requested ports that can carry HTTP routes; refuses the others. */
function routableServers(
  docs: Document[],
  change: LinkerdRouteChange,
  notes: string[],
): Array<{ port: number; server: Document }> {
  const out: Array<{ port: number; server: Document }> = [];
  for (const port of change.ports) {
    const server = serverOrRefuse(docs, change, port);
    const protocol = server
      ? plain(server, ['spec', 'proxyProtocol'])
      : undefined;
    let problem: string | undefined;
    if (!server) problem = `port ${port.port} has no Server in ${change.path}`;
    else if (['opaque', 'TLS', 'gRPC'].includes(String(protocol)))
      problem = `Server ${change.namespace}/${name(server)} (port ${
        port.port
      }) has proxyProtocol ${protocol}: HTTPRoutes do not apply to it`;
    if (!problem) {
      out.push({ port: port.port, server: server! });
      continue;
    }
    if (change.portsExplicit)
      throw new InputError(
        `${problem}; per-route access needs a Server for HTTP traffic (request port-level access, or add the Server to the file first)`,
      );
    notes.push(`${problem}: not changed.`);
  }
  if (out.length === 0) {
    throw new InputError(
      `None of the target's ports has a Server for HTTP traffic in ${change.path}; per-route (methods/paths) access attaches HTTPRoutes to Servers`,
    );
  }
  return out;
}

/**
 * Grants the callers the requests (methods × paths) on every requested port: the HTTPRoute of
 * the port's Server with exactly these matches is reused, else a new one is attached; the
 * callers join that route's grant, or a new grant (MeshTLSAuthentication + AuthorizationPolicy
 * targeting the route) is created. Refuses a first route for a Server and a route that would
 * take requests from an overlapping route with its own AuthorizationPolicies (see above).
 */
export function addLinkerdRouteAccess(
  docs: Document[],
  change: LinkerdRouteChange,
  trustDomain: string,
  notes: string[],
): boolean {
  const wanted = routeMatchesFor(change.methods, change.paths);
  let changed = false;
  for (const { port, server } of routableServers(docs, change, notes)) {
    const serverName = name(server);
    const routes = routesOf(docs, change.namespace, serverName);
    const outside = (change.routesElsewhere ?? []).filter(
      n => !routes.some(r => name(r) === n),
    );
    if (outside.length > 0) {
      throw new InputError(
        `HTTPRoute ${change.namespace}/${outside[0]} of Server ${serverName} is not defined in ${change.path}; move it there and retry (its matches decide which route a request takes)`,
      );
    }
    if (routes.length === 0)
      throw firstRouteRefusal(docs, change, serverName, trustDomain);
    let route = routes.find(
      r =>
        objectId(r).apiVersion.startsWith(`${GROUP}/`) &&
        sameRouteMatches(routeMatchList(r), wanted),
    );
    if (route) {
      notes.push(
        `Port ${port}: HTTPRoute ${change.namespace}/${name(
          route,
        )} already matches ${describeRouteMatches(
          wanted,
        )}; the callers join its grant and routing is unchanged.`,
      );
    } else {
      for (const r of routes) {
        const own = policiesTargeting(docs, change.namespace, routeTarget(r));
        const theirs = routeMatchList(r);
        if (
          own.length > 0 &&
          theirs.some(t => wanted.some(w => routeMatchesOverlap(t, w)))
        )
          throw new InputError(
            `HTTPRoute ${change.namespace}/${name(
              r,
            )} of Server ${serverName} (${describeRouteMatches(
              theirs,
            )}) overlaps ${describeRouteMatches(
              wanted,
            )} and has its own AuthorizationPolicies (${own
              .map(name)
              .join(
                ', ',
              )}). Linkerd authorizes a request with the policies of the one route it matches (the most specific), so a new route would take those requests away from that route's callers. Request exactly its matches to join its grant, or have the routes restructured first`,
          );
      }
      route = newRoute(docs, change, serverName, wanted);
      changed = true;
      notes.push(
        `Port ${port}: Linkerd serves requests to Server ${
          change.namespace
        }/${serverName} only when they match one of its HTTPRoutes (${[
          ...routes.map(name),
          name(route),
        ].join(
          ', ',
        )}); other requests are refused with 404. A request is authorized by the AuthorizationPolicies of the one route it matches plus those targeting the Server. The Server already had routes and no route with its own AuthorizationPolicies overlaps ${describeRouteMatches(
          wanted,
        )}, so no existing caller loses a request.`,
      );
    }
    const target = routeTarget(route);
    if (
      grantAccess(
        docs,
        {
          namespace: change.namespace,
          target,
          callers: change.callers,
          comment: change.comment,
        },
        trustDomain,
      )
    )
      changed = true;
  }
  return changed;
}

function newRoute(
  docs: Document[],
  change: LinkerdRouteChange,
  server: string,
  matches: RouteMatch[],
): Document {
  const rules = [];
  for (let i = 0; i < matches.length; i += MATCHES_PER_RULE)
    rules.push({
      matches: matches.slice(i, i + MATCHES_PER_RULE).map(m => ({
        path: { type: m.pathType, value: m.path },
        ...(m.method ? { method: m.method } : {}),
      })),
    });
  const route = newObjectDocument(
    {
      apiVersion: `${GROUP}/v1beta3`,
      kind: 'HTTPRoute',
      metadata: {
        name: freeName(docs, 'HTTPRoute', `${server}-route`),
        namespace: change.namespace,
      },
      spec: {
        parentRefs: [{ group: GROUP, kind: 'Server', name: server }],
        rules,
      },
    },
    change.comment,
  );
  docs.push(route);
  return route;
}
