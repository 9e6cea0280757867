import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MeshSecurityClient } from './MeshSecurityClient';

/** Bodies the client passes on as they are (it does not read them). */
const paymentsApiPosture = {
  entityRef: 'component:default/payments-api',
  mtls: 'PARTIAL',
  workloads: [],
};
const overviewResponse = { items: [], totalCount: 0 };

const baseUrl = 'http://backstage:7007/api/mesh-security';
const server = setupServer();

describe('MeshSecurityClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

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

  it("fetches an entity's summary from its own route", async () => {
    let path = '';
    server.use(
      http.get(
        `${baseUrl}/entity/:kind/:namespace/:name/summary`,
        ({ params }) => {
          path = `${params.kind}/${params.namespace}/${params.name}`;
          return HttpResponse.json(paymentsApiPosture);
        },
      ),
    );
    await expect(
      client.getEntityPostureSummary('component:default/payments-api'),
    ).resolves.toMatchObject({ mtls: 'PARTIAL' });
    expect(path).toBe('component/default/payments-api');
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

  it('asks for the catalog-wide history as CSV, with the query and the token', async () => {
    let url: URL | undefined;
    let headers: Headers | undefined;
    server.use(
      http.get(`${baseUrl}/history`, ({ request }) => {
        url = new URL(request.url);
        headers = request.headers;
        return new HttpResponse('day,components\n2026-12-01,3\n', {
          headers: { 'Content-Type': 'text/csv; charset=utf-8' },
        });
      }),
    );
    await expect(
      client.getOverviewHistoryCsv(
        { owner: 'group:default/team-payments', days: 30 },
        { token: 't0k' },
      ),
    ).resolves.toBe('day,components\n2026-12-01,3\n');
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      owner: 'group:default/team-payments',
      days: '30',
      format: 'csv',
    });
    expect(headers!.get('accept')).toBe('text/csv');
    expect(headers!.get('authorization')).toBe('Bearer t0k');
  });

  it("asks for a component's history as CSV and turns errors into ResponseErrors", async () => {
    server.use(
      http.get(
        `${baseUrl}/entity/component/default/payments-api/history`,
        ({ request }) =>
          new URL(request.url).searchParams.get('format') === 'csv'
            ? new HttpResponse('day\n', {
                headers: { 'Content-Type': 'text/csv' },
              })
            : HttpResponse.json({}, { status: 400 }),
      ),
      http.get(`${baseUrl}/entity/component/default/hidden/history`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'entity not found' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await expect(
      client.getEntityHistoryCsv('component:default/payments-api'),
    ).resolves.toBe('day\n');
    await expect(
      client.getEntityHistoryCsv('component:default/hidden'),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 404 });
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

  it('sends a token given per request as a bearer token, and none otherwise', async () => {
    const authorization: Array<string | null> = [];
    server.use(
      http.get(`${baseUrl}/entity/:kind/:namespace/:name`, ({ request }) => {
        authorization.push(request.headers.get('authorization'));
        return HttpResponse.json(paymentsApiPosture);
      }),
    );
    // Node callers (the scaffolder module) leave out fetchApi: the global fetch is used.
    const nodeClient = new MeshSecurityClient({
      discoveryApi: { getBaseUrl: async () => baseUrl },
    });
    await nodeClient.getEntityPosture('component:default/payments-api', {
      token: 'service-token',
    });
    await nodeClient.getEntityPosture('component:default/payments-api');
    expect(authorization).toEqual(['Bearer service-token', null]);
  });

  it('keeps the content type of a POST when it adds a token', async () => {
    let headers: Headers | undefined;
    server.use(
      http.post(`${baseUrl}/check`, ({ request }) => {
        headers = request.headers;
        return HttpResponse.json({ decision: 'ALLOW', results: [] });
      }),
    );
    await client.check(
      {
        from: { kind: 'external' },
        to: { entityRef: 'component:a/b' },
        port: 1,
      },
      { token: 't' },
    );
    expect(headers?.get('content-type')).toBe('application/json');
    expect(headers?.get('authorization')).toBe('Bearer t');
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
