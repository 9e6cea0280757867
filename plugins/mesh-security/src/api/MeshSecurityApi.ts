import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  CheckRequest,
  CheckResponse,
  EntityPosture,
  EntityPullRequests,
  HealthResponse,
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * Readiness of the Mesh Security backend, as reported by `GET /health`.
 *
 * @public
 * @deprecated Use `HealthResponse` from `@mesh-security/plugin-mesh-security-common`.
 */
export type MeshSecurityHealth = HealthResponse;

/**
 * Client for the Mesh Security backend's REST API.
 *
 * @public
 */
export interface MeshSecurityApi {
  /** An entity's posture across every cluster (`GET /entity/:kind/:namespace/:name`). */
  getEntityPosture(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityPosture>;
  /** The catalog-wide overview, filtered, sorted and paginated by the backend. */
  getOverview(query?: OverviewQuery): Promise<OverviewResponse>;
  /** Whether a request from one endpoint to another would be allowed. */
  check(request: CheckRequest): Promise<CheckResponse>;
  /** Backend readiness and per-cluster status. */
  getHealth(): Promise<HealthResponse>;
  /**
   * The entity's open access-change pull requests in its GitOps repository
   * (`GET /entity/:kind/:namespace/:name/pull-requests`). Forge failures come back as
   * `status: 'error'`, not as a thrown error.
   */
  getEntityPullRequests(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityPullRequests>;
}

/**
 * Reference to the {@link MeshSecurityApi}.
 *
 * @public
 */
export const meshSecurityApiRef = createApiRef<MeshSecurityApi>({
  id: 'plugin.mesh-security.service',
});
