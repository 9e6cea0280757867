import { AccessRequest } from '../../model';
import {
  Obj,
  adminNetworkPolicy,
  ciliumClusterwideNetworkPolicy,
  ciliumNetworkPolicy,
  deployment,
  namespace,
  networkPolicy,
} from '../k8s';
import type { AccessCase } from './accessCase';

/*
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (networkPolicy/ciliumNetworkPolicy.ts).
 * Each case cites what it follows on docs.cilium.io (stable): the policy language (LANG,
 * /security/policy/language/), "Policy Enforcement Modes" (INTRO, /security/policy/intro/),
 * "Deny Policies" (DENY, /security/policy/deny/), "Using Kubernetes Constructs in Policy"
 * (K8S, /security/policy/kubernetes/), "Network Policy" (NP, /network/kubernetes/policy/), or
 * the CRD field documentation of cilium/cilium pkg/policy/api (CRD); "fails closed" marks what
 * docs/engine.md "Cilium network policies" lists as not documented.
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
const external = (sourceIp?: string) =>
  toB({ from: { kind: 'external' }, ...(sourceIp ? { sourceIp } : {}) });
const app = (name: string) => ({ matchLabels: { app: name } });

/** A CiliumNetworkPolicy on `b` with these ingress rules. */
const onB = (name: string, ingress: Obj[], extra: Obj = {}) =>
  ciliumNetworkPolicy('shop', name, {
    endpointSelector: app('b'),
    ingress,
    ...extra,
  });
const npDenyB = networkPolicy('shop', 'deny-b', {
  podSelector: app('b'),
  policyTypes: ['Ingress'],
});
const npAllowA = networkPolicy('shop', 'allow-a', {
  podSelector: app('b'),
  ingress: [{ from: [{ podSelector: app('a') }] }],
});

export const CILIUM_NETPOL_CASES: AccessCase[] = [
  // INTRO, default mode: "If any rule selects an Endpoint and the rule has an ingress section,
  // the endpoint goes into default deny at ingress."
  {
    name: 'CiliumNetworkPolicy: a rule with an ingress section isolates the endpoint',
    objects: [...estate, onB('b-in', [{ fromEndpoints: [app('x')] }])],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'CiliumNetworkPolicy shop/b-in',
    message: /ingress is isolated by CiliumNetworkPolicy shop\/b-in/,
  },
  // LANG, "Simple Ingress Allow".
  {
    name: 'CiliumNetworkPolicy: fromEndpoints allows the selected pods',
    objects: [...estate, onB('b-in', [{ fromEndpoints: [app('a')] }])],
    request: toB(),
    decision: 'ALLOW',
    policy: 'CiliumNetworkPolicy shop/b-in',
    message: /spec\.ingress\[0\] allows this ingress/,
  },
  // K8S, Namespaces: a CiliumNetworkPolicy "only applies to pods within that namespace"; an
  // empty EndpointSelector selects the endpoints of the policy's namespace (LANG, "Ingress
  // Allow All Endpoints").
  {
    name: 'CiliumNetworkPolicy: an empty fromEndpoints selector stays in the namespace',
    objects: [...estate, onB('b-in', [{ fromEndpoints: [{}] }])],
    request: toB({ from: fromC }),
    decision: 'DENY',
    policy: 'CiliumNetworkPolicy shop/b-in',
  },
  {
    name: 'CiliumNetworkPolicy: an empty fromEndpoints selector allows the namespace',
    objects: [...estate, onB('b-in', [{ fromEndpoints: [{}] }])],
    request: toB(),
    decision: 'ALLOW',
  },
  // K8S, "Example: Allow egress to kube-dns in kube-system namespace": the namespace label in
  // fromEndpoints / toEndpoints.
  {
    name: 'CiliumNetworkPolicy: k8s:io.kubernetes.pod.namespace selects another namespace',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [
            {
              matchLabels: {
                'k8s:io.kubernetes.pod.namespace': 'other',
                'k8s:app': 'c',
              },
            },
          ],
        },
      ]),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
  },
  // LANG, "Simple Egress Allow" / "Egress": the client's egress must allow too.
  {
    name: 'CiliumNetworkPolicy: an egress section isolates the client',
    objects: [
      ...estate,
      ciliumNetworkPolicy('shop', 'a-out', {
        endpointSelector: app('a'),
        egress: [{ toEndpoints: [app('x')] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    layer: 'network-policy',
    policy: 'CiliumNetworkPolicy shop/a-out',
    message: /egress is isolated/,
  },
  {
    name: 'CiliumNetworkPolicy: toEndpoints with toPorts allows the egress',
    objects: [
      ...estate,
      ciliumNetworkPolicy('shop', 'a-out', {
        endpointSelector: app('a'),
        egress: [
          {
            toEndpoints: [app('b')],
            toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
          },
        ],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'CiliumNetworkPolicy shop/a-out',
  },
  // LANG, "Entities based": cluster is every endpoint of the local cluster.
  {
    name: 'CiliumNetworkPolicy: fromEntities cluster allows pods',
    objects: [...estate, onB('b-in', [{ fromEntities: ['cluster'] }])],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
  },
  {
    name: 'CiliumNetworkPolicy: fromEntities cluster does not allow outside callers',
    objects: [...estate, onB('b-in', [{ fromEntities: ['cluster'] }])],
    request: external(),
    decision: 'DENY',
    policy: 'CiliumNetworkPolicy shop/b-in',
  },
  // LANG, "Entities based": world is every endpoint outside the cluster.
  {
    name: 'CiliumNetworkPolicy: fromEntities world allows outside callers',
    objects: [...estate, onB('b-in', [{ fromEntities: ['world'] }])],
    request: external(),
    decision: 'ALLOW',
  },
  {
    name: 'CiliumNetworkPolicy: fromEntities world does not allow pods',
    objects: [...estate, onB('b-in', [{ fromEntities: ['world'] }])],
    request: toB(),
    decision: 'DENY',
  },
  // LANG, "IP/CIDR based": "CIDR rules do not apply to traffic where both sides of the
  // connection are either managed by Cilium or use an IP belonging to a node".
  {
    name: 'CiliumNetworkPolicy: fromCIDR 0.0.0.0/0 does not match Cilium-managed pods',
    objects: [...estate, onB('b-in', [{ fromCIDR: ['0.0.0.0/0'] }])],
    request: toB(),
    decision: 'DENY',
  },
  {
    name: 'CiliumNetworkPolicy: fromCIDRSet matches an outside address',
    objects: [
      ...estate,
      onB('b-in', [{ fromCIDRSet: [{ cidr: '203.0.113.0/24' }] }]),
    ],
    request: external('203.0.113.5'),
    decision: 'ALLOW',
  },
  {
    name: 'CiliumNetworkPolicy: fromCIDRSet except leaves an address out',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] }],
        },
      ]),
    ],
    request: external('203.0.113.5'),
    decision: 'DENY',
  },
  {
    name: 'CiliumNetworkPolicy: fromCIDR against an unknown outside address fails closed',
    objects: [...estate, onB('b-in', [{ fromCIDR: ['203.0.113.0/24'] }])],
    request: external(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  // LANG, "Labels-dependent Layer 4 rule": peers and ports together.
  {
    name: 'CiliumNetworkPolicy: toPorts allows the listed port',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
        },
      ]),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  {
    name: 'CiliumNetworkPolicy: toPorts does not allow another port',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
        },
      ]),
    ],
    request: toB({ port: 9090 }),
    decision: 'DENY',
  },
  // LANG, PortProtocol: "Port can be an L4 port number, or a name".
  {
    name: 'CiliumNetworkPolicy: a named port resolves against the destination pod',
    objects: [
      ...estate,
      onB('b-in', [
        { fromEndpoints: [app('a')], toPorts: [{ ports: [{ port: 'http' }] }] },
      ]),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // LANG, "Example Port Ranges": `endPort`.
  {
    name: 'CiliumNetworkPolicy: endPort allows a range of ports',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [{ ports: [{ port: '9000', endPort: 9100 }] }],
        },
      ]),
    ],
    request: toB({ port: 9090 }),
    decision: 'ALLOW',
  },
  // LANG, PortProtocol: "If omitted or empty, any protocol matches".
  {
    name: 'CiliumNetworkPolicy: a UDP port entry does not allow TCP',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [{ ports: [{ port: '8080', protocol: 'UDP' }] }],
        },
      ]),
    ],
    request: toB(),
    decision: 'DENY',
  },
  {
    name: 'CiliumNetworkPolicy: protocol ANY allows UDP',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }],
        },
      ]),
    ],
    request: toB({ port: 53 }),
    decision: 'ALLOW',
  },
  // LANG, "Example (L4)": toPorts alone allows the port "to any layer 3 destination".
  {
    name: 'CiliumNetworkPolicy: toPorts without peers allows every peer',
    objects: [
      ...estate,
      onB('b-in', [{ toPorts: [{ ports: [{ port: '8080' }] }] }]),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
  },
  // LANG, "Ingress/Egress Default Deny": a rule selecting the endpoint with an (empty) rule
  // section puts it into default deny without allowing any peer.
  {
    name: 'CiliumNetworkPolicy: an empty ingress rule isolates and allows nothing',
    objects: [...estate, onB('deny-all', [{}])],
    request: toB(),
    decision: 'DENY',
    policy: 'CiliumNetworkPolicy shop/deny-all',
  },
  // CRD `enableDefaultDeny`: false keeps the endpoint out of default deny.
  {
    name: 'CiliumNetworkPolicy: enableDefaultDeny false does not isolate',
    objects: [
      ...estate,
      onB('b-in', [{ fromEndpoints: [app('x')] }], {
        enableDefaultDeny: { ingress: false },
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // DENY: "Deny policies take precedence over allow policies".
  {
    name: 'CiliumNetworkPolicy: ingressDeny wins over an allow',
    objects: [
      ...estate,
      onB('b-in', [{ fromEntities: ['all'] }], {
        ingressDeny: [{ fromEndpoints: [app('a')] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'CiliumNetworkPolicy shop/b-in',
    message: /spec\.ingressDeny\[0\] denies this ingress/,
  },
  // DENY: "regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network
  // Policy or even a Kubernetes Network Policy".
  {
    name: 'CiliumNetworkPolicy: ingressDeny wins over a NetworkPolicy allow',
    objects: [
      ...estate,
      npAllowA,
      ciliumNetworkPolicy('shop', 'deny-a', {
        endpointSelector: app('b'),
        ingressDeny: [{ fromEndpoints: [app('a')] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'CiliumNetworkPolicy shop/deny-a',
  },
  {
    name: 'CiliumNetworkPolicy: ingressDeny on a port leaves other ports to the allows',
    objects: [
      ...estate,
      onB('b-in', [{ fromEntities: ['all'] }], {
        ingressDeny: [
          {
            fromEndpoints: [app('a')],
            toPorts: [{ ports: [{ port: '9090' }] }],
          },
        ],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
  // NP: "Cilium supports running multiple of these policy types at the same time"; LANG,
  // "Ingress": allowed when "at least one ingress rule" allows it, whichever policy holds it.
  {
    name: 'CiliumNetworkPolicy: allows what a NetworkPolicy isolates',
    objects: [...estate, npDenyB, onB('b-in', [{ fromEndpoints: [app('a')] }])],
    request: toB(),
    decision: 'ALLOW',
    policy: 'CiliumNetworkPolicy shop/b-in',
  },
  {
    name: 'CiliumNetworkPolicy: a NetworkPolicy allows what it isolates',
    objects: [
      ...estate,
      npAllowA,
      onB('b-in', [{ fromEndpoints: [app('x')] }]),
    ],
    request: toB(),
    decision: 'ALLOW',
    policy: 'NetworkPolicy shop/allow-a',
  },
  {
    name: 'CiliumNetworkPolicy: isolated by both, allowed by neither',
    objects: [...estate, npDenyB, onB('b-in', [{ fromEndpoints: [app('x')] }])],
    request: toB(),
    decision: 'DENY',
    message: /NetworkPolicy shop\/deny-b, CiliumNetworkPolicy shop\/b-in/,
  },
  // K8S, "Clusterwide Policies": the same rules without a namespace.
  {
    name: 'CiliumClusterwideNetworkPolicy: fromEndpoints selects pods of every namespace',
    objects: [
      ...estate,
      ciliumClusterwideNetworkPolicy('b-in', {
        endpointSelector: app('b'),
        ingress: [{ fromEndpoints: [app('c')] }],
      }),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
    policy: 'CiliumClusterwideNetworkPolicy b-in',
  },
  {
    name: 'CiliumClusterwideNetworkPolicy: isolates what its endpointSelector selects',
    objects: [
      ...estate,
      ciliumClusterwideNetworkPolicy('shop-in', {
        endpointSelector: {
          matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' },
        },
        ingress: [{ fromEndpoints: [app('c')] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    policy: 'CiliumClusterwideNetworkPolicy shop-in',
  },
  // K8S, Namespaces: `io.cilium.k8s.namespace.labels` in a CiliumClusterwideNetworkPolicy.
  {
    name: 'CiliumClusterwideNetworkPolicy: namespace labels select peers',
    objects: [
      ...estate,
      ciliumClusterwideNetworkPolicy('b-in', {
        endpointSelector: app('b'),
        ingress: [
          {
            fromEndpoints: [
              { matchLabels: { 'io.cilium.k8s.namespace.labels.env': 'dev' } },
            ],
          },
        ],
      }),
    ],
    request: toB({ from: fromC }),
    decision: 'ALLOW',
  },
  // CRD: `specs` holds several rules.
  {
    name: 'CiliumNetworkPolicy: every rule of specs applies',
    objects: [
      ...estate,
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'many', namespace: 'shop' },
        specs: [
          { endpointSelector: app('x'), ingress: [{}] },
          { endpointSelector: app('b'), ingress: [{}] },
        ],
      },
    ],
    request: toB(),
    decision: 'DENY',
    message: /CiliumNetworkPolicy shop\/many/,
  },
  // LANG, "Layer 7 Examples": L7 rules allow the connection but only some requests (fails
  // closed).
  {
    name: 'CiliumNetworkPolicy: L7 rules cannot be evaluated',
    objects: [
      ...estate,
      onB('b-in', [
        {
          fromEndpoints: [app('a')],
          toPorts: [
            {
              ports: [{ port: '8080', protocol: 'TCP' }],
              rules: { http: [{ method: 'GET', path: '/public' }] },
            },
          ],
        },
      ]),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /L7 rules restrict which requests/,
  },
  // LANG, "DNS based" and "Services based": names and Services are not matched (fails closed).
  {
    name: 'CiliumNetworkPolicy: toFQDNs cannot be evaluated',
    objects: [
      ...estate,
      ciliumNetworkPolicy('shop', 'a-out', {
        endpointSelector: app('a'),
        egress: [{ toFQDNs: [{ matchName: 'b.example.com' }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  // LANG, "Additional Label Requirements": fromRequires narrows every allow (fails closed).
  {
    name: 'CiliumNetworkPolicy: fromRequires cannot be evaluated',
    objects: [
      ...estate,
      onB('b-in', [
        { fromRequires: [app('a')] },
        { fromEndpoints: [app('a')] },
      ]),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
  },
  // Not documented: how Cilium orders AdminNetworkPolicies and its own (fails closed).
  {
    name: 'CiliumNetworkPolicy: with an AdminNetworkPolicy on the same side it fails closed',
    objects: [
      ...estate,
      onB('b-in', [{ fromEndpoints: [app('a')] }]),
      adminNetworkPolicy('allow-all', {
        priority: 10,
        subject: {
          pods: { namespaceSelector: {}, podSelector: app('b') },
        },
        ingress: [{ action: 'Allow', from: [{ namespaces: {} }] }],
      }),
    ],
    request: toB(),
    decision: 'DENY',
    cannotEvaluate: true,
    message: /order is not documented/,
  },
  // CIDR rules do not match managed pods: a CIDR deny does not deny them.
  {
    name: 'CiliumNetworkPolicy: an ingressDeny fromCIDR does not deny pods',
    objects: [
      ...estate,
      onB('b-in', [{ fromEntities: ['cluster'] }], {
        ingressDeny: [{ fromCIDR: ['0.0.0.0/0'] }],
      }),
    ],
    request: toB(),
    decision: 'ALLOW',
  },
];
