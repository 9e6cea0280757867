import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityPullRequests,
  MeshSecurityApi,
} from '@mesh-security/plugin-mesh-security-common';
import { screen, waitFor } from '@testing-library/react';
import { meshSecurityApiRef } from '../../api';
import { GitopsRepositoryField } from './GitopsRepositoryField';

const repository = {
  host: 'github.com',
  owner: 'acme',
  name: 'gitops',
  url: 'https://github.com/acme/gitops',
};

async function renderField(
  getEntityPullRequests: MeshSecurityApi['getEntityPullRequests'],
  target?: string,
) {
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[meshSecurityApiRef, { getEntityPullRequests }]]}>
      <GitopsRepositoryField
        onChange={onChange}
        formContext={{ formData: target ? { target } : {} }}
        schema={{ title: 'Pull request goes to' }}
      />
    </TestApiProvider>,
  );
  return onChange;
}

describe('GitopsRepositoryField', () => {
  it('shows the repository of the picked component and puts it in the review', async () => {
    const get = jest.fn(
      async (): Promise<EntityPullRequests> => ({
        status: 'ok',
        repository,
        pullRequests: [],
      }),
    );
    const onChange = await renderField(get, 'component:default/payments-api');
    expect(
      await screen.findByRole('link', {
        name: /^https:\/\/github.com\/acme\/gitops/,
      }),
    ).toBeInTheDocument();
    expect(get).toHaveBeenCalledWith('component:default/payments-api');
    await waitFor(() => expect(onChange).toHaveBeenCalledWith(repository.url));
  });

  it('warns when no repository is configured', async () => {
    const onChange = await renderField(
      async () => ({
        status: 'not-configured',
        message: 'set mesh-security.gitops.repository',
        pullRequests: [],
      }),
      'component:default/payments-api',
    );
    expect(
      await screen.findByText(
        /None configured: the pull request cannot be opened \(set mesh-security.gitops.repository\)/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link')).toBeNull();
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        expect.stringMatching(/^None configured/),
      ),
    );
  });

  it('says unknown, not a guess, when the backend cannot be read', async () => {
    const onChange = await renderField(async () => {
      throw new Error('503 Service Unavailable');
    }, 'component:default/payments-api');
    expect(
      await screen.findByText(
        /Unknown: it could not be read \(503 Service Unavailable\)/,
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        'Unknown: it could not be read (503 Service Unavailable)',
      ),
    );
  });

  it('asks for a component first', async () => {
    const get = jest.fn();
    await renderField(get);
    expect(
      await screen.findByText(/Unknown until a component is picked/),
    ).toBeInTheDocument();
    expect(get).not.toHaveBeenCalled();
  });
});
