import { expect, test } from '@playwright/test';
import {
  catalogComponents,
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
      await expect(
        page.getByRole('link', {
          name: component.title ?? component.name,
          exact: true,
        }),
      ).toBeVisible();
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
