import {
  ContainerPort,
  JsonObject,
  LabelSelector,
  PortMtls,
  Snapshot,
  SnapshotNamespace,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { CallerContext, Tri, or } from '../core/caller';
import {
  callerIdentityMatch,
  inClusterNetworks,
  meshTlsMatches,
  networksMatch,
  serviceAccountMatch,
} from './authentication';
import { selectorMatches } from '../core/match';
import {
  GATEWAY_HTTP_ROUTE,
  linkerdObjectKind,
  linkerdRefTarget,
} from '../validate/linkerd';
import { portList } from '../istio/peerAuthentication';
import { SelectorIndex, groupBy } from '../core/selectorIndex';
import { isObject } from '../validate/check';
import {
  HttpRouteView,
  RouteMatch,
  parseHttpRoute,
  restrictionOf,
} from './httpRoute';
import { shadowingRoutes } from './httpRoutePrecedence';

/*
 * Linkerd inbound policy, "Authorization Policy" reference
 * (https://linkerd.io/2-edge/reference/authorization-policy/) and "Configuring Per-Route
 * Policy": a port not described by a Server uses the default inbound policy (pod annotation
 * `config.linkerd.io/default-inbound-policy`, else namespace annotation, else the cluster
 * default); a port described by a Server accepts only traffic that one of its authorizations
 * (ServerAuthorization, AuthorizationPolicy) allows, and otherwise its `accessPolicy` (default
 * `deny`).
 */

type P = SnapshotPolicy<JsonObject>;

export const DEFAULT_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
];

/** One authorization attached to a Server. */
export interface LinkerdAuthz {
  ref: string;
  policy: P;
  /** Accepts only mTLS clients with an identity. */
  requiresIdentity: boolean;
  /** The HTTPRoute it targets (absent: it targets the Server or its Namespace). */
  route?: HttpRouteView;
  matches(caller: CallerContext): Tri;
}

/** An HTTPRoute attached to a Server, with the AuthorizationPolicies targeting it. */
export interface LinkerdRouteView extends HttpRouteView {
  authz: LinkerdAuthz[];
}

/**
 * A Server's policy, computed once per Server: the authorizations that apply to all its traffic
 * (ServerAuthorizations; AuthorizationPolicies targeting the Server or its Namespace) and its
 * HTTPRoutes with their own authorizations.
 */
export interface LinkerdServerView {
  server: P;
  /** `Server namespace/name`. */
  ref: string;
  /** Every authorization: Server-level and route-level, in namespace order. */
  all: LinkerdAuthz[];
  /** "A Server, indicating that the AuthorizationPolicy applies to all traffic to the Server." */
  serverLevel: LinkerdAuthz[];
  /** Attached HTTPRoutes, oldest first, then by name. */
  routes: LinkerdRouteView[];
  /** For each route match, the routes serving all its requests instead (see shadowingRoutes). */
  shadows(): Map<RouteMatch, HttpRouteView[]>;
  /** What every attached route together matches (the requests that do not get 404). */
  routedRestriction(): { methods?: string[]; paths?: string[] };
}

/** A required authentication of an AuthorizationPolicy, its reference resolved. */
type RequiredAuthentication =
  | P
  | { kind: 'ServiceAccount'; namespace: string; name: string };

/**
 * An AuthorizationPolicy's authorization: the client must match every required authentication.
 * A class, not an object with a closure: one per policy and Server lives as long as the index,
 * and a closure with its context costs about twice the fields (docs/benchmarks.md).
 */
class PolicyAuthz implements LinkerdAuthz {
  constructor(
    readonly ref: string,
    readonly policy: P,
    readonly requiresIdentity: boolean,
    readonly route: HttpRouteView | undefined,
    private readonly required: RequiredAuthentication[],
    private readonly trustDomain: string,
  ) {}

  matches(caller: CallerContext): Tri {
    let result: Tri = 'yes';
    for (const r of this.required) {
      let m: Tri;
      if (r.kind === 'ServiceAccount') {
        m =
          caller.mtls && caller.mesh === 'linkerd'
            ? serviceAccountMatch(r.namespace, r.name, caller)
            : 'no';
      } else if (r.kind === 'MeshTLSAuthentication')
        m = meshTlsMatches(r as P, caller, this.trustDomain);
      else if (r.kind === 'NetworkAuthentication')
        m = networksMatch(caller, (r as P).spec.networks);
      else m = 'no';
      if (m === 'no') return 'no';
      if (m === 'unknown') result = 'unknown';
    }
    return result;
  }
}

/** A Server's view (see {@link LinkerdServerView}); what only some questions need, on demand. */
class ServerView implements LinkerdServerView {
  private shadowing: Map<RouteMatch, HttpRouteView[]> | undefined;
  private restriction: { methods?: string[]; paths?: string[] } | undefined;

  constructor(
    readonly server: P,
    readonly ref: string,
    readonly all: LinkerdAuthz[],
    readonly serverLevel: LinkerdAuthz[],
    readonly routes: LinkerdRouteView[],
  ) {}

  shadows(): Map<RouteMatch, HttpRouteView[]> {
    return (this.shadowing ??= shadowingRoutes(this.routes));
  }

  routedRestriction(): { methods?: string[]; paths?: string[] } {
    return (this.restriction ??= restrictionOf(
      this.routes.flatMap(r => r.matches),
    ));
  }
}

/**
 * A route's parentRef names a Server as the policy controller reads it (`targets_kind`: group
 * and kind without case). A missing group is the route CRD's default: `policy.linkerd.io` in
 * Linkerd's HTTPRoute, the Gateway API's own group in the Gateway API's; an empty one is the
 * core group.
 */
const isServerParent = (route: P, p: Record<string, unknown>) =>
  linkerdRefTarget(
    p.group === undefined ? { ...p, group: route.apiVersion.split('/')[0] } : p,
  ) === 'Server';

/**
 * Linkerd's default opaque ports (SMTP, MySQL, Galera, PostgreSQL, Redis, Elasticsearch,
 * Memcached), the chart's `proxy.opaquePorts` ("Protocol detection", "Default opaque ports").
 */
export const LINKERD_DEFAULT_OPAQUE_PORTS =
  '25,587,3306,4444,5432,6379,9300,11211';

export class LinkerdIndex {
  private readonly servers = new Map<string, SelectorIndex<P>>();
  private readonly serverAuthz: Map<string, P[]>;
  private readonly policies: Map<string, P[]>;
  private readonly routes: Map<string, P[]>;
  private readonly byName = new Map<string, P>();
  /** The Servers (not the snapshot: a later context may take this index, docs/engine.md). */
  private readonly serverList: P[];
  private readonly views = new Map<P, LinkerdServerView>();
  /** The ports meshed pods treat as opaque unless annotated (the Linkerd config's, else Linkerd's). */
  readonly defaultOpaquePorts: string;

  /**
   * `unavailable.anyPort`: why no port's policy is known (Servers or the mesh configuration not
   * read); `unavailable.serverPort`: why the policy of a port a Server describes is not known
   * (its authorizations or routes not read).
   */
  constructor(
    snapshot: Snapshot,
    readonly trustDomain: string,
    readonly clusterNetworks: string[],
    readonly unavailable: { anyPort?: string; serverPort?: string } = {},
  ) {
    this.serverList = snapshot.linkerd.servers;
    this.defaultOpaquePorts =
      snapshot.meshConfig?.linkerd?.opaquePorts ?? LINKERD_DEFAULT_OPAQUE_PORTS;
    for (const [ns, list] of groupBy(
      snapshot.linkerd.servers,
      s => s.namespace,
    )) {
      const idx = new SelectorIndex<P>(s =>
        isObject(s.spec.podSelector)
          ? (s.spec.podSelector as LabelSelector)
          : { matchLabels: { '\u0000never': '' } },
      );
      list.forEach(s => idx.add(s));
      this.servers.set(ns, idx);
    }
    this.serverAuthz = groupBy(
      snapshot.linkerd.serverAuthorizations,
      s => s.namespace,
    );
    this.policies = groupBy(
      snapshot.linkerd.authorizationPolicies,
      s => s.namespace,
    );
    this.routes = groupBy(snapshot.linkerd.httpRoutes, s => s.namespace);
    const l = snapshot.linkerd;
    for (const policy of [
      ...l.meshTlsAuthentications,
      ...l.networkAuthentications,
      ...l.httpRoutes,
      ...l.servers,
    ]) {
      this.byName.set(
        `${linkerdObjectKind(policy)}/${policy.namespace}/${policy.name}`,
        policy,
      );
    }
  }

  /** Servers selecting the workload on the port (by number, or by container port name). */
  serversFor(
    workload: {
      namespace: string;
      labels: Record<string, string>;
      ports: ContainerPort[];
    },
    port: number,
  ): P[] {
    const names = new Set(
      workload.ports.filter(p => p.port === port && p.name).map(p => p.name),
    );
    return (
      this.servers.get(workload.namespace)?.matching(workload.labels) ?? []
    ).filter(
      s =>
        s.spec.port === port ||
        (typeof s.spec.port === 'string' &&
          (names.has(s.spec.port) || s.spec.port === String(port))),
    );
  }

  allServers(): P[] {
    return this.serverList;
  }

  lookup(kind: string, namespace: string, name: string): P | undefined {
    return this.byName.get(`${kind}/${namespace}/${name}`);
  }

  /** Authorizations of a Server: ServerAuthorizations by name/selector; AuthorizationPolicies on the Server, its Namespace, or its HTTPRoutes. */
  authorizationsOf(server: P): LinkerdAuthz[] {
    return this.serverView(server).all;
  }

  /** The Server's authorizations and HTTPRoutes (computed once per Server). */
  serverView(server: P): LinkerdServerView {
    let view = this.views.get(server);
    if (!view) this.views.set(server, (view = this.buildView(server)));
    return view;
  }

  /**
   * HTTPRoutes attached to the Server. As linkerd's policy controller reads parentRefs: a
   * route naming a parent Server in another namespace, or by port or sectionName, is ignored
   * altogether; routes are sent to the proxy oldest first, then by name.
   */
  private attachedRoutes(server: P): HttpRouteView[] {
    const out: HttpRouteView[] = [];
    for (const route of this.routes.get(server.namespace) ?? []) {
      const parents = (
        Array.isArray(route.spec.parentRefs)
          ? route.spec.parentRefs.filter(isObject)
          : []
      ).filter(p => isServerParent(route, p));
      const invalid = parents.some(
        p =>
          (typeof p.namespace === 'string' &&
            p.namespace !== '' &&
            p.namespace !== route.namespace) ||
          p.port !== undefined ||
          p.sectionName !== undefined,
      );
      if (!invalid && parents.some(p => p.name === server.name))
        out.push(parseHttpRoute(route));
    }
    const key = (r: HttpRouteView) =>
      `${r.route.creationTimestamp ?? '~'} ${r.route.name}`;
    return out.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  }

  private buildView(server: P): LinkerdServerView {
    const all: LinkerdAuthz[] = [];
    const serverLevel: LinkerdAuthz[] = [];
    const routes: LinkerdRouteView[] = this.attachedRoutes(server).map(r => ({
      ...r,
      authz: [],
    }));
    for (const serviceAccount of this.serverAuthz.get(server.namespace) ?? []) {
      const target = isObject(serviceAccount.spec.server)
        ? serviceAccount.spec.server
        : {};
      const hit =
        target.name === server.name ||
        (isObject(target.selector) &&
          selectorMatches(target.selector as LabelSelector, server.labels));
      if (hit) serverLevel.push(this.serverAuthorization(serviceAccount));
    }
    all.push(...serverLevel);
    for (const ap of this.policies.get(server.namespace) ?? []) {
      const t = isObject(ap.spec.targetRef) ? ap.spec.targetRef : {};
      const target = linkerdRefTarget(t);
      if (
        (target === 'Server' && t.name === server.name) ||
        (target === 'Namespace' && t.name === server.namespace)
      ) {
        const authz = this.policy(ap);
        serverLevel.push(...authz);
        all.push(...authz);
      } else if (
        (target === 'HTTPRoute' || target === GATEWAY_HTTP_ROUTE) &&
        typeof t.name === 'string'
      ) {
        const route = routes.find(
          r => r.route.name === t.name && linkerdObjectKind(r.route) === target,
        );
        if (!route) continue;
        const authz = this.policy(ap, route);
        route.authz.push(...authz);
        all.push(...authz);
      }
    }
    // Exact-size arrays: each Server's view lives as long as the index (docs/benchmarks.md,
    // "Memory per pod"), and an array grown by `push` keeps room for 16 more.
    return new ServerView(
      server,
      objectRef('Server', server),
      all.slice(),
      serverLevel.slice(),
      routes,
    );
  }

  private serverAuthorization(serviceAccount: P): LinkerdAuthz {
    const client = isObject(serviceAccount.spec.client)
      ? serviceAccount.spec.client
      : {};
    const mesh = isObject(client.meshTLS) ? client.meshTLS : undefined;
    const td = this.trustDomain;
    return {
      ref: objectRef('ServerAuthorization', serviceAccount),
      policy: serviceAccount,
      requiresIdentity: client.unauthenticated !== true,
      matches: caller => {
        const net = networksMatch(caller, client.networks);
        if (net === 'no') return 'no';
        let m: Tri = 'no';
        if (client.unauthenticated === true) m = 'yes';
        else if (mesh && caller.mtls && caller.mesh === 'linkerd') {
          if (mesh.unauthenticatedTLS === true) m = 'yes';
          const ids = Array.isArray(mesh.identities) ? mesh.identities : [];
          for (const i of ids) {
            if (m === 'yes' || typeof i !== 'string') continue;
            m = or(m, callerIdentityMatch(i, caller));
          }
          const sas = Array.isArray(mesh.serviceAccounts)
            ? mesh.serviceAccounts.filter(isObject)
            : [];
          for (const s of sas) {
            if (m === 'yes') continue;
            m = or(
              m,
              serviceAccountMatch(
                String(s.namespace ?? serviceAccount.namespace),
                String(s.name),
                caller,
              ),
            );
          }
        }
        void td;
        return m === 'yes' ? net : m;
      },
    };
  }

  private policy(ap: P, route?: HttpRouteView): LinkerdAuthz[] {
    const refs = Array.isArray(ap.spec.requiredAuthenticationRefs)
      ? ap.spec.requiredAuthenticationRefs.filter(isObject)
      : [];
    const resolved: RequiredAuthentication[] = [];
    for (const r of refs) {
      const ns =
        typeof r.namespace === 'string' && r.namespace
          ? r.namespace
          : ap.namespace;
      const kind = linkerdRefTarget(r);
      if (kind === 'ServiceAccount') {
        resolved.push({
          kind: 'ServiceAccount',
          namespace: ns,
          name: String(r.name),
        });
        continue;
      }
      const target = kind && this.lookup(kind, ns, String(r.name));
      // CRD: "If any of the referred objects cannot be found, the authorization will be ignored."
      if (!target) return [];
      resolved.push(target);
    }
    const requiresIdentity = resolved.some(
      r => r.kind === 'MeshTLSAuthentication' || r.kind === 'ServiceAccount',
    );
    return [
      new PolicyAuthz(
        objectRef('AuthorizationPolicy', ap),
        ap,
        requiresIdentity,
        route,
        resolved.slice(),
        this.trustDomain,
      ),
    ];
  }
}

/**
 * `Kind namespace/name`, as one flat string: a template literal leaves a rope of its parts, kept
 * as long as the object naming it.
 */
function objectRef(
  kind: string,
  object: { namespace: string; name: string },
): string {
  return [kind, ' ', object.namespace, '/', object.name].join('');
}

/** The default inbound policy of a workload (pod annotation > namespace annotation > cluster). */
export function defaultInboundPolicy(
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
  cluster: string,
): { value: string; source: string } {
  const key = 'config.linkerd.io/default-inbound-policy';
  if (w.annotations[key])
    return { value: w.annotations[key], source: `pod annotation ${key}` };
  if (ns?.annotations[key])
    return {
      value: ns.annotations[key],
      source: `namespace ${ns.name} annotation ${key}`,
    };
  return { value: cluster, source: 'cluster default inbound policy' };
}

/** Evaluates a default policy value for a caller. */
export function defaultPolicyMatches(
  value: string,
  caller: CallerContext,
  clusterNetworks: string[],
): Tri {
  const authenticated = caller.mtls && caller.mesh === 'linkerd';
  switch (value) {
    case 'all-unauthenticated':
    case 'audit':
      return 'yes';
    case 'all-authenticated':
      return authenticated ? 'yes' : 'no';
    case 'cluster-unauthenticated':
      return inClusterNetworks(caller, clusterNetworks);
    case 'cluster-authenticated':
      return authenticated ? inClusterNetworks(caller, clusterNetworks) : 'no';
    case 'deny':
      return 'no';
    default:
      return 'unknown';
  }
}

const STRICT_DEFAULTS = new Set([
  'all-authenticated',
  'cluster-authenticated',
  'deny',
]);

/** Ports that bypass the Linkerd proxy (`config.linkerd.io/skip-inbound-ports`). */
export function linkerdSkipped(
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
  port: number,
): boolean {
  const key = 'config.linkerd.io/skip-inbound-ports';
  const list = portList(w.annotations[key] ?? ns?.annotations[key]);
  if (!list) return false;
  // Entries may be ranges `4000-4010`.
  for (const item of list) {
    const [lo, hi] = item.split('-').map(Number);
    if (port === lo || (hi !== undefined && port >= lo && port <= hi))
      return true;
  }
  return false;
}

/** Ports on which the proxy requires an identity (`config.linkerd.io/proxy-require-identity-inbound-ports`). */
export function linkerdRequiresIdentity(
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
  port: number,
): boolean {
  const key = 'config.linkerd.io/proxy-require-identity-inbound-ports';
  return (
    portList(w.annotations[key] ?? ns?.annotations[key])?.has(String(port)) ??
    false
  );
}

/**
 * Linkerd per-port mode: PERMISSIVE-like when plaintext can be accepted, STRICT-like when the
 * default policy is `*-authenticated`/`deny` or every authorization on the port requires
 * mTLS identity, DISABLED when the port skips the proxy.
 */
export function linkerdPortMode(
  index: LinkerdIndex,
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
  clusterDefault: string,
  port: number | undefined,
): Omit<PortMtls, 'port'> {
  if (port !== undefined && linkerdSkipped(w, ns, port))
    return {
      mtls: 'DISABLED',
      reason: `port ${port} skips the proxy (config.linkerd.io/skip-inbound-ports)`,
    };
  if (port !== undefined && linkerdRequiresIdentity(w, ns, port))
    return {
      mtls: 'STRICT',
      reason: 'config.linkerd.io/proxy-require-identity-inbound-ports',
    };
  if (index.unavailable.anyPort)
    return { mtls: 'UNKNOWN', reason: index.unavailable.anyPort };
  const servers = port === undefined ? [] : index.serversFor(w, port);
  if (servers.length > 0 && index.unavailable.serverPort)
    return { mtls: 'UNKNOWN', reason: index.unavailable.serverPort };
  if (servers.length > 0) {
    const server = servers[0];
    const authz = index.authorizationsOf(server);
    const access =
      typeof server.spec.accessPolicy === 'string'
        ? server.spec.accessPolicy
        : 'deny';
    const ref = `Server ${server.namespace}/${server.name}`;
    if (!DEFAULT_POLICIES.includes(access))
      return {
        mtls: 'UNKNOWN',
        reason: `${ref} has an unknown accessPolicy ${access}`,
      };
    if (STRICT_DEFAULTS.has(access) && authz.every(a => a.requiresIdentity)) {
      return {
        mtls: 'STRICT',
        reason: `${ref}: every authorization requires a mesh identity`,
      };
    }
    return {
      mtls: 'PERMISSIVE',
      reason: `${ref} accepts unauthenticated clients (${
        authz.find(a => !a.requiresIdentity)?.ref ?? `accessPolicy ${access}`
      })`,
    };
  }
  const def = defaultInboundPolicy(w, ns, clusterDefault);
  if (!DEFAULT_POLICIES.includes(def.value))
    return {
      mtls: 'UNKNOWN',
      reason: `unknown default inbound policy ${def.value} (${def.source})`,
    };
  return STRICT_DEFAULTS.has(def.value)
    ? {
        mtls: 'STRICT',
        reason: `default inbound policy ${def.value} (${def.source})`,
      }
    : {
        mtls: 'PERMISSIVE',
        reason: `default inbound policy ${def.value} accepts plaintext (${def.source})`,
      };
}
