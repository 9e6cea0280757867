import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { accessChangeTargetMarker } from '@mesh-security/plugin-mesh-security-common';
import { setupServer } from 'msw/node';
import { parse, parseAllDocuments } from 'yaml';
import { parsePolicyFile } from '../policy/document';
import { addIstioAccess } from '../policy/istio';
import { stringifyPolicyFile } from '../policy/document';
import {
  ANALYTICS_PATH,
  CANARY_TOKEN,
  expectGolden,
  fixture,
  PAYMENTS_PATH,
  setup,
} from '../__testUtils__/harness';
import { paymentsAllowPolicy } from '../__testUtils__/policies';
import { createAccessRequestAction } from './accessRequest';

const server = setupServer();
registerMswTestHooks(server);

/** An expiry date that stays in the future. */
const EXPIRY = `${new Date().getUTCFullYear() + 1}-12-31`;

const checkoutStatus = {
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'Checkout shows the payment status page after an order.',
  expiry: EXPIRY,
};

describe('mesh-security:access:request (Istio, GitHub)', () => {
  it('opens a pull request with a minimal, comment-preserving diff and the impact', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);

    const out = outputs(ctx);
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      pullRequestUrl: 'https://github.com/acme/gitops/pull/1',
      policyPath: PAYMENTS_PATH,
    });
    expect(out.branch).toMatch(
      /^mesh-security\/request\/payments-api-[0-9a-f]{12}$/,
    );
    expectGolden(
      'istio-payments.after.yaml',
      github.file(String(out.branch), PAYMENTS_PATH)!,
    );
    expect(github.file('main', PAYMENTS_PATH)).not.toContain('/status');

    const [pull] = github.pulls;
    expect(pull.base.ref).toBe('main');
    expect(pull.labels).toEqual(['access-change']);
    expect(pull.reviewers).toEqual(['team:platform-team']);
    expect(pull.body).toContain('`user:default/jane`');
    expect(pull.body).toContain(
      '> Checkout shows the payment status page after an order.',
    );
    expect(pull.body).toContain(EXPIRY);
    // The marker the backend lists the pull request by, on the target's Security tab.
    expect(pull.body).toContain(
      accessChangeTargetMarker('component:default/payments-api'),
    );
    expect(pull.body).toContain('+            methods: ["GET"]');
    expect(pull.body).toContain(
      '| port | callers before | callers after | added | removed | requested (before → after) |',
    );
    expect(pull.body).toContain(
      '| 8080 | `storefront/checkout (POST /charge)` | `storefront/checkout (POST /charge; GET /status)` | `storefront/checkout (POST /charge; GET /status)` | `storefront/checkout (POST /charge)` | `storefront/checkout GET /status: DENY → ALLOW` |',
    );
  });

  it('reports an access that is already allowed without opening a pull request', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      ...checkoutStatus,
      methods: ['POST'],
      paths: ['/charge'],
    });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: false,
      message: 'No change: the requested access is already allowed',
    });
    expect(github.pulls).toHaveLength(0);
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('updates the same pull request on a rerun instead of opening a second one', async () => {
    const { github, deps, context, outputs } = setup(server);
    const action = createAccessRequestAction(deps);
    const first = context(checkoutStatus);
    await action.handler(first);
    const second = context(checkoutStatus);
    await action.handler(second);
    expect(github.pulls).toHaveLength(1);
    expect(outputs(second)).toMatchObject({
      changed: false,
      pullRequestNumber: 1,
      branch: outputs(first).branch,
    });
  });

  it('joins the open pull request for the same policy file (one commit and body section per request)', async () => {
    const { github, deps, context } = setup(server);
    const action = createAccessRequestAction(deps);
    await action.handler(context(checkoutStatus));
    await action.handler(
      context({
        ...checkoutStatus,
        callers: ['cluster.local/ns/payments/sa/fraud-check'],
        methods: ['POST'],
        paths: ['/refund'],
      }),
    );
    expect(github.pulls).toHaveLength(1);
    const content = github.file(github.pulls[0].head.ref, PAYMENTS_PATH)!;
    expect(content).toContain('/status');
    expect(content).toContain('cluster.local/ns/payments/sa/fraud-check');
    expect(github.pulls[0].body.match(/### allow/g)).toHaveLength(2);
    expect(
      github.pulls[0].body.split(
        accessChangeTargetMarker('component:default/payments-api'),
      ),
    ).toHaveLength(3);
    expect(github.requests.filter(r => r.method === 'PUT')).toHaveLength(2);
  });

  it('rebases on a concurrent commit to the same file and keeps both rules', async () => {
    const { github, deps, context, outputs } = setup(server);
    let raced = false;
    github.beforeWrite = (branch, path) => {
      if (raced) return;
      raced = true;
      // Another request commits first on the same branch.
      const docs = parsePolicyFile(github.file(branch, path)!, path);
      addIstioAccess(docs, {
        namespace: 'payments',
        targetLabels: { app: 'payments-api' },
        selectorLabels: { app: 'payments-api' },
        targetName: 'payments-api',
        principals: ['cluster.local/ns/ops/sa/auditor'],
        operation: { methods: ['GET'], paths: ['/audit'] },
      });
      github.branches.get(branch)!.set(path, stringifyPolicyFile(docs));
    };
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    const content = github.file(String(outputs(ctx).branch), PAYMENTS_PATH)!;
    expect(content).toContain('cluster.local/ns/ops/sa/auditor');
    expect(content).toContain('/status');
    expect(github.requests.filter(r => r.method === 'PUT')).toHaveLength(2);
  });

  it('two requests for the same file at once end in one pull request holding both rules', async () => {
    const { github, deps, context } = setup(server);
    const action = createAccessRequestAction(deps);
    await Promise.all([
      action.handler(context(checkoutStatus)),
      action.handler(
        context({
          ...checkoutStatus,
          callers: ['cluster.local/ns/payments/sa/fraud-check'],
          methods: ['POST'],
          paths: ['/refund'],
        }),
      ),
    ]);
    expect(github.pulls).toHaveLength(1);
    const content = github.file(github.pulls[0].head.ref, PAYMENTS_PATH)!;
    expect(content).toContain('"/status"');
    expect(content).toContain('"/refund"');
  });

  it('fails with a clear conflict message when the file keeps changing', async () => {
    const { github, deps, context } = setup(server);
    let n = 0;
    github.beforeWrite = (branch, path) =>
      github.branches
        .get(branch)!
        .set(path, `${github.file(branch, path)}# edit ${n++}\n`);
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(/changed 3 times .* run the task again/);
  });

  it("keeps a Windows-edited file's CRLF line endings and byte order mark", async () => {
    const windows = (text: string) => `\uFEFF${text.replace(/\n/g, '\r\n')}`;
    const { github, deps, context, outputs } = setup(server, {
      files: {
        [PAYMENTS_PATH]: windows(fixture('istio-payments.before.yaml')),
      },
    });
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    // The same edit as on the LF file: only the added lines differ.
    expect(github.file(String(outputs(ctx).branch), PAYMENTS_PATH)).toBe(
      windows(fixture('istio-payments.after.yaml')),
    );
    const body = github.pulls[0].body;
    expect(body).toContain('+            methods: ["GET"]');
    expect(body).not.toContain('\r');
    const diff = body.slice(
      body.indexOf('```diff'),
      body.indexOf('```\n', body.indexOf('```diff') + 7),
    );
    const changed = diff.split('\n').filter(l => /^[+-](?![+-]{2} )/.test(l));
    expect(changed).toEqual([
      '+        - operation:',
      '+            methods: ["GET"]',
      '+            paths: ["/status"]',
      '+            ports: ["8080"]',
    ]);
  });

  it('refuses a policy file with YAML aliases before writing anything', async () => {
    // Adding checkout to the auditors' GET /status rule would edit the node `*auditors` shares,
    // granting checkout GET /audit as well.
    const shared = paymentsAllowPolicy(`    - from: &auditors
        - source:
            principals: ["cluster.local/ns/ops/sa/auditor"]
      to:
        - operation: {methods: ["GET"], paths: ["/status"], ports: ["8080"]}
    - from: *auditors
      to:
        - operation: {methods: ["GET"], paths: ["/audit"], ports: ["8080"]}
`);
    const { github, deps, context } = setup(server, {
      files: { [PAYMENTS_PATH]: shared },
    });
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(
      `${PAYMENTS_PATH}, line 17, uses a YAML alias (*auditors): the action edits plain YAML only`,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
    expect(github.file('main', PAYMENTS_PATH)).toBe(shared);
  });

  it('creates the policy file when it does not exist', async () => {
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    const written = parse(
      github.file(String(outputs(ctx).branch), PAYMENTS_PATH)!,
    );
    expect(written).toMatchObject({
      kind: 'AuthorizationPolicy',
      metadata: { name: 'payments-api-allow-callers', namespace: 'payments' },
      spec: {
        selector: { matchLabels: { app: 'payments-api' } },
        action: 'ALLOW',
      },
    });
    expect(written.spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/storefront/sa/checkout',
    ]);
  });

  it('dry-run outputs the diff and impact without writing', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context(checkoutStatus, true);
    await createAccessRequestAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out.changed).toBe(true);
    expect(out.diff).toContain('+            paths: ["/status"]');
    expect(out.impact).toContain('| 8080 |');
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('recovers when the branch appears between lookup and creation (422 Reference already exists)', async () => {
    const { github, deps, context, outputs } = setup(server);
    github.failures.push({
      match: 'POST /git/refs',
      status: 422,
      message: 'Reference already exists',
    });
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({ changed: true, pullRequestNumber: 1 });
  });

  it('retries a rate-limited request after retry-after', async () => {
    const { github, deps, context, outputs } = setup(server);
    github.failures.push({
      match: 'POST /pulls',
      status: 403,
      headers: { 'retry-after': '0' },
      message: 'You have exceeded a secondary rate limit',
    });
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx).pullRequestNumber).toBe(1);
  });

  it.each([
    [
      {
        match: 'GET /pulls',
        status: 403,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        },
      },
      /rate limit reached .* run the task again later/,
    ],
    [
      { match: 'GET /repo', status: 404 },
      /Repository acme\/gitops was not found .* check meshSecurity.accessRequests.repository/,
    ],
    [
      { match: 'GET /repo', status: 401 },
      /rejected the credentials .* renew the token/,
    ],
    [
      { match: 'PUT /contents', status: 403 },
      /may not commit the policy file .* write access/,
    ],
    [
      { match: 'GET /contents', status: 0 },
      /GitHub at github.com could not be reached while trying to read the policy file on acme\/gitops; check the integrations.github host/,
    ],
  ])(
    'maps GitHub failure %j to a clear message, without the token',
    async (failure, message) => {
      const { github, deps, context, logger } = setup(server);
      github.failures.push(failure);
      const error = await createAccessRequestAction(deps)
        .handler(context(checkoutStatus))
        .catch(e => e as Error);
      expect(String(error)).toMatch(message);
      expect(
        JSON.stringify([
          String(error),
          (logger.warn as jest.Mock).mock.calls,
          (logger.error as jest.Mock).mock.calls,
        ]),
      ).not.toContain(CANARY_TOKEN);
    },
  );

  it('never puts the token in logs, outputs or pull request bodies (canary)', async () => {
    const { github, deps, context, logger } = setup(server);
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    expect(
      github.requests.every(r => r.authorization === `token ${CANARY_TOKEN}`),
    ).toBe(true);
    const everything = JSON.stringify([
      (ctx.output as jest.Mock).mock.calls,
      ...['debug', 'info', 'warn', 'error'].map(
        l => (logger[l as 'info'] as jest.Mock).mock.calls,
      ),
      github.pulls,
      github.requests.map(r => r.body),
    ]);
    expect(everything).not.toContain(CANARY_TOKEN);
  });

  it("checks the permission with the requesting user's credentials", async () => {
    const { github, deps, context, permissions } = setup(server, {
      allow: false,
    });
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(
      /may not request access changes \(permission mesh-security.access.request\)/,
    );
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'mesh-security.access.request',
          }),
        },
        ...[
          'component:default/payments-api',
          'component:default/checkout',
        ].flatMap(resourceRef =>
          ['catalog.entity.read', 'mesh-security.entity.read'].map(name => ({
            permission: expect.objectContaining({ name }),
            resourceRef,
          })),
        ),
      ],
      {
        credentials: expect.objectContaining({
          principal: expect.objectContaining({ type: 'user' }),
        }),
      },
    );
    expect(github.requests).toHaveLength(0);
  });

  it('only writes to allow-listed repositories', async () => {
    const { github, deps, context } = setup(server);
    await expect(
      createAccessRequestAction(deps).handler(
        context({ ...checkoutStatus, repository: 'acme/other' }),
      ),
    ).rejects.toThrow(
      /acme\/other is not in meshSecurity.accessRequests.allowedRepositories/,
    );
    expect(github.requests).toHaveLength(0);
  });

  it('writes to the configured repository alone while allowedRepositories is absent', async () => {
    const { github, deps, context, outputs } = setup(server, {
      accessRequests: { allowedRepositories: undefined },
    });
    for (const repository of ['acme/other', 'ghe.example.com/acme/gitops']) {
      await expect(
        createAccessRequestAction(deps).handler(
          context({ ...checkoutStatus, repository }),
        ),
      ).rejects.toThrow(
        /is not meshSecurity.accessRequests.repository, the only repository allowed while meshSecurity.accessRequests.allowedRepositories is not set/,
      );
    }
    expect(github.requests).toHaveLength(0);

    const ctx = context({
      ...checkoutStatus,
      repository: 'https://github.com/acme/gitops.git',
    });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: true,
      pullRequestUrl: 'https://github.com/acme/gitops/pull/1',
    });
  });

  it.each([
    ['a path carrying YAML', { paths: ['/x"]\n      - evil: true'] }],
    ['a caller carrying YAML', { callers: ['checkout\nprincipals: ["*"]'] }],
    ['a wildcard principal', { callers: ['*'] }],
    ['an unknown method', { methods: ['GET]'] }],
    ['a bad expiry', { expiry: '31/12/2026' }],
    ['an expiry that is not in the calendar', { expiry: '2024-02-31' }],
    ['an expiry in the past', { expiry: '2020-01-01' }],
    ['a port out of range', { ports: [70000] }],
  ])('rejects %s', async (_, override) => {
    const { github, deps, context } = setup(server);
    await expect(
      createAccessRequestAction(deps).handler(
        context({ ...checkoutStatus, ...override }),
      ),
    ).rejects.toThrow();
    expect(github.requests).toHaveLength(0);
  });
});

/** reporting asks for port 8080 of analytics-api (Linkerd). */
const REPORTING_PORT = {
  target: 'component:default/analytics-api',
  callers: ['reporting.data.serviceaccount.identity.linkerd.cluster.local'],
  ports: [8080],
  justification: 'The nightly report reads sales figures.',
};

describe('mesh-security:access:request (Linkerd, GitHub)', () => {
  it("adds the caller to the port's MeshTLSAuthentication, keeping comments", async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context(REPORTING_PORT);
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: true,
      policyPath: ANALYTICS_PATH,
      pullRequestNumber: 1,
    });
    expectGolden(
      'linkerd-analytics.after.yaml',
      github.file(String(outputs(ctx).branch), ANALYTICS_PATH)!,
    );
    // analytics-http has the HTTPRoute analytics-api-read (GET /api/*) in the demo cluster: the
    // Server-level grant covers only what it serves (other requests get 404), so the port-level
    // request reads "only GET /api/*" after the change, and the edges carry the route.
    expect(github.pulls[0].body).toMatch(
      /\| 8080 \| `data\/etl-worker \(GET \/api\/\*\)` \| `data\/etl-worker \(GET \/api\/\*\)`, `data\/reporting \(GET \/api\/\*\)` \| `data\/reporting \(GET \/api\/\*\)` \| — \| `data\/reporting: DENY → only GET \/api\/\*` \|/,
    );
  });

  it('does not join a grant whose targetRef names the Server without its group (Linkerd refuses it)', async () => {
    // `targetRef: {kind: Server}` names the core group's "Server": Linkerd's admission refuses
    // the policy, so adding the caller to its MeshTLSAuthentication would authorize nobody.
    const before = fixture('linkerd-analytics.before.yaml').replace(
      '    group: policy.linkerd.io\n    kind: Server',
      '    kind: Server',
    );
    expect(before).not.toBe(fixture('linkerd-analytics.before.yaml'));
    const { github, deps, context, outputs } = setup(server, {
      files: { [ANALYTICS_PATH]: before },
    });
    const ctx = context(REPORTING_PORT);
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({ changed: true });
    const after = parseAllDocuments(
      github.file(String(outputs(ctx).branch), ANALYTICS_PATH)!,
    ).map(d => d.toJS());
    const refused = after.find(o => o.metadata.name === 'analytics-callers');
    expect(refused.spec.identityRefs).toEqual([
      { kind: 'ServiceAccount', name: 'etl-worker' },
    ]);
    const grant = after.find(
      o =>
        o.kind === 'AuthorizationPolicy' &&
        o.metadata.name === 'analytics-http-callers',
    );
    expect(grant.spec.targetRef).toEqual({
      group: 'policy.linkerd.io',
      kind: 'Server',
      name: 'analytics-http',
    });
    expect(
      after.find(
        o =>
          o.kind === 'MeshTLSAuthentication' &&
          o.metadata.name === 'analytics-http-callers',
      ).spec.identityRefs,
    ).toEqual([{ kind: 'ServiceAccount', name: 'reporting' }]);
  });

  it("refuses to create a second Server when the port's Server lives outside the policy file", async () => {
    const { github, deps, context } = setup(server, { files: {} });
    await expect(
      createAccessRequestAction(deps).handler(context(REPORTING_PORT)),
    ).rejects.toThrow(
      /Server data\/analytics-http for port 8080 is not defined in the policy file/,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it('reports an already authorised identity without a pull request', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      target: 'component:default/analytics-api',
      callers: ['component:default/etl-worker'],
      ports: [8080],
      justification: 'The loader already reads analytics.',
    });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx).changed).toBe(false);
    expect(github.pulls).toHaveLength(0);
  });
});
