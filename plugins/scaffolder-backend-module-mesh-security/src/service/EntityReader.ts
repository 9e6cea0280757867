import { AuthService } from '@backstage/backend-plugin-api';
import { NotFoundError, ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityPosture,
  MeshSecurityApi,
} from '@mesh-security/plugin-mesh-security-common';
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
 * Reads postures from the `mesh-security` backend (through its REST client) and entities from
 * the catalog service, with the module's own service credentials. The actions call it only
 * after the user who started the task was found allowed to read each entity.
 */
export class EntityReader {
  constructor(
    private readonly deps: {
      meshSecurity: MeshSecurityApi;
      catalog: CatalogService;
      auth: AuthService;
    },
  ) {}

  /** The posture of an entity; a NotFoundError names it when unknown. */
  async posture(ref: string): Promise<EntityPosture> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: await this.deps.auth.getOwnServiceCredentials(),
      targetPluginId: 'mesh-security',
    });
    try {
      return await this.deps.meshSecurity.getEntityPosture(parseRef(ref), {
        token,
      });
    } catch (error) {
      if (error instanceof ResponseError && error.statusCode === 404) {
        throw new NotFoundError(
          `${ref} is not known to Mesh Security (not in the catalog, or no workloads found)`,
        );
      }
      throw error;
    }
  }

  /** The catalog entity (annotations), or undefined. */
  async entity(ref: string): Promise<CatalogEntitySummary | undefined> {
    return this.deps.catalog.getEntityByRef(parseRef(ref), {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    });
  }
}
