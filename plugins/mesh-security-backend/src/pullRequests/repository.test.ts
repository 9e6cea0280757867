import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import { resolveRepository } from './repository';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [
        { host: 'github.com', token: 't' },
        {
          host: 'ghe.example.com',
          apiBaseUrl: 'https://ghe.example.com/api/v3',
          token: 't',
        },
      ],
      gitlab: [
        {
          host: 'gitlab.example.com',
          apiBaseUrl: 'https://gitlab.example.com/api/v4',
          token: 't',
        },
      ],
    },
  }),
);

const entity = (repo?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: repo === undefined ? {} : { [GITOPS_REPO_ANNOTATION]: repo },
  },
});

describe('resolveRepository', () => {
  const config = { repository: 'github.com/acme/gitops' };

  it('prefers the annotation to the configuration', () => {
    expect(
      resolveRepository(
        entity('ghe.example.com/team/policies'),
        { ...config, allowedRepositories: ['acme/gitops', 'team/policies'] },
        integrations,
      ),
    ).toEqual({
      status: 'ok',
      repository: { host: 'ghe.example.com', owner: 'team', name: 'policies' },
    });
    expect(resolveRepository(entity(), config, integrations)).toEqual({
      status: 'ok',
      repository: { host: 'github.com', owner: 'acme', name: 'gitops' },
    });
  });

  it('is not-configured without annotation and configuration', () => {
    expect(resolveRepository(entity(), {}, integrations)).toMatchObject({
      status: 'not-configured',
      message: expect.stringContaining(GITOPS_REPO_ANNOTATION),
    });
  });

  it('is not-configured for a malformed or oversized value', () => {
    expect(
      resolveRepository(entity('not a repo'), config, integrations),
    ).toMatchObject({
      status: 'not-configured',
      message: expect.stringContaining(
        `annotation ${GITOPS_REPO_ANNOTATION} is not a repository`,
      ),
    });
    expect(
      resolveRepository(
        entity(`github.com/acme/${'x'.repeat(400)}`),
        config,
        integrations,
      ).status,
    ).toBe('not-configured');
  });

  it('never reads a host that is not a GitHub integration', () => {
    expect(
      resolveRepository(
        entity('evil.example.com/acme/gitops'),
        config,
        integrations,
      ),
    ).toMatchObject({
      status: 'unsupported-host',
      message: 'evil.example.com is not a GitHub host of integrations.github',
    });
    expect(
      resolveRepository(
        entity('gitlab.example.com/acme/gitops'),
        config,
        integrations,
      ),
    ).toMatchObject({
      status: 'unsupported-host',
      repository: { host: 'gitlab.example.com' },
      message: expect.stringContaining('GitLab'),
    });
  });

  it('reads only the configured repository while allowedRepositories is absent', () => {
    expect(
      resolveRepository(
        entity('https://github.com/acme/gitops.git'),
        config,
        integrations,
      ),
    ).toEqual({
      status: 'ok',
      repository: { host: 'github.com', owner: 'acme', name: 'gitops' },
    });
    for (const other of [
      'github.com/other/repo',
      // Same owner and name on another GitHub host: another repository.
      'ghe.example.com/acme/gitops',
    ]) {
      expect(
        resolveRepository(entity(other), config, integrations),
      ).toMatchObject({
        status: 'not-configured',
        message: expect.stringContaining(
          'the only repository allowed while meshSecurity.accessRequests.allowedRepositories is not set',
        ),
      });
    }
  });

  it('applies allowedRepositories when set (case-insensitively, like GitHub)', () => {
    const allowed = { ...config, allowedRepositories: ['Acme/GitOps'] };
    expect(resolveRepository(entity(), allowed, integrations).status).toBe(
      'ok',
    );
    expect(
      resolveRepository(entity('github.com/other/repo'), allowed, integrations),
    ).toMatchObject({
      status: 'not-configured',
      message:
        'other/repo is not in meshSecurity.accessRequests.allowedRepositories',
    });
    expect(
      resolveRepository(
        entity(),
        { ...config, allowedRepositories: [] },
        integrations,
      ).status,
    ).toBe('not-configured');
  });
});
