import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  deployment,
  externalWorkload,
  istioPair,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkPolicy,
  serverAuthorization,
} from '../../__testUtils__/k8s';
import { AccessEdge, edgeProtection, peerLabel } from '../../model';

/*
 * docs/engine.md "Linkerd ExternalWorkload": an ExternalWorkload calls Linkerd workloads over
 * mTLS with its `meshTLS.identity`, from its `workloadIPs`, and is authorized as Linkerd's
 * policies decide for that identity ("ExternalWorkload" reference,
 * https://linkerd.io/2-edge/reference/external-workload/; "Adding non-Kubernetes workloads",
 * "Use authorization policies with machines",
 * https://linkerd.io/2-edge/tasks/adding-non-kubernetes-workloads/).
 */

const NS = 'mixed';
const SPIFFE = 'spiffe://root.linkerd.cluster.local/vm';
const vm = (ip = '193.1.4.11', identity = SPIFFE) =>
  externalWorkload(
    NS,
    'vm',
    {
      meshTLS: { identity, serverName: 'vm.cluster.local' },
      workloadIPs: [{ ip }],
      ports: [{ port: 80, name: 'http' }],
    },
    { app: 'vm' },
  );
const estate = (extra: Obj[], policy?: string): Obj[] => [
  namespace(
    NS,
    {},
    {
      'linkerd.io/inject': 'enabled',
      ...(policy ? { 'config.linkerd.io/default-inbound-policy': policy } : {}),
    },
  ),
  deployment(NS, 'a'),
  deployment(NS, 'b'),
  ...extra,
];
const server = linkerdServer(NS, 'b-http', {
  podSelector: { matchLabels: { app: 'b' } },
  port: 8080,
  proxyProtocol: 'HTTP/1',
});
const requiring = (name: string) =>
  linkerdAuthorizationPolicy(NS, 'b-authz', {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
    requiredAuthenticationRefs: [
      { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name },
    ],
  });
const meshTls = (spec: Obj) => meshTlsAuthentication(NS, 'machines', spec);
const B = { namespace: NS, name: 'b' };
const VM = { kind: 'external-workload' as const, namespace: NS, name: 'vm' };

/** [label, port, protection, decidedBy] of the ExternalWorkload callers of mixed/b. */
const callers = (objects: Obj[], options = {}) =>
  engineOf(objects, options)
    .callersOf(B)
    .filter(e => e.peer.kind === 'external-workload')
    .map((e: AccessEdge) => [
      peerLabel(e.peer),
      e.port,
      edgeProtection(e),
      e.decidedBy.policy,
    ]);
const LABEL = `External workload ${NS}/vm (${SPIFFE})`;

describe('Linkerd ExternalWorkload as a caller', () => {
  it.each<[string, Obj[], unknown[]]>([
    [
      // Default inbound policy `all-unauthenticated` (Authorization Policy reference).
      'no Server: the default policy admits it, over mTLS',
      estate([vm()]),
      [[LABEL, 8080, 'mtls', undefined]],
    ],
    [
      // "Use authorization policies with machines": a MeshTLSAuthentication naming its SPIFFE id.
      'a MeshTLSAuthentication naming its identity admits it',
      estate([
        vm(),
        server,
        meshTls({ identities: [SPIFFE] }),
        requiring('machines'),
      ]),
      [[LABEL, 8080, 'mtls', `AuthorizationPolicy ${NS}/b-authz`]],
    ],
    [
      // MeshTLSAuthentication `identities`: `*` is every authenticated identity.
      'a MeshTLSAuthentication with `*` admits it',
      estate([
        vm(),
        server,
        meshTls({ identities: ['*'] }),
        requiring('machines'),
      ]),
      [[LABEL, 8080, 'mtls', `AuthorizationPolicy ${NS}/b-authz`]],
    ],
    [
      'a MeshTLSAuthentication naming another identity shuts it out',
      estate([
        vm(),
        server,
        meshTls({ identities: ['spiffe://root.linkerd.cluster.local/other'] }),
        requiring('machines'),
      ]),
      [],
    ],
    [
      // identityRefs name ServiceAccounts: an ExternalWorkload's identity is none of theirs.
      'identityRefs to a ServiceAccount of its namespace do not name it',
      estate([
        vm(),
        server,
        meshTls({ identityRefs: [{ kind: 'ServiceAccount', name: 'vm' }] }),
        requiring('machines'),
      ]),
      [],
    ],
    [
      // ServerAuthorization `client.meshTLS.identities` (Authorization Policy reference).
      'a ServerAuthorization naming its identity admits it',
      estate([
        vm(),
        server,
        serverAuthorization(NS, 'b-sa', {
          server: { name: 'b-http' },
          client: { meshTLS: { identities: [SPIFFE] } },
        }),
      ]),
      [[LABEL, 8080, 'mtls', `ServerAuthorization ${NS}/b-sa`]],
    ],
    [
      // `cluster-authenticated`: authenticated clients from the cluster networks only.
      'cluster-authenticated: an address outside the cluster networks is refused',
      estate([vm()], 'cluster-authenticated'),
      [],
    ],
    [
      'cluster-authenticated: an address inside the cluster networks is admitted',
      estate([vm('10.9.0.4')], 'cluster-authenticated'),
      [[LABEL, 8080, 'mtls', undefined]],
    ],
    [
      'all-authenticated: its identity suffices',
      estate([vm()], 'all-authenticated'),
      [[LABEL, 8080, 'mtls', undefined]],
    ],
    ['deny: refused', estate([vm()], 'deny'), []],
    [
      // NetworkPolicy ingress `ipBlock` sees its address (the connection comes from outside).
      'a NetworkPolicy isolating the target without its address drops it',
      estate([
        vm(),
        networkPolicy(NS, 'b-in', {
          podSelector: { matchLabels: { app: 'b' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
        }),
      ]),
      [],
    ],
    [
      'a NetworkPolicy admitting its address keeps it',
      estate([
        vm(),
        networkPolicy(NS, 'b-in', {
          podSelector: { matchLabels: { app: 'b' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ ipBlock: { cidr: '193.1.4.0/24' } }] }],
        }),
      ]),
      [[LABEL, 8080, 'mtls', 'NetworkPolicy mixed/b-in']],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(callers(objects)).toEqual(expected);
  });

  it('agrees with the access check and the pair-by-pair connection', () => {
    const estates = [
      estate([vm()]),
      estate([
        vm(),
        server,
        meshTls({ identities: [SPIFFE] }),
        requiring('machines'),
      ]),
      estate([
        vm(),
        server,
        meshTls({ identities: ['x'] }),
        requiring('machines'),
      ]),
      estate([vm()], 'cluster-authenticated'),
      estate([vm('10.9.0.4')], 'cluster-authenticated'),
      estate([vm()], 'deny'),
    ];
    for (const objects of estates) {
      const engine = engineOf(objects);
      const listed = engine
        .callersOf(B)
        .some(e => e.peer.kind === 'external-workload');
      const decision = engine.check({ from: VM, to: B, port: 8080 });
      expect(decision.decision === 'ALLOW').toBe(listed);
      expect(!!engine.accessGraph().connection(VM, B, 8080)).toBe(listed);
    }
  });

  it('is no caller of its own for a target outside Linkerd (the external client covers it)', () => {
    const engine = engineOf([...istioPair(), vm()]);
    expect(
      engine
        .callersOf({ namespace: 'shop', name: 'b' })
        .filter(e => e.peer.kind === 'external-workload'),
    ).toEqual([]);
    // Istio sees a plaintext client outside the mesh.
    expect(
      engine.check({
        from: VM,
        to: { namespace: 'shop', name: 'b' },
        port: 8080,
      }).reasons[0].message,
    ).toContain('sends plaintext');
  });

  it('leaves the Linkerd targets evaluated: only callees outside the snapshot are not', () => {
    const engine = engineOf(estate([vm()]));
    // Its callers (the Services selecting it) are outside the snapshot: the clients keep the
    // MS408 "not evaluated" for their callee lists, and no verdict changes.
    const MS408 = engine
      .evaluate()
      .findings.filter(f => f.code === 'MS408')
      .map(f => f.message);
    expect(MS408).toEqual([
      `not evaluated: ExternalWorkload ${NS}/vm; it may change the verdicts of workloads (2 as clients)`,
    ]);
    expect(engine.callersOf(B).every(e => !e.cannotEvaluate)).toBe(true);
    const decision = engine.check({
      from: { namespace: NS, name: 'a' },
      to: B,
      port: 8080,
    });
    expect(decision).toMatchObject({ decision: 'ALLOW' });
    expect(decision.cannotEvaluate).toBeUndefined();
  });

  it('reads v1alpha1 `meshTls`', () => {
    const old = {
      ...vm(),
      apiVersion: 'workload.linkerd.io/v1alpha1',
      spec: {
        meshTls: { identity: SPIFFE, serverName: 'vm.cluster.local' },
        workloadIPs: [{ ip: '193.1.4.11' }],
      },
    };
    expect(callers(estate([old]))).toEqual([[LABEL, 8080, 'mtls', undefined]]);
  });

  it('an unknown ExternalWorkload in a check is not found', () => {
    const engine = engineOf(estate([]));
    expect(() => engine.check({ from: VM, to: B, port: 8080 })).toThrow(
      'ExternalWorkload mixed/vm is not in the snapshot',
    );
  });
});
