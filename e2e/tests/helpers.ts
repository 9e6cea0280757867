import { expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Signs in with the guest provider, as a local user of the demo app does. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.click();
  await expect(page.getByText('Mesh Security', { exact: true }).first()).toBeVisible();
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
