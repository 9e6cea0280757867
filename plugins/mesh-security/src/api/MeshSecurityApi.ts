import { createApiRef } from '@backstage/core-plugin-api';
import {
  HealthResponse,
  MeshSecurityApi,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * Readiness of the Mesh Security backend, as reported by `GET /health`.
 *
 * @public
 * @deprecated Use `HealthResponse` from `@mesh-security/plugin-mesh-security-common`.
 */
export type MeshSecurityHealth = HealthResponse;

/**
 * Reference to the Mesh Security REST client (`MeshSecurityApi` of
 * `@mesh-security/plugin-mesh-security-common`).
 *
 * @public
 */
export const meshSecurityApiRef = createApiRef<MeshSecurityApi>({
  id: 'plugin.mesh-security.service',
});
