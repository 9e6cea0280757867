import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MeshSecurityApi,
  EntityPullRequests,
  GITOPS_REPO_ANNOTATION,
} from '@mesh-security/plugin-mesh-security-common';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { meshSecurityApiRef } from '../../api';
import {
  fraudCheckPosture,
  observedPaymentsApiWorkload,
  paymentsApiPosture,
} from '../../__testUtils__/fixtures';
import { skippedHeadingLevels } from '../../__testUtils__/headings';
import { EntityMeshSecurityContent } from './EntityMeshSecurityContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: {
      [KUBERNETES_ANNOTATION]: 'payments-api',
      [GITOPS_REPO_ANNOTATION]: 'github.com/acme/gitops',
    },
  },
  spec: {},
};

// The demo app's answer: no GitOps repository configured.
const notConfigured: EntityPullRequests = {
  status: 'not-configured',
  message: 'No GitOps repository',
  pullRequests: [],
};

function renderContent(api: Partial<MeshSecurityApi>, e: Entity = entity) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          meshSecurityApiRef,
          {
            getEntityPullRequests: async () => notConfigured,
            getEntityHistory: async (entityRef: string) => ({
              entityRef,
              enabled: true,
              retentionDays: 400,
              days: [],
              changes: [],
            }),
            ...api,
          },
        ],
      ]}
    >
      <EntityProvider entity={e}>
        <EntityMeshSecurityContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityMeshSecurityContent', () => {
  it("leads the summary with the worst finding: fraud-check's blocked caller", async () => {
    await renderContent({ getEntityPosture: async () => fraudCheckPosture });
    const lead = await screen.findByRole('region', { name: 'Worst finding' });
    expect(lead).toHaveTextContent(/^critical ?MS103: STRICT server behind/);
    const badge = screen.getAllByLabelText(/^mTLS STRICT/)[0];
    expect(
      lead.compareDocumentPosition(badge) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(
      screen.getByRole('listitem', { name: 'Verify explicitly: fail' }),
    ).toBeInTheDocument();
    // The blocked caller is drawn, not absent.
    expect(
      screen.getByRole('img', {
        name: /^payments\/payments-api to payments\/fraud-check, ports 8080: blocked/,
      }),
    ).toBeInTheDocument();
  });

  it('skips no heading level (under the page title, an h1)', async () => {
    const { container } = await renderContent({
      getEntityPosture: async () => fraudCheckPosture,
    });
    await screen.findByRole('region', { name: 'Worst finding' });
    expect(skippedHeadingLevels(container)).toEqual([]);
  });

  it('shows a progress bar while loading', async () => {
    await renderContent({ getEntityPosture: () => new Promise(() => {}) });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('says since when the component holds its mode, from its recorded history', async () => {
    const getEntityHistory = jest.fn().mockResolvedValue({
      entityRef: 'component:default/payments-api',
      enabled: true,
      retentionDays: 400,
      days: [],
      changes: [
        { at: '2026-10-01T08:00:00.000Z', to: 'PERMISSIVE' },
        { at: '2026-11-03T08:00:00.000Z', from: 'PERMISSIVE', to: 'STRICT' },
      ],
    });
    await renderContent({
      getEntityPosture: async () => paymentsApiPosture,
      getEntityHistory,
    });
    expect(
      await screen.findByText(
        'STRICT since 3 Nov 2026; was PERMISSIVE for 33 days.',
      ),
    ).toBeInTheDocument();
    expect(getEntityHistory).toHaveBeenCalledWith(paymentsApiPosture.entityRef);
  });

  it('shows the empty state for entities without Kubernetes annotations', async () => {
    const getEntityPosture = jest.fn();
    const { container } = await renderContent(
      { getEntityPosture },
      { ...entity, metadata: { name: 'docs' } },
    );
    // Right under the page's title (h1): an h2.
    expect(
      screen.getByRole('heading', {
        name: 'No Kubernetes workloads for this entity',
        level: 2,
      }),
    ).toBeInTheDocument();
    expect(skippedHeadingLevels(container)).toEqual([]);
    expect(getEntityPosture).not.toHaveBeenCalled();
  });

  it('shows errors with a retry', async () => {
    const getEntityPosture = jest
      .fn()
      .mockRejectedValueOnce(new Error('boom'))
      .mockResolvedValueOnce(paymentsApiPosture);
    await renderContent({ getEntityPosture });
    await userEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByText('Who can call me, whom can I call'),
    ).toBeInTheDocument();
  });

  it('renders the workload: ports with modes, copyable identity, pods meshed', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    const section = await screen.findByRole('region', {
      name: 'Workload payments/payments-api',
    });
    expect(
      within(section).getByText(
        'spiffe://cluster.local/ns/payments/sa/payments-api',
      ),
    ).toBeInTheDocument();
    expect(within(section).getByLabelText('Pods meshed')).toHaveTextContent(
      '2/3',
    );
    expect(
      within(section).getByLabelText(/^mTLS STRICT: .*payments\/default/),
    ).toBeInTheDocument();
    expect(
      within(section).getByLabelText(/^mTLS DISABLED: .*excludeInboundPorts/),
    ).toBeInTheDocument();
    // The protocol as the edges show it: 8080 declared http, 9090 declared nothing.
    const portRow = (port: string, name: string) =>
      within(section)
        .getAllByRole('row')
        .map(r =>
          within(r)
            .queryAllByRole('cell')
            .map(c => c.textContent),
        )
        .find(cells => cells[0] === port && cells[1] === name);
    expect(portRow('8080', 'http')?.[2]).toBe('http');
    expect(portRow('9090', 'metrics')?.[2]).toBe('TCP');
    expect(
      within(section).getAllByRole('button', { name: /copy/i }).length,
    ).toBeGreaterThan(0);
  });

  it('draws callers → workload → callees with edges labelled by effective protection', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    const graph = await screen.findByLabelText(
      'Access graph of payments/payments-api',
    );
    for (const label of [
      'payments/payments-api',
      'storefront/checkout',
      'Any Istio workload (12)',
      'External (plaintext)',
      'payments/payments-ledger',
    ]) {
      expect(within(graph).getAllByText(label).length).toBeGreaterThan(0);
    }
    const edges = within(graph).getAllByTestId('access-edge');
    const byLabel = Object.fromEntries(
      edges.map(e => [e.textContent, e.getAttribute('data-protection')]),
    );
    expect(byLabel).toEqual({
      'mTLS · 8080 POST /charge': 'mtls',
      'plaintext · 9090': 'plaintext',
      'mTLS · 8080 GET': 'mtls',
      'not known · 5432': 'unknown',
    });
    expect(
      edges.find(e => e.textContent === 'plaintext · 9090'),
    ).toHaveAttribute(
      'aria-label',
      'External (plaintext) to payments/payments-api, ports 9090: plaintext',
    );
  });

  it('marks each edge with its observed status by weight and symbol, with a legend', async () => {
    await renderContent({
      getEntityPosture: async () => ({
        ...paymentsApiPosture,
        workloads: [observedPaymentsApiWorkload],
      }),
    });
    const graph = await screen.findByLabelText(
      'Access graph of payments/payments-api',
    );
    await waitFor(() =>
      expect(within(graph).getAllByTestId('access-edge')).toHaveLength(5),
    );
    const edges = within(graph).getAllByTestId('access-edge');
    const byLabel = Object.fromEntries(
      edges.map(e => [e.textContent, e.getAttribute('data-traffic')]),
    );
    expect(byLabel).toEqual({
      '● mTLS · 8080 POST /charge': 'used',
      '○ plaintext · 9090': 'unused',
      '○ mTLS · 8080 GET': 'unused',
      'not known · 5432': null,
      '✕ not known · 8080': 'denied',
    });
    const used = edges.find(e => e.getAttribute('data-traffic') === 'used')!;
    const unused = edges.find(
      e => e.getAttribute('data-traffic') === 'unused',
    )!;
    expect(used.querySelector('line')!.getAttribute('stroke-width')).not.toBe(
      unused.querySelector('line')!.getAttribute('stroke-width'),
    );
    const legend = screen.getByLabelText('Observed traffic legend');
    for (const text of [
      '● used',
      '○ unused',
      '✕ denied observed',
      '! outside any grant',
      '? not known',
    ])
      expect(within(legend).getByText(text)).toBeInTheDocument();
    expect(screen.getByLabelText('Observation status')).toHaveTextContent(
      /recorded data/,
    );
    const table = screen
      .getByText('Access: allowed and blocked')
      .closest('div[class*="MuiPaper"]') as HTMLElement;
    expect(
      within(table).getByText('storefront/storefront-web').closest('tr')!,
    ).toHaveTextContent('denied observed · 7 denied');
  });

  it('lists the same access as a table naming the deciding layer and policy', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    const table = (
      await screen.findByText('Access: allowed and blocked')
    ).closest('div[class*="MuiPaper"]') as HTMLElement;
    const row = within(table).getByText('storefront/checkout').closest('tr')!;
    expect(row).toHaveTextContent('authorization');
    expect(row).toHaveTextContent(
      'AuthorizationPolicy payments/payments-api-allow-checkout',
    );
    // The mTLS column: what the client sends and the port's mode, in words.
    expect(row).toHaveTextContent('mTLS (port STRICT)');
    const ledger = within(table)
      .getByText('payments/payments-ledger')
      .closest('tr')!;
    expect(ledger).toHaveTextContent('network-policy');
    expect(ledger).toHaveTextContent('is called by this workload');
  });

  it('shows policies with their YAML and the findings', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    await userEvent.click(
      await screen.findByRole('button', {
        name: /^PeerAuthentication payments\/default /,
      }),
    );
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'Applicable policies' }),
      ).toHaveTextContent(
        /kind: PeerAuthentication.*namespace: payments.*mode: STRICT/,
      ),
    );
    const findings = screen
      .getByText('Findings about this component (1)')
      .closest('div[class*="MuiPaper"]') as HTMLElement;
    const row = within(findings).getByText('MS102').closest('tr')!;
    expect(row).toHaveTextContent('high');
    expect(row).toHaveTextContent('port 9090 bypasses the sidecar');
    expect(row).toHaveTextContent('remove 9090 from');
    expect(row).toHaveTextContent('Deployment payments/payments-api (demo)');
  });

  it('links Request access to the prefilled template', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    const button = await screen.findByRole('button', {
      name: 'Request access',
    });
    const href = button.getAttribute('href')!;
    expect(
      href.startsWith('/create/templates/default/request-access?formData='),
    ).toBe(true);
    const formData = new URL(href, 'http://x').searchParams.get('formData')!;
    expect(JSON.parse(formData)).toEqual({
      target: 'component:default/payments-api',
    });
  });

  it('lists open access-change pull requests inline, with the link to all of them', async () => {
    const getEntityPullRequests = jest.fn(
      async (): Promise<EntityPullRequests> => ({
        status: 'ok',
        repository: {
          host: 'github.com',
          owner: 'acme',
          name: 'gitops',
          url: 'https://github.com/acme/gitops',
        },
        pullRequests: [
          {
            number: 42,
            title:
              'Mesh Security: allow storefront/checkout to call payments/payments-api',
            url: 'https://github.com/acme/gitops/pull/42',
            branch: 'mesh-security/request/payments-api-0123456789ab',
            change: 'request',
            author: 'mesh-security-bot',
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            draft: false,
            labels: [],
          },
        ],
      }),
    );
    await renderContent({
      getEntityPosture: async () => paymentsApiPosture,
      getEntityPullRequests,
    });
    const card = await screen.findByRole('region', {
      name: 'Open access-change pull requests',
    });
    expect(
      await within(card).findByRole('link', { name: /#42 Mesh Security/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/gitops/pull/42');
    expect(getEntityPullRequests).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
    expect(
      screen.getByRole('link', { name: /View all on GitHub/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/gitops/pulls?q=is%3Apr+is%3Aopen+label%3Amesh-security+payments-api',
    );
  });

  it('explains the missing repository when none is configured', async () => {
    await renderContent({ getEntityPosture: async () => paymentsApiPosture });
    const card = await screen.findByRole('region', {
      name: 'Open access-change pull requests',
    });
    expect(
      await within(card).findByText(/none is set up for this component/),
    ).toBeInTheDocument();
  });

  it('warns about partial data', async () => {
    await renderContent({
      getEntityPosture: async () => ({ ...paymentsApiPosture, partial: true }),
    });
    expect(await screen.findByText(/Partial data/)).toBeInTheDocument();
  });
});
