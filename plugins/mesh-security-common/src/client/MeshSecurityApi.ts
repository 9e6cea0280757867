import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CheckRequest,
  CheckResponse,
  EntityPosture,
  EntityPostureSummary,
  CatalogPullRequests,
  EntityPullRequests,
  HealthResponse,
  OverviewQuery,
  OverviewResponse,
} from '../api';
import {
  EntityPostureHistory,
  OverviewHistory,
  OverviewHistoryQuery,
} from '../history';
import { ComponentFactsResponse } from '../facts';

/**
 * Options of a single request to the Mesh Security backend.
 *
 * @public
 */
export interface MeshSecurityRequestOptions {
  /**
   * A Backstage token sent as `Authorization: Bearer`. Backend callers pass the one from
   * `auth.getPluginRequestToken`; in the browser the fetch API attaches the user's and this is
   * left out.
   */
  token?: string;
}

/**
 * The REST API of the `mesh-security` backend plugin (docs/backend.md, "REST API").
 *
 * @public
 */
export interface MeshSecurityApi {
  /** An entity's posture across every cluster (`GET /entity/:kind/:namespace/:name`). */
  getEntityPosture(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPosture>;
  /**
   * An entity's posture at a glance, what its card shows: the same mode, scorecard, findings
   * and clusters, the workloads summarised (`GET /entity/:kind/:namespace/:name/summary`).
   */
  getEntityPostureSummary(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPostureSummary>;
  /**
   * A component's daily posture and mode changes
   * (`GET /entity/:kind/:namespace/:name/history`).
   */
  getEntityHistory(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPostureHistory>;
  /** The catalog-wide daily posture, optionally of one owner (`GET /history`). */
  getOverviewHistory(
    query?: OverviewHistoryQuery,
    options?: MeshSecurityRequestOptions,
  ): Promise<OverviewHistory>;
  /**
   * One page of the facts of every annotated component the caller may read (`GET /facts`), as
   * Tech Insights stores them.
   */
  getFacts(
    query?: { offset?: number; limit?: number },
    options?: MeshSecurityRequestOptions,
  ): Promise<ComponentFactsResponse>;
  /**
   * The catalog-wide daily posture as CSV (`GET /history?format=csv`): a header row
   * (`OVERVIEW_HISTORY_CSV_COLUMNS`), then one row per day.
   */
  getOverviewHistoryCsv(
    query?: OverviewHistoryQuery,
    options?: MeshSecurityRequestOptions,
  ): Promise<string>;
  /**
   * A component's daily posture as CSV
   * (`GET /entity/:kind/:namespace/:name/history?format=csv`): a header row
   * (`ENTITY_HISTORY_CSV_COLUMNS`), then one row per day.
   */
  getEntityHistoryCsv(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<string>;
  /** The catalog-wide overview, filtered, sorted and paginated by the backend. */
  getOverview(
    query?: OverviewQuery,
    options?: MeshSecurityRequestOptions,
  ): Promise<OverviewResponse>;
  /** Whether a request from one endpoint to another would be allowed. */
  check(
    request: CheckRequest,
    options?: MeshSecurityRequestOptions,
  ): Promise<CheckResponse>;
  /** Backend readiness and per-cluster status (also while starting, answered with 503). */
  getHealth(options?: MeshSecurityRequestOptions): Promise<HealthResponse>;
  /**
   * The entity's open access-change pull requests in its GitOps repository
   * (`GET /entity/:kind/:namespace/:name/pull-requests`). Forge failures come back as
   * `status: 'error'`, not as a thrown error.
   */
  getEntityPullRequests(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPullRequests>;
  /**
   * The open access-change pull requests of every configured GitOps repository about components
   * the caller may read (`GET /pull-requests`, the platform view). A repository GitHub does not
   * answer for makes the answer `partial`, not a thrown error.
   */
  getPullRequests(
    options?: MeshSecurityRequestOptions,
  ): Promise<CatalogPullRequests>;
}
