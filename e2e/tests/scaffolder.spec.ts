import { expect, Page, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { GithubMock, startGithubMock } from './githubMock';
import {
  chooseTemplate,
  openSecurityTab,
  pickEntity,
  signInAsGuest,
} from './helpers';

/*
 * The access-change templates end to end, from where users start: a click on the Security tab's
 * Request access button, or Choose on the template list. Chromium fills every step in the running
 * app (the entity pickers from the catalog), the scaffolder runs the Mesh Security action against
 * the demo estate, and the pull request is opened on the loopback GitHub API mock configured in
 * app-config.e2e.yaml.
 */
const POLICY_PATH = 'clusters/demo/payments/authorization/payments.yaml';
const MTLS_PATH = 'clusters/demo/storefront/authentication/storefront-web.yaml';
const before = fs.readFileSync(
  path.resolve(
    __dirname,
    '../../plugins/scaffolder-backend-module-mesh-security/src/__fixtures__/istio-payments.before.yaml',
  ),
  'utf8',
);

let github: GithubMock;

test.beforeEach(async ({ page }) => {
  github = await startGithubMock(7790, 'acme', 'gitops', {
    [POLICY_PATH]: before,
  });
  await signInAsGuest(page);
});

test.afterEach(async () => {
  await github?.close();
});

/**
 * Fills the justification, reviews and creates; waits for the pull request link. `onReview`
 * checks the review step before Create.
 */
async function reviewAndCreate(
  page: Page,
  justification: string,
  onReview?: () => Promise<void>,
) {
  await page
    .getByRole('textbox', { name: /Justification/ })
    .fill(justification);
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByText(justification)).toBeVisible();
  await onReview?.();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('link', { name: 'Pull request' })).toBeVisible({
    timeout: 60_000,
  });
  expect(page.getByText('Something Went Wrong')).toHaveCount(0);
}

test('Request access from the Security tab opens a pull request with the impact', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(error.message));

  // The guest (Carol, storefront team) lands on her own components: payments-api is in All.
  await openSecurityTab(page, 'payments-api');
  await page.getByRole('button', { name: 'Request access' }).click();

  await expect(
    page.getByRole('heading', { name: 'Request access to a service' }),
  ).toBeVisible();
  await expect(
    page.getByRole('textbox', { name: 'Service to call' }),
  ).toHaveValue('component:default/payments-api');
  await pickEntity(page, 'Calling components', 'checkout');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('button', { name: 'Add Item' }).first().click();
  await page.getByRole('spinbutton').first().fill('8080');
  await page.getByRole('checkbox', { name: 'GET' }).check();
  await page.getByRole('button', { name: 'Add Item' }).nth(1).click();
  await page
    .getByRole('textbox')
    .filter({ hasNotText: /./ })
    .last()
    .fill('/status');
  await page.getByRole('button', { name: 'Next' }).click();

  // The last step previews the impact: the action's dry run against the mock's policy file.
  const preview = page.getByRole('region', { name: 'Impact of the change' });
  const row = preview
    .getByRole('table', { name: 'Callers before and after the change' })
    .getByRole('row')
    .filter({ hasText: '8080' });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(
    row.getByRole('cell', {
      name: 'storefront/checkout (POST /charge)',
      exact: true,
    }),
  ).toBeVisible();
  await expect(
    row.getByRole('cell', {
      name: 'storefront/checkout (POST /charge; GET /status)',
      exact: true,
    }),
  ).toBeVisible();
  await expect(
    row.getByText('storefront/checkout GET /status: DENY → ALLOW'),
  ).toBeVisible();
  await expect(preview).toContainText(
    /Opens the pull request in https?:\/\/localhost:7790\/acme\/gitops/,
  );
  await expect(preview).toContainText(POLICY_PATH);
  expect(github.pulls).toHaveLength(0);

  await reviewAndCreate(
    page,
    'Checkout shows the payment status page after an order.',
    async () => {
      // The review lists the impact in words.
      await expect(
        page.getByText(
          /port 8080: storefront\/checkout \(POST \/charge\) → storefront\/checkout \(POST \/charge; GET \/status\)\. Opens the pull request in/,
        ),
      ).toBeVisible();
    },
  );
  expect(errors).toEqual([]);

  expect(github.pulls).toHaveLength(1);
  const [pull] = github.pulls;
  expect(pull.body).toContain(
    '| port | callers before | callers after | added | removed | requested (before → after) |',
  );
  expect(pull.body).toContain('storefront/checkout GET /status: DENY → ALLOW');
  expect(pull.labels).toEqual(['mesh-security', 'access-change']);
  expect(github.file(pull.head, POLICY_PATH)).toContain('paths: ["/status"]');
  // Every rule of the file is still there.
  expect(github.file(pull.head, POLICY_PATH)).toContain(
    'payments-api-deny-admin',
  );
  expect(github.file(pull.head, POLICY_PATH)).toContain('paths: ["/charge"]');
  expect(github.authorizations.every(a => a === 'token e2e-canary-token')).toBe(
    true,
  );
  expect(pull.body).not.toContain('e2e-canary-token');
  await page.screenshot({
    path: test.info().outputPath('request-access.png'),
    fullPage: true,
  });

  // The component's Security tab lists the open pull request, read from the same mock.
  await openSecurityTab(page, 'payments-api');
  const pullRequests = page.getByRole('region', {
    name: 'Open access-change pull requests',
  });
  await expect(
    pullRequests.getByRole('link', { name: new RegExp(`#${pull.number} `) }),
  ).toBeVisible({ timeout: 15_000 });
  await expect(pullRequests.getByText('backstage-bot')).toBeVisible();
});

test('Request access from the template list starts with empty pickers', async ({
  page,
}) => {
  await chooseTemplate(page, 'Request access to a service');
  await expect(
    page.getByRole('textbox', { name: 'Service to call' }),
  ).toHaveValue('');
  await expect(
    page.getByRole('textbox', { name: 'Calling components' }),
  ).toHaveValue('');
  await pickEntity(page, 'Service to call', 'payments-api');
  await pickEntity(page, 'Calling components', 'checkout');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(
    page.getByRole('heading', { name: 'Ports', exact: true }),
  ).toBeVisible();
});

test('Revoke access from the template list removes the grant in a pull request', async ({
  page,
}) => {
  await chooseTemplate(page, 'Revoke access');
  await pickEntity(page, 'Service', 'payments-api');
  await pickEntity(page, 'Callers to remove', 'checkout');
  await page.getByRole('button', { name: 'Next' }).click();
  // Every port, method and path: all of checkout's access.
  await page.getByRole('button', { name: 'Next' }).click();
  await reviewAndCreate(
    page,
    'Checkout now charges through the payments gateway.',
  );

  expect(github.pulls).toHaveLength(1);
  const [pull] = github.pulls;
  expect(pull.body).toContain('storefront/checkout');
  expect(pull.body).toContain('storefront/checkout: only POST /charge → DENY');
  const after = github.file(pull.head, POLICY_PATH) ?? '';
  expect(after).not.toContain('cluster.local/ns/storefront/sa/checkout');
  // The other policies of the file are kept.
  expect(after).toContain('name: deny-all');
  expect(after).toContain('payments-api-deny-admin');
});

test('Enforce STRICT mTLS refuses storefront-web while plaintext was observed', async ({
  page,
}) => {
  await chooseTemplate(page, 'Enforce STRICT mTLS');
  await pickEntity(page, 'Component', 'storefront-web');
  await page
    .getByRole('textbox', { name: /Justification/ })
    .fill('The storefront takes card data: mTLS only.');
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  // catalog/demo-traffic/README.md: 20,160 plaintext requests accepted from outside the mesh in
  // 7 d (checkout's plaintext caller was refused every time: nothing there for STRICT to break).
  await expect(
    page.getByText(/accepted 20160 plaintext request/).first(),
  ).toBeVisible({ timeout: 60_000 });
  expect(github.pulls).toHaveLength(0);
});

test('Enforce STRICT mTLS with the override opens a pull request listing the evidence', async ({
  page,
}) => {
  await chooseTemplate(page, 'Enforce STRICT mTLS');
  await pickEntity(page, 'Component', 'storefront-web');
  await expect(page.getByRole('button', { name: /^Scope/ })).toHaveText(
    "The component's workload",
  );
  await page
    .getByRole('checkbox', { name: /Enforce despite observed plaintext/ })
    .check();
  await reviewAndCreate(page, 'The storefront takes card data: mTLS only.');

  expect(github.pulls).toHaveLength(1);
  const [pull] = github.pulls;
  const file = github.file(pull.head, MTLS_PATH) ?? '';
  expect(file).toContain('kind: PeerAuthentication');
  expect(file).toContain('mode: STRICT');
  expect(pull.body).toContain('#### Observed traffic (evidence window');
  expect(pull.body).toContain('20160 plaintext');
  expect(pull.body).toContain('outside the mesh / unknown (20160)');
  expect(pull.body).toContain('**Enforced despite observed plaintext**');
});
