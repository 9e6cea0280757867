import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CheckRequest,
  CheckResponse,
  EntityPosture,
  EntityPullRequests,
  HealthResponse,
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { MeshSecurityApi } from './MeshSecurityApi';

/** `kind/namespace/name` of an entity, each part URL-encoded. */
function entityPath(entityRef: string | CompoundEntityRef): string {
  const { kind, namespace, name } =
    typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
  return [kind, namespace, name]
    .map(part => encodeURIComponent(part))
    .join('/');
}

/**
 * Talks to the `mesh-security` backend plugin through discovery, with the user's credentials
 * attached by the fetch API.
 *
 * @public
 */
export class MeshSecurityClient implements MeshSecurityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** {@inheritDoc MeshSecurityApi.getEntityPosture} */
  async getEntityPosture(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityPosture> {
    return this.request<EntityPosture>(`/entity/${entityPath(entityRef)}`);
  }

  /** {@inheritDoc MeshSecurityApi.getEntityPullRequests} */
  async getEntityPullRequests(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityPullRequests> {
    return this.request<EntityPullRequests>(
      `/entity/${entityPath(entityRef)}/pull-requests`,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getOverview} */
  async getOverview(query: OverviewQuery = {}): Promise<OverviewResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    return this.request<OverviewResponse>(`/overview${qs ? `?${qs}` : ''}`);
  }

  /** {@inheritDoc MeshSecurityApi.check} */
  async check(request: CheckRequest): Promise<CheckResponse> {
    return this.request<CheckResponse>('/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  /** {@inheritDoc MeshSecurityApi.getHealth} */
  async getHealth(): Promise<HealthResponse> {
    // 503 while the backend is starting still carries a HealthResponse body worth showing.
    const response = await this.fetch('/health');
    if (!response.ok && response.status !== 503) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as HealthResponse;
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mesh-security');
    return this.fetchApi.fetch(`${baseUrl}${path}`, init);
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.fetch(path, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
