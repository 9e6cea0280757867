import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
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
import { MeshSecurityApi, MeshSecurityRequestOptions } from './MeshSecurityApi';

/** `kind/namespace/name` of an entity, each part URL-encoded. */
function entityPath(entityRef: string | CompoundEntityRef): string {
  const { kind, namespace, name } =
    typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
  return [kind, namespace, name]
    .map(part => encodeURIComponent(part))
    .join('/');
}

/** `?key=value&…` of the set, non-empty fields of a query; empty when none is set. */
function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/**
 * Talks to the `mesh-security` backend plugin, found through discovery. Runs in the browser
 * (the fetch API attaches the user's credentials) and in Node (callers pass a token per
 * request).
 *
 * @public
 */
export class MeshSecurityClient implements MeshSecurityApi {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    /** Finds the backend's base URL (`getBaseUrl('mesh-security')`). */
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    /** Sends the requests; the global `fetch` when absent. */
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...args) => fetch(...args) };
  }

  /** {@inheritDoc MeshSecurityApi.getEntityPosture} */
  async getEntityPosture(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPosture> {
    return this.request<EntityPosture>(
      `/entity/${entityPath(entityRef)}`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getEntityPostureSummary} */
  async getEntityPostureSummary(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPostureSummary> {
    return this.request<EntityPostureSummary>(
      `/entity/${entityPath(entityRef)}/summary`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getEntityPullRequests} */
  async getEntityPullRequests(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPullRequests> {
    return this.request<EntityPullRequests>(
      `/entity/${entityPath(entityRef)}/pull-requests`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getPullRequests} */
  async getPullRequests(
    options?: MeshSecurityRequestOptions,
  ): Promise<CatalogPullRequests> {
    return this.request<CatalogPullRequests>('/pull-requests', options);
  }

  /** {@inheritDoc MeshSecurityApi.getEntityHistory} */
  async getEntityHistory(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<EntityPostureHistory> {
    return this.request<EntityPostureHistory>(
      `/entity/${entityPath(entityRef)}/history`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getOverviewHistory} */
  async getOverviewHistory(
    query: OverviewHistoryQuery = {},
    options?: MeshSecurityRequestOptions,
  ): Promise<OverviewHistory> {
    return this.request<OverviewHistory>(
      `/history${queryString(query)}`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getFacts} */
  async getFacts(
    query: { offset?: number; limit?: number } = {},
    options?: MeshSecurityRequestOptions,
  ): Promise<ComponentFactsResponse> {
    return this.request<ComponentFactsResponse>(
      `/facts${queryString(query)}`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getOverviewHistoryCsv} */
  async getOverviewHistoryCsv(
    query: OverviewHistoryQuery = {},
    options?: MeshSecurityRequestOptions,
  ): Promise<string> {
    return this.text(
      `/history${queryString({ ...query, format: 'csv' })}`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getEntityHistoryCsv} */
  async getEntityHistoryCsv(
    entityRef: string | CompoundEntityRef,
    options?: MeshSecurityRequestOptions,
  ): Promise<string> {
    return this.text(
      `/entity/${entityPath(entityRef)}/history?format=csv`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.getOverview} */
  async getOverview(
    query: OverviewQuery = {},
    options?: MeshSecurityRequestOptions,
  ): Promise<OverviewResponse> {
    return this.request<OverviewResponse>(
      `/overview${queryString(query)}`,
      options,
    );
  }

  /** {@inheritDoc MeshSecurityApi.check} */
  async check(
    request: CheckRequest,
    options?: MeshSecurityRequestOptions,
  ): Promise<CheckResponse> {
    return this.request<CheckResponse>('/check', options, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  /** {@inheritDoc MeshSecurityApi.getHealth} */
  async getHealth(
    options?: MeshSecurityRequestOptions,
  ): Promise<HealthResponse> {
    // 503 while the backend is starting still carries a HealthResponse body worth showing.
    const response = await this.fetch('/health', options);
    if (!response.ok && response.status !== 503) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as HealthResponse;
  }

  private async fetch(
    path: string,
    options: MeshSecurityRequestOptions | undefined,
    init: RequestInit = {},
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mesh-security');
    const headers = new Headers(init.headers);
    if (options?.token) headers.set('Authorization', `Bearer ${options.token}`);
    return this.fetchApi.fetch(`${baseUrl}${path}`, { ...init, headers });
  }

  /** A text answer (CSV), asked for as `text/csv`. */
  private async text(
    path: string,
    options: MeshSecurityRequestOptions | undefined,
  ): Promise<string> {
    const response = await this.fetch(path, options, {
      headers: { Accept: 'text/csv' },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.text();
  }

  private async request<T>(
    path: string,
    options: MeshSecurityRequestOptions | undefined,
    init?: RequestInit,
  ): Promise<T> {
    const response = await this.fetch(path, options, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
