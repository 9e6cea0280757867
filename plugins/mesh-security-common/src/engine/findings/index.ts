import { FindingDefinition } from '../../model';
import { AUTHZ_FINDINGS } from './authorization';
import { CERTIFICATE_FINDINGS } from './certificates';
import { CNI_FINDINGS } from './cni';
import { IDENTITY_FINDINGS } from './identity';
import { MTLS_FINDINGS } from './mtls';
import { NETPOL_FINDINGS } from './networkPolicy';
import { TRAFFIC_FINDINGS } from './traffic';

/**
 * Every finding code the engine can report, sorted by code: the registry the UI and the docs
 * list. Codes are stable; new codes are only ever added.
 *
 * @public
 */
export const findingDefinitions: readonly FindingDefinition[] = [
  ...Object.values(MTLS_FINDINGS),
  ...Object.values(AUTHZ_FINDINGS),
  ...Object.values(NETPOL_FINDINGS),
  ...Object.values(CNI_FINDINGS),
  ...Object.values(IDENTITY_FINDINGS),
  ...Object.values(TRAFFIC_FINDINGS),
  ...Object.values(CERTIFICATE_FINDINGS),
].sort((a, b) => a.code.localeCompare(b.code));

/**
 * The codes of findings about a cluster as a whole (its network plugin, its meshes' trust
 * roots), raised by `enforcementFindings` and `certificateFindings` rather than per object.
 *
 * @public
 */
export const CLUSTER_WIDE_FINDING_CODES: readonly string[] = [
  ...Object.values(CNI_FINDINGS),
  ...Object.values(CERTIFICATE_FINDINGS),
].map(d => d.code);

/**
 * The definition of one finding code, if it exists.
 *
 * @public
 */
export function findingDefinition(code: string): FindingDefinition | undefined {
  return findingDefinitions.find(d => d.code === code);
}

export {
  MTLS_FINDINGS,
  AUTHZ_FINDINGS,
  NETPOL_FINDINGS,
  IDENTITY_FINDINGS,
  TRAFFIC_FINDINGS,
};
export {
  certificateFindings,
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  MESH_TRUST_ROOTS,
  meshCertificates,
} from './certificates';
export type { MeshCertificateOptions, ParsedCertificate } from './certificates';
export { detectNetworkPolicyEnforcement, enforcementFindings } from './cni';
export {
  concernsMeshes,
  FINDING_SCOPES,
  findingNamespace,
  findingScope,
} from './scope';
export type { FindingScope } from './scope';
