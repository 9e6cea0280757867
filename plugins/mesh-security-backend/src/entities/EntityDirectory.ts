import { AuthService } from '@backstage/backend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  EntityFilterQuery,
} from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import {
  KUBERNETES_NAMESPACE_ANNOTATION,
  MESH_SECURITY_ANNOTATION_PREFIX,
} from '@mesh-security/plugin-mesh-security-common';

/** Components that map to workloads: the ones the overview lists and views are asked for. */
export const ANNOTATED_COMPONENTS: EntityFilterQuery = [
  {
    kind: 'component',
    [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
  },
  {
    kind: 'component',
    [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]:
      CATALOG_FILTER_EXISTS,
  },
];

/** The entity fields the posture needs (name, title, owner, system and the Kubernetes annotations). */
const FIELDS = [
  'apiVersion',
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
  'spec.system',
];

// Small pages: when the catalog runs in the same backend, each page is work on the same event
// loop that serves views (a page of 500 blocked it for tens of milliseconds in bench:backend).
const PAGE_SIZE = 100;

/** Annotations the plugin reads: the Kubernetes plugin's and our own (e.g. the GitOps repo). */
const KUBERNETES_ANNOTATIONS = new Set<string>([
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
]);

interface Entry {
  entity: Entity;
  expiresAt: number;
}

/** Options of {@link EntityDirectory}. */
export interface EntityDirectoryOptions {
  catalog: CatalogService;
  auth: AuthService;
  /** How long an entity's fields are used before they are read again. */
  ttlMs: number;
  /** Bound on entities read one by one (outside the listing); the oldest are evicted first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * What catalog entities say (their Kubernetes annotations, owner, system), read with the plugin's
 * own service credentials and kept in memory for `ttlMs`. Annotated components are listed in the
 * background (paginated), so a view rarely waits for the catalog; any other entity is read on
 * first use. This holds no access decision: who may see an entity is decided per request by the
 * permission framework with the caller's credentials (`catalog.entity.read` and
 * `mesh-security.entity.read` with the entity's ref), and only then is the entity looked up here.
 */
export class EntityDirectory {
  /** The last complete listing of annotated components, replaced as a whole by the next one. */
  private listed = new Map<string, Entity>();
  private listedExpiresAt = 0;
  /** Entities read one by one (not in the listing), oldest first. */
  private readonly read = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entity | undefined>>();
  /** The listing under way, shared by everyone who asks for one meanwhile. */
  private listing?: Promise<void>;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: EntityDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The entity, or undefined when the catalog has no such entity. */
  async get(entityRef: string): Promise<Entity | undefined> {
    // Catalog refs are case-insensitive.
    const ref = entityRef.toLocaleLowerCase('en-US');
    const now = this.now();
    const listed =
      this.listedExpiresAt > now ? this.listed.get(ref) : undefined;
    if (listed) return listed;
    const entry = this.read.get(ref);
    if (entry && entry.expiresAt > now) return entry.entity;
    let pending = this.loading.get(ref);
    if (!pending) {
      pending = this.load(ref).finally(() => this.loading.delete(ref));
      this.loading.set(ref, pending);
    }
    return pending;
  }

  /**
   * Every annotated component, from the listing; when there is none or it expired, one is made
   * now. Throws when the catalog cannot be listed: who owns a workload is then unknown.
   */
  async annotated(): Promise<Entity[]> {
    if (this.listedExpiresAt <= this.now()) await this.refresh();
    return [...this.listed.values()];
  }

  /** How many entities are held (listed and read one by one). */
  get size(): number {
    return this.listed.size + this.read.size;
  }

  /**
   * Lists every annotated component and replaces the previous listing with the result, so a
   * component that is gone (deleted, or its annotations removed) is no longer served from it. On
   * a catalog error the previous listing stays, for at most three intervals in all; after that
   * entities are read one by one.
   */
  async refresh(): Promise<void> {
    this.listing ??= this.list().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async list(): Promise<void> {
    const { catalog, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const listed = new Map<string, Entity>();
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE, fields: FIELDS }
          : { filter: ANNOTATED_COMPONENTS, limit: PAGE_SIZE, fields: FIELDS },
        { credentials },
      );
      for (const entity of page.items) listed.set(refOf(entity), trim(entity));
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    this.listed = listed;
    this.listedExpiresAt = this.now() + this.options.ttlMs * 3;
  }

  private async load(ref: string): Promise<Entity | undefined> {
    const { catalog, auth } = this.options;
    const entity = await catalog.getEntityByRef(ref, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    this.read.delete(ref);
    if (!entity) return undefined;
    const trimmed = trim(entity);
    this.read.set(ref, {
      entity: trimmed,
      expiresAt: this.now() + this.options.ttlMs,
    });
    if (this.read.size > this.maxEntries)
      this.read.delete(this.read.keys().next().value!);
    return trimmed;
  }
}

function refOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

/** Only the fields the posture uses: a catalog entity can be large; what we keep stays small. */
function trim(entity: Entity): Entity {
  const { name, namespace, title, annotations } = entity.metadata;
  const spec = entity.spec ?? {};
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (
      KUBERNETES_ANNOTATIONS.has(key) ||
      key.startsWith(MESH_SECURITY_ANNOTATION_PREFIX)
    )
      kept[key] = value;
  }
  return {
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata: {
      name,
      namespace: namespace ?? 'default',
      ...(title !== undefined ? { title } : {}),
      annotations: kept,
    },
    spec: {
      ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
      ...(spec.system !== undefined ? { system: spec.system } : {}),
    },
  };
}
