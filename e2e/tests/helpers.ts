import { expect, Locator, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
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

/**
 * From the catalog's home, the list of every component: the user's picker ("Owned", "Starred",
 * "All"). The guest lands on her own components. The picker picks its initial filter once the
 * owned and starred counts have loaded, so a click on "All" before then can be undone: wait for
 * the counts, then click until the list is "All Components".
 */
export async function showAllComponents(page: Page) {
  await expect(
    page.getByRole('heading', { name: /^(Owned|All) Components/ }),
  ).toBeVisible({ timeout: 30_000 });
  for (const filter of ['Owned', 'Starred']) {
    await expect(
      page.getByRole('menuitem', { name: new RegExp(`^${filter} \\d+$`) }),
    ).toBeVisible({ timeout: 30_000 });
  }
  const all = page.getByRole('heading', { name: /^All Components/ });
  await expect(async () => {
    await page.getByRole('menuitem', { name: /^All \d+$/ }).click();
    await expect(all).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
}

/**
 * A component's page, reached as a user reaches it: the sidebar's Home (the catalog), every
 * component, then the component's link (again after "All" if the picker went back to "Owned").
 */
export async function openComponent(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Home', exact: true })
    .click();
  await showAllComponents(page);
  const all = page.getByRole('heading', { name: /^All Components/ });
  await expect(async () => {
    if (!(await all.isVisible()))
      await page.getByRole('menuitem', { name: /^All \d+$/ }).click();
    await page
      .getByRole('main')
      .getByRole('link', { name, exact: true })
      .click({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  // The page's title heading: the name, then the favourite button's label.
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
}

/** A component's Security tab: its page (`openComponent`), then the tab. */
export async function openSecurityTab(page: Page, name: string) {
  await openComponent(page, name);
  await page.getByRole('tab', { name: 'Security' }).click();
}

/** The catalog-wide overview, from the sidebar's Mesh Security item. */
export async function openOverview(page: Page) {
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Mesh Security', exact: true })
    .click();
}

/** Picks `name` in an entity picker (single or multiple) by typing part of it. */
export async function pickEntity(page: Page, label: string, name: string) {
  const input = page.getByRole('textbox', { name: label, exact: true });
  await input.click();
  await input.fill(name);
  await page
    .getByRole('listbox', { name: label })
    .getByRole('option', { name, exact: true })
    .click();
}

/** Opens a template from the template list, as its card's Choose button does. */
export async function chooseTemplate(page: Page, title: string) {
  await page.getByRole('link', { name: 'Create...' }).click();
  // The smallest element around the card's title that holds a Choose button: the card.
  const card = page
    .getByRole('heading', { name: title, level: 4, exact: true })
    .locator('xpath=ancestor::*[.//button[normalize-space()="Choose"]][1]');
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
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

/**
 * Parts of Backstage's own components that fail axe and that the plugin cannot change: the sort
 * buttons in the header of Backstage's `Table` (material-table nests a focusable tooltip in
 * them: `nested-interactive`). The check skips them; the README lists them.
 */
export const BACKSTAGE_AXE_EXCLUSIONS = [
  // The production build suffixes Material UI's class names (`MuiTableSortLabel-root-817`).
  'th [class*="MuiTableSortLabel-root"]',
];

/**
 * The axe-core violations of impact serious or critical, against WCAG 2.1 A and AA and axe's
 * best practices: in the parts `include` selects (CSS; the whole page when omitted),
 * minus `exclude` and {@link BACKSTAGE_AXE_EXCLUSIONS}. One line per violation and element, so
 * a failing assertion names the rule, the element and what to fix.
 */
export async function seriousAxeViolations(
  page: Page,
  options: { include?: string; exclude?: string[] } = {},
): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
    'best-practice',
  ]);
  if (options.include) builder = builder.include(options.include);
  for (const selector of [
    ...BACKSTAGE_AXE_EXCLUSIONS,
    ...(options.exclude ?? []),
  ]) {
    builder = builder.exclude(selector);
  }
  const results = await builder.analyze();
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v =>
      v.nodes.map(
        node =>
          `${v.id} (${v.impact}) ${node.target.join(' ')} ${node.html.slice(
            0,
            120,
          )}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`,
      ),
    );
}

/**
 * Elements inside the page's `main` that scroll sideways (content wider than the box) with no
 * visible scroll hint (`[data-scroll-hint]`) in their wrapper (`[data-scroll-hint-scope]`), described
 * by tag, class and a little of their text. Empty when nothing essential hides behind a
 * horizontal scroller without a hint.
 */
export async function unhintedHorizontalScrollers(
  page: Page,
): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const main = document.querySelector('main') ?? document.body;
    for (const element of Array.from(main.querySelectorAll<HTMLElement>('*'))) {
      const style = getComputedStyle(element);
      if (!['auto', 'scroll'].includes(style.overflowX)) continue;
      if (element.scrollWidth <= element.clientWidth + 1) continue;
      if (element.clientWidth === 0) continue;
      // Backstage's entity tab bar (a scrollable MUI Tabs) is the app's shell, not the plugin's.
      if (String(element.className).includes('MuiTabs-scroller')) continue;
      // The hint and its table share a wrapper marked `data-scroll-hint-scope`.
      const scope = element.closest('[data-scroll-hint-scope]');
      const hint = scope?.querySelector<HTMLElement>('[data-scroll-hint]');
      const hinted = !!hint && hint.offsetParent !== null;
      if (!hinted) {
        found.push(
          `${element.tagName.toLowerCase()}.${String(element.className)
            .split(' ')
            .slice(0, 2)
            .join('.')} (${element.scrollWidth}px in ${
            element.clientWidth
          }px): ${(element.textContent ?? '').slice(0, 60)}`,
        );
      }
    }
    // The page itself must not scroll sideways.
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
      found.push(`the page (${root.scrollWidth}px in ${root.clientWidth}px)`);
    }
    return found;
  });
}

/**
 * The violations of axe's `heading-order` rule (a heading level skipped, e.g. an `h6` right
 * after an `h2`) in the parts `include` selects, whatever their impact: axe rates the rule
 * moderate, so {@link seriousAxeViolations} leaves it out and the pages assert it on its own.
 * One line per heading, naming it.
 */
export async function headingOrderViolations(
  page: Page,
  options: { include?: string } = {},
): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withRules(['heading-order']);
  if (options.include) builder = builder.include(options.include);
  const results = await builder.analyze();
  return results.violations.flatMap(v =>
    v.nodes.map(
      node => `${v.id} ${node.target.join(' ')} ${node.html.slice(0, 160)}`,
    ),
  );
}

/** Whether a table is no wider than the box it sits in (so it does not scroll sideways). */
export async function fitsItsBox(table: Locator): Promise<boolean> {
  return table.evaluate(
    t =>
      t.getBoundingClientRect().width <=
      t.parentElement!.getBoundingClientRect().width,
  );
}

/**
 * On how many lines the browser draws `word` inside `element` (its first occurrence; 0 when it
 * is not there): 1 unless a narrow column broke the word.
 */
export async function linesOfWord(
  element: Locator,
  word: string,
): Promise<number> {
  return element.evaluate((root, w) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.textContent?.indexOf(w) ?? -1;
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(n, at);
      range.setEnd(n, at + w.length);
      return range.getClientRects().length;
    }
    return 0;
  }, word);
}
