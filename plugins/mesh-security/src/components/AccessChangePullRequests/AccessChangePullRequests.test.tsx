import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  MeshSecurityApi,
  AccessChangePullRequest,
  EntityPullRequests,
  GITOPS_REPO_ANNOTATION,
} from '@mesh-security/plugin-mesh-security-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { meshSecurityApiRef } from '../../api';
import { AccessChangePullRequestsCard } from './AccessChangePullRequests';

const entity = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default', annotations },
  spec: {},
});

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
  overrides: Partial<AccessChangePullRequest> = {},
): AccessChangePullRequest => ({
  number,
  title: `Mesh Security: allow storefront/checkout to call payments/payments-api (${number})`,
  url: `https://github.com/acme/gitops/pull/${number}`,
  branch: `mesh-security/request/payments-api-0123456789a${number}`,
  change: 'request',
  author: 'mesh-security-bot',
  createdAt: hoursAgo(3),
  updatedAt: hoursAgo(1),
  draft: false,
  labels: ['mesh-security'],
  ...overrides,
});

function renderCard(
  getEntityPullRequests: MeshSecurityApi['getEntityPullRequests'],
  e: Entity = entity(),
) {
  return renderInTestApp(
    <TestApiProvider apis={[[meshSecurityApiRef, { getEntityPullRequests }]]}>
      <AccessChangePullRequestsCard entity={e} />
    </TestApiProvider>,
  );
}

const section = () =>
  screen.getByRole('region', { name: 'Open access-change pull requests' });

describe('AccessChangePullRequestsCard', () => {
  it('shows a progress bar while loading', async () => {
    await renderCard(() => new Promise(() => {}));
    expect(
      screen.getByRole('heading', {
        name: 'Open access-change pull requests',
        level: 2,
      }),
    ).toBeInTheDocument();
    expect(within(section()).getByTestId('progress')).toBeInTheDocument();
  });

  it('lists each pull request with its link, change, author, age and draft flag', async () => {
    const getEntityPullRequests = jest.fn(
      async (): Promise<EntityPullRequests> => ({
        status: 'ok',
        repository,
        pullRequests: [
          pull(12, { draft: true }),
          pull(9, {
            title:
              'Mesh Security: enforce STRICT mTLS for payments/payments-api',
            change: 'enforce',
            author: undefined,
            createdAt: hoursAgo(72),
          }),
        ],
        truncated: false,
      }),
    );
    await renderCard(getEntityPullRequests);
    const link = await screen.findByRole('link', { name: /#12 Mesh Security/ });
    expect(link).toHaveAttribute(
      'href',
      'https://github.com/acme/gitops/pull/12',
    );
    expect(getEntityPullRequests).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
    const first = link.closest('tr')!;
    expect(first).toHaveTextContent('Draft');
    expect(first).toHaveTextContent('Access request');
    expect(first).toHaveTextContent('mesh-security-bot');
    expect(first).toHaveTextContent('3 h');
    const second = screen
      .getByRole('link', { name: /#9 Mesh Security: enforce/ })
      .closest('tr')!;
    expect(second).toHaveTextContent('STRICT mTLS');
    expect(second).toHaveTextContent('—');
    expect(second).toHaveTextContent('3 d');
    expect(second).not.toHaveTextContent('Draft');
    // No annotation: the view-all link is built from the configured repository.
    expect(
      screen.getByRole('link', { name: /View all on GitHub/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/gitops/pulls?q=is%3Apr+is%3Aopen+label%3Amesh-security+payments-api',
    );
  });

  it('says when the list was cut short', async () => {
    await renderCard(async () => ({
      status: 'ok',
      repository,
      pullRequests: [pull(1)],
      truncated: true,
    }));
    expect(
      await screen.findByText(/more open pull requests than were read/),
    ).toBeInTheDocument();
  });

  it('shows the empty state, keeping the annotation link', async () => {
    await renderCard(
      async () => ({ status: 'ok', repository, pullRequests: [] }),
      entity({ [GITOPS_REPO_ANNOTATION]: 'github.com/acme/policies' }),
    );
    expect(
      await screen.findByText('No open access-change pull requests'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View all on GitHub/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/policies/pulls?q=is%3Apr+is%3Aopen+label%3Amesh-security+payments-api',
    );
  });

  it('explains how to set up a repository when none is configured', async () => {
    await renderCard(async () => ({
      status: 'not-configured',
      message: 'No GitOps repository: add the annotation …',
      pullRequests: [],
    }));
    expect(
      await screen.findByText(/none is set up for this component/),
    ).toBeInTheDocument();
    expect(
      within(section()).getByText(/mesh-security.io\/gitops-repo/),
    ).toBeInTheDocument();
    expect(
      within(section()).getByText('meshSecurity.accessRequests.repository'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No GitOps repository: add the annotation …'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /View all on GitHub/ }),
    ).not.toBeInTheDocument();
  });

  it('says a non-GitHub repository cannot be listed', async () => {
    await renderCard(async () => ({
      status: 'unsupported-host',
      message:
        'gitlab.com is a GitLab host; listing merge requests is not supported yet',
      repository: {
        ...repository,
        host: 'gitlab.com',
        url: 'https://gitlab.com/acme/gitops',
      },
      pullRequests: [],
    }));
    expect(
      await screen.findByText(
        /GitHub repositories only. gitlab.com is a GitLab host/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /View all on GitHub/ }),
    ).not.toBeInTheDocument();
  });

  it("shows the backend's message when GitHub could not be asked, with a retry", async () => {
    const getEntityPullRequests = jest
      .fn()
      .mockResolvedValueOnce({
        status: 'error',
        message:
          'GitHub rate limit reached for github.com; try again in about 5 min',
        repository,
        pullRequests: [],
      })
      .mockResolvedValueOnce({ status: 'ok', repository, pullRequests: [] });
    await renderCard(getEntityPullRequests);
    expect(
      await screen.findByText('Could not list the pull requests', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'GitHub rate limit reached for github.com; try again in about 5 min',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /View all on GitHub/ }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByText('No open access-change pull requests'),
    ).toBeInTheDocument();
    expect(getEntityPullRequests).toHaveBeenCalledTimes(2);
  });

  it('shows a failed request as a response error, with a retry', async () => {
    const getEntityPullRequests = jest
      .fn()
      .mockRejectedValueOnce(new Error('backend down'))
      .mockResolvedValueOnce({
        status: 'ok',
        repository,
        pullRequests: [pull(3)],
      });
    await renderCard(getEntityPullRequests);
    await screen.findByRole('button', { name: 'Retry' });
    expect(section()).toHaveTextContent('Error: backend down');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('link', { name: /#3 Mesh Security/ }),
    ).toBeInTheDocument();
  });
});
