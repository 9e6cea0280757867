import { expect, test } from '@playwright/test';
import { openComponent, signInAsGuest } from './helpers';

/*
 * Tech Insights in the demo app (docs/tech-insights.md): the Mesh Security fact retriever runs
 * on its schedule, and the example checks of app-config.yaml answer for each demo component what
 * the Mesh Security backend says about it — through the Tech Insights REST API, with the
 * signed-in user's token, and on the component's Scorecards tab, reached by clicks.
 */
test('Tech Insights checks answer from Mesh Security facts', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  // The guest session the click opened, as the app's identity API refreshes it.
  const refresh = await page.request.get(
    '/api/auth/guest/refresh?env=development',
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  expect(refresh.ok()).toBe(true);
  const token = (await refresh.json()).backstageIdentity.token as string;
  const headers = { Authorization: `Bearer ${token}` };

  const names = ['payments-api', 'fraud-check', 'storefront-web', 'etl-worker'];
  const expected: Record<string, Record<string, boolean>> = {};
  const actual: Record<string, Record<string, boolean>> = {};
  await expect(async () => {
    // What Mesh Security says (complete answers only: the first run can predate the first read).
    const facts = await (
      await page.request.get('/api/mesh-security/facts?limit=500', { headers })
    ).json();
    for (const name of names) {
      const item = facts.items.find(
        (i: any) => i.entityRef === `component:default/${name}`,
      );
      expect(item.facts.partial).toBe(false);
      expected[name] = {
        meshSecurityStrictEverywhere: item.facts.allPortsStrict,
        meshSecurityNoHighFindings: item.facts.highOrCriticalFindings === 0,
        meshSecurityLeastPrivilege: item.facts.allowAllRules === 0,
      };
      const run = await page.request.post(
        `/api/tech-insights/checks/run/default/component/${name}`,
        { headers, data: { checks: Object.keys(expected[name]) } },
      );
      expect(run.ok()).toBe(true);
      const results = await run.json();
      actual[name] = Object.fromEntries(
        results.map((r: any) => [r.check.id, r.result]),
      );
    }
    expect(actual).toEqual(expected);
  }).toPass({ timeout: 200_000, intervals: [5_000] });

  // The demo has components that pass and components that fail, so the checks can fail.
  const strict = names.map(n => actual[n].meshSecurityStrictEverywhere);
  expect(strict).toContain(true);
  expect(strict).toContain(false);

  // The scorecard a user sees: from the catalog (the guest lands on her own components, so
  // All first) to payments-api's Scorecards tab, the same verdicts in words.
  await page.getByRole('link', { name: 'Home', exact: true }).click();
  await openComponent(page, 'payments-api');
  await page.getByRole('tab', { name: 'Scorecards' }).click();
  const list = page.getByRole('list', { name: 'Mesh security checks' });
  const verdict = (passed: boolean) => (passed ? 'passed' : 'failed');
  const payments = actual['payments-api'];
  await expect(list.getByRole('listitem')).toHaveText(
    [
      `mTLS STRICT on every port: ${verdict(
        payments.meshSecurityStrictEverywhere,
      )}`,
      `No high or critical mesh findings: ${verdict(
        payments.meshSecurityNoHighFindings,
      )}`,
      `Least privilege: no allow-all rules: ${verdict(
        payments.meshSecurityLeastPrivilege,
      )}`,
    ].map(text => new RegExp(`^${text}`)),
  );
});
