import { engineOf } from '../../__testUtils__/engine';
import { loadCrdValidators } from '../../__testUtils__/crdSchemas';
import { expandCallers } from '../../__testUtils__/graph';
import {
  Obj,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
  service,
} from '../../__testUtils__/k8s';

/*
 * docs/engine.md "Istio Sidecar", after the Sidecar reference
 * (https://istio.io/latest/docs/reference/config/networking/sidecar/) and "Unmatched traffic"
 * in Traffic routing (https://istio.io/latest/docs/ops/configuration/traffic-management/traffic-routing/):
 * which Sidecar a workload gets, which inbound ports its `ingress` listeners leave undecided,
 * and what its `egress` hosts and `outboundTrafficPolicy` do to the connections it makes.
 * `istioPair()`: `a` calls `b` (Service `b` 80 → 8080) in the sidecar namespace `shop`.
 */

const sidecar = (ns: string, name: string, spec: Obj = {}): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Sidecar',
  metadata: { name, namespace: ns },
  spec,
});
const egress = (...hosts: string[]) => ({ egress: [{ hosts }] });
const REGISTRY_ONLY = { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } };
const ALLOW_ANY = { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } };
const strict = peerAuthentication('istio-system', 'default', {
  mtls: { mode: 'STRICT' },
});
const meshConfig = (mesh: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh },
});
const selecting = (app: string) => ({ workloadSelector: { labels: { app } } });

interface Case {
  name: string;
  objects: Obj[];
  /** Port of `b` asked (default 8080). */
  port?: number;
  decision: 'ALLOW' | 'DENY';
  /** What `a` sends (the mTLS layer message contains it) or `cannot` for "cannot evaluate". */
  expect: string;
  /** Expected edge connection from the callers list (ALLOW cases). */
  connection?: 'mtls' | 'plaintext';
}

const pair = (extraB: Parameters<typeof istioPair>[1] = {}) =>
  istioPair('shop', extraB);

const CASES: Case[] = [
  {
    name: 'no Sidecar: auto mTLS',
    objects: pair(),
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
    connection: 'mtls',
  },
  {
    name: 'egress "./*" imports the Services of the client namespace',
    objects: [...pair(), sidecar('shop', 'default', egress('./*'))],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
    connection: 'mtls',
  },
  {
    name: 'egress "*/<fqdn>" imports that Service from any namespace',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        ...egress('*/b.shop.svc.cluster.local'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
    connection: 'mtls',
  },
  {
    name: 'egress "<ns>/*.suffix" wildcard in the left-most label',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        ...egress('shop/*.shop.svc.cluster.local'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'not imported, ALLOW_ANY (mesh default): forwarded as-is, plaintext',
    objects: [...pair(), sidecar('shop', 'default', egress('istio-system/*'))],
    decision: 'ALLOW',
    expect: 'forwards as-is, without mutual TLS',
    connection: 'plaintext',
  },
  {
    name: 'not imported, ALLOW_ANY, STRICT server: the plaintext is rejected',
    objects: [
      ...pair(),
      strict,
      sidecar('shop', 'default', { ...egress('istio-system/*'), ...ALLOW_ANY }),
    ],
    decision: 'DENY',
    expect: 'is STRICT',
  },
  {
    name: 'not imported, REGISTRY_ONLY: dropped',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'DENY',
    expect: 'REGISTRY_ONLY: the client sidecar drops',
  },
  {
    name: 'the listener naming the Service port decides it ("most specific port")',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        egress: [
          {
            port: { number: 80, protocol: 'HTTP', name: 'h' },
            hosts: ['istio-system/*'],
          },
          { hosts: ['./*'] },
        ],
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'DENY',
    expect: 'drops',
  },
  {
    name: 'a listener on another port leaves the port-less listener to decide',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        egress: [
          {
            port: { number: 9080, protocol: 'HTTP', name: 'h' },
            hosts: ['istio-system/*'],
          },
          { hosts: ['./*'] },
        ],
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'workloadSelector Sidecar wins over the namespace default',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
      sidecar('shop', 'a', {
        ...selecting('a'),
        ...egress('./*'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'the root-namespace default applies to a namespace without Sidecar',
    objects: [
      ...pair(),
      sidecar('istio-system', 'default', {
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'DENY',
    expect: 'drops',
  },
  {
    name: "the namespace's Sidecar overrides the root-namespace default",
    objects: [
      ...pair(),
      sidecar('istio-system', 'default', {
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
      sidecar('shop', 'default', { ...egress('./*'), ...REGISTRY_ONLY }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'a root-namespace Sidecar with a workloadSelector selects in the root namespace only',
    objects: [
      ...pair(),
      sidecar('istio-system', 'a', {
        ...selecting('a'),
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'two Sidecars selecting the client: undefined, not evaluated',
    objects: [
      ...pair(),
      sidecar('shop', 'a1', { ...selecting('a'), ...egress('./*') }),
      sidecar('shop', 'a2', { ...selecting('a'), ...egress('./*') }),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'egress host with "~" (meaning changed between releases): not evaluated',
    objects: [
      ...pair(),
      sidecar('shop', 'default', egress('*/*', '~/b.shop.svc.cluster.local')),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'egress listener with captureMode NONE: not evaluated',
    objects: [
      ...pair(),
      sidecar('shop', 'default', {
        egress: [
          {
            captureMode: 'NONE',
            port: { number: 80, protocol: 'HTTP', name: 'h' },
            hosts: ['./*'],
          },
        ],
      }),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'egress inherited from the namespace default? not documented consistently',
    objects: [
      ...pair(),
      sidecar('shop', 'default', egress('./*')),
      sidecar('shop', 'a', { ...selecting('a'), ...REGISTRY_ONLY }),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'outboundTrafficPolicy possibly inherited: imported destinations are unaffected',
    objects: [
      ...pair(),
      sidecar('istio-system', 'default', REGISTRY_ONLY),
      sidecar('shop', 'default', egress('./*')),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'outboundTrafficPolicy possibly inherited: unmatched traffic is not evaluated',
    objects: [
      ...pair(),
      sidecar('istio-system', 'default', REGISTRY_ONLY),
      sidecar('shop', 'default', egress('istio-system/*')),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'mesh config REGISTRY_ONLY, no Sidecar: a port no Service exposes is dropped',
    objects: [
      ...pair({ ports: [8080, 9090] }),
      meshConfig('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'),
    ],
    port: 9090,
    decision: 'DENY',
    expect: 'no Service exposes port 9090',
  },
  {
    name: 'mesh config REGISTRY_ONLY, no Sidecar: a Service port is in the registry',
    objects: [
      ...pair(),
      meshConfig('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: "the Sidecar's ALLOW_ANY wins over the mesh config's REGISTRY_ONLY",
    objects: [
      ...pair({ ports: [8080, 9090] }),
      meshConfig('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'),
      sidecar('shop', 'default', ALLOW_ANY),
    ],
    port: 9090,
    decision: 'ALLOW',
    expect: 'forwards as-is',
    connection: 'plaintext',
  },
  {
    name: 'ingress listener naming the port: as without Sidecar',
    objects: [
      ...pair(),
      sidecar('shop', 'b', {
        ...selecting('b'),
        ingress: [
          {
            port: { number: 8080, protocol: 'HTTP', name: 'h' },
            defaultEndpoint: '127.0.0.1:8080',
          },
        ],
      }),
    ],
    decision: 'ALLOW',
    expect: 'Istio auto mTLS',
  },
  {
    name: 'ingress listeners not naming the port: not evaluated',
    objects: [
      ...pair({ ports: [8080, 9090] }),
      sidecar('shop', 'b', {
        ...selecting('b'),
        ingress: [
          {
            port: { number: 8080, protocol: 'HTTP', name: 'h' },
            defaultEndpoint: '127.0.0.1:8080',
          },
        ],
      }),
    ],
    port: 9090,
    decision: 'DENY',
    expect: 'cannot',
  },
  {
    name: 'ingress listener terminating TLS (experimental): not evaluated',
    objects: [
      ...pair(),
      sidecar('shop', 'b', {
        ...selecting('b'),
        ingress: [
          {
            port: { number: 8080, protocol: 'HTTPS', name: 'h' },
            defaultEndpoint: '127.0.0.1:8081',
            tls: {
              mode: 'SIMPLE',
              serverCertificate: '/c.pem',
              privateKey: '/k.pem',
            },
          },
        ],
      }),
    ],
    decision: 'DENY',
    expect: 'cannot',
  },
];

const A = { namespace: 'shop', name: 'a' };
const B = { namespace: 'shop', name: 'b' };

describe('Istio Sidecar', () => {
  it.each(CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const engine = engineOf(c.objects);
    const port = c.port ?? 8080;
    const d = engine.check({ from: A, to: B, port });
    const cannot = c.expect === 'cannot';
    expect([d.decision, (d.cannotEvaluate ?? []).length > 0]).toEqual([
      c.decision,
      cannot,
    ]);
    const messages = d.reasons.map(r => r.message).join('\n');
    expect(cannot || messages.includes(c.expect)).toBe(true);
    // The access graph agrees (summary peers expanded per workload).
    const edge = expandCallers(engine, { ...B, kind: 'Deployment' }).get(
      `shop/a:${port}`,
    );
    expect(edge === undefined).toBe(c.decision === 'DENY');
    expect(edge?.connection).toBe(
      c.connection ?? (edge ? edge.connection : undefined),
    );
  });

  it('ports the ingress listeners do not name are UNKNOWN; excluded ports stay DISABLED', () => {
    const engine = engineOf([
      ...pair({
        ports: [8080, 9090, 9100],
        annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9100' },
      }),
      sidecar('shop', 'b', {
        ...selecting('b'),
        ingress: [
          {
            port: { number: 8080, protocol: 'HTTP', name: 'h' },
            defaultEndpoint: '127.0.0.1:8080',
          },
        ],
      }),
    ]);
    const ports = engine.posture({ ...B, kind: 'Deployment' }).ports;
    expect(ports.map(p => [p.port, p.mtls])).toEqual([
      [8080, 'PERMISSIVE'],
      [9090, 'UNKNOWN'],
      [9100, 'DISABLED'],
    ]);
    expect(ports[1].reason).toContain(
      'its ingress listeners do not name port 9090',
    );
  });

  it('ingress listeners on a workload no Service selects: not evaluated (MS408)', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      sidecar('shop', 'b', {
        ...selecting('b'),
        ingress: [
          {
            port: { number: 8080, protocol: 'HTTP', name: 'h' },
            defaultEndpoint: '127.0.0.1:8080',
          },
        ],
      }),
    ]);
    const posture = engine.posture({ ...B, kind: 'Deployment' });
    expect(posture.mtls).toBe('UNKNOWN');
    expect(posture.notEvaluated?.[0]).toContain('no Service selects it');
    expect(
      engine.evaluate().findings.filter(f => f.code === 'MS408').length,
    ).toBe(1);
  });

  it('Sidecars apply to sidecar workloads only (not ambient ones)', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('amb', 'a'),
      deployment('amb', 'b'),
      service('amb', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
      sidecar('amb', 'default', {
        ...egress('istio-system/*'),
        ...REGISTRY_ONLY,
      }),
    ]);
    expect(
      engine.check({
        from: { namespace: 'amb', name: 'a' },
        to: { namespace: 'amb', name: 'b' },
        port: 8080,
      }).decision,
    ).toBe('ALLOW');
  });

  it('the Sidecars of these cases are valid against the upstream CRD', () => {
    const { validate } = loadCrdValidators();
    const sidecars = CASES.flatMap(c => c.objects).filter(
      o => o.kind === 'Sidecar',
    );
    expect(sidecars.length).toBeGreaterThan(10);
    for (const s of sidecars) expect(validate(s)).toBeUndefined();
  });
});
