import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  CatalogAccessChangePullRequest,
  CatalogPullRequests,
  MeshSecurityClient,
} from '@mesh-security/plugin-mesh-security-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { meshSecurityApiRef } from '../../api';
import { PendingAccessChanges } from './PendingAccessChanges';

const BASE = 'http://localhost:7007/api/mesh-security';
const TITLE = 'Access changes awaiting review';

const repository = {
  host: 'github.com',
  owner: 'acme',
  name: 'gitops',
  url: 'https://github.com/acme/gitops',
};

const hoursAgo = (h: number) =>
  new Date(Date.now() - h * 3600 * 1000).toISOString();

const pull = (
  number: number,
  overrides: Partial<CatalogAccessChangePullRequest> = {},
): CatalogAccessChangePullRequest => ({
  number,
  title: `Mesh Security: allow storefront/checkout to call payments/payments-api (${number})`,
  url: `https://github.com/acme/gitops/pull/${number}`,
  branch: `mesh-security/request/payments-api-0123456789a${number}`,
  change: 'request',
  author: 'mesh-security-bot',
  createdAt: hoursAgo(26),
  updatedAt: hoursAgo(1),
  draft: false,
  labels: ['mesh-security'],
  repository,
  components: ['component:default/payments-api'],
  requesters: ['user:default/jane'],
  ...overrides,
});

/**
 * The network edge: the real client over a fetch that answers each `GET /pull-requests` with
 * the next answer (an error status when a number), and never answers when `pending`.
 */
function network(answers: Array<CatalogPullRequests | number> | 'pending') {
  const urls: string[] = [];
  const fetch = jest.fn(async (url: RequestInfo | URL) => {
    urls.push(String(url));
    if (answers === 'pending') return new Promise<never>(() => {});
    const answer = answers[Math.min(urls.length, answers.length) - 1];
    if (typeof answer === 'number') {
      return new Response(
        JSON.stringify({
          error: { name: 'NotAllowedError', message: 'not allowed' },
          response: { statusCode: answer },
        }),
        { status: answer, headers: { 'content-type': 'application/json' } },
      );
    }
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  const client = new MeshSecurityClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: fetch as typeof globalThis.fetch },
  });
  return { client, urls };
}

function renderCard(net: ReturnType<typeof network>) {
  return renderInTestApp(
    <TestApiProvider apis={[[meshSecurityApiRef, net.client]]}>
      <PendingAccessChanges />
    </TestApiProvider>,
  );
}

const ok = (
  pullRequests: CatalogAccessChangePullRequest[],
  more: Partial<CatalogPullRequests> = {},
): CatalogPullRequests => ({
  status: 'ok',
  pullRequests,
  failures: [],
  truncated: false,
  ...more,
});

describe('PendingAccessChanges', () => {
  it('shows a progress bar while loading', async () => {
    await renderCard(network('pending'));
    expect(
      within(screen.getByRole('region', { name: TITLE })).getByTestId(
        'progress',
      ),
    ).toBeInTheDocument();
  });

  it('lists each pull request with its link, component, change, requester and age', async () => {
    const net = network([
      ok([
        pull(5, {
          change: 'revoke',
          components: [
            'component:default/payments-api',
            'component:shop/checkout',
          ],
          requesters: ['user:default/omar'],
        }),
        pull(7, { draft: true, requesters: undefined, createdAt: hoursAgo(3) }),
      ]),
    ]);
    await renderCard(net);
    const region = await screen.findByRole('region', { name: TITLE });
    const rows = await within(region).findAllByRole('row');
    const first = rows[1];
    expect(
      within(first).getByRole('link', { name: /^#5 Mesh Security: allow/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/gitops/pull/5');
    expect(
      within(first).getByRole('link', { name: 'payments-api' }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/mesh-security',
    );
    expect(
      within(first).getByRole('link', { name: 'shop/checkout' }),
    ).toHaveAttribute('href', '/catalog/shop/component/checkout/mesh-security');
    expect(within(first).getByText('Access revocation')).toBeInTheDocument();
    expect(within(first).getByText('user:default/omar')).toBeInTheDocument();
    expect(within(first).getByText('26 h')).toBeInTheDocument();
    // No Requested by line: the account that opened it.
    expect(within(rows[2]).getByText('mesh-security-bot')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Draft')).toBeInTheDocument();
    expect(net.urls).toEqual([`${BASE}/pull-requests`]);
  });

  it('says when nothing awaits review', async () => {
    await renderCard(network([ok([])]));
    expect(
      await screen.findByText('No open access-change pull requests'),
    ).toBeInTheDocument();
  });

  it('flags a partial list and names the repositories that could not be read', async () => {
    await renderCard(
      network([
        ok([pull(5)], {
          status: 'partial',
          failures: [
            {
              repository: {
                ...repository,
                name: 'data',
                url: 'https://github.com/acme/data',
              },
              message:
                'GitHub rate limit reached for github.com; try again later',
            },
          ],
          truncated: true,
        }),
      ]),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Partial list: the pull requests of 1 repository could not be read',
    );
    expect(alert).toHaveTextContent(
      'https://github.com/acme/data: GitHub rate limit reached for github.com; try again later',
    );
    expect(screen.getByRole('link', { name: /^#5 / })).toBeInTheDocument();
    expect(
      screen.getByText(/more open pull requests than were read/),
    ).toBeInTheDocument();
  });

  it('collapses to one line when no repository is configured', async () => {
    await renderCard(
      network([
        {
          status: 'not-configured',
          message: 'set meshSecurity.accessRequests.repository',
          pullRequests: [],
          failures: [],
          truncated: false,
        },
      ]),
    );
    const region = await screen.findByRole('region', { name: TITLE });
    expect(region).toHaveTextContent(
      `${TITLE}: none listed, no GitOps repository is configured (set meshSecurity.accessRequests.repository).`,
    );
    expect(within(region).queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an error with a retry that asks again', async () => {
    const net = network([403, ok([pull(5)])]);
    await renderCard(net);
    await userEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('link', { name: /^#5 / }),
    ).toBeInTheDocument();
    expect(net.urls).toHaveLength(2);
  });
});
