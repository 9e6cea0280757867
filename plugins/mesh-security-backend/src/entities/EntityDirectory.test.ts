import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import { EntityDirectory } from './EntityDirectory';

function component(
  name: string,
  annotations: Record<string, string> = {},
  extra: Partial<Entity['metadata']> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      annotations,
      ...extra,
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'team-a',
      system: 'shop',
    },
  };
}

/** The in-memory catalog behind a CatalogService that counts what it is asked. */
function catalogOf(entities: Entity[]) {
  let current = catalogServiceMock({ entities });
  const calls = { query: 0, byRef: 0 };
  const service = {
    queryEntities: async (
      ...args: Parameters<CatalogService['queryEntities']>
    ) => {
      calls.query++;
      return current.queryEntities(...args);
    },
    getEntityByRef: async (
      ...args: Parameters<CatalogService['getEntityByRef']>
    ) => {
      calls.byRef++;
      return current.getEntityByRef(...args);
    },
  } as unknown as CatalogService;
  return {
    service,
    calls,
    replace: (next: Entity[]) =>
      (current = catalogServiceMock({ entities: next })),
  };
}

function directory(
  catalog: CatalogService,
  clock: { now: number },
  maxEntries?: number,
) {
  return new EntityDirectory({
    catalog,
    auth: mockServices.auth(),
    ttlMs: 30_000,
    maxEntries,
    now: () => clock.now,
  });
}

describe('EntityDirectory', () => {
  it('lists annotated components page by page and keeps only the fields the posture uses', async () => {
    const annotated = Array.from({ length: 250 }, (_, i) =>
      component(`svc-${i}`, { [KUBERNETES_ANNOTATION]: `svc-${i}` }),
    );
    const special = component(
      'payments-api',
      {
        [KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]: 'app=payments',
        [GITOPS_REPO_ANNOTATION]: 'github.com/acme/gitops',
        'backstage.io/source-location': 'url:https://example.com/'.padEnd(
          10_000,
          'x',
        ),
      },
      { title: 'Payments', description: 'long text'.repeat(1000) },
    );
    const catalog = catalogOf([
      ...annotated,
      special,
      component('docs-portal'),
    ]);
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock);
    await entities.refresh();
    expect(catalog.calls.query).toBe(3); // 251 components in pages of 100
    expect(entities.size).toBe(251);

    expect(await entities.get('component:default/payments-api')).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        namespace: 'default',
        title: 'Payments',
        annotations: {
          [KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]: 'app=payments',
          [GITOPS_REPO_ANNOTATION]: 'github.com/acme/gitops',
        },
      },
      spec: { owner: 'team-a', system: 'shop' },
    });
    expect(
      (await entities.get('component:default/svc-249'))?.metadata.name,
    ).toBe('svc-249');
    // Catalog refs are case-insensitive.
    expect((await entities.get('Component:default/SVC-7'))?.metadata.name).toBe(
      'svc-7',
    );
    expect(catalog.calls.byRef).toBe(0);
  });

  it('reads other entities one by one, once per TTL, one request for concurrent views', async () => {
    const catalog = catalogOf([component('docs-portal')]);
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock);
    const [a, b] = await Promise.all([
      entities.get('component:default/docs-portal'),
      entities.get('component:default/docs-portal'),
    ]);
    expect(a?.metadata.name).toBe('docs-portal');
    expect(b).toBe(a);
    expect(catalog.calls.byRef).toBe(1);
    clock.now = 29_000;
    await entities.get('component:default/docs-portal');
    expect(catalog.calls.byRef).toBe(1);
    clock.now = 31_000;
    catalog.replace([component('docs-portal', {}, { title: 'Docs' })]);
    expect(
      (await entities.get('component:default/docs-portal'))?.metadata.title,
    ).toBe('Docs');
    expect(catalog.calls.byRef).toBe(2);

    // Unknown entities are not remembered: a component registered a moment later is found.
    expect(await entities.get('component:default/new-one')).toBeUndefined();
    catalog.replace([component('new-one')]);
    expect(
      (await entities.get('component:default/new-one'))?.metadata.name,
    ).toBe('new-one');
  });

  it('drops components that are gone or lost their annotations at the next listing', async () => {
    const catalog = catalogOf([
      component('a', { [KUBERNETES_ANNOTATION]: 'a' }),
      component('b', { [KUBERNETES_ANNOTATION]: 'b' }),
    ]);
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock);
    await entities.refresh();
    catalog.replace([component('b')]);
    await entities.refresh();
    expect(await entities.get('component:default/a')).toBeUndefined();
    expect(
      (await entities.get('component:default/b'))?.metadata.annotations,
    ).toEqual({});
    expect(catalog.calls.byRef).toBe(2);
  });

  it('keeps listed entries through a failed listing, and lets them expire after three intervals', async () => {
    const catalog = catalogOf([
      component('a', { [KUBERNETES_ANNOTATION]: 'a' }),
    ]);
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock);
    await entities.refresh();
    Object.assign(catalog.service, {
      queryEntities: async () => Promise.reject(new Error('catalog down')),
    });
    await expect(entities.refresh()).rejects.toThrow('catalog down');
    clock.now = 89_000;
    await entities.get('component:default/a');
    expect(catalog.calls.byRef).toBe(0);
    clock.now = 91_000;
    await entities.get('component:default/a');
    expect(catalog.calls.byRef).toBe(1);
  });

  it('answers the annotated components from the listing, listing them when there is none or it expired', async () => {
    const catalog = catalogOf([
      component('a', { 'backstage.io/kubernetes-id': 'a' }),
      component('docs'),
    ]);
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock);
    // Concurrent callers share one listing.
    const [first, second] = await Promise.all([
      entities.annotated(),
      entities.annotated(),
    ]);
    expect(first.map(e => e.metadata.name)).toEqual(['a']);
    expect(second).toEqual(first);
    expect(catalog.calls.query).toBe(1);
    clock.now = 89_000;
    await entities.annotated();
    expect(catalog.calls.query).toBe(1);

    // Expired and the catalog down: who owns what is unknown, so it says so.
    clock.now = 91_000;
    Object.assign(catalog.service, {
      queryEntities: async () => Promise.reject(new Error('catalog down')),
    });
    await expect(entities.annotated()).rejects.toThrow('catalog down');
  });

  it('bounds entities read one by one, evicting the oldest', async () => {
    const catalog = catalogOf(
      Array.from({ length: 5 }, (_, i) => component(`c${i}`)),
    );
    const clock = { now: 0 };
    const entities = directory(catalog.service, clock, 3);
    for (let i = 0; i < 5; i++) await entities.get(`component:default/c${i}`);
    expect(entities.size).toBe(3);
    await entities.get('component:default/c4');
    expect(catalog.calls.byRef).toBe(5);
    await entities.get('component:default/c0');
    expect(catalog.calls.byRef).toBe(6);
  });
});
