import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  ClusterStatus,
  MeshSecurityApi,
  EntityPosture,
  entityPostureSummary,
  MtlsMode,
} from '@mesh-security/plugin-mesh-security-common';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { meshSecurityApiRef } from '../../api';
import {
  demoCluster,
  fraudCheckPosture,
  observedPaymentsApiWorkload,
  paymentsApiPosture,
} from '../../__testUtils__/fixtures';
import { skippedHeadingLevels } from '../../__testUtils__/headings';
import { EntityMeshSecurityCard } from './EntityMeshSecurityCard';

const annotated: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: { [KUBERNETES_ANNOTATION]: 'payments-api' },
  },
  spec: {},
};

/**
 * The card with a client whose summary is `answer`'s posture cut to what the backend's summary
 * carries (`entityPostureSummary`): the card must make do with it.
 */
function renderCard(
  answer: { getEntityPostureSummary: (ref: string) => Promise<EntityPosture> },
  entity: Entity = annotated,
) {
  const api: Partial<MeshSecurityApi> = {
    getEntityPostureSummary: async ref =>
      entityPostureSummary(await answer.getEntityPostureSummary(String(ref))),
  };
  return renderInTestApp(
    <TestApiProvider apis={[[meshSecurityApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityMeshSecurityCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityMeshSecurityCard', () => {
  it('shows the observed mTLS share, or how to configure observations', async () => {
    const { unmount } = await renderCard({
      getEntityPostureSummary: async () => ({
        ...paymentsApiPosture,
        workloads: [observedPaymentsApiWorkload],
      }),
    });
    expect(
      await screen.findByLabelText('Observed traffic summary'),
    ).toHaveTextContent('96 % mTLS over the last 7 d');
    unmount();
    await renderCard({
      getEntityPostureSummary: async () => paymentsApiPosture,
    });
    expect(
      await screen.findByLabelText('Observation status'),
    ).toHaveTextContent(/not configured for this cluster/);
  });

  it('leads with the worst finding, not the green mode (fraud-check)', async () => {
    await renderCard({
      getEntityPostureSummary: async () => fraudCheckPosture,
    });
    const card = await screen.findByRole('region', { name: 'Mesh security' });
    const lead = within(card).getByRole('region', { name: 'Worst finding' });
    expect(lead).toHaveTextContent(/^critical ?MS103: STRICT server behind/);
    const badge = within(card).getByLabelText(/^mTLS STRICT/);
    // The lead comes first: before the mode, the meshes and the counts.
    expect(
      lead.compareDocumentPosition(badge) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(card.textContent?.indexOf('MS103')).toBeLessThan(
      card.textContent!.indexOf('STRICT:'),
    );
  });

  it('skips no heading level (under the page title, an h1)', async () => {
    const { container } = await renderCard({
      getEntityPostureSummary: async () => fraudCheckPosture,
    });
    await screen.findByRole('region', { name: 'Worst finding' });
    expect(skippedHeadingLevels(container)).toEqual([]);
  });

  it('shows a progress bar while loading', async () => {
    await renderCard({ getEntityPostureSummary: () => new Promise(() => {}) });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows mode, meshes, scorecard, findings, snapshot age and the tab link', async () => {
    const getEntityPostureSummary = jest
      .fn()
      .mockResolvedValue(paymentsApiPosture);
    await renderCard({ getEntityPostureSummary });
    expect(getEntityPostureSummary).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
    expect(await screen.findByLabelText(/^mTLS PARTIAL/)).toBeInTheDocument();
    // The mode in words, visible rather than only in the badge's hover title.
    expect(
      screen.getByText(/: ports or pods differ in their mode/),
    ).toHaveTextContent('PARTIAL: ports or pods differ in their mode.');
    expect(screen.getByText('Istio (sidecar)')).toBeInTheDocument();
    expect(
      screen.getByLabelText('Verify explicitly: warn'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Least privilege: pass')).toBeInTheDocument();
    expect(screen.getByLabelText('Assume breach: pass')).toBeInTheDocument();
    expect(
      screen.getByLabelText('No credential leakage: unknown'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('1 high findings')).toBeInTheDocument();
    expect(screen.getByLabelText('3 info findings')).toBeInTheDocument();
    expect(screen.getByText('snapshot 42 s old')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /view security details/i }),
    ).toHaveAttribute('href', expect.stringMatching(/mesh-security$/));
    expect(screen.queryByText(/Partial data/)).not.toBeInTheDocument();
  });

  it.each<MtlsMode>(['STRICT', 'PERMISSIVE', 'DISABLED', 'PARTIAL', 'UNKNOWN'])(
    'shows the %s badge',
    async mode => {
      await renderCard({
        getEntityPostureSummary: async () => ({
          ...paymentsApiPosture,
          mtls: mode,
        }),
      });
      expect(
        await screen.findByLabelText(new RegExp(`^mTLS ${mode}:`)),
      ).toHaveTextContent(mode);
    },
  );

  it('warns when the data is partial, naming the cluster', async () => {
    const posture: EntityPosture = {
      ...paymentsApiPosture,
      partial: true,
      clusters: [
        {
          ...demoCluster,
          status: 'unreachable',
          stale: true,
          snapshotAgeSeconds: 900,
          unreachableSince: '2026-11-23T00:45:00Z',
          error: 'connect ECONNREFUSED',
        },
      ],
    };
    await renderCard({ getEntityPostureSummary: async () => posture });
    expect(await screen.findByText(/Partial data/)).toBeInTheDocument();
    const list = screen.getByRole('list', {
      name: 'Clusters with incomplete data',
    });
    expect(within(list).getByText('demo')).toBeInTheDocument();
    expect(
      within(list).getByText(
        /unreachable since .* · stale · snapshot 15 min old/,
      ),
    ).toBeInTheDocument();
  });

  it('says "live" for a watched cluster, and how far behind or what reconnects when not', async () => {
    const watched = (freshness: ClusterStatus['freshness']): EntityPosture => ({
      ...paymentsApiPosture,
      clusters: [{ ...demoCluster, snapshotAgeSeconds: 2, freshness }],
    });
    const { unmount } = await renderCard({
      getEntityPostureSummary: async () =>
        watched({ state: 'live', mode: 'watch', lagSeconds: 2 }),
    });
    expect(await screen.findByText('live')).toBeInTheDocument();
    expect(screen.queryByText(/snapshot .* old/)).not.toBeInTheDocument();
    expect(screen.queryByText(/Partial data/)).not.toBeInTheDocument();
    unmount();

    const behind = await renderCard({
      getEntityPostureSummary: async () =>
        watched({ state: 'behind', mode: 'watch', lagSeconds: 95 }),
    });
    // In the summary line, and in the warning about the cluster.
    expect(await screen.findAllByText('95 s behind')).toHaveLength(2);
    const problem = within(
      screen.getByRole('list', { name: 'Clusters with incomplete data' }),
    ).getByText(/95 s behind/);
    // Wrapped, not clipped to one line as Backstage's theme makes list texts.
    expect(problem.closest('p')).toHaveStyle({ whiteSpace: 'normal' });
    behind.unmount();

    await renderCard({
      getEntityPostureSummary: async () =>
        watched({
          state: 'reconnecting',
          mode: 'watch',
          lagSeconds: 1,
          reconnecting: ['pods'],
        }),
    });
    expect(await screen.findByText('reconnecting to demo')).toBeInTheDocument();
    expect(
      screen.getByText(
        /watch reconnecting \(pods\): changes to those kinds may be missing/,
      ),
    ).toBeInTheDocument();
  });

  it('names each kind not read, since when, and what answers use instead', async () => {
    const posture: EntityPosture = {
      ...paymentsApiPosture,
      partial: true,
      clusters: [
        {
          ...demoCluster,
          errors: [
            {
              kind: 'security.istio.io/authorizationpolicies',
              message: 'HTTP 500',
              since: '2026-11-23T10:01:00Z',
            },
          ],
        },
      ],
      partialReasons: [
        {
          cluster: 'demo',
          kind: 'security.istio.io/authorizationpolicies',
          state: 'error',
          message: 'HTTP 500',
          since: '2026-11-23T10:01:00Z',
        },
        {
          cluster: 'demo',
          kind: 'security.istio.io/peerauthentications',
          state: 'forbidden',
          message: 'missing RBAC',
          fetchedAt: '2026-11-23T10:00:00Z',
        },
      ],
    };
    await renderCard({ getEntityPostureSummary: async () => posture });
    const list = await screen.findByRole('list', {
      name: 'Clusters with incomplete data',
    });
    expect(
      within(list).getByText(
        /^security\.istio\.io\/authorizationpolicies: HTTP 500 · since .* · never read: what depends on it is unknown$/,
      ),
    ).toBeInTheDocument();
    expect(
      within(list).getByText(
        /^security\.istio\.io\/peerauthentications: missing RBAC · answers use what was read /,
      ),
    ).toBeInTheDocument();
  });

  it('shows the error and retries', async () => {
    const getEntityPostureSummary = jest
      .fn()
      .mockRejectedValueOnce(new Error('backend down'))
      .mockResolvedValueOnce(paymentsApiPosture);
    await renderCard({ getEntityPostureSummary });
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByLabelText(/^mTLS PARTIAL/)).toBeInTheDocument();
    expect(getEntityPostureSummary).toHaveBeenCalledTimes(2);
  });

  it('explains which annotation to add, without calling the backend', async () => {
    const getEntityPostureSummary = jest.fn();
    const { container } = await renderCard(
      { getEntityPostureSummary },
      { ...annotated, metadata: { name: 'docs-portal' } },
    );
    // The empty state's title is the card's subheading (the card's title is an h2).
    expect(
      screen.getByRole('heading', {
        name: 'No Kubernetes workloads for this entity',
        level: 3,
      }),
    ).toBeInTheDocument();
    expect(skippedHeadingLevels(container)).toEqual([]);
    expect(screen.getAllByText(KUBERNETES_ANNOTATION).length).toBeGreaterThan(
      0,
    );
    expect(getEntityPostureSummary).not.toHaveBeenCalled();
  });
});
