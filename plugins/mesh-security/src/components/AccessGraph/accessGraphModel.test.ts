import { EntityWorkload } from '@mesh-security/plugin-mesh-security-common';
import {
  observedPaymentsApiWorkload,
  paymentsApiWorkload,
} from '../../__testUtils__/fixtures';
import { buildAccessGraph, edgePortLabel } from './accessGraphModel';

describe('buildAccessGraph', () => {
  it('puts callers before and callees after the workload, special peers as their own nodes', () => {
    const { nodes, edges } = buildAccessGraph(paymentsApiWorkload);
    expect(nodes.map(n => [n.label, n.role])).toEqual([
      ['payments/payments-api', 'self'],
      ['storefront/checkout', 'workload'],
      ['External (plaintext)', 'external-plaintext'],
      ['Any Istio workload (12)', 'summary'],
      ['payments/payments-ledger', 'workload'],
    ]);
    expect(edges).toEqual([
      {
        from: 'workload:demo/storefront/checkout',
        to: 'self',
        label: '8080 POST /charge',
        mtls: 'STRICT',
      },
      {
        from: 'external-plaintext',
        to: 'self',
        label: '9090',
        mtls: 'DISABLED',
      },
      { from: 'any-meshed', to: 'self', label: '8080 GET', mtls: 'STRICT' },
      {
        from: 'self',
        to: 'workload:demo/payments/payments-ledger',
        label: '5432',
        mtls: 'UNKNOWN',
      },
    ]);
  });

  it('merges edges to the same peer, and marks mixed modes PARTIAL', () => {
    const checkout = paymentsApiWorkload.callers[0];
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
        },
      ],
      callees: [],
    };
    expect(buildAccessGraph(workload).edges).toEqual([
      expect.objectContaining({
        label: '8080 POST /charge, 9090',
        mtls: 'PARTIAL',
      }),
    ]);
  });

  it.each([
    [{ port: 80 }, '80'],
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

  it('styles a callee edge by the receiving port mode the engine reports', () => {
    const self = {
      cluster: 'demo',
      namespace: 'payments',
      name: 'payments-api',
      kind: 'Deployment',
      serviceAccount: 'payments-api',
      mesh: 'istio-sidecar',
      identity: null,
      mtls: 'STRICT',
      ports: [],
      pods: { meshed: 0, total: 0 },
      labels: {},
      findings: [],
      scorecard: {} as any,
      callers: [],
      observed: paymentsApiWorkload.observed,
      policies: [],
      callees: [
        {
          peer: {
            cluster: 'demo',
            namespace: 'kube-system',
            name: 'coredns',
            kind: 'Deployment',
          },
          port: 53,
          decidedBy: { layer: 'default' },
          portMtls: 'DISABLED',
        },
      ],
    } as any;
    const { edges } = buildAccessGraph(self);
    expect(edges).toEqual([
      expect.objectContaining({ label: '53', mtls: 'DISABLED' }),
    ]);
  });
});

describe('buildAccessGraph with observed traffic', () => {
  it('gives each edge its observed status and draws traffic no edge allows from its own node', () => {
    const { nodes, edges } = buildAccessGraph(observedPaymentsApiWorkload);
    expect(edges.map(e => [e.from, e.to, e.traffic])).toEqual([
      ['workload:demo/storefront/checkout', 'self', 'used'],
      ['external-plaintext', 'self', 'unused'],
      ['any-meshed', 'self', 'unused'],
      ['self', 'workload:demo/payments/payments-ledger', undefined],
      ['observed:0', 'self', 'denied'],
    ]);
    expect(nodes.find(n => n.id === 'observed:0')).toMatchObject({
      label: 'storefront/storefront-web',
      role: 'observed',
    });
  });

  it('an edge drawn for several ports shows the most telling status', () => {
    const [edge] = observedPaymentsApiWorkload.callers;
    const { edges } = buildAccessGraph({
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
    expect(edges.map(e => [e.label, e.traffic])).toEqual([
      ['8080 POST /charge, 8443 POST /charge', 'denied'],
    ]);
  });
});
