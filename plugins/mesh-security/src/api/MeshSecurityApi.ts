import { createApiRef } from '@backstage/core-plugin-api';

/**
 * Readiness of the Mesh Security backend, as reported by `GET /health`.
 *
 * @public
 */
export interface MeshSecurityHealth {
  status: 'ok' | 'degraded' | 'starting';
  /** One line per configured cluster source. */
  clusters: Array<{ name: string; state: string }>;
}

/**
 * Client for the Mesh Security backend.
 *
 * @public
 */
export interface MeshSecurityApi {
  getHealth(): Promise<MeshSecurityHealth>;
}

/**
 * Reference to the {@link MeshSecurityApi}.
 *
 * @public
 */
export const meshSecurityApiRef = createApiRef<MeshSecurityApi>({
  id: 'plugin.mesh-security.service',
});
