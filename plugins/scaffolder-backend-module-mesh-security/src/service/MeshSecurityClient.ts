import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { NotFoundError, ResponseError } from '@backstage/errors';
import { EntityPosture } from '@mesh-security/plugin-mesh-security-common';
import { parseRef } from '../validation';

/** The parts of a catalog entity the actions read. */
export interface CatalogEntitySummary {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
}

/**
 * Reads postures from the `mesh-security` backend and entities from the catalog, over HTTP with
 * the module's own service credentials (plugins never import each other's internals).
 */
export class MeshSecurityClient {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  private async get<T>(pluginId: string, path: string): Promise<T | undefined> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: await this.deps.auth.getOwnServiceCredentials(),
      targetPluginId: pluginId,
    });
    const url = `${await this.deps.discovery.getBaseUrl(pluginId)}${path}`;
    const res = await fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }

  private static path(ref: string) {
    const { kind, namespace, name } = parseRef(ref);
    return `${encodeURIComponent(kind)}/${encodeURIComponent(
      namespace,
    )}/${encodeURIComponent(name)}`;
  }

  /** The posture of an entity; a NotFoundError names it when unknown. */
  async posture(ref: string): Promise<EntityPosture> {
    const posture = await this.get<EntityPosture>(
      'mesh-security',
      `/entity/${MeshSecurityClient.path(ref)}`,
    );
    if (!posture)
      throw new NotFoundError(
        `${ref} is not known to Mesh Security (not in the catalog, or no workloads found)`,
      );
    return posture;
  }

  /** The catalog entity (annotations), or undefined. */
  async entity(ref: string): Promise<CatalogEntitySummary | undefined> {
    return this.get<CatalogEntitySummary>(
      'catalog',
      `/entities/by-name/${MeshSecurityClient.path(ref)}`,
    );
  }
}
