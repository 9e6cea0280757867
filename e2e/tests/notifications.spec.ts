import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { signInAsGuest, waitForMeshSecurityData } from './helpers';

/*
 * Regression notifications against the demo (docs/backend.md "Notifications on regressions"):
 * the backend reads a copy of the demo cluster under the git-ignored test-results
 * (app-config.e2e.yaml, copied by playwright.config.ts); the test turns inventory's namespace
 * PeerAuthentication from STRICT to PERMISSIVE there, and the guest — signed in as Carol of
 * storefront-team, inventory's owner — finds exactly one notification, from a click on the
 * sidebar's Notifications item, linking to inventory's Security tab. Restoring the file resolves
 * it (the same notification, updated), and leaves the demo as the other tests expect it.
 */
const testResults = path.resolve(__dirname, '..', 'test-results');
const inventoryManifests = path.join(
  testResults,
  'demo-cluster',
  'inventory.yaml',
);
const backendLog = path.join(testResults, 'backend.log');
const STRICT = /^(\s+mode:) STRICT$/m;

let original: string | undefined;

test.afterAll(() => {
  if (original !== undefined) fs.writeFileSync(inventoryManifests, original);
});

test('a manifests change notifies the owner of inventory exactly once', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await waitForMeshSecurityData(page);
  // Changes are notified from a component's baseline on: wait until the notifier recorded
  // inventory's (it logs the components it sees for the first time).
  await expect(async () => {
    const log = fs.readFileSync(backendLog, 'utf8');
    expect(log).toMatch(
      /first seen, recorded as the baseline: [^\n]*component:default\/inventory\b/,
    );
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000] });

  original = fs.readFileSync(inventoryManifests, 'utf8');
  expect(original).toMatch(STRICT);
  fs.writeFileSync(
    inventoryManifests,
    original.replace(STRICT, '$1 PERMISSIVE'),
  );

  const title =
    'inventory: port 8080 (http) of inventory/inventory left STRICT';
  const notification = page.getByRole('link', { name: title, exact: true });
  await page.goto('/catalog');
  // The notifier reads the change within a refresh and a check (5 seconds each in e2e).
  await expect(async () => {
    await page.getByRole('link', { name: /^Notifications/ }).click();
    await expect(page).toHaveURL(/\/notifications/);
    await expect(notification).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });
  await expect(
    page.getByRole('link', { name: /^inventory: /, exact: false }),
  ).toHaveCount(1);
  await expect(notification).toHaveAttribute(
    'href',
    '/catalog/default/component/inventory/mesh-security',
  );
  // STRICT again: the same notification now says it is resolved.
  fs.writeFileSync(inventoryManifests, original);
  original = undefined;
  const resolved = page.getByRole('link', { name: `Resolved: ${title}` });
  await expect(async () => {
    await page.reload();
    await expect(resolved).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });
  await expect(page.getByRole('link', { name: /inventory: / })).toHaveCount(1);

  await notification.or(resolved).first().click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/inventory\/mesh-security$/,
  );
});
