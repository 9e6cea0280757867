import { EntityWorkload } from '@mesh-security/plugin-mesh-security-common';
import {
  observedPaymentsApiWorkload,
  paymentsApiWorkload,
} from '../../__testUtils__/fixtures';
import { buildAccessGraph, edgePortLabel } from './accessGraphModel';

const checkout = paymentsApiWorkload.callers[0];
const lines = (workload: EntityWorkload, side: 'callers' | 'callees') =>
  buildAccessGraph(workload)[side].map(p => [
    p.label,
    p.lines.map(l => [l.protection, l.label]),
  ]);

describe('buildAccessGraph', () => {
  it('puts callers left and callees right, each line by what the client sends', () => {
    const graph = buildAccessGraph(paymentsApiWorkload);
    expect(graph.self).toEqual({ label: 'payments/payments-api' });
    expect(graph.callers.map(p => [p.label, p.role, p.lines])).toEqual([
      [
        'storefront/checkout',
        'workload',
        [
          {
            protection: 'mtls',
            label: '8080 POST /charge',
            portModes: ['STRICT'],
          },
        ],
      ],
      [
        'External (plaintext)',
        'external-plaintext',
        [{ protection: 'plaintext', label: '9090', portModes: ['DISABLED'] }],
      ],
      [
        'Any Istio workload (12)',
        'summary',
        [{ protection: 'mtls', label: '8080 GET', portModes: ['STRICT'] }],
      ],
    ]);
    // The engine did not say what the client sends: "not known", never guessed from the port.
    expect(lines(paymentsApiWorkload, 'callees')).toEqual([
      ['payments/payments-ledger', [['unknown', '5432']]],
    ]);
  });

  it('draws a plaintext caller into a PERMISSIVE port as plaintext, not as the port mode', () => {
    const workload: EntityWorkload = {
      ...paymentsApiWorkload,
      callers: [
        { ...checkout, portMtls: 'PERMISSIVE', connection: 'mtls' },
        {
          peer: { kind: 'outside-mesh', mesh: 'istio', count: 4 },
          port: 8080,
          decidedBy: { layer: 'default' },
          portMtls: 'PERMISSIVE',
          connection: 'plaintext',
        },
      ],
      callees: [],
    };
    expect(lines(workload, 'callers')).toEqual([
      ['storefront/checkout', [['mtls', '8080 POST /charge']]],
      ['Any workload outside Istio (4)', [['plaintext', '8080']]],
    ]);
  });

  it('gives ports of different protections their own lines, never one merged line', () => {
    const workload: EntityWorkload = {
      ...paymentsApiWorkload,
      callers: [
        checkout,
        {
          ...checkout,
          port: 9090,
          methods: undefined,
          paths: undefined,
          portMtls: 'DISABLED',
          connection: 'plaintext',
        },
        { ...checkout, port: 8443, methods: undefined, paths: undefined },
        {
          ...checkout,
          port: 15012,
          methods: undefined,
          paths: undefined,
          portMtls: 'DISABLED',
          connection: 'tls',
        },
      ],
      callees: [],
    };
    expect(lines(workload, 'callers')).toEqual([
      [
        'storefront/checkout',
        [
          ['mtls', '8080 POST /charge, 8443'],
          ['tls', '15012'],
          ['plaintext', '9090'],
        ],
      ],
    ]);
  });

  it('draws blocked callers as blocked lines with their reason and finding', () => {
    const workload: EntityWorkload = {
      ...paymentsApiWorkload,
      callers: [],
      callees: [],
      blockedCallers: [
        {
          ...checkout,
          connection: 'plaintext',
          blocked: {
            layer: 'mtls',
            policy: 'DestinationRule payments/plaintext',
            reason: 'port 8080 is STRICT and the rule sends plaintext',
            finding: 'MS103',
          },
        },
      ],
    };
    const [peer] = buildAccessGraph(workload).callers;
    expect(peer.lines).toEqual([
      {
        protection: 'blocked',
        label: '8080 POST /charge',
        portModes: ['STRICT'],
        reason: 'port 8080 is STRICT and the rule sends plaintext (MS103)',
      },
    ]);
  });

  it('draws each Linkerd ExternalWorkload as its own node, named with its identity', () => {
    const caller = (name: string) => ({
      peer: {
        kind: 'external-workload' as const,
        namespace: 'mixed',
        name,
        identity: `spiffe://root.linkerd.cluster.local/${name}`,
      },
      port: 8080,
      decidedBy: { layer: 'default' as const },
      portMtls: 'PERMISSIVE' as const,
      connection: 'mtls' as const,
    });
    const graph = buildAccessGraph({
      ...paymentsApiWorkload,
      callers: [caller('vm-1'), caller('vm-2')],
    });
    expect(graph.callers.map(p => [p.label, p.role])).toEqual([
      [
        'External workload mixed/vm-1 (spiffe://root.linkerd.cluster.local/vm-1)',
        'external-workload',
      ],
      [
        'External workload mixed/vm-2 (spiffe://root.linkerd.cluster.local/vm-2)',
        'external-workload',
      ],
    ]);
  });

  it('puts a peer that calls and is called on both sides, marked bidirectional', () => {
    const ledger = paymentsApiWorkload.callees[0];
    const workload: EntityWorkload = {
      ...paymentsApiWorkload,
      callers: [{ ...ledger, port: 8080, connection: 'mtls' }],
    };
    const graph = buildAccessGraph(workload);
    expect(graph.callers.map(p => [p.label, p.bidirectional])).toEqual([
      ['payments/payments-ledger', true],
    ]);
    expect(graph.callees.map(p => [p.label, p.bidirectional])).toEqual([
      ['payments/payments-ledger', true],
    ]);
  });

  it.each([
    [{ port: 80 }, '80'],
    [{ port: 53, protocol: 'UDP' }, '53/UDP'],
    [{ port: 80, protocol: 'http', methods: ['GET'] }, '80/http GET'],
    [{ port: 80, methods: ['GET', 'HEAD'] }, '80 GET|HEAD'],
    [{ port: 80, paths: ['/a', '/b'] }, '80 /a /b'],
    [
      {
        port: 80,
        methods: ['GET', 'POST'],
        paths: ['/charge', '/status'],
        operations: [
          { methods: ['POST'], paths: ['/charge'] },
          { methods: ['GET'], paths: ['/status'] },
        ],
      },
      '80 POST /charge; GET /status',
    ],
  ])('labels %j as %s', (edge, label) => {
    expect(
      edgePortLabel({
        ...edge,
        peer: { kind: 'any-meshed', mesh: 'istio', count: 3 },
        decidedBy: { layer: 'default' },
        portMtls: 'STRICT',
      }),
    ).toBe(label);
  });
});

describe('buildAccessGraph with observed traffic', () => {
  it('gives each line its observed status and draws traffic no edge allows from its own node', () => {
    const graph = buildAccessGraph(observedPaymentsApiWorkload);
    expect(
      graph.callers.map(p => [p.id, p.role, p.lines.map(l => l.traffic)]),
    ).toEqual([
      ['workload:demo/storefront/checkout', 'workload', ['used']],
      ['external-plaintext', 'external-plaintext', ['unused']],
      ['any-meshed', 'summary', ['unused']],
      ['observed:0', 'observed', ['denied']],
    ]);
    expect(graph.callers[3]).toMatchObject({
      label: 'storefront/storefront-web',
      lines: [{ protection: 'unknown' }],
    });
  });

  it('a line drawn for several ports shows the most telling status', () => {
    const [edge] = observedPaymentsApiWorkload.callers;
    const graph = buildAccessGraph({
      ...observedPaymentsApiWorkload,
      callers: [
        edge,
        {
          ...edge,
          port: 8443,
          traffic: { ...edge.traffic!, status: 'denied' },
        },
      ],
      callees: [],
      observed: {
        ...observedPaymentsApiWorkload.observed,
        unmatchedCallers: [],
      },
    });
    expect(graph.callers[0].lines.map(l => [l.label, l.traffic])).toEqual([
      ['8080 POST /charge, 8443 POST /charge', 'denied'],
    ]);
  });
});
