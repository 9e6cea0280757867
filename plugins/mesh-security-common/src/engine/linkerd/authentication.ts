import { JsonObject, SnapshotPolicy } from '../../model';
import { CallerContext, Tri, unknownForGroup } from '../core/caller';
import { addressSetWithin, cidrContains, cidrIsAll } from '../core/match';
import { isObject } from '../validate/check';

/*
 * Linkerd client matching, "Authorization Policy" reference
 * (https://linkerd.io/2-edge/reference/authorization-policy/): MeshTLSAuthentication
 * identities (`*` prefix wildcards), identityRefs to ServiceAccounts/Namespaces, and
 * NetworkAuthentication CIDRs with `except`.
 */

type P = SnapshotPolicy<JsonObject>;

/** Linkerd identity matching: exact, `*` for all, `*.suffix` for a domain. */
export function linkerdIdentityMatch(
  pattern: string,
  identity: string | undefined,
): boolean {
  if (identity === undefined) return false;
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return identity.endsWith(pattern.slice(1));
  return pattern === identity;
}

/**
 * {@link linkerdIdentityMatch} against the caller: its identity in full, or for a caller group
 * `<sa><suffix>` with the suffix known and the service account not.
 */
export function callerIdentityMatch(
  pattern: string,
  caller: CallerContext,
): Tri {
  if (caller.group?.namespaceUnknown)
    return pattern === '*' ? 'yes' : unknownForGroup(caller);
  const suffix = caller.group?.linkerdIdentitySuffix;
  if (suffix === undefined)
    return linkerdIdentityMatch(pattern, caller.linkerdIdentity) ? 'yes' : 'no';
  if (pattern === '*') return 'yes';
  if (pattern.startsWith('*')) {
    const end = pattern.slice(1);
    if (suffix.endsWith(end)) return 'yes';
    return end.endsWith(suffix) ? unknownForGroup(caller) : 'no';
  }
  return pattern.endsWith(suffix) && pattern.length > suffix.length
    ? unknownForGroup(caller)
    : 'no';
}

/** A ServiceAccount reference against the caller (a caller group knows only its namespace). */
export function serviceAccountMatch(
  namespace: string,
  name: string | undefined,
  caller: CallerContext,
): Tri {
  if (caller.group?.namespaceUnknown) return unknownForGroup(caller);
  if (caller.namespace !== namespace) return 'no';
  if (name === undefined) return 'yes';
  if (caller.group) return unknownForGroup(caller);
  return caller.serviceAccount === name ? 'yes' : 'no';
}

/** Whether the caller's IPs lie in a list of networks (`cidr` minus `except`). */
export function networksMatch(caller: CallerContext, networks: unknown): Tri {
  if (!Array.isArray(networks)) return 'yes';
  const result = eachNetworkMatch(caller, networks);
  if (result !== 'unknown' || !caller.network || caller.network.remote)
    return result;
  // A network peer's range may span several networks: within their union less every exclusion
  // (a subset of the networks) it is inside.
  const list = networks.filter(isObject);
  const union = addressSetWithin(caller.network, {
    cidrs: list
      .map(n => n.cidr)
      .filter((c): c is string => typeof c === 'string'),
    except: list.flatMap(n =>
      Array.isArray(n.except)
        ? n.except.filter((e): e is string => typeof e === 'string')
        : [],
    ),
  });
  return union === 'yes' ? 'yes' : 'unknown';
}

function eachNetworkMatch(caller: CallerContext, networks: unknown[]): Tri {
  let result: Tri = 'no';
  for (const n of networks) {
    if (!isObject(n) || typeof n.cidr !== 'string') continue;
    const except = Array.isArray(n.except)
      ? n.except.filter((e): e is string => typeof e === 'string')
      : [];
    if (cidrIsAll(n.cidr) && except.length === 0) return 'yes';
    if (caller.network) {
      // A network peer: the connection's source address; the original client's is not read.
      const m: Tri = caller.network.remote
        ? 'unknown'
        : addressSetWithin(caller.network, { cidrs: [n.cidr], except });
      if (m === 'yes') return m;
      if (m === 'unknown') result = m;
      continue;
    }
    if (!caller.ips || caller.ips.length === 0) {
      result = caller.group ? unknownForGroup(caller) : 'unknown';
      continue;
    }
    const inside = caller.ips.every(
      ip =>
        cidrContains(n.cidr as string, ip) === true &&
        except.every(e => cidrContains(e, ip) === false),
    );
    if (inside) return 'yes';
    if (caller.ips.some(ip => cidrContains(n.cidr as string, ip) === undefined))
      result = 'unknown';
  }
  return result;
}

/** In the cluster networks (`cluster-*` default policies). */
export function inClusterNetworks(
  caller: CallerContext,
  clusterNetworks: string[],
): Tri {
  if (caller.inCluster) return 'yes';
  if (!caller.ips && !caller.network) return 'no'; // an external client is outside the cluster networks by definition
  return networksMatch(
    caller,
    clusterNetworks.map(cidr => ({ cidr })),
  );
}

/** MeshTLSAuthentication: the caller presents one of the identities. */
export function meshTlsMatches(
  auth: P,
  caller: CallerContext,
  trustDomain: string,
): Tri {
  if (!caller.mtls || caller.mesh !== 'linkerd') return 'no';
  let result: Tri = 'no';
  const ids = auth.spec.identities;
  if (Array.isArray(ids)) {
    for (const i of ids) {
      if (typeof i !== 'string') continue;
      const m = callerIdentityMatch(i, caller);
      if (m === 'yes') return m;
      if (m === 'unknown') result = m;
    }
    return result;
  }
  const refs = Array.isArray(auth.spec.identityRefs)
    ? auth.spec.identityRefs.filter(isObject)
    : [];
  for (const r of refs) {
    const ns = typeof r.namespace === 'string' ? r.namespace : auth.namespace;
    let m: Tri = 'no';
    if (r.kind === 'ServiceAccount')
      m = serviceAccountMatch(
        ns,
        typeof r.name === 'string' ? r.name : undefined,
        caller,
      );
    else if (r.kind === 'Namespace') {
      if (r.name === undefined) m = 'yes';
      else if (caller.group?.namespaceUnknown) m = unknownForGroup(caller);
      else m = r.name === caller.namespace ? 'yes' : 'no';
    }
    if (m === 'yes') return m;
    if (m === 'unknown') result = m;
  }
  void trustDomain;
  return result;
}

/** True when the authentication accepts every identity or every network (allow-all). */
export function authenticationIsAllowAll(auth: P): boolean {
  if (auth.kind === 'MeshTLSAuthentication')
    return (
      Array.isArray(auth.spec.identities) && auth.spec.identities.includes('*')
    );
  const nets = Array.isArray(auth.spec.networks)
    ? auth.spec.networks.filter(isObject)
    : [];
  return nets.some(
    n =>
      typeof n.cidr === 'string' &&
      cidrIsAll(n.cidr) &&
      !(Array.isArray(n.except) && n.except.length > 0),
  );
}
