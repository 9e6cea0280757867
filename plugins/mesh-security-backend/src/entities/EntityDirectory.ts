import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS, EntityFilterQuery } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { KUBERNETES_ID_ANNOTATION, KUBERNETES_LABEL_SELECTOR_ANNOTATION } from './resolveWorkloads';

/** Components that map to workloads: the ones the overview lists and views are asked for. */
export const ANNOTATED_COMPONENTS: EntityFilterQuery = [
  { kind: 'component', [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: CATALOG_FILTER_EXISTS },
  { kind: 'component', [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`]: CATALOG_FILTER_EXISTS },
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
const KEPT_ANNOTATIONS = ['backstage.io/kubernetes-', 'mesh-security.io/'];

interface Entry {
  entity: Entity;
  expiresAt: number;
  /** Put there by the listing of annotated components (replaced or dropped by the next one). */
  listed: boolean;
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
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entity | undefined>>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  private oneByOne = 0;

  constructor(private readonly options: EntityDirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The entity, or undefined when the catalog has no such entity. */
  async get(entityRef: string): Promise<Entity | undefined> {
    // Catalog refs are case-insensitive.
    const ref = entityRef.toLocaleLowerCase('en-US');
    const entry = this.entries.get(ref);
    if (entry && entry.expiresAt > this.now()) return entry.entity;
    let pending = this.loading.get(ref);
    if (!pending) {
      pending = this.load(ref).finally(() => this.loading.delete(ref));
      this.loading.set(ref, pending);
    }
    return pending;
  }

  /** How many entities are held (listed and read one by one). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Lists every annotated component and replaces the listed entries with the result; a component
   * that is gone (deleted, or its annotations removed) is dropped. On a catalog error nothing is
   * replaced: entries expire as usual and are read one by one.
   */
  async refresh(): Promise<void> {
    const { catalog, auth } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const listed = new Map<string, Entity>();
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor ? { cursor, limit: PAGE_SIZE, fields: FIELDS } : { filter: ANNOTATED_COMPONENTS, limit: PAGE_SIZE, fields: FIELDS },
        { credentials },
      );
      for (const entity of page.items) listed.set(refOf(entity), trim(entity));
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    const expiresAt = this.now() + this.options.ttlMs * 3;
    for (const [ref, entry] of this.entries) {
      if (entry.listed && !listed.has(ref)) this.entries.delete(ref);
    }
    for (const [ref, entity] of listed) {
      if (this.entries.get(ref)?.listed === false) this.oneByOne--;
      this.entries.set(ref, { entity, expiresAt, listed: true });
    }
  }

  private async load(ref: string): Promise<Entity | undefined> {
    const { catalog, auth } = this.options;
    const entity = await catalog.getEntityByRef(ref, { credentials: await auth.getOwnServiceCredentials() });
    const previous = this.entries.get(ref);
    if (previous) {
      this.entries.delete(ref);
      if (!previous.listed) this.oneByOne--;
    }
    if (!entity) return undefined;
    const trimmed = trim(entity);
    this.entries.set(ref, { entity: trimmed, expiresAt: this.now() + this.options.ttlMs, listed: false });
    this.oneByOne++;
    if (this.oneByOne > this.maxEntries) this.evictOldestOneByOne();
    return trimmed;
  }

  private evictOldestOneByOne() {
    for (const [ref, entry] of this.entries) {
      if (!entry.listed) {
        this.entries.delete(ref);
        this.oneByOne--;
        return;
      }
    }
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
    if (KEPT_ANNOTATIONS.some(prefix => key.startsWith(prefix))) kept[key] = value;
  }
  return {
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata: { name, namespace: namespace ?? 'default', ...(title !== undefined ? { title } : {}), annotations: kept },
    spec: {
      ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
      ...(spec.system !== undefined ? { system: spec.system } : {}),
    },
  };
}
