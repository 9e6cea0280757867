import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MeshSecurityClient } from './MeshSecurityClient';
import {
  overviewResponse,
  paymentsApiPosture,
} from '../__testUtils__/fixtures';

const baseUrl = 'http://backstage:7007/api/mesh-security';
const server = setupServer();

describe('MeshSecurityClient', () => {
  registerMswTestHooks(server);

  const client = new MeshSecurityClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });

  it('fetches an entity posture by string ref', async () => {
    let path = '';
    server.use(
      http.get(`${baseUrl}/entity/:kind/:namespace/:name`, ({ params }) => {
        path = `${params.kind}/${params.namespace}/${params.name}`;
        return HttpResponse.json(paymentsApiPosture);
      }),
    );
    await expect(
      client.getEntityPosture('component:default/payments-api'),
    ).resolves.toEqual(paymentsApiPosture);
    expect(path).toBe('component/default/payments-api');
  });

  it('accepts a compound ref', async () => {
    server.use(
      http.get(`${baseUrl}/entity/component/prod/web`, () =>
        HttpResponse.json(paymentsApiPosture),
      ),
    );
    await expect(
      client.getEntityPosture({
        kind: 'component',
        namespace: 'prod',
        name: 'web',
      }),
    ).resolves.toMatchObject({ mtls: 'PARTIAL' });
  });

  it("fetches an entity's open access-change pull requests", async () => {
    const body = {
      status: 'ok',
      repository: {
        host: 'github.com',
        owner: 'acme',
        name: 'gitops',
        url: 'https://github.com/acme/gitops',
      },
      pullRequests: [],
    };
    let path = '';
    server.use(
      http.get(
        `${baseUrl}/entity/:kind/:namespace/:name/pull-requests`,
        ({ params }) => {
          path = `${params.kind}/${params.namespace}/${params.name}`;
          return HttpResponse.json(body);
        },
      ),
    );
    await expect(
      client.getEntityPullRequests('component:default/payments-api'),
    ).resolves.toEqual(body);
    expect(path).toBe('component/default/payments-api');
  });

  it('sends the overview query, leaving out empty values', async () => {
    let search = '';
    server.use(
      http.get(`${baseUrl}/overview`, ({ request }) => {
        search = new URL(request.url).search;
        return HttpResponse.json(overviewResponse);
      }),
    );
    await client.getOverview({
      mode: 'STRICT',
      owner: 'group:default/payments-team',
      search: '',
      sort: 'findings',
      order: 'desc',
      offset: 20,
      limit: 10,
    });
    const params = new URLSearchParams(search);
    expect(Object.fromEntries(params)).toEqual({
      mode: 'STRICT',
      owner: 'group:default/payments-team',
      sort: 'findings',
      order: 'desc',
      offset: '20',
      limit: '10',
    });
  });

  it('posts a check request', async () => {
    let body: unknown;
    server.use(
      http.post(`${baseUrl}/check`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({
          decision: 'DENY',
          results: [],
          partial: false,
        });
      }),
    );
    const request = {
      from: { kind: 'external' as const },
      to: { entityRef: 'component:default/payments-api' },
      port: 8080,
    };
    await expect(client.check(request)).resolves.toMatchObject({
      decision: 'DENY',
    });
    expect(body).toEqual(request);
  });

  it('returns the health body also while the backend is starting (503)', async () => {
    server.use(
      http.get(`${baseUrl}/health`, () =>
        HttpResponse.json(
          { status: 'starting', clusters: [] },
          { status: 503 },
        ),
      ),
    );
    await expect(client.getHealth()).resolves.toEqual({
      status: 'starting',
      clusters: [],
    });
  });

  it('turns Backstage error bodies into ResponseErrors', async () => {
    server.use(
      http.get(`${baseUrl}/entity/:kind/:namespace/:name`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotFoundError',
              message: 'entity component:default/nope not found',
            },
            request: { method: 'GET', url: '/entity/component/default/nope' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await expect(
      client.getEntityPosture('component:default/nope'),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 404,
      body: { error: { name: 'NotFoundError' } },
    });
  });
});
