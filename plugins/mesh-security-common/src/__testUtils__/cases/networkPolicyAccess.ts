import { Obj, deployment, namespace, networkPolicy } from '../k8s';
import { sel, toB } from './accessFixtures';
import type { AccessCase } from './accessCase';

/*
 * Kubernetes NetworkPolicy access rules (cases/access.ts).
 */

const np = (name: string, spec: Obj) => networkPolicy('shop', name, spec);
const plainPair = [
  namespace('shop'),
  namespace('other', { team: 'x' }),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports: [{ port: 8080, name: 'http' }, 9090] }),
  deployment('other', 'c'),
];
const dnsPair = (
  ports: Array<{ port: number; name?: string; protocol?: string }>,
) => [
  namespace('shop'),
  deployment('shop', 'a'),
  deployment('shop', 'b', { ports }),
];
const allowPort53 = (protocol: string) => ({
  podSelector: sel,
  ingress: [{ ports: [{ port: 53, protocol }] }],
});

export const NETPOL_CASES: AccessCase[] = [
  {
    name: 'Network Policies: pods are non-isolated without a selecting policy',
    objects: plainPair,
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: a policy with no ingress rules isolates (default deny)',
    objects: [
      ...plainPair,
      np('deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Network Policies: policyTypes default to Ingress',
    objects: [...plainPair, np('deny', { podSelector: {} })],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Network Policies: policies are additive',
    objects: [
      ...plainPair,
      np('deny', { podSelector: {} }),
      np('allow-a', {
        podSelector: sel,
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'allow-a',
  },
  {
    name: 'Network Policies: podSelector peers are in the policy namespace only',
    objects: [
      ...plainPair,
      np('allow-a', {
        podSelector: sel,
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: namespaceSelector with the implicit kubernetes.io/metadata.name label',
    objects: [
      ...plainPair,
      np('allow-other', {
        podSelector: sel,
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'other' },
                },
              },
            ],
          },
        ],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: namespaceSelector and podSelector together select pods of those namespaces',
    objects: [
      ...plainPair,
      np('allow', {
        podSelector: sel,
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: 'x' } },
                podSelector: { matchLabels: { app: 'other-app' } },
              },
            ],
          },
        ],
      }),
    ],
    request: toB({ from: { namespace: 'other', name: 'c' } }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: named ports resolve against the destination pod',
    objects: [
      ...plainPair,
      np('http-only', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
    request: toB({ port: 9090 }),
    decision: 'DENY',
  },
  {
    name: 'Network Policies: endPort ranges',
    objects: [
      ...plainPair,
      np('range', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }],
      }),
    ],
    request: toB({ port: 9090 }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: ipBlock 0.0.0.0/0 allows external clients',
    objects: [
      ...plainPair,
      np('world', {
        podSelector: sel,
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      }),
    ],
    request: toB({ from: { kind: 'external' } }),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: ipBlock excludes pods whose address is unknown (cannot evaluate)',
    objects: [
      ...plainPair,
      np('cidr', {
        podSelector: sel,
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  {
    name: 'Ambient and NetworkPolicy: mesh traffic to an ambient pod arrives on the HBONE port 15008',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      np('app-port-only', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 8080 }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
  },
  {
    name: 'Ambient and NetworkPolicy: allowing port 15008 lets meshed clients in',
    objects: [
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      np('hbone', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 15008 }] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: the client egress must allow too',
    objects: [
      ...plainPair,
      np('a-egress', {
        podSelector: { matchLabels: { app: 'a' } },
        policyTypes: ['Egress'],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'a-egress',
  },
  {
    name: 'Network Policies: egress is implied by egress rules',
    objects: [
      ...plainPair,
      np('a-egress', {
        podSelector: { matchLabels: { app: 'a' } },
        egress: [
          {
            to: [{ podSelector: { matchLabels: { app: 'b' } } }],
            ports: [{ port: 8080 }],
          },
        ],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'Network Policies: a rule allowing 53/TCP does not allow the 53/UDP the pod exposes',
    objects: [
      ...dnsPair([{ port: 53, protocol: 'UDP' }]),
      np('dns', allowPort53('TCP')),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
    message: /no rule allows this peer on port 53\/UDP/,
  },
  {
    name: 'Network Policies: a rule allowing 53/UDP allows the 53/UDP the pod exposes',
    objects: [
      ...dnsPair([{ port: 53, protocol: 'UDP' }]),
      np('dns', allowPort53('UDP')),
    ],
    request: toB({ port: 53 }),
    decision: 'ALLOW',
    layer: 'network-policy',
    message: /allows ingress from\/to every peer on port 53\/UDP/,
  },
  {
    name: 'Network Policies: a rule allowing 53/UDP does not allow 53/TCP when the pod exposes both',
    objects: [
      ...dnsPair([
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
        { port: 53, name: 'dns', protocol: 'UDP' },
      ]),
      np('dns', allowPort53('UDP')),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
    message: /no rule allows this peer on port 53$/,
  },
  {
    name: 'Network Policies: a named port matches only the container port of its protocol',
    objects: [
      ...dnsPair([
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
        { port: 53, name: 'dns', protocol: 'UDP' },
      ]),
      np('dns', {
        podSelector: sel,
        ingress: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }],
      }),
    ],
    request: toB({ port: 53 }),
    decision: 'DENY',
    layer: 'network-policy',
  },
];
