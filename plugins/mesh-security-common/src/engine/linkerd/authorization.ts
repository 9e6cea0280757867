import { SnapshotNamespace, SnapshotWorkload } from '../../model';
import { CallerContext, LayerVerdict, RequestAttrs } from '../core/caller';
import {
  LinkerdAuthz,
  LinkerdIndex,
  LinkerdServerView,
  defaultInboundPolicy,
  defaultPolicyMatches,
  linkerdRequiresIdentity,
  linkerdSkipped,
} from './server';
import {
  HttpRouteView,
  RouteMatch,
  describeRequest,
  parseRouteRequest,
  restrictionOf,
} from './httpRoute';
import { chooseRoute } from './httpRoutePrecedence';

/*
 * The Linkerd authorization layer.
 *
 * - A port without a Server follows the default inbound policy; a Server's traffic is allowed
 *   by one of its authorizations, else by its `accessPolicy` (default `deny`)
 *   ("Authorization Policy" reference, https://linkerd.io/2-edge/reference/authorization-policy/).
 * - Without HTTPRoutes, the policy controller gives the Server a default route for every
 *   request. Once an HTTPRoute is attached, "the default route … will no longer be used": a
 *   request matching none of the Server's routes is refused with 404 ("Configuring Per-Route
 *   Authorization Policy", https://linkerd.io/2-edge/tasks/configuring-per-route-policy/).
 * - Exactly one route serves a request (httpRoutePrecedence.ts). The authorizations that
 *   apply are that route's AuthorizationPolicies plus those that apply to the whole Server:
 *   targetRef "A Server, indicating that the AuthorizationPolicy applies to all traffic to the
 *   Server" and a Namespace ("all traffic to all Servers and HTTPRoutes defined in the
 *   namespace"); linkerd2-proxy appends the Server's authorizations to every route's. A less
 *   specific route that also matches does not lend its authorizations.
 * - HTTPRoutes route HTTP only: on `proxyProtocol` opaque or TLS (or an opaque port annotation)
 *   and on gRPC Servers (which take GRPCRoutes, not read by the engine) only the Server-level
 *   authorizations apply. A protocol-detecting Server (`unknown`, the default) serves non-HTTP
 *   connections with its Server-level authorizations too.
 */

const HTTP_PROTOCOLS = new Set([undefined, 'unknown', 'HTTP/1', 'HTTP/2']);

/**
 * Whether Linkerd treats a port of the workload as opaque: the `config.linkerd.io/opaque-ports`
 * annotation of the pod template, else of its namespace, else `defaults` (the Linkerd config's
 * `proxy.opaquePorts` for meshed pods: an annotation replaces that list, as the proxy injector
 * does). Lists hold ports and ranges (`4000-4100`).
 */
export function opaquePort(
  workload: SnapshotWorkload,
  namespace: SnapshotNamespace | undefined,
  port: number,
  defaults?: string,
): boolean {
  const list =
    workload.annotations['config.linkerd.io/opaque-ports'] ??
    namespace?.annotations['config.linkerd.io/opaque-ports'] ??
    defaults;
  return list !== undefined && portInList(list, port);
}

/** Whether a comma-separated list of ports and `low-high` ranges holds `port`. */
export function portInList(list: string, port: number): boolean {
  return list.split(',').some(item => {
    const entry = item.trim();
    const range = /^(\d+)-(\d+)$/.exec(entry);
    if (range) return port >= Number(range[1]) && port <= Number(range[2]);
    return /^\d+$/.test(entry) && Number(entry) === port;
  });
}

const accessPolicyOf = (view: LinkerdServerView) =>
  typeof view.server.spec.accessPolicy === 'string'
    ? view.server.spec.accessPolicy
    : 'deny';

/** The verdict of a list of authorizations, then the Server's accessPolicy. */
function serverVerdict(
  index: LinkerdIndex,
  view: LinkerdServerView,
  authz: LinkerdAuthz[],
  caller: CallerContext,
  route?: HttpRouteView,
): LayerVerdict {
  const cannot: string[] = [];
  for (const a of authz) {
    const m = a.matches(caller);
    if (m === 'yes') {
      const where = a.route
        ? `${a.route.ref} of ${view.ref}`
        : `${view.ref}${
            route ? ` (the request is served by ${route.ref})` : ''
          }`;
      return {
        effect: 'ALLOW',
        policy: a.ref,
        message: `${a.ref} authorizes the client on ${where}`,
        cannotEvaluate: cannot,
      };
    }
    if (m === 'unknown')
      cannot.push(`${a.ref}: the client's network address is unknown`);
  }
  const access = accessPolicyOf(view);
  const m = defaultPolicyMatches(access, caller, index.clusterNetworks);
  const of = route ? `${view.ref} or its ${route.ref}` : view.ref;
  return m === 'yes'
    ? {
        effect: 'ALLOW',
        policy: view.ref,
        message: `no authorization matched; ${view.ref} accessPolicy ${access} allows the client`,
        cannotEvaluate: cannot,
      }
    : {
        effect: 'DENY',
        policy: view.ref,
        message: `no authorization of ${of} matches the client (accessPolicy ${access})`,
        cannotEvaluate: cannot,
      };
}

/** One request on a Server with HTTPRoutes: the serving route decides (or every possible one). */
function routedRequest(
  index: LinkerdIndex,
  view: LinkerdServerView,
  caller: CallerContext,
  req: RequestAttrs,
): LayerVerdict {
  const choice = chooseRoute(view.routes, parseRouteRequest(req));
  const outcomes: Array<{ label: string; verdict: LayerVerdict }> = [];
  for (const route of choice.routes) {
    outcomes.push({
      label: route.ref,
      verdict: serverVerdict(
        index,
        view,
        [...view.serverLevel, ...route.authz],
        caller,
        route,
      ),
    });
  }
  if (choice.notFound) {
    const names = view.routes.map(r => r.route.name).join(', ');
    const message =
      choice.routes.length === 0
        ? `no HTTPRoute of ${view.ref} (${names}) matches ${describeRequest(
            req,
          )}: Linkerd answers 404`
        : `the request may match no HTTPRoute of ${view.ref} (${names}): Linkerd would answer 404`;
    outcomes.push({
      label: 'no route (404)',
      verdict: {
        effect: 'DENY',
        policy: view.ref,
        message,
        cannotEvaluate: [],
      },
    });
  }
  const undecided = [...choice.undecided];
  if (
    req.method === undefined &&
    req.path === undefined &&
    (view.server.spec.proxyProtocol ?? 'unknown') === 'unknown'
  ) {
    undecided.push(
      'without a method or path the connection may not be HTTP (proxyProtocol unknown: protocol detection)',
    );
    outcomes.push({
      label: 'a non-HTTP connection (Server-level authorizations)',
      verdict: serverVerdict(index, view, view.serverLevel, caller),
    });
  }
  if (outcomes.length === 1) return outcomes[0].verdict;
  const cannot = [...new Set(outcomes.flatMap(o => o.verdict.cannotEvaluate))];
  const deny = outcomes.find(o => o.verdict.effect === 'DENY');
  // Every possible outcome agrees: the answer does not depend on the undecided choice.
  if (!deny) {
    const how = outcomes
      .map(o => `${o.label} (${o.verdict.policy ?? 'allowed'})`)
      .join(', ');
    return {
      effect: 'ALLOW',
      policy: outcomes[0].verdict.policy,
      message: `every way ${describeRequest(req)} may be served on ${
        view.ref
      } allows the client: ${how}`,
      cannotEvaluate: cannot,
    };
  }
  if (outcomes.every(o => o.verdict.effect === 'DENY'))
    return { ...deny.verdict, cannotEvaluate: cannot };
  const why = undecided.join('; ') || 'the request does not settle it';
  return {
    effect: 'DENY',
    policy: deny.verdict.policy,
    message: `which HTTPRoute of ${view.ref} serves ${describeRequest(
      req,
    )} is undecided; conservatively denied: ${deny.verdict.message}`,
    cannotEvaluate: [
      ...cannot,
      `the HTTPRoute of ${view.ref} serving ${describeRequest(
        req,
      )} (${why}): ${outcomes
        .map(o => `${o.label} → ${o.verdict.effect}`)
        .join(', ')}`,
    ],
  };
}

/** Notes for conditions an edge's methods/paths cannot show (none when an unconditional catch-all serves everything). */
function hiddenConditions(
  routes: HttpRouteView[],
  matches: Set<RouteMatch>,
): string[] {
  const out: string[] = [];
  const catchAll = routes.some(
    r =>
      r.hostnames.length === 0 &&
      r.matches.some(
        routeMatch =>
          matches.has(routeMatch) &&
          routeMatch.method === undefined &&
          routeMatch.pathType === 'PathPrefix' &&
          routeMatch.path.replace(/\/+$/, '') === '' &&
          routeMatch.headers.length === 0 &&
          routeMatch.queryParams.length === 0,
      ),
  );
  if (catchAll) return out;
  for (const r of routes) {
    const used = r.matches.filter(m => matches.has(m));
    const parts = [
      ...(used.length > 0 && r.hostnames.length > 0 ? ['hostnames'] : []),
      ...(used.some(m => m.headers.length > 0) ? ['headers'] : []),
      ...(used.some(m => m.queryParams.length > 0) ? ['query parameters'] : []),
    ];
    if (parts.length > 0)
      out.push(
        `${r.ref} also matches on ${parts.join(
          ', ',
        )} (not shown in the edge's methods/paths)`,
      );
  }
  return out;
}

/**
 * "Some request of the caller is allowed" on a Server with HTTPRoutes. A caller authorized on the
 * whole Server may send what any route matches (other requests get 404); a caller authorized by
 * route policies gets those routes' matches, minus matches whose every request is served by a
 * route that does not authorize it. Partial shadowing by a more specific route is not subtracted
 * (the edge lists the route's paths; `check` gives the exact answer per request).
 */
function routedCallers(
  index: LinkerdIndex,
  view: LinkerdServerView,
  caller: CallerContext,
): LayerVerdict {
  const whole = serverVerdict(index, view, view.serverLevel, caller);
  if (whole.effect === 'ALLOW') {
    if (!view.routes.some(r => r.matches.length > 0))
      return {
        effect: 'DENY',
        policy: view.ref,
        message: `${view.ref} has HTTPRoutes without matches: Linkerd answers 404 to every request`,
        cannotEvaluate: whole.cannotEvaluate,
      };
    return {
      ...whole,
      message: `${whole.message}; only requests matching its HTTPRoutes are served (others get 404)`,
      cannotEvaluate: [
        ...whole.cannotEvaluate,
        ...hiddenConditions(
          view.routes,
          new Set(view.routes.flatMap(r => r.matches)),
        ),
      ],
      ...view.routedRestriction(),
    };
  }
  const cannot = [...whole.cannotEvaluate];
  const authorizing = new Set<HttpRouteView>();
  let policy: string | undefined;
  for (const route of view.routes) {
    for (const a of route.authz) {
      const m = a.matches(caller);
      if (m === 'unknown')
        cannot.push(`${a.ref}: the client's network address is unknown`);
      if (m !== 'yes') continue;
      authorizing.add(route);
      policy ??= a.ref;
      break;
    }
  }
  if (!policy) {
    return {
      ...whole,
      message: `no authorization of ${
        view.ref
      } or its HTTPRoutes matches the client (accessPolicy ${accessPolicyOf(
        view,
      )})`,
      cannotEvaluate: [...new Set(cannot)],
    };
  }
  const shadows = view.shadows();
  const claimed = view.routes
    .filter(r => authorizing.has(r))
    .flatMap(r =>
      r.matches.filter(m =>
        (shadows.get(m) ?? []).every(s => authorizing.has(s)),
      ),
    );
  if (claimed.length === 0) {
    return {
      effect: 'DENY',
      policy,
      message: `${policy} authorizes the client only on requests that other HTTPRoutes of ${view.ref} serve`,
      cannotEvaluate: [...new Set(cannot)],
    };
  }
  return {
    effect: 'ALLOW',
    policy,
    message: `${policy} allows the client on the requests its HTTPRoute serves`,
    cannotEvaluate: [
      ...new Set([
        ...cannot,
        ...hiddenConditions(view.routes, new Set(claimed)),
      ]),
    ],
    ...restrictionOf(claimed),
  };
}

/** The Linkerd authorization layer for one request (or, in `any` mode, some request). */
export function linkerdAuthorize(
  index: LinkerdIndex,
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
  clusterDefault: string,
  caller: CallerContext,
  req: RequestAttrs,
): LayerVerdict {
  if (linkerdSkipped(w, ns, req.port))
    return {
      effect: 'ALLOW',
      message: `port ${req.port} skips the Linkerd proxy: no authorization is enforced`,
      cannotEvaluate: [],
      byDefault: true,
    };
  if (linkerdRequiresIdentity(w, ns, req.port) && !caller.mtls) {
    return {
      effect: 'DENY',
      policy: 'config.linkerd.io/proxy-require-identity-inbound-ports',
      message: `port ${req.port} requires a mesh identity and the client has none`,
      cannotEvaluate: [],
    };
  }
  const cannot = (reason: string): LayerVerdict => ({
    effect: 'DENY',
    message: `Linkerd authorization cannot be evaluated: ${reason}`,
    cannotEvaluate: [`Linkerd authorization: ${reason}`],
  });
  if (index.unavailable.anyPort) return cannot(index.unavailable.anyPort);
  const servers = index.serversFor(w, req.port);
  if (servers.length > 0 && index.unavailable.serverPort)
    return cannot(index.unavailable.serverPort);
  if (servers.length > 0) {
    const view = index.serverView(servers[0]);
    const routed =
      view.routes.length > 0 &&
      HTTP_PROTOCOLS.has(
        view.server.spec.proxyProtocol as string | undefined,
      ) &&
      !opaquePort(w, ns, req.port, index.defaultOpaquePorts);
    if (!routed) return serverVerdict(index, view, view.serverLevel, caller);
    return req.mode === 'any'
      ? routedCallers(index, view, caller)
      : routedRequest(index, view, caller, req);
  }
  const def = defaultInboundPolicy(w, ns, clusterDefault);
  const m = defaultPolicyMatches(def.value, caller, index.clusterNetworks);
  if (m === 'unknown')
    return {
      effect: 'DENY',
      message: `unknown default inbound policy ${def.value}`,
      cannotEvaluate: [`default inbound policy ${def.value}`],
    };
  return m === 'yes'
    ? {
        effect: 'ALLOW',
        message: `default inbound policy ${def.value} allows the client (${def.source})`,
        cannotEvaluate: [],
        byDefault: true,
      }
    : {
        effect: 'DENY',
        policy: def.source,
        message: `default inbound policy ${def.value} rejects the client (${def.source})`,
        cannotEvaluate: [],
      };
}
