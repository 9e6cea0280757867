import { expect, test } from '@playwright/test';
import { catalogComponents, signInAsGuest } from './helpers';

test.describe('catalog', () => {
  test('lists every example component', async ({ page }) => {
    const components = catalogComponents();
    expect(components.length).toBeGreaterThan(3);

    await signInAsGuest(page);
    await page.goto(
      '/catalog?filters%5Bkind%5D=component&filters%5Buser%5D=all',
    );
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
    await page.goto(`/catalog/default/component/${component.name}`);
    await expect(
      page
        .getByRole('heading', { name: component.title ?? component.name })
        .first(),
    ).toBeVisible();
    await expect(page.getByText('About', { exact: true })).toBeVisible();
  });
});
