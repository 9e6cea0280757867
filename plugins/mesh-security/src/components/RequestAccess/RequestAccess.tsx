import { Link, LinkButton } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  GITOPS_REPO_ANNOTATION,
  accessPullRequestsUrl,
  requestAccessUrl,
} from './requestAccess';

/** Opens the scaffolder's request-access template with this component as target. */
export const RequestAccessButton = ({ entity }: { entity: Entity }) => (
  <LinkButton
    variant="contained"
    color="primary"
    to={requestAccessUrl(stringifyEntityRef(entity))}
  >
    Request access
  </LinkButton>
);

/** The component's open access-change pull requests, or how to make them appear. */
export const AccessPullRequests = ({ entity }: { entity: Entity }) => {
  const url = accessPullRequestsUrl(entity);
  if (!url) {
    return (
      <Typography variant="body2" color="textSecondary">
        Access changes are opened as pull requests in the GitOps repository. Add
        the annotation{' '}
        <code>
          {GITOPS_REPO_ANNOTATION}: github.com/&lt;owner&gt;/&lt;repo&gt;
        </code>{' '}
        to list this component&apos;s open pull requests here.
      </Typography>
    );
  }
  return (
    <Typography variant="body2">
      <Link to={url}>
        Open access-change pull requests for {entity.metadata.name}
      </Link>
    </Typography>
  );
};
