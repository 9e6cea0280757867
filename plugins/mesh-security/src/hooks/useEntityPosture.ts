import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  EntityPosture,
  EntityPostureSummary,
} from '@mesh-security/plugin-mesh-security-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../api';
import { isMeshSecurityAvailable } from '../conditions';

/** The client's methods answering about one entity, and their answers. */
interface EntityAnswers {
  getEntityPosture: EntityPosture;
  getEntityPostureSummary: EntityPostureSummary;
}

/**
 * One of the current entity's answers. Does not call the backend for entities without the
 * Kubernetes annotations (`available: false`).
 */
function useEntityAnswer<K extends keyof EntityAnswers>(answer: K) {
  const { entity } = useEntity();
  const api = useApi(meshSecurityApiRef);
  const available = isMeshSecurityAvailable(entity);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    async (): Promise<EntityAnswers[K] | undefined> =>
      available
        ? ((await api[answer](entityRef)) as EntityAnswers[K])
        : undefined,
    [api, answer, entityRef, available],
  );
  return { ...state, entity, entityRef, available };
}

/** The current entity's posture in full (the Security tab). */
export function useEntityPosture() {
  return useEntityAnswer('getEntityPosture');
}

/** The current entity's posture at a glance (the card): its workloads summarised. */
export function useEntityPostureSummary() {
  return useEntityAnswer('getEntityPostureSummary');
}
