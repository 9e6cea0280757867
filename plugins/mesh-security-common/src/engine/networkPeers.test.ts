import { engineOf } from '../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  istioPair,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkAuthentication,
  networkPolicy,
  peerAuthentication,
} from '../__testUtils__/k8s';
import { AccessEdge, edgeProtection, peerLabel } from '../model';
import { addressSetWithin } from './core/match';

/*
 * Network peers (docs/engine.md, "Network peers"): clients admitted by their address — Istio
 * `ipBlocks`/`remoteIpBlocks`, Linkerd NetworkAuthentication — listed among the callers as a
 * distinct peer, asked like a plaintext client outside the mesh.
 */

const onB = (rules: Obj[], action = 'ALLOW', name = 'b-by-address') =>
  authorizationPolicy('shop', name, {
    selector: { matchLabels: { app: 'b' } },
    action,
    rules,
  });
const from = (source: Obj, to?: Obj) => ({
  from: [{ source }],
  ...(to ? { to: [{ operation: to }] } : {}),
});
const strict = peerAuthentication('shop', 'default', {
  mtls: { mode: 'STRICT' },
});

/** [label, port, protection, methods, decidedBy] of every non-workload caller of shop/b. */
const peers = (objects: Obj[], target = { namespace: 'shop', name: 'b' }) =>
  engineOf(objects)
    .callersOf(target)
    .filter(
      e => e.peer.kind === 'network' || e.peer.kind === 'external-plaintext',
    )
    .map((e: AccessEdge) => [
      peerLabel(e.peer),
      e.port,
      edgeProtection(e),
      e.methods,
      e.decidedBy.policy,
    ]);

const ALLOWED = 'AuthorizationPolicy shop/b-by-address';

describe('network peers: Istio AuthorizationPolicy', () => {
  it.each<[string, Obj[], unknown[]]>([
    [
      'ipBlocks: the listed networks on every port',
      [onB([from({ ipBlocks: ['10.20.0.0/16', '192.168.1.7'] })])],
      [
        [
          'Network 10.20.0.0/16, 192.168.1.7',
          8080,
          'plaintext',
          undefined,
          ALLOWED,
        ],
      ],
    ],
    [
      'notIpBlocks inside ipBlocks: an exclusion',
      [onB([from({ ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.1.0.0/16'] })])],
      [
        [
          'Network 10.0.0.0/8 except 10.1.0.0/16',
          8080,
          'plaintext',
          undefined,
          ALLOWED,
        ],
      ],
    ],
    [
      'notIpBlocks alone: every address but those',
      [onB([from({ notIpBlocks: ['10.0.0.0/8'] })])],
      [
        [
          'Network 0.0.0.0/0, ::/0 except 10.0.0.0/8',
          8080,
          'plaintext',
          undefined,
          ALLOWED,
        ],
      ],
    ],
    [
      'remoteIpBlocks: the original client address',
      [onB([from({ remoteIpBlocks: ['203.0.113.0/24'] })])],
      [
        [
          'Network 203.0.113.0/24 (original client address)',
          8080,
          'plaintext',
          undefined,
          ALLOWED,
        ],
      ],
    ],
    [
      'methods and paths of the rule are on the edge',
      [
        onB([
          from(
            { ipBlocks: ['10.20.0.0/16'] },
            { methods: ['GET'], paths: ['/health'] },
          ),
        ]),
      ],
      [['Network 10.20.0.0/16', 8080, 'plaintext', ['GET'], ALLOWED]],
    ],
    [
      'a rule limited to another port admits the peer there only',
      [onB([from({ ipBlocks: ['10.20.0.0/16'] }, { ports: ['9090'] })])],
      [],
    ],
    [
      'ipBlocks with principals: a client outside the mesh has no identity',
      [
        onB([
          from({
            ipBlocks: ['10.20.0.0/16'],
            principals: ['cluster.local/ns/shop/sa/a'],
          }),
        ]),
      ],
      [],
    ],
    [
      'STRICT: a client outside the mesh cannot connect without mTLS',
      [strict, onB([from({ ipBlocks: ['10.20.0.0/16'] })])],
      [],
    ],
    [
      'a DENY rule covering the range shuts it out',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB([from({ ipBlocks: ['10.0.0.0/8'] })], 'DENY', 'b-deny'),
      ],
      [],
    ],
    [
      'a DENY rule covering part of the range: fail closed, the peer is shut out',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB([from({ ipBlocks: ['10.20.5.0/24'] })], 'DENY', 'b-deny'),
      ],
      [],
    ],
    [
      'a DENY rule on remoteIpBlocks: the original address is unknown, fail closed',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB([from({ remoteIpBlocks: ['10.20.0.0/16'] })], 'DENY', 'b-deny'),
      ],
      [],
    ],
    [
      'a DENY rule on `when remote.ip`: the original address is unknown, fail closed',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB(
          [{ when: [{ key: 'remote.ip', values: ['10.20.0.0/16'] }] }],
          'DENY',
          'b-deny',
        ),
      ],
      [],
    ],
    [
      'a DENY rule on `when source.ip` outside the range leaves the peer in',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB(
          [{ when: [{ key: 'source.ip', values: ['172.16.0.0/12'] }] }],
          'DENY',
          'b-deny',
        ),
      ],
      [['Network 10.20.0.0/16', 8080, 'plaintext', undefined, ALLOWED]],
    ],
    [
      'a DENY rule on another range leaves the peer in',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        onB([from({ ipBlocks: ['172.16.0.0/12'] })], 'DENY', 'b-deny'),
      ],
      [['Network 10.20.0.0/16', 8080, 'plaintext', undefined, ALLOWED]],
    ],
    [
      'an ALLOW that admits anyone already lists the external client: no network peer',
      [onB([from({ ipBlocks: ['10.20.0.0/16'] }), {}])],
      [['External (plaintext)', 8080, 'plaintext', undefined, ALLOWED]],
    ],
    [
      'a NetworkPolicy ipBlock admitting the range keeps the peer',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        networkPolicy('shop', 'b-in', {
          podSelector: { matchLabels: { app: 'b' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
        }),
      ],
      [['Network 10.20.0.0/16', 8080, 'plaintext', undefined, ALLOWED]],
    ],
    [
      'a NetworkPolicy isolating the target without that range drops the peer',
      [
        onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
        networkPolicy('shop', 'b-in', {
          podSelector: { matchLabels: { app: 'b' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '172.16.0.0/12' } }] }],
        }),
      ],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(peers([...istioPair(), ...objects])).toEqual(expected);
  });

  it('a rule admitting only by address no longer reads as "nobody"', () => {
    const engine = engineOf([
      ...istioPair(),
      onB([from({ ipBlocks: ['10.20.0.0/16'] })]),
    ]);
    const callers = engine.callersOf({ namespace: 'shop', name: 'b' });
    expect(callers.map(e => e.peer)).toEqual([
      { kind: 'network', cidrs: ['10.20.0.0/16'] },
    ]);
    expect(callers[0]).toMatchObject({
      portMtls: 'PERMISSIVE',
      connection: 'plaintext',
      decidedBy: { layer: 'authorization', policy: ALLOWED },
    });
  });
});

const LK = 'lk';
const linkerdTarget = (extra: Obj[]) => [
  namespace(LK, {}, { 'linkerd.io/inject': 'enabled' }),
  deployment(LK, 'a'),
  deployment(LK, 'b'),
  linkerdServer(LK, 'b-http', {
    podSelector: { matchLabels: { app: 'b' } },
    port: 8080,
  }),
  ...extra,
];
const requiring = (...refs: Array<[string, string]>) =>
  linkerdAuthorizationPolicy(LK, 'b-authz', {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
    requiredAuthenticationRefs: refs.map(([kind, name]) => ({
      group: 'policy.linkerd.io',
      kind,
      name,
    })),
  });
const lkPeers = (extra: Obj[]) =>
  peers(linkerdTarget(extra), { namespace: LK, name: 'b' });

describe('network peers: Linkerd NetworkAuthentication', () => {
  it.each<[string, Obj[], unknown[]]>([
    [
      'a NetworkAuthentication: its networks, with their exclusions',
      [
        networkAuthentication(LK, 'office', {
          networks: [{ cidr: '10.20.0.0/16', except: ['10.20.9.0/24'] }],
        }),
        requiring(['NetworkAuthentication', 'office']),
      ],
      [
        [
          'Network 10.20.0.0/16 except 10.20.9.0/24',
          8080,
          'plaintext',
          undefined,
          `AuthorizationPolicy ${LK}/b-authz`,
        ],
      ],
    ],
    [
      'several networks without exclusions: one peer',
      [
        networkAuthentication(LK, 'office', {
          networks: [{ cidr: '10.20.0.0/16' }, { cidr: '192.168.0.0/24' }],
        }),
        requiring(['NetworkAuthentication', 'office']),
      ],
      [
        [
          'Network 10.20.0.0/16, 192.168.0.0/24',
          8080,
          'plaintext',
          undefined,
          `AuthorizationPolicy ${LK}/b-authz`,
        ],
      ],
    ],
    [
      'with a MeshTLSAuthentication too: both required, no client outside the mesh',
      [
        networkAuthentication(LK, 'office', {
          networks: [{ cidr: '10.20.0.0/16' }],
        }),
        meshTlsAuthentication(LK, 'meshed', { identities: ['*'] }),
        requiring(
          ['NetworkAuthentication', 'office'],
          ['MeshTLSAuthentication', 'meshed'],
        ),
      ],
      [],
    ],
    [
      '0.0.0.0/0: anyone, listed as the external client',
      [
        networkAuthentication(LK, 'anyone', {
          networks: [{ cidr: '0.0.0.0/0' }],
        }),
        requiring(['NetworkAuthentication', 'anyone']),
      ],
      [
        [
          'External (plaintext)',
          8080,
          'plaintext',
          undefined,
          `AuthorizationPolicy ${LK}/b-authz`,
        ],
      ],
    ],
    [
      'a missing NetworkAuthentication: the policy is ignored (Linkerd CRD)',
      [requiring(['NetworkAuthentication', 'absent'])],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(lkPeers(objects)).toEqual(expected);
  });
});

describe('addressSetWithin', () => {
  it.each<[string[], string[], string[], string[], string]>([
    [['10.20.0.0/16'], [], ['10.0.0.0/8'], [], 'yes'],
    [['10.20.0.0/16'], [], ['10.20.0.0/16'], [], 'yes'],
    [['10.20.0.0/16'], [], ['172.16.0.0/12'], [], 'no'],
    [['10.0.0.0/8'], [], ['10.20.0.0/16'], [], 'unknown'],
    [['10.0.0.0/8'], ['10.20.0.0/16'], ['10.20.5.0/24'], [], 'no'],
    [['10.0.0.0/8'], [], ['10.0.0.0/8'], ['10.1.0.0/16'], 'unknown'],
    [['10.0.0.0/8'], ['10.1.0.0/16'], ['10.0.0.0/8'], ['10.1.2.0/24'], 'yes'],
    [['10.0.0.0/8'], [], ['0.0.0.0/0'], ['10.0.0.0/8'], 'no'],
    [['fd00::/8'], [], ['fd00::/7'], [], 'yes'],
    [['fd00::/8'], [], ['10.0.0.0/8'], [], 'no'],
    [['2001:db8::1'], [], ['2001:db8::/32'], [], 'yes'],
    [['::ffff:10.0.0.1'], [], ['::ffff:10.0.0.0/104'], [], 'yes'],
    [['10.0.0.300/8'], [], ['10.0.0.0/8'], [], 'unknown'],
    [['10.0.0.0/33'], [], ['10.0.0.0/8'], [], 'unknown'],
  ])('%j except %j within %j except %j: %s', (cidrs, except, set, not, r) => {
    expect(
      addressSetWithin({ cidrs, except }, { cidrs: set, except: not }),
    ).toBe(r);
  });
});
