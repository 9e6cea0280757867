import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { GithubMock, startGithubMock } from './githubMock';

/*
 * The request-access template end to end: Chromium fills the form in the running app, the
 * scaffolder runs mesh-security:access:request against the demo estate, and the pull request is
 * opened on the loopback GitHub API mock configured in app-config.e2e.yaml.
 */
const POLICY_PATH = 'clusters/demo/payments/authorization/payments.yaml';
const before = fs.readFileSync(
  path.resolve(
    __dirname,
    '../../plugins/scaffolder-backend-module-mesh-security/src/__fixtures__/istio-payments.before.yaml',
  ),
  'utf8',
);

let github: GithubMock;

test.beforeAll(async () => {
  github = await startGithubMock(7790, 'acme', 'gitops', {
    [POLICY_PATH]: before,
  });
});

test.afterAll(async () => {
  await github?.close();
});

test('requesting access opens a pull request with the impact table', async ({
  page,
}) => {
  const formData = {
    target: 'component:default/payments-api',
    callers: ['component:default/checkout'],
    ports: [8080],
    methods: ['GET'],
    paths: ['/status'],
  };
  // As the entity page's Request access button does: the template URL with prefilled formData.
  // A full navigation shows the sign-in page first; entering keeps the requested URL.
  await page.goto(
    `/create/templates/default/request-access?formData=${encodeURIComponent(
      JSON.stringify(formData),
    )}`,
  );
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByText('Request access to a service').first(),
  ).toBeVisible();

  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByLabel(/Justification/)
    .first()
    .fill('Checkout shows the payment status page after an order.');
  await page.getByRole('button', { name: /Review|Next/ }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  await expect(page.getByRole('link', { name: 'Pull request' })).toBeVisible({
    timeout: 60_000,
  });
  expect(github.pulls).toHaveLength(1);
  const [pull] = github.pulls;
  expect(pull.body).toContain(
    '| port | callers before | callers after | added | removed | requested (before → after) |',
  );
  expect(pull.body).toContain('storefront/checkout GET /status: DENY → ALLOW');
  expect(pull.labels).toEqual(['mesh-security', 'access-change']);
  expect(github.file(pull.head, POLICY_PATH)).toContain('paths: ["/status"]');
  expect(github.authorizations.every(a => a === 'token e2e-canary-token')).toBe(
    true,
  );
  expect(pull.body).not.toContain('e2e-canary-token');
  await page.screenshot({
    path: test.info().outputPath('request-access.png'),
    fullPage: true,
  });

  // The component's Security tab lists the open pull request, read from the same mock.
  await page.goto('/catalog/default/component/payments-api/mesh-security');
  const pullRequests = page.getByRole('region', {
    name: 'Open access-change pull requests',
  });
  await expect(
    pullRequests.getByRole('link', { name: new RegExp(`#${pull.number} `) }),
  ).toBeVisible({ timeout: 15_000 });
  await expect(pullRequests.getByText('backstage-bot')).toBeVisible();
});
