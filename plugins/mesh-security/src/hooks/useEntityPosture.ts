import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../api';
import { isMeshSecurityAvailable } from '../conditions';

/**
 * The current entity's posture. Does not call the backend for entities without the
 * Kubernetes annotations (`available: false`).
 */
export function useEntityPosture() {
  const { entity } = useEntity();
  const api = useApi(meshSecurityApiRef);
  const available = isMeshSecurityAvailable(entity);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    async () => (available ? api.getEntityPosture(entityRef) : undefined),
    [api, entityRef, available],
  );
  return { ...state, entity, entityRef, available };
}
