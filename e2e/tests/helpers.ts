import { expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Signs in with the guest provider, as a local user of the demo app does. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  const settings = page.getByRole('link', { name: 'Settings' });
  // Signed in once the app shell (sidebar) shows; the first click can land before the
  // sign-in page is interactive, so click again until it does.
  await expect(async () => {
    if (await enter.isVisible()) await enter.click();
    await expect(settings).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
}

/** The Components defined under catalog/components, read the way the catalog reads them. */
export function catalogComponents(): Array<{ name: string; title?: string }> {
  const dir = path.resolve(__dirname, '..', '..', 'catalog', 'components');
  const components: Array<{ name: string; title?: string }> = [];
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const entity = doc.toJS();
      if (entity?.kind === 'Component') {
        components.push({
          name: entity.metadata.name,
          title: entity.metadata.title,
        });
      }
    }
  }
  return components;
}

/**
 * Waits until the Mesh Security backend has read the demo cluster once (right after start its
 * answers are partial, "not read yet"), using the fraud-check card as the probe.
 */
export async function waitForMeshSecurityData(page: Page) {
  await expect(async () => {
    await page.goto('/catalog/default/component/fraud-check');
    // The backend restarts when its sources change under `package start`: sign in again.
    const enter = page.getByRole('button', { name: 'Enter' });
    if (await enter.isVisible()) await signInAsGuest(page);
    await page.goto('/catalog/default/component/fraud-check');
    const card = page.getByRole('region', { name: 'Mesh security' });
    await expect(card.getByText(/snapshot \d+ (s|min|h|d) old/)).toBeVisible({
      timeout: 3_000,
    });
  }).toPass({ timeout: 120_000, intervals: [1_000, 2_000, 5_000] });
}
