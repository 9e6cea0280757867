import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MeshSecurityApi,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { meshSecurityApiRef } from '../../api';
import { demoCluster, overviewResponse } from '../../__testUtils__/fixtures';
import { MeshSecurityPage } from './MeshSecurityPage';
import { useLocation } from 'react-router-dom';
// EntityRefLink needs the catalog's entity route mounted.
import { entityRouteRef as entityRouteRefForTests } from '@backstage/plugin-catalog-react';

const filter = (key: string) =>
  screen.getByTestId(`filter-${key}`).querySelector('select') ??
  (screen.getByTestId(`filter-${key}`) as HTMLSelectElement);

/** Where the page's URL is: the filters it holds. */
const Location = () => {
  const location = useLocation();
  return <output aria-label="location">{location.search}</output>;
};

function renderPage(api: Partial<MeshSecurityApi>, url = '/') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          meshSecurityApiRef,
          {
            getOverviewHistory: async () => ({
              enabled: true,
              retentionDays: 400,
              days: [],
            }),
            getPullRequests: async () => ({
              status: 'not-configured' as const,
              pullRequests: [],
              failures: [],
              truncated: false,
            }),
            ...api,
          },
        ],
      ]}
    >
      <MeshSecurityPage />
      <Location />
    </TestApiProvider>,
    {
      routeEntries: [url],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRefForTests,
      },
    },
  );
}

describe('MeshSecurityPage', () => {
  it('lists components from the first page with mode, owner and findings', async () => {
    const getOverview = jest.fn().mockResolvedValue(overviewResponse);
    await renderPage({ getOverview });
    expect(await screen.findByText('payments-api')).toBeInTheDocument();
    expect(getOverview).toHaveBeenCalledWith(
      expect.objectContaining({ offset: 0, limit: 20 }),
    );
    const row = screen.getByText('fraud-check').closest('tr')!;
    expect(within(row).getByLabelText(/^mTLS STRICT/)).toBeInTheDocument();
    expect(
      within(row).getByLabelText('1 critical findings'),
    ).toBeInTheDocument();
    expect(within(row).getByText('payments')).toBeInTheDocument();
  });

  it('shows the posture distribution overall and per owner, as text too', async () => {
    await renderPage({ getOverview: async () => overviewResponse });
    expect(
      await screen.findByRole('img', {
        name: 'All components: 2 STRICT, 2 PERMISSIVE, 4 PARTIAL, 2 DISABLED',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'group:default/payments-team: 1 STRICT, 2 PARTIAL',
      }),
    ).toBeInTheDocument();
  });

  it('lists each cluster’s certificates with days left, flagging expiring ones', async () => {
    await renderPage({ getOverview: async () => overviewResponse });
    expect(
      await screen.findByText('Mesh certificates: demo'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('20 days, expiring')).toHaveAttribute(
      'data-cert-state',
      'expiring',
    );
    expect(screen.getByLabelText('3650 days, ok')).toBeInTheDocument();
    expect(screen.getByText('2026-12-13')).toBeInTheDocument();
    // Subjects are names: broken between words only, not anywhere as Backstage's cells are.
    expect(screen.getByText('CN=root.linkerd.cluster.local')).toHaveStyle({
      wordBreak: 'normal',
    });
  });

  it('shows a banner for unreachable or stale clusters', async () => {
    await renderPage({
      getOverview: async () => ({
        ...overviewResponse,
        partial: true,
        clusters: [
          demoCluster,
          {
            ...demoCluster,
            name: 'prod-eu',
            status: 'unreachable',
            stale: true,
            snapshotAgeSeconds: 7200,
            unreachableSince: '2026-11-22T23:00:00Z',
          },
        ],
      }),
    });
    const banner = await screen.findByRole('list', {
      name: 'Clusters with incomplete data',
    });
    expect(within(banner).getByText('prod-eu')).toBeInTheDocument();
    expect(
      within(banner).getByText(
        /unreachable since .* · stale · snapshot 2 h old/,
      ),
    ).toBeInTheDocument();
    expect(within(banner).queryByText('demo')).not.toBeInTheDocument();
  });

  it('sends the filters, fed by the facets, to the API and goes back to the first page', async () => {
    const getOverview = jest.fn().mockResolvedValue(overviewResponse);
    await renderPage({ getOverview });
    await screen.findByText('payments-api');
    await userEvent.selectOptions(filter('mode'), 'STRICT');
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ mode: 'STRICT', offset: 0 }),
      ),
    );
    await userEvent.selectOptions(
      filter('owner'),
      'group:default/storefront-team',
    );
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({
          mode: 'STRICT',
          owner: 'group:default/storefront-team',
        }),
      ),
    );
    await userEvent.selectOptions(filter('mesh'), 'linkerd');
    await userEvent.selectOptions(filter('system'), 'payments');
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ mesh: 'linkerd', system: 'payments' }),
      ),
    );
  });

  it('keeps the filters in the URL: read on load, written on change', async () => {
    const getOverview = jest.fn().mockResolvedValue(overviewResponse);
    await renderPage({ getOverview }, '/?mode=STRICT&mesh=nonsense');
    await screen.findByText('payments-api');
    // An unknown mesh is ignored, not sent.
    expect(getOverview).toHaveBeenCalledWith(
      expect.not.objectContaining({ mesh: expect.anything() }),
    );
    expect(getOverview).toHaveBeenLastCalledWith(
      expect.objectContaining({ mode: 'STRICT' }),
    );
    expect(filter('mode')).toHaveValue('STRICT');
    await userEvent.selectOptions(filter('mesh'), 'linkerd');
    await waitFor(() =>
      expect(screen.getByLabelText('location')).toHaveTextContent(
        'mode=STRICT&mesh=linkerd',
      ),
    );
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ mode: 'STRICT', mesh: 'linkerd' }),
      ),
    );
  });

  it('explains the modes and says how many components have no posture', async () => {
    await renderPage({
      getOverview: async () => ({
        ...overviewResponse,
        uncoveredComponents: 3,
      }),
    });
    expect(
      await screen.findByText(/3 catalog components are not covered/),
    ).toHaveTextContent('backstage.io/kubernetes-id');
    expect(
      screen.getAllByText(/only mutual TLS is accepted/).length,
    ).toBeGreaterThan(0);
  });

  it('sends sort and search to the API', async () => {
    const getOverview = jest.fn().mockResolvedValue(overviewResponse);
    await renderPage({ getOverview });
    await screen.findByText('payments-api');
    await userEvent.click(
      screen
        .getByRole('columnheader', { name: 'Findings' })
        .querySelector('[role="button"]')!,
    );
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'findings', order: 'asc' }),
      ),
    );
    await userEvent.type(screen.getByPlaceholderText('Filter'), 'pay');
    await waitFor(() =>
      expect(getOverview).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: 'pay' }),
      ),
    );
  });

  it('shows errors with a retry', async () => {
    const getOverview = jest
      .fn()
      .mockRejectedValueOnce(new Error('overview failed'))
      .mockResolvedValue(overviewResponse);
    await renderPage({ getOverview });
    await userEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('payments-api')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Retry' }),
    ).not.toBeInTheDocument();
  });

  const rolloutBoard = (readyForStrictCount: number): OverviewResponse => ({
    ...overviewResponse,
    observedTraffic: {
      observations: [
        {
          cluster: 'demo',
          status: 'ok',
          source: 'recorded',
          windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
          truncated: false,
          ageSeconds: 120,
        },
      ],
      total: {
        mtls: 900,
        plaintext: 100,
        mtlsShare: 0.9,
        observedComponents: 3,
        components: 10,
      },
      byOwner: [
        {
          owner: 'group:default/data-team',
          mtls: 300,
          plaintext: 0,
          mtlsShare: 1,
          observedComponents: 1,
          components: 2,
        },
      ],
      readyForStrict: [
        {
          entityRef: 'component:default/etl-worker',
          name: 'etl-worker',
          owner: 'group:default/data-team',
          workloads: [
            {
              cluster: 'demo',
              namespace: 'data',
              name: 'etl-worker',
              kind: 'Deployment',
              message: 'Port 9100 received only mTLS.',
            },
          ],
          mtls: 300,
        },
      ],
      readyForStrictCount,
    },
  });

  it('shows the STRICT rollout board: observed share per owner and the components ready', async () => {
    await renderPage({ getOverview: async () => rolloutBoard(1) });
    expect(
      await screen.findByLabelText('Observed encryption share'),
    ).toHaveTextContent(
      'All matching components: 90 % mTLS (900 mTLS · 100 plaintext; 3 of 10 components observed)',
    );
    const owners = screen.getByRole('table', {
      name: 'Observed encryption per owner',
    });
    const row = within(owners)
      .getByText('group:default/data-team')
      .closest('tr')!;
    expect(within(row).getByText('100 %')).toBeInTheDocument();
    const ready = screen.getByRole('list', { name: 'Ready for STRICT' });
    expect(within(ready).getByText('etl-worker')).toBeInTheDocument();
    const evidence = within(ready).getByText(
      'data/etl-worker: Port 9100 received only mTLS.',
    );
    // Wrapped, not clipped to one line as Backstage's theme makes list texts.
    expect(evidence).toHaveStyle({ whiteSpace: 'normal' });
    expect(
      screen.queryByLabelText('Ready for STRICT, not all listed'),
    ).not.toBeInTheDocument();
  });

  it('says when the board lists only the first of the components ready', async () => {
    await renderPage({ getOverview: async () => rolloutBoard(130) });
    expect(
      await screen.findByLabelText('Ready for STRICT, not all listed'),
    ).toHaveTextContent(
      'Showing the first 1 of the 130 ready components, by name: filter by owner, system or name to see the others.',
    );
  });

  it('says observed traffic is not configured and shows no board without observations', async () => {
    await renderPage({ getOverview: async () => overviewResponse });
    expect(
      await screen.findByLabelText('Observation status demo'),
    ).toHaveTextContent(/not configured/);
    expect(
      screen.queryByLabelText('Observed encryption share'),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'Ready for STRICT' }),
    ).not.toBeInTheDocument();
  });
});
