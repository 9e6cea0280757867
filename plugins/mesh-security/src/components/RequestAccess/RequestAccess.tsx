import { LinkButton } from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { requestAccessUrl } from './requestAccess';

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
