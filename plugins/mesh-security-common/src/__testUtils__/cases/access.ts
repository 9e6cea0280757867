import { ADMIN_NETPOL_CASES } from './adminNetworkPolicy';
import { CILIUM_NETPOL_CASES } from './ciliumNetworkPolicy';
import { ISTIO_AUTHZ_CASES } from './istioAccess';
import { LINKERD_CASES } from './linkerdAccess';
import { MTLS_ACCESS_CASES } from './mtlsAccess';
import { NETPOL_CASES } from './networkPolicyAccess';
import { SERVICE_REGISTRY_CASES } from './serviceEntry';
import { WAYPOINT_CASES } from './waypoint';

export type { AccessCase } from './accessCase';

/*
 * The access-check table: every documented access rule as a case, one file per rule family
 * (istioAccess, mtlsAccess, linkerdAccess, networkPolicyAccess, adminNetworkPolicy,
 * ciliumNetworkPolicy, serviceEntry, waypoint); the objects several of them share are in
 * accessFixtures.
 */

export const ALL_ACCESS_CASES = [
  ...ISTIO_AUTHZ_CASES,
  ...MTLS_ACCESS_CASES,
  ...LINKERD_CASES,
  ...NETPOL_CASES,
  ...ADMIN_NETPOL_CASES,
  ...CILIUM_NETPOL_CASES,
  ...SERVICE_REGISTRY_CASES,
  ...WAYPOINT_CASES,
];
