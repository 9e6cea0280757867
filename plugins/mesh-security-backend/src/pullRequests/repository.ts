import { Entity } from '@backstage/catalog-model';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  GITOPS_REPO_ANNOTATION,
  GitopsRepository,
  GitopsRepositorySettings,
  gitopsRepositoryRefusal,
  parseGitopsRepository,
} from '@mesh-security/plugin-mesh-security-common';

/** Where an entity's access-change pull requests are, or why they cannot be listed. */
export type RepositoryResolution =
  | { status: 'ok'; repository: GitopsRepository }
  | {
      status: 'not-configured' | 'unsupported-host';
      message: string;
      repository?: GitopsRepository;
    };

/**
 * The entity's GitOps repository (annotation, else configuration), if the backend may read it.
 * An annotation is written by whoever edits the entity's catalog-info.yaml, so it is trusted no
 * further than the configuration allows: the host must be a GitHub host of `integrations.github`
 * (the backend never calls any other host) and the repository must be allowed by
 * `allowedRepositories` (absent: only the configured `repository`).
 */
export function resolveRepository(
  entity: Entity,
  settings: GitopsRepositorySettings,
  integrations: ScmIntegrationRegistry,
): RepositoryResolution {
  const annotated = entity.metadata.annotations?.[GITOPS_REPO_ANNOTATION];
  const value = annotated ?? settings.repository;
  const source = annotated
    ? `annotation ${GITOPS_REPO_ANNOTATION}`
    : 'meshSecurity.accessRequests.repository';
  if (!value?.trim()) {
    return {
      status: 'not-configured',
      message: `No GitOps repository: add the annotation ${GITOPS_REPO_ANNOTATION} (host/owner/name) or set meshSecurity.accessRequests.repository`,
    };
  }
  const repository = parseGitopsRepository(value);
  if (!repository) {
    return {
      status: 'not-configured',
      message: `The ${source} is not a repository: use host/owner/name (e.g. github.com/acme/gitops)`,
    };
  }
  if (!integrations.github.byHost(repository.host)) {
    return {
      status: 'unsupported-host',
      repository,
      message: integrations.gitlab.byHost(repository.host)
        ? `${repository.host} is a GitLab host; listing merge requests is not supported yet`
        : `${repository.host} is not a GitHub host of integrations.github`,
    };
  }
  const refusal = gitopsRepositoryRefusal(settings, repository);
  if (refusal)
    return { status: 'not-configured', repository, message: refusal };
  return { status: 'ok', repository };
}
