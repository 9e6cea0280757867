import { Entity } from '@backstage/catalog-model';
import {
  GITOPS_REPO_ANNOTATION,
  gitopsRepositoryUrl,
  parseGitopsRepository,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * Link to the scaffolder's `request-access` template with this component prefilled as target.
 *
 * @public
 */
export function requestAccessUrl(entityRef: string): string {
  return `/create/templates/default/request-access?formData=${encodeURIComponent(
    JSON.stringify({ target: entityRef }),
  )}`;
}

/**
 * The GitOps repository's open access-change pull requests for this entity, when the entity
 * names a repository on github.com (`mesh-security.io/gitops-repo: github.com/<owner>/<repo>`,
 * or `<owner>/<repo>`); other hosts are linked from the backend's answer, which knows whether
 * they are GitHub.
 *
 * @public
 */
export function accessPullRequestsUrl(entity: Entity): string | undefined {
  const annotation = entity.metadata.annotations?.[GITOPS_REPO_ANNOTATION];
  const repository = annotation ? parseGitopsRepository(annotation) : undefined;
  if (repository?.host !== 'github.com') return undefined;
  return pullRequestsSearchUrl(
    gitopsRepositoryUrl(repository),
    entity.metadata.name,
  );
}

/**
 * A GitHub repository's open pull requests labelled `mesh-security` that mention the component
 * (`repositoryUrl`: `https://<host>/<owner>/<name>`, GitHub or GitHub Enterprise).
 */
export function pullRequestsSearchUrl(
  repositoryUrl: string,
  componentName: string,
): string {
  return `${repositoryUrl}/pulls?q=is%3Apr+is%3Aopen+label%3Amesh-security+${encodeURIComponent(
    componentName,
  )}`;
}
