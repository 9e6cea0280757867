import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { KUBERNETES_NAMESPACE_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import { isMeshSecurityAvailable } from './conditions';

const entity = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', annotations },
  spec: {},
});

describe('isMeshSecurityAvailable', () => {
  it.each([
    ['kubernetes-id', { [KUBERNETES_ANNOTATION]: 'payments' }, true],
    [
      'label selector',
      { [KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]: 'app=payments' },
      true,
    ],
    [
      'namespace only',
      { [KUBERNETES_NAMESPACE_ANNOTATION]: 'payments' },
      false,
    ],
    ['blank id', { [KUBERNETES_ANNOTATION]: '  ' }, false],
    ['no annotations', undefined, false],
  ])('%s → %s', (_name, annotations, expected) => {
    expect(isMeshSecurityAvailable(entity(annotations))).toBe(expected);
  });
});
