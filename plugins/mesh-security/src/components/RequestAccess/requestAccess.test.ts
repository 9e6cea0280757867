import { Entity } from '@backstage/catalog-model';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import { accessPullRequestsUrl, requestAccessUrl } from './requestAccess';

const entity = (repo?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: repo ? { [GITOPS_REPO_ANNOTATION]: repo } : undefined,
  },
});

describe('requestAccessUrl', () => {
  it('prefills the template form with the target', () => {
    const url = requestAccessUrl('component:default/payments-api');
    expect(url).toBe(
      '/create/templates/default/request-access?formData=%7B%22target%22%3A%22component%3Adefault%2Fpayments-api%22%7D',
    );
  });
});

describe('accessPullRequestsUrl', () => {
  it.each([
    ['github.com/acme/gitops'],
    ['https://github.com/acme/gitops'],
    ['https://github.com/acme/gitops.git'],
    ['https://GitHub.com/acme/gitops/'],
    // owner/name means github.com, as for the backend and the scaffolder actions.
    ['acme/gitops'],
  ])('links %s to its open, labelled pull requests', repo => {
    expect(accessPullRequestsUrl(entity(repo))).toBe(
      'https://github.com/acme/gitops/pulls?q=is%3Apr+is%3Aopen+label%3Amesh-security+payments-api',
    );
  });

  it.each([
    [undefined],
    ['gitlab.com/acme/gitops'],
    ['ghe.example.com/acme/gitops'],
    ['github.com/acme/gitops/tree/main'],
    ['https://user:pass@github.com/acme/gitops'],
    ['github.com/acme/gitops"><script>'],
  ])('gives no link for %s', repo => {
    expect(accessPullRequestsUrl(entity(repo))).toBeUndefined();
  });
});
