import { expect, Locator, Page, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { GithubMock, startGithubMock } from './githubMock';
import {
  fitsItsBox,
  linesOfWord,
  openComponent,
  openOverview,
  openSecurityTab,
  signInAsGuest,
  waitForMeshSecurityData,
} from './helpers';

/*
 * The Mesh Security UI against the running backend and the demo cluster
 * (catalog/demo-cluster, expectations in its README).
 */

const screenshotDir = path.resolve(
  __dirname,
  '..',
  '..',
  'plugins',
  'mesh-security',
  'docs',
  'images',
);

/**
 * Saves a screenshot under the test's output, and with `npm run screenshots` also the copy the
 * README shows (tests otherwise write only ignored paths). The viewport is made tall enough for
 * the content first (the app's layout scrolls inside its own boxes).
 */
async function saveScreenshot(page: Page, name: string, height: number) {
  const file = test.info().outputPath(name);
  await page.setViewportSize({ width: 1440, height });
  await page.waitForTimeout(1_000); // let the graph and tables re-lay out
  await page.screenshot({ path: file, fullPage: true });
  if (!process.env.MESH_SECURITY_UPDATE_SCREENSHOTS) return;
  fs.mkdirSync(screenshotDir, { recursive: true });
  fs.copyFileSync(file, path.join(screenshotDir, name));
}

/** The Mesh security card on a component's overview tab. */
async function openCard(page: Page, component: string): Promise<Locator> {
  await openComponent(page, component);
  const card = page.getByRole('region', { name: 'Mesh security' });
  await expect(card).toBeVisible();
  return card;
}

/** "1 critical, 2 medium": the non-zero finding counts a region shows, by their labels. */
async function findingCounts(region: Locator): Promise<string> {
  const labels = await region
    .getByRole('list', { name: 'Findings by severity' })
    .first()
    .getByLabel(/^\d+ \w+ findings$/)
    .evaluateAll(chips => chips.map(c => c.getAttribute('aria-label') ?? ''));
  return labels
    .map(label => label.replace(/ findings$/, ''))
    .filter(label => !label.startsWith('0 '))
    .join(', ');
}

/** The graph node (SVG text) with exactly this label (the first: a peer may be on both sides). */
function graphNode(graph: Locator, label: string): Locator {
  return graph
    .locator('text')
    .filter({ hasText: new RegExp(`^${label.replace(/[()/]/g, '\\$&')}$`) })
    .first();
}

test.describe('mesh security', () => {
  // The GitOps repository of app-config.e2e.yaml, with no pull request open yet: the Security
  // tab lists none (the scaffolder spec opens one and sees it listed).
  let github: GithubMock | undefined;
  test.beforeAll(async () => {
    github = await startGithubMock(7790, 'acme', 'gitops', {});
  });
  test.afterAll(async () => {
    await github?.close();
  });

  test.beforeEach(async ({ page }) => {
    await signInAsGuest(page);
    await waitForMeshSecurityData(page);
  });

  for (const [component, mode] of [
    ['storefront-web', 'PARTIAL'],
    ['checkout', 'PERMISSIVE'],
    ['payments-api', 'PARTIAL'],
    ['fraud-check', 'STRICT'],
    ['inventory', 'STRICT'],
    ['etl-worker', 'PERMISSIVE'],
    ['legacy-billing', 'DISABLED'],
  ] as const) {
    test(`the card shows ${component} as ${mode}`, async ({ page }) => {
      const card = await openCard(page, component);
      await expect(
        card.getByLabel(new RegExp(`^mTLS ${mode}:`)).first(),
      ).toBeVisible();
      await expect(
        card.getByText(/snapshot \d+ (s|min|h|d) old/),
      ).toBeVisible();
      await expect(
        card.getByLabel(/^Verify explicitly: (pass|warn|fail|unknown)$/),
      ).toBeVisible();
    });
  }

  test('the card links to the Security tab', async ({ page }) => {
    // The card asks for the summary, the tab for the full answer (docs/backend.md).
    const asked: string[] = [];
    page.on('request', r => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/api/mesh-security/entity/'))
        asked.push(pathname.replace('/api/mesh-security/entity/', ''));
    });
    const card = await openCard(page, 'fraud-check');
    await expect(card.getByLabel(/^mTLS STRICT:/).first()).toBeVisible();
    expect(asked).toContain('component/default/fraud-check/summary');
    expect(asked).not.toContain('component/default/fraud-check');
    await page.getByRole('link', { name: 'View security details' }).click();
    await expect(page).toHaveURL(
      /\/catalog\/default\/component\/fraud-check\/mesh-security$/,
    );
    await expect(
      page.getByText('Who can call me, whom can I call').first(),
    ).toBeVisible();
    expect(asked).toContain('component/default/fraud-check');
  });

  test('the Security tab graphs who may call payments-api', async ({
    page,
  }) => {
    await openSecurityTab(page, 'payments-api');
    const graph = page.getByLabel('Access graph of payments/payments-api');
    await expect(graph).toBeVisible();
    await expect(graphNode(graph, 'payments/payments-api')).toBeVisible();
    await expect(graphNode(graph, 'storefront/checkout')).toBeVisible();
    await expect(
      // An allowed line (observed traffic no edge allows is drawn apart, "not known").
      graph.getByLabel(
        /^storefront\/storefront-web to payments\/payments-api, .*: (mTLS|TLS|plaintext)/,
      ),
    ).toHaveCount(0);
    // payments-api may call the ledger.
    await expect(graphNode(graph, 'payments/payments-ledger')).toBeVisible();
    await expect(
      page
        .getByText('spiffe://cluster.local/ns/payments/sa/payments-api')
        .first(),
    ).toBeVisible();
    await expect(
      page.getByText('No open access-change pull requests'),
    ).toBeVisible();
    // A port's reason has room for a policy's name: not broken over lines mid-word.
    const reason = page
      .getByRole('cell')
      .filter({ hasText: /^PeerAuthentication payments\/default$/ })
      .first();
    const linesOfName = await linesOfWord(reason, 'PeerAuthentication');
    expect(linesOfName).toBe(1);
    // At 1280 px the Ports table fits beside the details, without scrolling sideways.
    const ports = page.locator('table').filter({ has: reason });
    expect(await fitsItsBox(ports)).toBe(true);
    await saveScreenshot(page, 'entity-security.png', 1900);
  });

  test('the Security tab shows who may call inventory', async ({ page }) => {
    await openSecurityTab(page, 'inventory');
    const graph = page.getByLabel('Access graph of inventory/inventory');
    await expect(graphNode(graph, 'storefront/storefront-web')).toBeVisible();
    await expect(graphNode(graph, 'storefront/checkout')).toBeVisible();
    // legacy-billing is not meshed: STRICT inventory rejects it (it may be a callee, never a caller).
    await expect(
      graph.getByLabel(
        /^legacy\/legacy-billing to inventory\/inventory, .*: (mTLS|TLS|plaintext)/,
      ),
    ).toHaveCount(0);
  });

  test('fraud-check shows its one caller blocked by a DestinationRule (MS103)', async ({
    page,
  }) => {
    await openSecurityTab(page, 'fraud-check');
    const graph = page.getByLabel('Access graph of payments/fraud-check');
    await expect(graphNode(graph, 'payments/payments-api')).toBeVisible();
    const blocked = graph.getByLabel(
      /^payments\/payments-api to payments\/fraud-check, ports 8080\/http POST \/score: blocked by configuration .*\(MS103\)$/,
    );
    await expect(blocked).toHaveAttribute('data-protection', 'blocked');
    await expect(blocked).toHaveText('blocked · 8080/http POST /score');
    // Reachable by keyboard.
    await blocked.focus();
    await expect(blocked).toBeFocused();
    // The table says the same in words, with the mTLS column.
    const table = page
      .getByText('Access: allowed and blocked')
      .locator('xpath=ancestor::div[contains(@class, "MuiPaper")][1]');
    await expect(
      table.getByRole('columnheader', { name: 'mTLS' }),
    ).toBeVisible();
    const row = table
      .getByRole('row')
      .filter({ hasText: 'payments/payments-api' });
    await expect(row).toContainText('is blocked from calling this workload');
    await expect(row).toContainText('blocked: plaintext (port STRICT)');
    await expect(row).toContainText(
      'DestinationRule payments/fraud-check-plaintext',
    );
    // STRICT, but nobody it is meant to serve can reach it: verify explicitly fails.
    await expect(
      page.getByLabel('Verify explicitly: fail').first(),
    ).toBeVisible();
  });

  test('storefront-web is open to plaintext clients outside the mesh', async ({
    page,
  }) => {
    await openSecurityTab(page, 'storefront-web');
    const graph = page.getByLabel('Access graph of storefront/storefront-web');
    await expect(graphNode(graph, 'External (plaintext)')).toBeVisible();
    // Plaintext into a PERMISSIVE port is drawn as plaintext, not as the port's mode.
    await expect(
      graph.getByLabel(
        /^External \(plaintext\) to storefront\/storefront-web, ports 8080.*: plaintext(,|$)/,
      ),
    ).toHaveAttribute('data-protection', 'plaintext');
  });

  test('etl-worker shows the scrapers its NetworkAuthentication admits as a network peer', async ({
    page,
  }) => {
    await openSecurityTab(page, 'etl-worker');
    const graph = page.getByLabel('Access graph of data/etl-worker');
    const peer = 'Network 10.0.0.0/8 except 10.96.0.0/12';
    await expect(
      graph.getByRole('img', {
        name: `Caller ${peer} (network peer, admitted by address)`,
      }),
    ).toHaveAttribute('data-peer-role', 'network');
    // Clients outside the mesh send plaintext into the PERMISSIVE metrics port.
    await expect(
      graph.getByLabel(
        new RegExp(
          `^${peer} to data/etl-worker, ports 9100/TCP: plaintext(,|$)`,
        ),
      ),
    ).toHaveAttribute('data-protection', 'plaintext');
    await expect(
      page
        .getByRole('group', { name: 'Node legend' })
        .getByText('Network peer (by address)'),
    ).toBeVisible();
    // The table names the ranges and the policy that admits them.
    const table = page
      .getByText('Access: allowed and blocked')
      .locator('xpath=ancestor::div[contains(@class, "MuiPaper")][1]');
    const row = table.getByRole('row').filter({ hasText: peer });
    await expect(row).toContainText('plaintext (port PERMISSIVE)');
    await expect(row).toContainText(
      'AuthorizationPolicy data/etl-metrics-scrape',
    );
    // Traffic from a Linkerd identity no workload carries: the graph draws its long name cut
    // (whole in the node's name), so the workload stays in sight; the table wraps it at its
    // dots, so the table fits the tab at 1280 px, Observed included.
    const scraper =
      'prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local';
    const observed = graph.getByRole('img', {
      name: new RegExp(`^Caller ${scraper.replace(/\./g, '\\.')}`),
    });
    await expect(observed).toHaveAttribute('data-peer-role', 'observed');
    await expect(observed.locator('text')).toHaveText(/^prometheus\..*…$/);
    const self = graph.getByRole('img', {
      name: 'This workload: data/etl-worker',
    });
    expect(
      await self.evaluate(
        node =>
          node.getBoundingClientRect().right <=
          node.closest('svg')!.parentElement!.getBoundingClientRect().right,
      ),
    ).toBe(true);
    const access = table.locator('table');
    await expect(
      access.getByRole('row').filter({ hasText: scraper }),
    ).toHaveCount(1);
    expect(await fitsItsBox(access)).toBe(true);
  });

  test('fraud-check leads with its worst finding on the tab and the card, not STRICT', async ({
    page,
  }) => {
    await openSecurityTab(page, 'fraud-check');
    const lead = page.getByRole('region', { name: 'Worst finding' });
    await expect(lead).toContainText(
      'MS103: STRICT server behind a DestinationRule that disables mTLS',
    );
    await expect(lead.getByText('critical', { exact: true })).toBeVisible();
    // Read first: the lead comes before the mode badge in the summary.
    const before = await page.evaluate(() => {
      const first = document.querySelector(
        'section[aria-label="Worst finding"]',
      );
      const badge = document.querySelector('[data-mtls-mode]');
      return !!first && !!badge
        ? !!(
            first.compareDocumentPosition(badge) &
            Node.DOCUMENT_POSITION_FOLLOWING
          )
        : false;
    });
    expect(before).toBe(true);
    const card = await openCard(page, 'fraud-check');
    await expect(
      card.getByRole('region', { name: 'Worst finding' }),
    ).toContainText('MS103');
  });

  test('storefront-web groups peers no policy applies to and hides platform peers', async ({
    page,
  }) => {
    await openSecurityTab(page, 'storefront-web');
    const graph = page.getByLabel('Access graph of storefront/storefront-web');
    await expect(
      graph.getByRole('img', {
        name: /^Callee No policy applies \(2 workloads\)/,
      }),
    ).toBeVisible();
    await expect(graphNode(graph, 'legacy/legacy-billing')).toHaveCount(0);
    await expect(page.getByLabel('Platform peers hidden')).toContainText(
      'kube-system/coredns',
    );
    await expect(graphNode(graph, 'kube-system/coredns')).toHaveCount(0);
    await page.getByRole('checkbox', { name: /^Show platform peers/ }).check();
    await expect(graphNode(graph, 'kube-system/coredns')).toBeVisible();
    await page
      .getByRole('checkbox', { name: 'Show each peer no policy applies to' })
      .check();
    await expect(graphNode(graph, 'legacy/legacy-billing')).toBeVisible();
    // Tables wrap between words: no cell breaks anywhere (word-break: break-all).
    const breakAll = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('main td, main th')).filter(
          cell => getComputedStyle(cell).wordBreak === 'break-all',
        ).length,
    );
    expect(breakAll).toBe(0);
  });

  test('Request access opens the template prefilled with the component', async ({
    page,
  }) => {
    await openSecurityTab(page, 'payments-api');
    await page.getByRole('button', { name: 'Request access' }).click();
    await expect(page).toHaveURL(
      /\/create\/templates\/default\/request-access\?formData=/,
    );
    const formData = new URL(page.url()).searchParams.get('formData');
    expect(JSON.parse(formData ?? '{}')).toEqual({
      target: 'component:default/payments-api',
    });
  });

  test('the overview filters by mode', async ({ page }) => {
    await openOverview(page);
    const table = page.getByRole('main');
    await expect(
      table.getByRole('link', { name: 'payments-api', exact: true }),
    ).toBeVisible();
    await expect(
      page.getByRole('img', { name: /^All components: / }),
    ).toBeVisible();
    await expect(page.getByText('Mesh certificates: demo')).toBeVisible();
    await expect(page.getByLabel(/days, expiring$/).first()).toBeVisible();
    await saveScreenshot(page, 'overview.png', 1500);

    await page
      .getByTestId('filter-mode')
      .locator('select')
      .selectOption('STRICT');
    await expect(
      table.getByRole('link', { name: 'payments-api', exact: true }),
    ).toHaveCount(0);
    await expect(
      table.getByRole('link', { name: 'fraud-check', exact: true }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'inventory', exact: true }),
    ).toBeVisible();
    await expect(
      page.getByRole('img', { name: 'All components: 2 STRICT' }),
    ).toBeVisible();
  });

  test('the Security tab shows the observed traffic of checkout (recorded)', async ({
    page,
  }) => {
    await openSecurityTab(page, 'checkout');
    await expect(page.getByLabel('Observation status').first()).toHaveText(
      /^Observed traffic from recorded data/,
      { timeout: 30_000 },
    );
    // catalog/demo-traffic/README.md: one plaintext caller from outside the mesh, refused.
    await expect(
      page.getByText('outside the mesh / unknown').first(),
    ).toBeVisible();
    // Its graph is wider than the tab: the hint says it scrolls.
    await expect(
      page.getByText('Scroll the graph sideways to see every peer'),
    ).toBeVisible();
    // At 1280 px the access table fits the tab, observed traffic included, without scrolling.
    const access = page
      .locator('table')
      .filter({ hasText: 'is called by this workload' })
      .first();
    await expect(
      access.getByRole('columnheader', { name: 'Observed' }),
    ).toBeVisible();
    expect(await fitsItsBox(access)).toBe(true);
    await expect(
      page.getByText('Scroll the table sideways to see every column'),
    ).toHaveCount(0);
    // It breaks names and modes between words only (the direction under the peer's name).
    const peer = access
      .getByRole('cell')
      .filter({ hasText: /^payments\/payments-apiis called by this workload$/ })
      .first();
    expect(await linesOfWord(peer, 'payments')).toBe(1);
    const mode = access
      .getByRole('cell')
      .filter({ hasText: /^mTLS \(port PERMISSIVE\)$/ })
      .first();
    expect(await linesOfWord(mode, 'PERMISSIVE')).toBe(1);
  });

  test('card, Security tab and overview count the same findings', async ({
    page,
  }) => {
    // Two pages per demo component.
    test.setTimeout(300_000);
    await openOverview(page);
    const table = page.getByRole('main');
    await expect(
      table.getByRole('link', { name: 'fraud-check', exact: true }),
    ).toBeVisible();
    const overview = new Map<string, string>();
    const rows = table.getByRole('row').filter({
      has: page.getByRole('list', { name: 'Findings by severity' }),
    });
    for (const row of await rows.all()) {
      const name = (await row.getByRole('link').first().textContent()) ?? '';
      overview.set(name, await findingCounts(row));
    }
    expect(overview.size).toBeGreaterThan(5);
    // fraud-check's blocked caller is a critical finding on the overview too (issue 13).
    expect(overview.get('fraud-check')).toContain('critical');
    for (const [component, counts] of overview) {
      const card = await openCard(page, component);
      await expect(
        card.getByText(/snapshot \d+ (s|min|h|d) old/),
      ).toBeVisible();
      expect({ component, card: await findingCounts(card) }).toEqual({
        component,
        card: counts,
      });
      // From the card's page, the Security tab.
      await page.getByRole('tab', { name: 'Security' }).click();
      const posture = page.getByRole('main');
      await expect(posture.getByText('Applicable policies')).toBeVisible();
      expect({ component, tab: await findingCounts(posture) }).toEqual({
        component,
        tab: counts,
      });
    }
  });

  test('a component without Kubernetes annotations shows the empty state', async ({
    page,
  }) => {
    const card = await openCard(page, 'docs-portal');
    await expect(
      card.getByText('No Kubernetes workloads for this entity'),
    ).toBeVisible();
    await expect(
      card.getByText('backstage.io/kubernetes-id').first(),
    ).toBeVisible();
    await openOverview(page);
    await expect(
      page.getByText(/1 catalog component is not covered/),
    ).toBeVisible();
  });

  test('the overview keeps its filters in the URL', async ({ page }) => {
    // A shared link with a filter opens the overview filtered: here the URL is the start.
    await page.goto('/mesh-security?mode=STRICT');
    const table = page.getByRole('main');
    await expect(
      table.getByRole('link', { name: 'fraud-check', exact: true }),
    ).toBeVisible();
    await expect(
      table.getByRole('link', { name: 'payments-api', exact: true }),
    ).toHaveCount(0);
    await page
      .getByTestId('filter-mode')
      .locator('select')
      .selectOption('PERMISSIVE');
    await expect(page).toHaveURL(/[?&]mode=PERMISSIVE/);
  });

  test('the overview shows the STRICT rollout board with etl-worker and checkout ready', async ({
    page,
  }) => {
    await openOverview(page);
    await expect(page.getByLabel('Observation status demo')).toHaveText(
      /^Observed traffic from recorded data/,
      { timeout: 30_000 },
    );
    await expect(page.getByLabel('Observed encryption share')).toContainText(
      'All matching components:',
    );
    const ready = page.getByRole('list', { name: 'Ready for STRICT' });
    await expect(
      ready.getByRole('link', { name: 'etl-worker', exact: true }),
    ).toBeVisible();
    // checkout's plaintext caller was refused every time; storefront-web accepted plaintext.
    await expect(
      ready.getByRole('link', { name: 'checkout', exact: true }),
    ).toBeVisible();
    await expect(
      ready.getByRole('link', { name: 'storefront-web', exact: true }),
    ).toHaveCount(0);
    // The evidence is read whole: Backstage's theme clips a list item's text to one line.
    const clipped = await ready.evaluate(
      list =>
        Array.from(list.querySelectorAll('p')).filter(
          p => p.scrollWidth > p.clientWidth + 1,
        ).length,
    );
    expect(clipped).toBe(0);
  });
});
