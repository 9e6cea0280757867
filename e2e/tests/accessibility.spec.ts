import { expect, Page, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { GithubMock, startGithubMock } from './githubMock';
import {
  chooseTemplate,
  headingOrderViolations,
  openComponent,
  openOverview,
  openSecurityTab,
  pickEntity,
  seriousAxeViolations,
  signInAsGuest,
  unhintedHorizontalScrollers,
  waitForMeshSecurityData,
} from './helpers';

/*
 * axe-core (WCAG 2.1 A and AA, best practices) on every page the plugin draws: the overview,
 * a component's Security tab, the card on a component's overview and the scaffolder forms of
 * the Mesh Security templates (catalog/templates), every step up to the review. Zero serious or
 * critical violations, and no skipped heading level (axe rates `heading-order` moderate, so it
 * is asserted on its own). Backstage's own parts the plugin cannot change are left out
 * (helpers.ts BACKSTAGE_AXE_EXCLUSIONS, README "Development"); on a component's overview only
 * the card is checked, the other cards there are Backstage's.
 */

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
  await waitForMeshSecurityData(page);
});

let github: GithubMock | undefined;

test.afterEach(async () => {
  await github?.close();
  github = undefined;
});

async function expectAccessible(
  page: Page,
  options?: Parameters<typeof seriousAxeViolations>[1],
) {
  expect(await seriousAxeViolations(page, options)).toEqual([]);
  expect(
    await headingOrderViolations(page, { include: options?.include }),
  ).toEqual([]);
}

test('the overview has no serious accessibility violation', async ({
  page,
}) => {
  await openOverview(page);
  await expect(
    page.getByRole('link', { name: 'payments-api', exact: true }).first(),
  ).toBeVisible();
  await expect(page.getByLabel('Observation status demo')).toHaveText(
    /^Observed traffic/,
    { timeout: 30_000 },
  );
  await expectAccessible(page);
  // The filters are labelled drop-downs.
  await expect(page.getByRole('combobox', { name: 'mTLS mode' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Owner' })).toBeVisible();
});

for (const component of [
  'payments-api',
  'fraud-check',
  'storefront-web',
  'etl-worker',
]) {
  test(`the Security tab of ${component} has no serious accessibility violation`, async ({
    page,
  }) => {
    await openSecurityTab(page, component);
    const graph = page.getByRole('group', { name: /^Access graph of / });
    await expect(graph.first()).toBeVisible();
    await expect(page.getByLabel('Observation status').first()).toHaveText(
      /^Observed traffic/,
      { timeout: 30_000 },
    );
    await expectAccessible(page);
    // The graph is reachable by keyboard: its nodes and lines take the focus.
    const first = graph.first().locator('[tabindex="0"]').first();
    await first.focus();
    await expect(first).toBeFocused();
  });
}

test('the card on the component overview has no serious accessibility violation', async ({
  page,
}) => {
  await openComponent(page, 'fraud-check');
  await expect(
    page
      .getByRole('region', { name: 'Mesh security' })
      .getByText(/snapshot \d+ (s|min|h|d) old/),
  ).toBeVisible();
  await expectAccessible(page, {
    include: '[role="region"][aria-label="Mesh security"]',
  });
});

test('the request-access form has no serious accessibility violation, on any step', async ({
  page,
}) => {
  // The last step previews the impact from the policy file on the GitOps repository (the
  // loopback GitHub mock of app-config.e2e.yaml), so the preview is checked as users see it.
  github = await startGithubMock(7790, 'acme', 'gitops', {
    'clusters/demo/payments/authorization/payments.yaml': fs.readFileSync(
      path.resolve(
        __dirname,
        '../../plugins/scaffolder-backend-module-mesh-security/src/__fixtures__/istio-payments.before.yaml',
      ),
      'utf8',
    ),
  });
  // As a user starts: the Security tab's Request access button, then the caller.
  await openSecurityTab(page, 'payments-api');
  await page.getByRole('button', { name: 'Request access' }).click();
  await expect(
    page.getByRole('heading', { name: 'Request access to a service' }),
  ).toBeVisible();
  await pickEntity(page, 'Calling components', 'checkout');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Add Item' }).first().click();
  await page.getByRole('spinbutton', { name: 'Port' }).fill('8080');
  await page.getByRole('button', { name: 'Add Item' }).nth(1).click();
  await page.getByRole('textbox', { name: 'HTTP path' }).fill('/status');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await page
    .getByRole('textbox', { name: /Justification/ })
    .fill('Checkout shows the payment status page after an order.');
  await expect(
    page
      .getByRole('region', { name: 'Impact of the change' })
      .getByRole('table', { name: 'Callers before and after the change' }),
  ).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByRole('button', { name: 'Create' })).toBeVisible();
  // The review names the repository the pull request goes to (app-config.e2e.yaml).
  await expect(page.getByText('Pull request goes to')).toBeVisible();
  await expect(
    page.getByText(/github|gitops|None configured|Unknown/).first(),
  ).toBeVisible();
  await expectAccessible(page);
});

for (const [template, title] of [
  ['revoke-access', 'Revoke access'],
  ['enforce-mtls', 'Enforce STRICT mTLS'],
] as const) {
  test(`the ${template} form has no serious accessibility violation`, async ({
    page,
  }) => {
    await chooseTemplate(page, title);
    await expectAccessible(page);
  });
}

// Signed in and navigated at desktop width (the sidebar's links), then narrowed.
test.describe('at phone width (390×844)', () => {
  test('the overview hides nothing behind a sideways scroller without a hint', async ({
    page,
  }) => {
    await openOverview(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(
      page.getByRole('link', { name: 'payments-api', exact: true }).first(),
    ).toBeVisible();
    expect(await unhintedHorizontalScrollers(page)).toEqual([]);
    await expect(
      page.getByText('Scroll the table sideways to see every column').first(),
    ).toBeVisible();
  });

  test('the Security tab hides nothing behind a sideways scroller without a hint', async ({
    page,
  }) => {
    await openSecurityTab(page, 'payments-api');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(
      page.getByRole('group', { name: /^Access graph of / }).first(),
    ).toBeVisible();
    expect(await unhintedHorizontalScrollers(page)).toEqual([]);
  });
});
