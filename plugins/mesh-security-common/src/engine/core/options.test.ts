import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  deployment,
  externalSecret,
  istioPair,
  linkerdServer,
  namespace,
} from '../../__testUtils__/k8s';
import {
  AccessLayer,
  AccessRequest,
  MtlsMode,
  WorkloadPosture,
} from '../../model';
import { EngineInput } from './options';

/*
 * docs/engine.md "Unavailable inputs": an input that could not be read makes every verdict that
 * depends on it UNKNOWN or cannot-evaluate, naming the reason. Each case is a snapshot that
 * lacks the input's objects (as a failed list leaves it) and would otherwise be answered ALLOW
 * or with a guessed mode.
 */

const REASON = 'the list of cluster prod failed (HTTP 500)';

interface UnavailableCase {
  input: EngineInput;
  objects: Obj[];
  request: AccessRequest;
  /** The layer that cannot be evaluated. */
  layer: AccessLayer;
  /** The target port's mode when the input is read (UNKNOWN when it is not). */
  mode?: MtlsMode;
}

const external = (namespaceName: string): AccessRequest => ({
  from: { kind: 'external' },
  to: { namespace: namespaceName, name: 'b' },
  port: 8080,
});
const aToB: AccessRequest = {
  from: { namespace: 'shop', name: 'a' },
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
  method: 'DELETE',
  path: '/admin/wipe',
};
const plain = [
  namespace('plain'),
  deployment('plain', 'a'),
  deployment('plain', 'b'),
];
const linkerdData = [
  namespace('data', {}, { 'linkerd.io/inject': 'enabled' }),
  deployment('data', 'a'),
  deployment('data', 'b'),
];
const openServer = linkerdServer('data', 'b-http', {
  podSelector: { matchLabels: { app: 'b' } },
  port: 8080,
  accessPolicy: 'all-unauthenticated',
});

const CASES: UnavailableCase[] = [
  {
    input: 'istioPeerAuthentications',
    objects: istioPair(),
    request: external('shop'),
    layer: 'mtls',
    mode: 'PERMISSIVE',
  },
  {
    input: 'istioMeshConfig',
    objects: istioPair(),
    request: external('shop'),
    layer: 'mtls',
    mode: 'PERMISSIVE',
  },
  {
    input: 'istioAuthorizationPolicies',
    objects: istioPair(),
    request: aToB,
    layer: 'authorization',
  },
  {
    input: 'istioMeshConfig',
    objects: istioPair(),
    request: aToB,
    layer: 'authorization',
  },
  {
    input: 'istioDestinationRules',
    objects: istioPair(),
    request: aToB,
    layer: 'mtls',
  },
  { input: 'services', objects: istioPair(), request: aToB, layer: 'mtls' },
  {
    input: 'istioSidecars',
    objects: istioPair(),
    request: aToB,
    layer: 'authorization',
  },
  {
    input: 'networkPolicies',
    objects: plain,
    request: external('plain'),
    layer: 'network-policy',
  },
  {
    // An AdminNetworkPolicy that could not be listed might deny what nothing else does.
    input: 'adminNetworkPolicies',
    objects: plain,
    request: external('plain'),
    layer: 'network-policy',
  },
  {
    // A Cilium policy that could not be listed might isolate or deny what nothing else does.
    input: 'ciliumNetworkPolicies',
    objects: plain,
    request: external('plain'),
    layer: 'network-policy',
  },
  {
    input: 'namespaces',
    objects: istioPair(),
    request: external('shop'),
    layer: 'mtls',
    mode: 'PERMISSIVE',
  },
  {
    input: 'pods',
    objects: istioPair(),
    request: external('shop'),
    layer: 'mtls',
    mode: 'PERMISSIVE',
  },
  {
    input: 'linkerdServers',
    objects: linkerdData,
    request: external('data'),
    layer: 'authorization',
    mode: 'PERMISSIVE',
  },
  {
    input: 'linkerdMeshConfig',
    objects: linkerdData,
    request: external('data'),
    layer: 'authorization',
    mode: 'PERMISSIVE',
  },
  {
    input: 'linkerdAuthorizations',
    objects: [...linkerdData, openServer],
    request: external('data'),
    layer: 'authorization',
    mode: 'PERMISSIVE',
  },
];

describe('EngineOptions.unavailable', () => {
  it.each(CASES.map(c => [`${c.input}: ${c.layer}`, c] as const))(
    '%s cannot be evaluated',
    (_name, c) => {
      expect(engineOf(c.objects).check(c.request).decision).toBe('ALLOW');
      const decision = engineOf(c.objects, {
        unavailable: { [c.input]: REASON },
      }).check(c.request);
      expect(decision.decision).toBe('DENY');
      const reason = decision.reasons.find(r => r.layer === c.layer);
      expect(reason).toMatchObject({ effect: 'DENY' });
      expect(reason?.message).toContain(REASON);
      expect(decision.cannotEvaluate?.join(' ')).toContain(REASON);
    },
  );

  it.each(CASES.filter(c => c.mode).map(c => [c.input, c.mode, c] as const))(
    '%s: a %s port is UNKNOWN',
    (_input, mode, c) => {
      const port = (posture: WorkloadPosture) =>
        posture.ports.find(p => p.port === c.request.port);
      expect(port(engineOf(c.objects).posture(c.request.to))?.mtls).toBe(mode);
      const posture = engineOf(c.objects, {
        unavailable: { [c.input]: REASON },
      }).posture(c.request.to);
      expect(port(posture)).toMatchObject({
        mtls: 'UNKNOWN',
        reason: expect.stringContaining(REASON),
      });
      expect(posture.mtls).toBe('UNKNOWN');
    },
  );

  it('keeps what annotations alone decide: a port excluded from the sidecar', () => {
    const objects = istioPair('shop', {
      annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' },
    });
    const engine = engineOf(objects, {
      unavailable: { istioPeerAuthentications: REASON },
    });
    expect(
      engine.posture({ namespace: 'shop', name: 'b' }).ports[0],
    ).toMatchObject({ mtls: 'DISABLED' });
  });

  it('ignores an unread mesh configuration whose every value an option gives', () => {
    const istio = engineOf(istioPair(), {
      rootNamespace: 'istio-system',
      trustDomain: 'cluster.local',
      unavailable: { istioMeshConfig: REASON },
    });
    expect(istio.check(aToB).decision).toBe('ALLOW');
    const linkerd = engineOf(linkerdData, {
      linkerdTrustDomain: 'cluster.local',
      linkerdDefaultInboundPolicy: 'all-unauthenticated',
      linkerdClusterNetworks: ['10.0.0.0/8'],
      unavailable: { linkerdMeshConfig: REASON },
    });
    expect(linkerd.check(external('data')).decision).toBe('ALLOW');
  });

  it('leaves callers out rather than listing them from incomplete data', () => {
    const engine = engineOf(istioPair(), {
      unavailable: { istioAuthorizationPolicies: REASON },
    });
    expect(
      engineOf(istioPair()).callersOf({ namespace: 'shop', name: 'b' }),
    ).not.toHaveLength(0);
    expect(engine.callersOf({ namespace: 'shop', name: 'b' })).toEqual([]);
  });

  it.each([
    ['istioAuthorizationPolicies', istioPair(), 'shop', 'leastPrivilege'],
    ['linkerdServers', linkerdData, 'data', 'leastPrivilege'],
    ['networkPolicies', istioPair(), 'shop', 'assumeBreach'],
    ['adminNetworkPolicies', istioPair(), 'shop', 'assumeBreach'],
    ['ciliumNetworkPolicies', istioPair(), 'shop', 'assumeBreach'],
    [
      'externalSecrets',
      [
        namespace('shop'),
        deployment('shop', 'b', { secrets: ['db'] }),
        externalSecret('shop', 'other'),
      ],
      'shop',
      'noCredentialLeakage',
    ],
  ] as const)(
    'scorecard: %s unavailable makes the pillar unknown',
    (input, objects, namespaceName, pillar) => {
      const to = { namespace: namespaceName, name: 'b' };
      expect(
        engineOf([...objects]).posture(to).scorecard[pillar].status,
      ).not.toBe('unknown');
      expect(
        engineOf([...objects], { unavailable: { [input]: REASON } }).posture(to)
          .scorecard[pillar],
      ).toEqual({ status: 'unknown', detail: REASON });
    },
  );
});
