import { Entity } from '@backstage/catalog-model';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';

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
 * names its repository (`mesh-security.io/gitops-repo: github.com/<owner>/<repo>`).
 *
 * @public
 */
export function accessPullRequestsUrl(entity: Entity): string | undefined {
  const repo = entity.metadata.annotations?.[GITOPS_REPO_ANNOTATION]?.trim();
  const match = repo?.match(
    /^(?:https?:\/\/)?github\.com\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/,
  );
  if (!match) return undefined;
  const [, owner, name] = match;
  return pullRequestsSearchUrl(
    `https://github.com/${owner}/${name}`,
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
