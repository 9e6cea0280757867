import { expect, test } from '@playwright/test';
import {
  catalogComponents,
  linesOfWord,
  openComponent,
  showAllComponents,
  signInAsGuest,
} from './helpers';

test.describe('catalog', () => {
  test('lists every example component', async ({ page }) => {
    const components = catalogComponents();
    expect(components.length).toBeGreaterThan(3);

    await signInAsGuest(page);
    // The guest lands on the catalog with her own components: every component is in All.
    await showAllComponents(page);
    for (const component of components) {
      const name = component.title ?? component.name;
      const link = page.getByRole('link', { name, exact: true });
      await expect(link).toBeVisible();
      // Names break at their hyphens only, never mid-word (Backstage's table cells break
      // anywhere: "check|out" at 1280 px).
      for (const word of name.split(/[-\s]/).filter(Boolean)) {
        expect(await linesOfWord(link, word), `${word} of ${name}`).toBe(1);
      }
    }
    await page.screenshot({
      path: test.info().outputPath('catalog.png'),
      fullPage: true,
    });
  });

  test('renders a component page', async ({ page }) => {
    const [component] = catalogComponents();
    await signInAsGuest(page);
    await openComponent(page, component.title ?? component.name);
    await expect(page.getByText('About', { exact: true })).toBeVisible();
  });
});
