import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import {
  adminNetworkPolicy,
  baselineAdminNetworkPolicy,
} from '../../__testUtils__/k8s';
import { readObjects } from '../core/reader';

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['networkPolicy/adminNetworkPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe('malformed AdminNetworkPolicies (MS401)', () => {
  const subject = { namespaces: {} };
  // API reference (https://network-policy-api.sigs.k8s.io/reference/spec/): required fields,
  // ranges and "exactly one field" of subjects, peers and ports; BANP is named `default`.
  it.each([
    [
      'priority above 1000',
      adminNetworkPolicy('x', { priority: 1001, subject }),
      /spec.priority/,
    ],
    [
      'no subject',
      adminNetworkPolicy('x', { priority: 1 }),
      /spec.subject: Required value/,
    ],
    [
      'a subject with both namespaces and pods',
      adminNetworkPolicy('x', {
        priority: 1,
        subject: {
          namespaces: {},
          pods: { namespaceSelector: {}, podSelector: {} },
        },
      }),
      /at most 1 field/,
    ],
    [
      'an unknown action',
      adminNetworkPolicy('x', {
        priority: 1,
        subject,
        ingress: [{ action: 'Drop', from: [subject] }],
      }),
      /action: Unsupported value/,
    ],
    [
      'a rule without peers',
      adminNetworkPolicy('x', {
        priority: 1,
        subject,
        egress: [{ action: 'Deny', to: [] }],
      }),
      /at least 1 item/,
    ],
    [
      'a port entry with two fields',
      adminNetworkPolicy('x', {
        priority: 1,
        subject,
        ingress: [
          {
            action: 'Deny',
            from: [subject],
            ports: [
              {
                namedPort: 'http',
                portNumber: { protocol: 'TCP', port: 80 },
              },
            ],
          },
        ],
      }),
      /at most 1 field/,
    ],
    [
      'a port range whose start is not below its end',
      adminNetworkPolicy('x', {
        priority: 1,
        subject,
        ingress: [
          {
            action: 'Deny',
            from: [subject],
            ports: [{ portRange: { start: 90, end: 80 } }],
          },
        ],
      }),
      /start must be less than end/,
    ],
    [
      'an invalid network',
      adminNetworkPolicy('x', {
        priority: 1,
        subject,
        egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0'] }] }],
      }),
      /invalid CIDR/,
    ],
    [
      'Pass in a BaselineAdminNetworkPolicy',
      baselineAdminNetworkPolicy({
        subject,
        ingress: [{ action: 'Pass', from: [subject] }],
      }),
      /action: Unsupported value/,
    ],
    [
      'a BaselineAdminNetworkPolicy not named default',
      {
        ...baselineAdminNetworkPolicy({ subject }),
        metadata: { name: 'other' },
      },
      /metadata.name/,
    ],
    [
      'a version that is not served',
      {
        ...adminNetworkPolicy('x', { priority: 1, subject }),
        apiVersion: 'policy.networking.k8s.io/v1beta9',
      },
      /not a served version/,
    ],
  ])('%s', (_name, object, problem) => {
    const { snapshot, findings } = readObjects([object]);
    expect(findings.map(f => f.code)).toEqual(['MS401']);
    expect(findings[0].message).toMatch(problem);
    expect(findings[0].object.namespace).toBe('');
    expect(snapshot.unevaluated ?? []).toEqual([]);
  });
});
