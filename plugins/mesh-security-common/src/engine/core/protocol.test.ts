import { engineOf } from '../../__testUtils__/engine';
import {
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  service,
} from '../../__testUtils__/k8s';

/*
 * docs/engine.md "Port protocol on edges": the receiving port's protocol on access edges —
 * UDP/SCTP as such, else what Istio's explicit protocol selection reads from the Services
 * (`appProtocol` over the `<protocol>[-<suffix>]` port name), `opaque` for Linkerd opaque
 * ports, else TCP.
 */

const B = { namespace: 'shop', name: 'b' };
/**
 * `[port, protocol]` of b's caller edges, after checking that b's posture carries the same per
 * port (`appProtocol`, else the transport: the scaffolder builds its Services from it).
 */
const protocolsOf = (objects: unknown[]) => {
  const engine = engineOf(objects);
  const edges = engine
    .callersOf(B)
    .filter(e => e.peer.kind !== 'external-plaintext')
    .map(e => [e.port, e.protocol]);
  const posture = engine
    .posture(B)!
    .ports.map(p => [p.port, p.appProtocol ?? p.protocol ?? 'TCP']);
  expect(posture).toEqual(edges);
  return edges;
};

describe('port protocol on edges', () => {
  it.each([
    [
      'a Service port name <protocol>-<suffix>',
      [{ port: 80, targetPort: 8080, name: 'grpc-api' }],
      'grpc',
    ],
    [
      'appProtocol takes precedence over the port name',
      [{ port: 80, targetPort: 8080, name: 'http', appProtocol: 'HTTP2' }],
      'http2',
    ],
    [
      'grpc-web keeps its dash',
      [{ port: 80, targetPort: 8080, name: 'grpc-web-ui' }],
      'grpc-web',
    ],
    [
      'a name that is no protocol: TCP',
      [{ port: 80, targetPort: 8080, name: 'web' }],
      'TCP',
    ],
    [
      'a named targetPort resolves against the container port',
      [{ port: 80, targetPort: 'main', name: 'https' }],
      'https',
    ],
    [
      'two Services declaring different protocols: both',
      [
        { port: 80, targetPort: 8080, name: 'http' },
        { port: 81, targetPort: 8080, name: 'tcp-raw' },
      ],
      'http, tcp',
    ],
  ])('%s', (_name, ports, protocol) => {
    const objects = [
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b', { ports: [{ port: 8080, name: 'main' }] }),
      service('shop', 'b', { app: 'b' }, ports),
    ];
    expect(protocolsOf(objects)).toEqual([[8080, protocol]]);
  });

  it('a UDP-only port says UDP', () => {
    const objects = istioPair('shop', {
      ports: [8080, { port: 5353, protocol: 'UDP' }],
    });
    expect(protocolsOf(objects)).toEqual([
      [5353, 'UDP'],
      [8080, 'http'],
    ]);
  });

  it('Linkerd opaque ports (config.linkerd.io/opaque-ports) are opaque', () => {
    const objects = [
      namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b', {
        annotations: { 'config.linkerd.io/opaque-ports': '8080' },
      }),
      service('shop', 'b', { app: 'b' }, [
        { port: 80, targetPort: 8080, name: 'http' },
      ]),
    ];
    expect(protocolsOf(objects)).toEqual([[8080, 'opaque']]);
  });

  it.each([
    // Linkerd "Protocol detection": the default opaque ports apply to meshed pods.
    ['a Linkerd default opaque port, no annotation', {}, [], 'opaque'],
    [
      'an annotation replaces the default list',
      { 'config.linkerd.io/opaque-ports': '8080' },
      [],
      'TCP',
    ],
    [
      'an annotation range',
      { 'config.linkerd.io/opaque-ports': '5000-5500' },
      [],
      'opaque',
    ],
    [
      'the Linkerd config proxy.opaquePorts replaces the default',
      {},
      ['9000-9100'],
      'TCP',
    ],
  ] as const)('%s', (_name, annotations, configPorts, protocol) => {
    const objects = [
      namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b', {
        ports: [5432],
        annotations: { ...annotations },
      }),
      service('shop', 'b', { app: 'b' }, [{ port: 5432, name: 'tcp-db' }]),
      ...configPorts.map(ports => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'linkerd-config', namespace: 'linkerd' },
        data: { values: `proxy:\n  opaquePorts: "${ports}"\n` },
      })),
    ];
    expect(protocolsOf(objects)).toEqual([
      [5432, protocol === 'TCP' ? 'tcp' : protocol],
    ]);
  });

  it('an Istio workload port in the Linkerd default list is not opaque', () => {
    const objects = istioPair('shop', { ports: [5432] });
    expect(protocolsOf(objects)).toEqual([[5432, 'TCP']]);
  });

  it('callee edges to a workload carry the callee port protocol; connection() too', () => {
    const engine = engineOf([
      ...istioPair(),
      authorizationPolicy('shop', 'b-allow-a', {
        selector: { matchLabels: { app: 'b' } },
        action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
          },
        ],
      }),
    ]);
    const a = { namespace: 'shop', name: 'a' };
    expect(engine.accessGraph().connection(a, B, 8080)?.protocol).toBe('http');
    const toB = engine
      .calleesOf(a)
      .filter(e => e.peer.kind === 'Deployment' && e.peer.name === 'b');
    expect(toB.map(e => [e.port, e.protocol])).toEqual([[8080, 'http']]);
  });
});
