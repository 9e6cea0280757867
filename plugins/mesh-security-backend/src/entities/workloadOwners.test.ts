import { Entity } from '@backstage/catalog-model';
import { WorkloadPosture } from '@mesh-security/plugin-mesh-security-common';
import { selectWorkloads, workloadSelectorOf } from './resolveWorkloads';
import { ownersOf } from './workloadOwners';

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
});

const workload = (
  namespace: string,
  name: string,
  labels: Record<string, string>,
) => ({ cluster: 'c1', namespace, name, labels } as WorkloadPosture);

const entities = [
  component('by-id', { 'backstage.io/kubernetes-id': 'shop' }),
  component('by-id-in-payments', {
    'backstage.io/kubernetes-id': 'shop',
    'backstage.io/kubernetes-namespace': 'payments',
  }),
  component('by-selector', {
    'backstage.io/kubernetes-label-selector': 'app=billing,tier!=db',
  }),
  // The label selector wins over the id, as in the Kubernetes plugin.
  component('selector-wins', {
    'backstage.io/kubernetes-id': 'shop',
    'backstage.io/kubernetes-label-selector': 'app=other',
  }),
  component('invalid-selector', {
    'backstage.io/kubernetes-label-selector': 'app in (',
  }),
  component('no-annotation', {}),
];

const workloads = [
  workload('payments', 'shop', { 'backstage.io/kubernetes-id': 'shop' }),
  workload('storefront', 'shop', { 'backstage.io/kubernetes-id': 'shop' }),
  workload('legacy', 'billing', { app: 'billing', tier: 'backend' }),
  workload('legacy', 'billing-db', { app: 'billing', tier: 'db' }),
  workload('legacy', 'other', { app: 'other' }),
  workload('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
];

describe('ownersOf (the reverse of an entity view)', () => {
  it.each([
    ['payments/shop', ['by-id', 'by-id-in-payments']],
    ['storefront/shop', ['by-id']],
    ['legacy/billing', ['by-selector']],
    ['legacy/billing-db', []],
    ['legacy/other', ['selector-wins']],
    ['kube-system/coredns', []],
  ])('%s is owned by %j', (ref, owners) => {
    const w = workloads.find(x => `${x.namespace}/${x.name}` === ref)!;
    expect(ownersOf(w, entities).map(e => e.metadata.name)).toEqual(owners);
  });

  it('agrees with the forward mapping for every entity and workload', () => {
    for (const entity of entities) {
      const selector = workloadSelectorOf(entity);
      const forward = selector.ok ? selectWorkloads(selector, workloads) : [];
      for (const w of workloads) {
        expect([
          entity.metadata.name,
          ownersOf(w, entities).includes(entity),
        ]).toEqual([entity.metadata.name, forward.includes(w)]);
      }
    }
  });
});
