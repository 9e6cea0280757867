import { FindingDefinition } from '../../model';
import { AUTHZ_FINDINGS } from './authorization';
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
  ...Object.values(IDENTITY_FINDINGS),
  ...Object.values(TRAFFIC_FINDINGS),
].sort((a, b) => a.code.localeCompare(b.code));

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
