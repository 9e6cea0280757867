import { Entity } from '@backstage/catalog-model';
import { isMeshSecurityAvailable } from './conditions';

const entity = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', annotations },
  spec: {},
});

describe('isMeshSecurityAvailable', () => {
  it.each([
    ['kubernetes-id', { 'backstage.io/kubernetes-id': 'payments' }, true],
    [
      'label selector',
      { 'backstage.io/kubernetes-label-selector': 'app=payments' },
      true,
    ],
    [
      'namespace only',
      { 'backstage.io/kubernetes-namespace': 'payments' },
      false,
    ],
    ['blank id', { 'backstage.io/kubernetes-id': '  ' }, false],
    ['no annotations', undefined, false],
  ])('%s → %s', (_name, annotations, expected) => {
    expect(isMeshSecurityAvailable(entity(annotations))).toBe(expected);
  });
});
