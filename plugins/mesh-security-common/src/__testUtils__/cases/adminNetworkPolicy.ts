import { AccessRequest } from '../../model';
import {
  Obj,
  adminNetworkPolicy,
  baselineAdminNetworkPolicy,
  deployment,
  namespace,
  networkPolicy,
} from '../k8s';
import type { AccessCase } from './accessCase';

/*
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (networkPolicy/adminNetworkPolicy.ts). Each
 * case cites what it follows: the API overview (OVERVIEW,
 * https://network-policy-api.sigs.k8s.io/api-overview/), the API reference (SPEC,
 * https://network-policy-api.sigs.k8s.io/reference/spec/) or KEP-2091 (KEP,
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/2091-admin-network-policy).
 */

/** `shop` (env prod) with `a`, `b` (8080 named http, 9090, 53/UDP); `other` (env dev) with `c`. */
const estate: Obj[] = [
  namespace('shop', { env: 'prod' }),
  namespace('other', { env: 'dev' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', {
    ports: [{ port: 8080, name: 'http' }, 9090, { port: 53, protocol: 'UDP' }],
  }),
  deployment('other', 'c'),
];
const toB = (over: Partial<AccessRequest> = {}): Partial<AccessRequest> => ({
  from: { namespace: 'shop', name: 'a' },
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
  ...over,
});
const fromC = { namespace: 'other', name: 'c' };
const pods = (app: string, ns: Obj = {}) => ({
  pods: { namespaceSelector: ns, podSelector: { matchLabels: { app } } },
});
const anyNamespace = { namespaces: {} };
const shopSubject = { namespaces: { matchLabels: { env: 'prod' } } };
const bSubject = pods('b');
const aSubject = pods('a');

/** An ANP on `b`'s ingress with one rule. */
const onB = (
  name: string,
  priority: number,
  action: string,
  from: Obj[] = [anyNamespace],
  ports?: Obj[],
) =>
  adminNetworkPolicy(name, {
    priority,
    subject: bSubject,
    ingress: [
      { name: `${name}-rule`, action, from, ...(ports ? { ports } : {}) },
    ],
  });
const npDenyB = networkPolicy('shop', 'deny-b', {
  podSelector: { matchLabels: { app: 'b' } },
  policyTypes: ['Ingress'],
});
const npAllowA = networkPolicy('shop', 'allow-a', {
  podSelector: { matchLabels: { app: 'b' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
});
const banp = (rules: Obj[], direction = 'ingress', subject: Obj = bSubject) =>
  baselineAdminNetworkPolicy({ subject, [direction]: rules });

export const ADMIN_NETPOL_CASES: AccessCase[] = [
  // SPEC, AdminNetworkPolicyRuleAction "Allow": allowed "even if it would otherwise have been
  // denied by NetworkPolicy".
  {
    name: 'AdminNetworkPolicy: Allow beats a NetworkPolicy deny',
    objects: [...estate, npDenyB, onB('allow-all', 10, 'Allow')],
    request: toB(),
    decision: 'ALLOW',
    layer: 'network-policy',
    policy: 'AdminNetworkPolicy allow-all',
    message: /ingress rule "allow-all-rule" allows/,
  },
  // SPEC, "Deny": "denied before being checked against NetworkPolicy or
  // BaselineAdminNetworkPolicy rules".
  {
    name: 'AdminNetworkPolicy: Deny beats a NetworkPolicy allow',
    objects: [...estate, npAllowA, onB('deny-a', 10, 'Deny', [pods('a')])],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'AdminNetworkPolicy deny-a',
    message: /ingress rule "deny-a-rule" denies/,
  },
  // SPEC, "Pass": "skip any remaining ANP rules, and then pass execution to any NetworkPolicies
  // that select the pod".
  {
    name: 'AdminNetworkPolicy: Pass defers to the NetworkPolicy that selects the pod',
    objects: [
      ...estate,
      npDenyB,
      onB('pass', 10, 'Pass'),
      onB('allow-later', 20, 'Allow'),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'NetworkPolicy shop/deny-b',
    message: /passes this ingress/,
  },
  {
    name: 'AdminNetworkPolicy: Pass skips the remaining ANP rules (allowed by default)',
    objects: [
      ...estate,
      onB('pass', 10, 'Pass'),
      onB('deny-later', 20, 'Deny'),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // SPEC, AdminNetworkPolicySpec.priority: "lower priority values have higher precedence".
  {
    name: 'AdminNetworkPolicy: the lower priority number decides (not the name)',
    objects: [
      ...estate,
      onB('a-allow', 20, 'Allow'),
      onB('z-deny', 10, 'Deny'),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy z-deny',
  },
  {
    name: 'AdminNetworkPolicy: a policy that does not match leaves the next priority to decide',
    objects: [
      ...estate,
      onB('deny-c', 10, 'Deny', [pods('c')]),
      onB('allow-all', 20, 'Allow'),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'AdminNetworkPolicy allow-all',
  },
  // SPEC, AdminNetworkPolicySpec.ingress: rules of one policy apply in the order written.
  ...[8080, 9090].map(
    (port): AccessCase => ({
      name: `AdminNetworkPolicy: rules apply in order (Allow 8080, then Deny all) on ${port}`,
      objects: [
        ...estate,
        adminNetworkPolicy('ordered', {
          priority: 10,
          subject: bSubject,
          ingress: [
            {
              name: 'web',
              action: 'Allow',
              from: [anyNamespace],
              ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
            },
            { name: 'rest', action: 'Deny', from: [anyNamespace] },
          ],
        }),
      ],
      request: toB({ port }),
      decision: port === 8080 ? 'ALLOW' : 'DENY',
      policy: 'AdminNetworkPolicy ordered',
    }),
  ),
  // OVERVIEW and SPEC, BaselineAdminNetworkPolicy: its rules apply only to traffic no
  // NetworkPolicy decides.
  {
    name: 'BaselineAdminNetworkPolicy: a NetworkPolicy selecting the pod decides instead',
    objects: [
      ...estate,
      npAllowA,
      banp([{ name: 'deny-all', action: 'Deny', from: [anyNamespace] }]),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'NetworkPolicy shop/allow-a',
  },
  {
    name: 'BaselineAdminNetworkPolicy: Deny applies when no NetworkPolicy selects the pod',
    objects: [
      ...estate,
      banp([{ name: 'deny-all', action: 'Deny', from: [anyNamespace] }]),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'BaselineAdminNetworkPolicy default',
    message: /ingress rule "deny-all" denies/,
  },
  ...[
    ['a', 'ALLOW'],
    ['c', 'DENY'],
  ].map(
    ([from, decision]): AccessCase => ({
      name: `BaselineAdminNetworkPolicy: rules in order (Allow a, Deny all), from ${from}`,
      objects: [
        ...estate,
        banp([
          { name: 'allow-a', action: 'Allow', from: [pods('a')] },
          { name: 'deny-all', action: 'Deny', from: [anyNamespace] },
        ]),
      ],
      request: toB(from === 'c' ? { from: fromC } : {}),
      decision: decision as 'ALLOW' | 'DENY',
      policy: 'BaselineAdminNetworkPolicy default',
    }),
  ),
  // SPEC, AdminNetworkPolicyPort: portNumber, namedPort, portRange; protocol defaults to TCP.
  ...(
    [
      [
        'portNumber 9090',
        { portNumber: { protocol: 'TCP', port: 9090 } },
        8080,
        'ALLOW',
      ],
      [
        'portNumber 8080',
        { portNumber: { protocol: 'TCP', port: 8080 } },
        8080,
        'DENY',
      ],
      [
        'portNumber 8080/UDP',
        { portNumber: { protocol: 'UDP', port: 8080 } },
        8080,
        'ALLOW',
      ],
      [
        'portNumber 53/UDP',
        { portNumber: { protocol: 'UDP', port: 53 } },
        53,
        'DENY',
      ],
      ['namedPort http', { namedPort: 'http' }, 8080, 'DENY'],
      ['namedPort http on 9090', { namedPort: 'http' }, 9090, 'ALLOW'],
      [
        'portRange 9000-9999',
        { portRange: { start: 9000, end: 9999 } },
        9090,
        'DENY',
      ],
      [
        'portRange 9000-9999 on 8080',
        { portRange: { start: 9000, end: 9999 } },
        8080,
        'ALLOW',
      ],
    ] as const
  ).map(
    ([label, port, on, decision]): AccessCase => ({
      name: `AdminNetworkPolicy ports: Deny on ${label}, request to ${on}`,
      objects: [
        ...estate,
        onB('deny-port', 10, 'Deny', [anyNamespace], [port]),
      ],
      request: toB({ port: on }),
      decision,
      ...(decision === 'DENY'
        ? { policy: 'AdminNetworkPolicy deny-port' }
        : {}),
    }),
  ),
  // SPEC, AdminNetworkPolicySubject: `namespaces` selects every pod of the namespaces, `pods`
  // the selected pods of the selected namespaces.
  {
    name: 'AdminNetworkPolicy subject: namespaces selects every pod of the namespace',
    objects: [
      ...estate,
      adminNetworkPolicy('shop-in', {
        priority: 10,
        subject: shopSubject,
        ingress: [{ action: 'Deny', from: [pods('c')] }],
      }),
    ],
    request: toB({ from: fromC }),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy shop-in',
  },
  {
    name: 'AdminNetworkPolicy subject: namespaces of other labels do not select',
    objects: [
      ...estate,
      adminNetworkPolicy('dev-in', {
        priority: 10,
        subject: { namespaces: { matchLabels: { env: 'dev' } } },
        ingress: [{ action: 'Deny', from: [anyNamespace] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'AdminNetworkPolicy subject: pods selects only the matching pods',
    objects: [
      ...estate,
      adminNetworkPolicy('a-in', {
        priority: 10,
        subject: aSubject,
        ingress: [{ action: 'Deny', from: [anyNamespace] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // SPEC, AdminNetworkPolicyIngressPeer: `namespaces` peers select pods, so an address outside
  // the cluster is no peer of them.
  {
    name: 'AdminNetworkPolicy peers: a client outside the cluster is not in namespaces',
    objects: [...estate, onB('deny-pods', 10, 'Deny')],
    request: toB({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'AdminNetworkPolicy peers: pods with a namespaceSelector of another namespace',
    objects: [
      ...estate,
      onB('deny-dev-a', 10, 'Deny', [
        pods('a', { matchLabels: { env: 'dev' } }),
      ]),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // OVERVIEW: egress rules apply at the source; both ends must allow.
  {
    name: 'AdminNetworkPolicy egress: Deny at the client',
    objects: [
      ...estate,
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ name: 'no-b', action: 'Deny', to: [pods('b')] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy a-out',
    message: /egress rule "no-b" denies/,
  },
  {
    name: 'AdminNetworkPolicy egress: Allow beats the client NetworkPolicy egress deny',
    objects: [
      ...estate,
      networkPolicy('shop', 'a-no-egress', {
        podSelector: { matchLabels: { app: 'a' } },
        policyTypes: ['Egress'],
      }),
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ action: 'Allow', to: [pods('b')] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'AdminNetworkPolicy a-out',
  },
  {
    name: 'AdminNetworkPolicy egress: ingress allowed, egress denied by the baseline',
    objects: [
      ...estate,
      onB('allow-in', 10, 'Allow'),
      banp([{ action: 'Deny', to: [anyNamespace] }], 'egress', aSubject),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'BaselineAdminNetworkPolicy default',
  },
  // SPEC, AdminNetworkPolicyEgressPeer `networks`: cluster-internal traffic is checked against
  // it too; the engine does not know the pods' addresses here, so it cannot decide.
  {
    name: 'AdminNetworkPolicy egress: networks against pods of unknown address is unknown',
    objects: [
      ...estate,
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /networks 10\.0\.0\.0\/8/,
  },
  {
    name: 'AdminNetworkPolicy egress: networks covering every address match any pod',
    objects: [
      ...estate,
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0', '::/0'] }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy a-out',
  },
  // SPEC, `nodes` selects node IPs: a pod on the pod network is not one.
  {
    name: 'AdminNetworkPolicy egress: a nodes peer does not match a pod',
    objects: [
      ...estate,
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ action: 'Deny', to: [{ nodes: {} }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'AdminNetworkPolicy egress: domainNames cannot be matched to a pod',
    objects: [
      ...estate,
      adminNetworkPolicy('a-out', {
        priority: 10,
        subject: aSubject,
        egress: [{ action: 'Allow', to: [{ domainNames: ['*.example.com'] }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /domainNames/,
  },
  // SPEC, AdminNetworkPolicyIngressPeer: a peer with none of the known fields fails closed: a
  // Deny or Pass rule denies everything.
  {
    name: 'AdminNetworkPolicy peers: an unknown peer kind in a Pass rule denies all',
    objects: [...estate, onB('future', 10, 'Pass', [{ services: {} }])],
    request: toB(),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy future',
    message: /unknown kind/,
  },
  {
    name: 'AdminNetworkPolicy peers: an unknown peer kind in an Allow rule matches nothing',
    objects: [
      ...estate,
      onB('future', 10, 'Allow', [{ services: {} }]),
      onB('deny-all', 20, 'Deny'),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'AdminNetworkPolicy deny-all',
  },
  // SPEC, priority: two policies of one priority may apply in any order: not evaluated.
  {
    name: 'AdminNetworkPolicy: two policies of one priority are not evaluated',
    objects: [
      ...estate,
      onB('allow-all', 10, 'Allow'),
      onB('deny-all', 10, 'Deny'),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /same priority 10/,
  },
  {
    name: 'AdminNetworkPolicy: one priority on different subjects is no conflict',
    objects: [
      ...estate,
      onB('allow-all', 10, 'Allow'),
      adminNetworkPolicy('c-in', {
        priority: 10,
        subject: pods('c'),
        ingress: [{ action: 'Deny', from: [anyNamespace] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'AdminNetworkPolicy allow-all',
  },
];
