import { JsonObject, SnapshotPolicy } from '../model';
import { CallerContext, Tri } from './caller';
import { cidrContains, cidrIsAll } from './match';
import { isObject } from './validate/check';

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

/** Whether the caller's IPs lie in a list of networks (`cidr` minus `except`). */
export function networksMatch(caller: CallerContext, networks: unknown): Tri {
  if (!Array.isArray(networks)) return 'yes';
  let result: Tri = 'no';
  for (const n of networks) {
    if (!isObject(n) || typeof n.cidr !== 'string') continue;
    const except = Array.isArray(n.except)
      ? n.except.filter((e): e is string => typeof e === 'string')
      : [];
    if (cidrIsAll(n.cidr) && except.length === 0) return 'yes';
    if (!caller.ips || caller.ips.length === 0) {
      result = 'unknown';
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
  if (!caller.ips) return 'no'; // an external client is outside the cluster networks by definition
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
  if (!caller.mtls || caller.mesh !== 'linkerd')
    return caller.kind === 'any-meshed' ? anyMeshedMatch(auth) : 'no';
  const ids = auth.spec.identities;
  if (Array.isArray(ids))
    return ids.some(
      i =>
        typeof i === 'string' &&
        linkerdIdentityMatch(i, caller.linkerdIdentity),
    )
      ? 'yes'
      : 'no';
  const refs = Array.isArray(auth.spec.identityRefs)
    ? auth.spec.identityRefs.filter(isObject)
    : [];
  for (const r of refs) {
    const ns = typeof r.namespace === 'string' ? r.namespace : auth.namespace;
    if (r.kind === 'ServiceAccount') {
      if (
        caller.namespace === ns &&
        (r.name === undefined || r.name === caller.serviceAccount)
      )
        return 'yes';
    } else if (r.kind === 'Namespace') {
      if (r.name === undefined || r.name === caller.namespace) return 'yes';
    }
  }
  void trustDomain;
  return 'no';
}

/** "any meshed identity" matches only authentications that accept every identity. */
function anyMeshedMatch(auth: P): Tri {
  const ids = auth.spec.identities;
  return Array.isArray(ids) && ids.includes('*') ? 'yes' : 'no';
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
