import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import {
  ciliumClusterwideNetworkPolicy,
  ciliumNetworkPolicy,
} from '../../__testUtils__/k8s';
import { readObjects } from '../core/reader';

describe('CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['networkPolicy/ciliumNetworkPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe('malformed Cilium policies (MS401)', () => {
  const endpointSelector = { matchLabels: { app: 'b' } };
  // CRD types (cilium/cilium pkg/policy/api): a rule selects by endpointSelector or
  // nodeSelector, entities and protocols are enums, CIDRs and ports are well formed.
  it.each([
    [
      'neither spec nor specs',
      { ...ciliumNetworkPolicy('shop', 'x', {}), spec: undefined },
      'shop',
      /spec: Required value/,
    ],
    [
      'a rule without a selector',
      ciliumNetworkPolicy('shop', 'x', { ingress: [{}] }),
      'shop',
      /exactly one of endpointSelector and nodeSelector/,
    ],
    [
      'both selectors',
      ciliumClusterwideNetworkPolicy('x', {
        endpointSelector,
        nodeSelector: {},
      }),
      '',
      /exactly one of endpointSelector and nodeSelector/,
    ],
    [
      'an unknown entity',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector,
        ingress: [{ fromEntities: ['everyone'] }],
      }),
      'shop',
      /fromEntities\[0\]: Unsupported value/,
    ],
    [
      'an invalid CIDR',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector,
        egress: [{ toCIDR: ['10.0.0.300/8'] }],
      }),
      'shop',
      /toCIDR\[0\]: invalid CIDR/,
    ],
    [
      'an unknown protocol',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector,
        ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'ICMP' }] }] }],
      }),
      'shop',
      /protocol: Unsupported value/,
    ],
    [
      'a port above 65535',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector,
        ingress: [{ toPorts: [{ ports: [{ port: '70000' }] }] }],
      }),
      'shop',
      /port: Invalid value/,
    ],
    [
      'an endPort below its port',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector,
        ingress: [{ toPorts: [{ ports: [{ port: '90', endPort: 80 }] }] }],
      }),
      'shop',
      /endPort: must not be below port/,
    ],
    [
      'an unknown selector operator',
      ciliumNetworkPolicy('shop', 'x', {
        endpointSelector: {
          matchExpressions: [{ key: 'app', operator: 'Near' }],
        },
      }),
      'shop',
      /endpointSelector/,
    ],
    [
      'a version that is not served',
      {
        ...ciliumNetworkPolicy('shop', 'x', { endpointSelector }),
        apiVersion: 'cilium.io/v9',
      },
      'shop',
      /not a served version/,
    ],
  ])('%s', (_name, object, ns, problem) => {
    const { snapshot, findings } = readObjects([object]);
    expect(findings.map(f => f.code)).toEqual(['MS401']);
    expect(findings[0].message).toMatch(problem);
    expect(findings[0].object.namespace).toBe(ns);
    expect(snapshot.unevaluated ?? []).toEqual([]);
  });

  it('keeps the top-level specs', () => {
    const { snapshot, findings } = readObjects([
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumClusterwideNetworkPolicy',
        metadata: { name: 'x' },
        specs: [{ endpointSelector, ingress: [{}] }],
      },
    ]);
    expect(findings).toEqual([]);
    expect(snapshot.unevaluated?.[0].spec.specs).toHaveLength(1);
  });
});
