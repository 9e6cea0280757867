import { createApiRef } from '@backstage/core-plugin-api';
import { MeshSecurityApi } from '@mesh-security/plugin-mesh-security-common';

/**
 * Reference to the Mesh Security REST client (`MeshSecurityApi` of
 * `@mesh-security/plugin-mesh-security-common`).
 *
 * @public
 */
export const meshSecurityApiRef = createApiRef<MeshSecurityApi>({
  id: 'plugin.mesh-security.service',
});
