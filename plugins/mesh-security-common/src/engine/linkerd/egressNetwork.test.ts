import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  deployment,
  egressNetwork,
  externalWorkload,
  namespace,
} from '../../__testUtils__/k8s';
import { readObjects } from '../core/reader';
import { egressReachesCluster } from './egressNetwork';

/*
 * docs/engine.md "Linkerd EgressNetwork": an EgressNetwork captures traffic to its `networks`
 * outside the cluster ("EgressNetwork" reference, "networks": by default everything but the
 * cluster networks, https://linkerd.io/2-edge/reference/egress-network/), after a Service's
 * cluster IP (linkerd2 policy-controller outbound `lookup_ip`). Only networks reaching into the
 * cluster networks may change a verdict the engine reports.
 */

const CLUSTER = ['10.0.0.0/8', '192.168.0.0/16'];

describe('egressReachesCluster', () => {
  it.each<[string, Obj, string[] | undefined, boolean]>([
    // "networks": absent, the whole address space but the cluster networks.
    ['no networks: outside the cluster networks', {}, CLUSTER, false],
    ['no networks, cluster networks unknown', {}, undefined, false],
    [
      'a public range',
      { networks: [{ cidr: '203.0.113.0/24' }] },
      CLUSTER,
      false,
    ],
    [
      'a range inside the cluster networks',
      { networks: [{ cidr: '10.20.0.0/16' }] },
      CLUSTER,
      true,
    ],
    [
      'everything: holds the cluster networks',
      { networks: [{ cidr: '0.0.0.0/0' }] },
      CLUSTER,
      true,
    ],
    [
      'everything except the cluster networks',
      {
        networks: [
          { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] },
        ],
      },
      CLUSTER,
      false,
    ],
    [
      'a cluster network with a hole: the rest reaches in',
      { networks: [{ cidr: '10.0.0.0/8', except: ['10.20.0.0/16'] }] },
      CLUSTER,
      true,
    ],
    [
      'explicit networks, cluster networks unknown: may',
      { networks: [{ cidr: '203.0.113.0/24' }] },
      undefined,
      true,
    ],
  ])('%s', (_name, spec, clusterNetworks, expected) => {
    expect(egressReachesCluster(spec as never, clusterNetworks)).toBe(expected);
  });
});

const linkerdPair = (): Obj[] => [
  namespace('data', {}, { 'linkerd.io/inject': 'enabled' }),
  deployment('data', 'a'),
  deployment('data', 'b'),
];
const linkerdConfig = (values: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'linkerd-config', namespace: 'linkerd' },
  data: { values },
});
const REACHING = { trafficPolicy: 'Deny', networks: [{ cidr: '10.0.0.0/8' }] };
const A = { namespace: 'data', name: 'a' };
const B = { namespace: 'data', name: 'b' };

describe('Linkerd EgressNetwork scope', () => {
  it.each<[string, Obj[], boolean]>([
    [
      // "EgressNetwork semantics": namespace-local, or every namespace from the global one.
      'in the client namespace: its clients',
      [egressNetwork('data', 'egress', REACHING)],
      true,
    ],
    [
      'in another namespace: not its clients',
      [egressNetwork('other', 'egress', REACHING)],
      false,
    ],
    [
      'in linkerd-egress (the default global namespace): every client',
      [egressNetwork('linkerd-egress', 'egress', REACHING)],
      true,
    ],
    [
      // Helm value `egress.globalEgressNetworkNamespace`.
      'in the configured global namespace: every client',
      [
        linkerdConfig('egress:\n  globalEgressNetworkNamespace: egress-all\n'),
        egressNetwork('egress-all', 'egress', REACHING),
      ],
      true,
    ],
    [
      'in linkerd-egress when another namespace is global: not its clients',
      [
        linkerdConfig('egress:\n  globalEgressNetworkNamespace: egress-all\n'),
        egressNetwork('linkerd-egress', 'egress', REACHING),
      ],
      false,
    ],
    [
      'Allow without networks: nothing the engine reports',
      [egressNetwork('data', 'egress', { trafficPolicy: 'Allow' })],
      false,
    ],
    [
      'Deny towards a public range: nothing the engine reports',
      [
        egressNetwork('data', 'egress', {
          trafficPolicy: 'Deny',
          networks: [{ cidr: '203.0.113.0/24' }],
        }),
      ],
      false,
    ],
  ])('%s', (_name, objects, affected) => {
    const engine = engineOf([...linkerdPair(), ...objects]);
    const reason = (engine.posture(A).notEvaluated ?? []).filter(r =>
      r.startsWith('not evaluated: EgressNetwork'),
    );
    expect(reason.length > 0).toBe(affected);
    const decision = engine.check({ from: A, to: B, port: 8080 });
    // A client calling a pod by address may be captured: its authorization fails closed.
    expect(decision.decision).toBe(affected ? 'DENY' : 'ALLOW');
    // The target's side is never affected: its callers stay evaluated.
    expect(engine.callersOf(B).every(e => !e.cannotEvaluate)).toBe(true);
  });
});

describe('Linkerd ExternalWorkload and EgressNetwork validation (MS401)', () => {
  const malformed = (o: Obj) =>
    readObjects([o])
      .findings.filter(f => f.code === 'MS401')
      .map(f => f.message);
  const spiffe = 'spiffe://root.linkerd.cluster.local/vm';
  it.each<[string, Obj, RegExp | null]>([
    [
      'ExternalWorkload: valid',
      externalWorkload('data', 'vm', {
        meshTLS: { identity: spiffe, serverName: 'vm' },
        workloadIPs: [{ ip: '192.0.2.1' }],
        ports: [{ port: 80 }],
      }),
      null,
    ],
    [
      // CRD: meshTLS required, with identity and serverName.
      'ExternalWorkload: meshTLS missing',
      externalWorkload('data', 'vm', { workloadIPs: [{ ip: '192.0.2.1' }] }),
      /spec\.meshTLS: Required value/,
    ],
    [
      'ExternalWorkload: serverName missing',
      externalWorkload('data', 'vm', { meshTLS: { identity: spiffe } }),
      /spec\.meshTLS\.serverName: Required value/,
    ],
    [
      'ExternalWorkload: empty identity',
      externalWorkload('data', 'vm', {
        meshTLS: { identity: '', serverName: 'vm' },
      }),
      /spec\.meshTLS\.identity: must have 1 to 253 characters/,
    ],
    [
      // CRD: workloadIPs maxItems 1.
      'ExternalWorkload: two workload IPs',
      externalWorkload('data', 'vm', {
        meshTLS: { identity: spiffe, serverName: 'vm' },
        workloadIPs: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }],
      }),
      /spec\.workloadIPs: must have at most 1 items/,
    ],
    [
      'ExternalWorkload: not an IP',
      externalWorkload('data', 'vm', {
        meshTLS: { identity: spiffe, serverName: 'vm' },
        workloadIPs: [{ ip: 'vm.example' }],
      }),
      /spec\.workloadIPs\[0\]\.ip: not a valid IP address/,
    ],
    [
      // CRD: ports[].port 1..65535, required.
      'ExternalWorkload: port out of range',
      externalWorkload('data', 'vm', {
        meshTLS: { identity: spiffe, serverName: 'vm' },
        ports: [{ port: 70000 }],
      }),
      /spec\.ports\[0\]\.port: must be an integer between 1-65535/,
    ],
    [
      'ExternalWorkload: v1alpha1 reads meshTls',
      {
        ...externalWorkload('data', 'vm', {
          meshTLS: { identity: spiffe, serverName: 'vm' },
        }),
        apiVersion: 'workload.linkerd.io/v1alpha1',
      },
      /spec\.meshTls: Required value/,
    ],
    ['EgressNetwork: valid', egressNetwork('data', 'e', REACHING), null],
    [
      // CRD: trafficPolicy required, Allow or Deny.
      'EgressNetwork: trafficPolicy missing',
      egressNetwork('data', 'e', {}),
      /spec\.trafficPolicy: Required value/,
    ],
    [
      'EgressNetwork: unknown trafficPolicy',
      egressNetwork('data', 'e', { trafficPolicy: 'AllowAll' }),
      /spec\.trafficPolicy: Unsupported value/,
    ],
    [
      // Policy controller admission: "at least one network must be specified".
      'EgressNetwork: empty networks',
      egressNetwork('data', 'e', { trafficPolicy: 'Deny', networks: [] }),
      /at least one network must be specified/,
    ],
    [
      'EgressNetwork: network without cidr',
      egressNetwork('data', 'e', {
        trafficPolicy: 'Deny',
        networks: [{ except: ['10.0.0.0/8'] }],
      }),
      /spec\.networks\[0\]\.cidr: Required value/,
    ],
    [
      'EgressNetwork: unserved version',
      {
        ...egressNetwork('data', 'e', REACHING),
        apiVersion: 'policy.linkerd.io/v1beta1',
      },
      /policy\.linkerd\.io\/v1beta1 is not a served version of EgressNetwork/,
    ],
  ])('%s', (_name, object, problem) => {
    const found = malformed(object);
    expect(found).toHaveLength(problem ? 1 : 0);
    expect(found.every(m => problem?.test(m))).toBe(true);
  });
});
