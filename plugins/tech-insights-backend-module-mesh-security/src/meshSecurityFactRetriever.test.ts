import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { meshSecurityFactRetriever } from './meshSecurityFactRetriever';

const BASE = 'http://backstage.test/api/mesh-security';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const context = () => ({
  config: new ConfigReader({}),
  discovery: mockServices.discovery.mock({
    getBaseUrl: async (pluginId: string) =>
      `http://backstage.test/api/${pluginId}`,
  }),
  logger: mockServices.logger.mock(),
  auth: mockServices.auth(),
  urlReader: mockServices.urlReader.mock(),
});

const facts = (name: string) => ({
  entityRef: `component:default/${name}`,
  facts: { mtlsMode: 'STRICT', allPortsStrict: true, partial: false },
});

/** `GET /facts` over `total` components, as the backend pages it (sorted, offset/limit). */
function factsRoute(total: number, seen: Array<{ url: URL; auth: string }>) {
  const names = Array.from(
    { length: total },
    (_, i) => `svc-${String(i).padStart(5, '0')}`,
  );
  return http.get(`${BASE}/facts`, ({ request }) => {
    const url = new URL(request.url);
    seen.push({ url, auth: request.headers.get('authorization') ?? '' });
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return HttpResponse.json({
      version: '1.0.0',
      items: names.slice(offset, offset + limit).map(facts),
      totalItems: total,
      offset,
      limit,
    });
  });
}

describe('meshSecurityFactRetriever', () => {
  it('reads every page with its own service token and keys facts by entity', async () => {
    const seen: Array<{ url: URL; auth: string }> = [];
    server.use(factsRoute(1201, seen));
    const result = await meshSecurityFactRetriever.handler(context());
    expect(result).toHaveLength(1201);
    expect(result[0]).toEqual({
      entity: { kind: 'component', namespace: 'default', name: 'svc-00000' },
      facts: { mtlsMode: 'STRICT', allPortsStrict: true, partial: false },
    });
    expect(new Set(result.map(f => f.entity.name)).size).toBe(1201);
    expect(seen.map(s => s.url.searchParams.get('offset'))).toEqual([
      '0',
      '500',
      '1000',
    ]);
    // mockServices.auth issues a token for the target plugin on the module's own behalf.
    expect(seen[0].auth).toMatch(/^Bearer .*mesh-security/);
  });

  it('stops on an empty page even if the total says more', async () => {
    server.use(
      http.get(`${BASE}/facts`, () =>
        HttpResponse.json({
          version: '1.0.0',
          items: [],
          totalItems: 10,
          offset: 0,
          limit: 500,
        }),
      ),
    );
    await expect(meshSecurityFactRetriever.handler(context())).resolves.toEqual(
      [],
    );
  });

  it('fails the run with the status when the backend refuses, never returning partial facts', async () => {
    server.use(
      http.get(`${BASE}/facts`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'not allowed: mesh-security.overview.read',
            },
          },
          { status: 403 },
        ),
      ),
    );
    await expect(meshSecurityFactRetriever.handler(context())).rejects.toThrow(
      /GET \/facts\?offset=0 failed: .*403/,
    );
  });

  it('refuses facts of another version rather than storing them under this schema', async () => {
    server.use(
      http.get(`${BASE}/facts`, () =>
        HttpResponse.json({
          version: '2.0.0',
          items: [facts('a')],
          totalItems: 1,
          offset: 0,
          limit: 500,
        }),
      ),
    );
    await expect(meshSecurityFactRetriever.handler(context())).rejects.toThrow(
      /facts version 2.0.0, this module reads 1.0.0/,
    );
  });

  it('is bounded: a backend that pages forever fails the run', async () => {
    server.use(
      http.get(`${BASE}/facts`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('offset'));
        return HttpResponse.json({
          version: '1.0.0',
          items: [facts(`x${offset}`)],
          totalItems: Number.MAX_SAFE_INTEGER,
          offset,
          limit: 500,
        });
      }),
    );
    await expect(meshSecurityFactRetriever.handler(context())).rejects.toThrow(
      /more than 100000 components/,
    );
  });

  it('declares a schema entry for every fact the backend sends', () => {
    expect(Object.keys(meshSecurityFactRetriever.schema).sort()).toEqual(
      [
        'allPortsStrict',
        'allowAllRules',
        'certificateDaysLeft',
        'findingCounts',
        'findingFamilies',
        'highOrCriticalFindings',
        'meshes',
        'mtlsMode',
        'observedMtlsShare',
        'partial',
        'pillarAssumeBreach',
        'pillarLeastPrivilege',
        'pillarNoCredentialLeakage',
        'pillarVerifyExplicitly',
        'portModes',
        'strictPortShare',
        'strictPorts',
        'totalPorts',
      ].sort(),
    );
  });
});
