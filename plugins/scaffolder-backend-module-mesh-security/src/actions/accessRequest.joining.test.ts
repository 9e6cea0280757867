import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { generateKeyPairSync } from 'node:crypto';
import { setupServer } from 'msw/node';
import { policyFileMarker } from '@mesh-security/plugin-mesh-security-common';
import {
  INTEGRATION_ACCOUNT,
  PAYMENTS_PATH,
  setup,
} from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

/*
 * Which open pull requests a change joins (commits onto): only a branch of the actions, in the
 * repository itself, opened by the account the integration acts as. Everything else could carry
 * commits nobody asked for, such as this allow-all policy.
 */

const server = setupServer();
registerMswTestHooks(server);

const BACKDOOR = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-everyone
  namespace: payments
spec:
  action: ALLOW
  rules:
    - {}
`;
const MALLORY = { login: 'mallory', type: 'User' } as const;
const MARKER = policyFileMarker(PAYMENTS_PATH);

const checkoutStatus = {
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'Checkout shows the payment status page after an order.',
};

/** The branch the action names for `checkoutStatus` (a dry run says it). */
async function ownBranch(harness: ReturnType<typeof setup>): Promise<string> {
  const ctx = harness.context(checkoutStatus, true);
  await createAccessRequestAction(harness.deps).handler(ctx);
  return /on (mesh-security\/request\/payments-api-[0-9a-f]{12})/.exec(
    String(harness.outputs(ctx).message),
  )![1];
}

describe('mesh-security:access:request joining open pull requests', () => {
  /** Runs the request next to `foreign`; expects a pull request of its own, without the backdoor. */
  async function expectOwnPullRequest(
    harness: ReturnType<typeof setup>,
    foreign: { body: string },
  ) {
    const { github, deps, context, outputs } = harness;
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out.pullRequestNumber).toBe(2);
    expect(out.message).toMatch(/^Opened pull request/);
    const content = github.file(String(out.branch), PAYMENTS_PATH)!;
    expect(content).toContain('paths: ["/status"]');
    expect(content).not.toContain('allow-everyone');
    expect(foreign.body).toBe(`${MARKER}\nLooks harmless.`);
    expect(github.pulls[1].user).toEqual(INTEGRATION_ACCOUNT);
    return String(out.branch);
  }

  it.each([
    [
      "another author's pull request on the branch the change would use",
      { author: MALLORY },
    ],
    [
      "the integration's pull request on a branch the actions do not name",
      { author: INTEGRATION_ACCOUNT, head: 'feature/more-access' },
    ],
    [
      "the integration's pull request on a mesh-security/ branch of another form",
      { author: INTEGRATION_ACCOUNT, head: 'mesh-security/more-access' },
    ],
  ])('opens its own pull request instead of joining %s', async (_, pull) => {
    const harness = setup(server);
    const foreign = harness.github.openPull({
      head: 'head' in pull ? pull.head : await ownBranch(harness),
      author: pull.author,
      body: `${MARKER}\nLooks harmless.`,
      files: { [PAYMENTS_PATH]: BACKDOOR },
    });
    const branch = await expectOwnPullRequest(harness, foreign);
    // The other pull request's branch is as it was, and not the one the change went to.
    expect(branch).not.toBe(foreign.head.ref);
    expect(harness.github.file(foreign.head.ref, PAYMENTS_PATH)).toBe(BACKDOOR);
  });

  it.each([
    [
      "a fork's pull request, even by the integration's account",
      'mallory/gitops',
    ],
    ["a deleted fork's pull request (head.repo null)", null],
  ])('opens its own pull request instead of joining %s', async (_, fork) => {
    const harness = setup(server);
    const foreign = harness.github.openPull({
      head: await ownBranch(harness),
      author: INTEGRATION_ACCOUNT,
      body: `${MARKER}\nLooks harmless.`,
      fork,
    });
    // A fork's branch is not in this repository: the change's own branch name is free.
    expect(await expectOwnPullRequest(harness, foreign)).toBe(foreign.head.ref);
  });

  it('never builds on an existing branch of its name that no pull request it may join has', async () => {
    const harness = setup(server);
    const { github, deps, context, outputs } = harness;
    const branch = await ownBranch(harness);
    // Someone pushed the branch the action would use, with an allow-all policy on it.
    github.branches.set(
      branch,
      new Map([...github.branches.get('main')!, [PAYMENTS_PATH, BACKDOOR]]),
    );
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);

    const out = outputs(ctx);
    expect(out.branch).not.toBe(branch);
    expect(out.branch).toMatch(
      /^mesh-security\/request\/payments-api-[0-9a-f]{12}$/,
    );
    expect(github.file(String(out.branch), PAYMENTS_PATH)).not.toContain(
      'allow-everyone',
    );
    expect(github.file(branch, PAYMENTS_PATH)).toBe(BACKDOOR);
    expect(github.pulls).toHaveLength(1);
  });

  it('joins its own pull request found on the second page of open pull requests', async () => {
    const { github, deps, context, outputs, logger } = setup(server);
    const action = createAccessRequestAction(deps);
    await action.handler(context(checkoutStatus));
    for (let i = 0; i < 150; i++)
      github.openPull({
        head: `renovate/dependency-${i}`,
        author: MALLORY,
        body: 'Update a dependency',
      });
    const ctx = context({
      ...checkoutStatus,
      callers: ['cluster.local/ns/payments/sa/fraud-check'],
      paths: ['/refunds'],
    });
    await action.handler(ctx);

    expect(outputs(ctx)).toMatchObject({ pullRequestNumber: 1 });
    expect(outputs(ctx).message).toMatch(/^Added to the open pull request/);
    expect(github.pulls).toHaveLength(151);
    expect(github.pulls[0].body.match(/### allow/g)).toHaveLength(2);
    expect(
      github.requests.filter(r => r.path === '/pulls' && r.method === 'GET'),
    ).toHaveLength(1 + 2);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('opens a new pull request, and says why, when more open pull requests exist than it reads', async () => {
    const { github, deps, context, outputs, logger } = setup(server);
    const action = createAccessRequestAction(deps);
    await action.handler(context(checkoutStatus));
    for (let i = 0; i < 1000; i++)
      github.openPull({
        head: `renovate/dependency-${i}`,
        author: MALLORY,
        body: 'Update a dependency',
      });
    const ctx = context({
      ...checkoutStatus,
      callers: ['cluster.local/ns/payments/sa/fraud-check'],
      paths: ['/refunds'],
    });
    await action.handler(ctx);

    expect(outputs(ctx)).toMatchObject({ pullRequestNumber: 1002 });
    expect(
      github.requests.filter(r => r.path === '/pulls' && r.method === 'GET'),
    ).toHaveLength(1 + 10);
    expect(logger.warn).toHaveBeenCalledWith(
      'acme/gitops has more than 1000 open pull requests; opening a new pull request instead of looking further for one to join',
    );
  });

  it('opens a new pull request when it cannot tell which account it acts as', async () => {
    const { github, deps, context, outputs, logger } = setup(server);
    const action = createAccessRequestAction(deps);
    const first = context(checkoutStatus);
    await action.handler(first);
    github.failures.push({ match: 'GET /user', status: 500 });
    const second = context({
      ...checkoutStatus,
      callers: ['cluster.local/ns/payments/sa/fraud-check'],
    });
    await action.handler(second);

    expect(outputs(second)).toMatchObject({ pullRequestNumber: 2 });
    expect(github.pulls[0].body.match(/### allow/g)).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'Could not tell which GitHub account the integrations.github credentials of github.com act as (HTTP 500); not joining open pull requests',
    );
  });

  it('joins the pull request another replica opened from its branch meanwhile (422 on create)', async () => {
    const { github, deps, context, outputs } = setup(server);
    let raced = false;
    github.beforeWrite = branch => {
      if (raced) return;
      raced = true;
      github.openPull({
        head: branch,
        author: INTEGRATION_ACCOUNT,
        body: `${MARKER}\nOpened by another replica.`,
      });
    };
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);

    expect(github.pulls).toHaveLength(1);
    expect(outputs(ctx)).toMatchObject({ pullRequestNumber: 1 });
    expect(outputs(ctx).message).toMatch(/^Added to the open pull request/);
    expect(github.pulls[0].body).toContain('Opened by another replica.');
    expect(github.pulls[0].body).toContain('### allow');
    expect(github.pulls[0].labels).toEqual(['access-change']);
  });

  it('fails, and says to run again, when the pull request opened from its branch meanwhile is not its own', async () => {
    const { github, deps, context } = setup(server);
    github.beforeWrite = branch => {
      if (github.pulls.length === 0)
        github.openPull({ head: branch, author: MALLORY, body: 'Mine now.' });
    };
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(
      /A pull request that this integration may not join was opened from mesh-security\/request\/payments-api-[0-9a-f]{12} in acme\/gitops meanwhile; run the task again/,
    );
    expect(github.pulls[0].body).toBe('Mine now.');
  });

  it("as a GitHub App, joins the app bot's pull request and no other bot's", async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const harness = setup(server, {
      integration: {
        host: 'github.com',
        apps: [
          {
            appId: 1,
            clientId: 'Iv1.mesh',
            clientSecret: 'secret',
            privateKey,
          },
        ],
      },
    });
    const { github, deps, context, outputs } = harness;
    github.app = { slug: 'mesh-security-app', installationId: 7 };
    const action = createAccessRequestAction(deps);
    github.openPull({
      head: await ownBranch(harness),
      author: { login: 'other-app[bot]', type: 'Bot' },
      body: `${MARKER}\nAnother app.`,
      files: { [PAYMENTS_PATH]: BACKDOOR },
    });
    const first = context(checkoutStatus);
    await action.handler(first);
    expect(outputs(first)).toMatchObject({ pullRequestNumber: 2 });
    expect(github.pulls[1].user).toEqual({
      login: 'mesh-security-app[bot]',
      type: 'Bot',
    });

    const second = context({
      ...checkoutStatus,
      callers: ['cluster.local/ns/payments/sa/fraud-check'],
    });
    await action.handler(second);
    expect(outputs(second)).toMatchObject({ pullRequestNumber: 2 });
    expect(outputs(second).message).toMatch(/^Added to the open pull request/);
    expect(
      github.file(String(outputs(second).branch), PAYMENTS_PATH),
    ).not.toContain('allow-everyone');
    expect(github.requests.some(r => r.path === '/graphql')).toBe(true);
    expect(github.requests.some(r => r.path === '/user')).toBe(false);
  });
});
