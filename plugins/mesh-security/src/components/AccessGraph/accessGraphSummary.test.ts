import {
  AccessEdge,
  EntityWorkload,
} from '@mesh-security/plugin-mesh-security-common';
import { paymentsApiWorkload } from '../../__testUtils__/fixtures';
import { buildAccessGraph } from './accessGraphModel';
import { Box, AccessGraphLayout, layoutAccessGraph } from './accessGraphLayout';
import {
  AccessGraphView,
  DEFAULT_GRAPH_PLATFORM_NAMESPACES,
  summarizeAccessGraph,
} from './accessGraphSummary';

const workloadEdge = (
  namespace: string,
  name: string,
  port: number,
  granted: boolean,
  connection: AccessEdge['connection'] = 'mtls',
): AccessEdge => ({
  peer: { kind: 'Deployment', cluster: 'demo', namespace, name },
  port,
  decidedBy: granted
    ? {
        layer: 'authorization',
        policy: `AuthorizationPolicy ${namespace}/allow-${name}`,
      }
    : { layer: 'default' },
  portMtls: connection === 'mtls' ? 'STRICT' : 'PERMISSIVE',
  connection,
});

/**
 * A generated estate of 100 peers around one workload, as a busy service sees it: 40 granted
 * callers, 30 granted callees, 10 peers both calling and called, 12 callees no policy applies
 * to (some plaintext), 6 platform callees (DNS, istiod, monitoring), an "anyone in the mesh"
 * caller and plaintext clients outside the cluster, with long names and HTTP restrictions.
 */
function busyWorkload(): EntityWorkload {
  const callers: AccessEdge[] = [];
  const callees: AccessEdge[] = [];
  for (let i = 0; i < 40; i++)
    callers.push({
      ...workloadEdge(
        `team-${i % 6}`,
        `client-${'x'.repeat(i % 11)}-${i}`,
        8080,
        true,
      ),
      methods: ['GET', 'POST'].slice(0, 1 + (i % 2)),
      paths: [`/api/v${i % 3}/${'p'.repeat(i % 9)}`],
    });
  for (let i = 0; i < 30; i++)
    callees.push(workloadEdge(`team-${i % 5}`, `backend-${i}`, 9000 + i, true));
  for (let i = 0; i < 10; i++) {
    callers.push(workloadEdge('shared', `peer-${i}`, 8080, true));
    callees.push(
      workloadEdge(
        'shared',
        `peer-${i}`,
        7000 + i,
        true,
        i % 2 ? 'tls' : 'mtls',
      ),
    );
  }
  for (let i = 0; i < 12; i++)
    callees.push(
      workloadEdge(
        'legacy',
        `open-${i}`,
        8080 + (i % 3),
        false,
        i % 3 ? 'mtls' : 'plaintext',
      ),
    );
  for (const [namespace, name, port] of [
    ['kube-system', 'coredns', 53],
    ['kube-system', 'coredns', 9153],
    ['istio-system', 'istiod', 15012],
    ['istio-system', 'istio-ingressgateway', 8443],
    ['monitoring', 'prometheus', 9090],
    ['cert-manager', 'cert-manager', 9402],
    ['linkerd', 'linkerd-destination', 8086],
  ] as const)
    callees.push(workloadEdge(namespace, name, port, false, 'plaintext'));
  callers.push({
    peer: { kind: 'any-meshed', mesh: 'istio', count: 240 },
    port: 8081,
    methods: ['GET'],
    paths: ['/healthz'],
    decidedBy: {
      layer: 'authorization',
      policy: 'AuthorizationPolicy payments/allow-health',
    },
    portMtls: 'STRICT',
    connection: 'mtls',
  });
  callers.push({
    peer: { kind: 'external-plaintext' },
    port: 9090,
    decidedBy: { layer: 'default' },
    portMtls: 'DISABLED',
    connection: 'plaintext',
  });
  return { ...paymentsApiWorkload, callers, callees, blockedCallers: [] };
}

const view = (over: Partial<AccessGraphView> = {}): AccessGraphView => ({
  platformNamespaces: new Set([
    ...DEFAULT_GRAPH_PLATFORM_NAMESPACES,
    'monitoring',
  ]),
  showPlatform: false,
  expandNoPolicy: false,
  ...over,
});

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width &&
  b.x < a.x + a.width &&
  a.y < b.y + b.height &&
  b.y < a.y + a.height;

/** Every pair of drawn boxes (nodes, line labels, icons) that overlap. */
function clashes(layout: AccessGraphLayout): string[] {
  const peers = [...layout.callers, ...layout.callees];
  const boxes: Array<[string, Box]> = [
    ['self', layout.self],
    ...peers.map(
      p => [`node ${p.peer.side} ${p.peer.id}`, p.box] as [string, Box],
    ),
    ...peers.flatMap(p =>
      p.lines.flatMap(l => [
        [`label ${p.peer.side} ${p.peer.id} ${l.line.protection}`, l.label] as [
          string,
          Box,
        ],
        [`icon ${p.peer.side} ${p.peer.id} ${l.line.protection}`, l.icon] as [
          string,
          Box,
        ],
      ]),
    ),
  ];
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlap(boxes[i][1], boxes[j][1]))
        found.push(`${boxes[i][0]} × ${boxes[j][0]}`);
  return found;
}

/** Callers wholly left of the workload, callees wholly right, labels between. */
function misplaced(layout: AccessGraphLayout): string[] {
  const { self } = layout;
  const wrong: string[] = [];
  for (const p of layout.callers) {
    if (p.box.x + p.box.width > self.x) wrong.push(`caller ${p.peer.id}`);
    for (const l of p.lines)
      if (
        l.label.x < p.box.x + p.box.width ||
        l.label.x + l.label.width > self.x
      )
        wrong.push(`caller label ${p.peer.id}`);
  }
  for (const p of layout.callees) {
    if (p.box.x < self.x + self.width) wrong.push(`callee ${p.peer.id}`);
    for (const l of p.lines)
      if (
        l.label.x < self.x + self.width ||
        l.label.x + l.label.width > p.box.x
      )
        wrong.push(`callee label ${p.peer.id}`);
  }
  return wrong;
}

describe('summarizeAccessGraph on a generated estate of 100 peers', () => {
  const workload = busyWorkload();
  const full = buildAccessGraph(workload);

  it('has 100 distinct peers before summarising', () => {
    const ids = new Set([...full.callers, ...full.callees].map(p => p.id));
    expect(ids.size).toBe(100);
  });

  it('leaves platform peers out by default, naming them, and shows them on request', () => {
    const { graph, note } = summarizeAccessGraph(full, view());
    expect(note.hiddenPlatform).toEqual([
      'kube-system/coredns',
      'istio-system/istiod',
      'istio-system/istio-ingressgateway',
      'monitoring/prometheus',
      'cert-manager/cert-manager',
      'linkerd/linkerd-destination',
    ]);
    expect(graph.callees.some(p => p.platform)).toBe(false);
    const shown = summarizeAccessGraph(full, view({ showPlatform: true }));
    expect(shown.note.hiddenPlatform).toEqual([]);
    expect(
      shown.graph.callees.filter(p => p.platform).map(p => p.label),
    ).toEqual(note.hiddenPlatform);
  });

  it('groups the peers no policy applies to into one node per side, unless expanded', () => {
    const { graph } = summarizeAccessGraph(full, view());
    const noPolicy = graph.callees.filter(p => p.id === 'no-policy');
    expect(noPolicy).toHaveLength(1);
    expect(noPolicy[0].label).toBe('No policy applies (12 workloads)');
    expect(noPolicy[0].members).toHaveLength(12);
    // One line per protection, never a plaintext peer drawn as mTLS.
    expect(noPolicy[0].lines.map(l => [l.protection, l.label])).toEqual([
      ['mtls', '8 workloads, ports 8081, 8082'],
      ['plaintext', '4 workloads, ports 8080'],
    ]);
    expect(graph.callees.some(p => p.label.startsWith('legacy/'))).toBe(false);
    // Granted peers, "anyone in the mesh" and outside clients keep their own nodes.
    expect(graph.callers.map(p => p.label)).toContain(
      'Any Istio workload (240)',
    );
    expect(graph.callers.map(p => p.label)).toContain('External (plaintext)');
    const expanded = summarizeAccessGraph(full, view({ expandNoPolicy: true }));
    expect(expanded.graph.callees.some(p => p.id === 'no-policy')).toBe(false);
    expect(
      expanded.graph.callees.filter(p => p.label.startsWith('legacy/')),
    ).toHaveLength(12);
  });

  it('draws a peer that calls and is called on both sides, marked on both', () => {
    const { graph } = summarizeAccessGraph(full, view());
    const both = (peers: typeof graph.callers) =>
      peers
        .filter(p => p.bidirectional)
        .map(p => p.label)
        .sort();
    const expected = Array.from(
      { length: 10 },
      (_, i) => `shared/peer-${i}`,
    ).sort();
    expect(both(graph.callers)).toEqual(expected);
    expect(both(graph.callees)).toEqual(expected);
  });

  it.each([
    ['summarised', view()],
    [
      'with every peer drawn',
      view({ showPlatform: true, expandNoPolicy: true }),
    ],
  ])(
    'lays out %s: nothing overlaps, callers left, callees right, labels between',
    (_, v) => {
      const { graph } = summarizeAccessGraph(full, v);
      const layout = layoutAccessGraph(graph);
      expect(clashes(layout)).toEqual([]);
      expect(misplaced(layout)).toEqual([]);
      // Every line is horizontal and runs from its peer to the workload.
      for (const p of layout.callers)
        for (const l of p.lines) {
          expect(l.x1).toBe(p.box.x + p.box.width);
          expect(l.x2).toBe(layout.self.x);
          expect(l.y).toBeGreaterThan(p.box.y);
          expect(l.y).toBeLessThan(p.box.y + p.box.height);
        }
      for (const p of layout.callees)
        for (const l of p.lines) {
          expect(l.x1).toBe(layout.self.x + layout.self.width);
          expect(l.x2).toBe(p.box.x);
        }
    },
  );

  it('draws far fewer nodes summarised than expanded', () => {
    const count = (v: AccessGraphView) => {
      const { graph } = summarizeAccessGraph(full, v);
      return graph.callers.length + graph.callees.length;
    };
    expect(count(view())).toBe(
      count(view({ showPlatform: true, expandNoPolicy: true })) - 6 - 12 + 1,
    );
  });
});

describe('summarizeAccessGraph and observed traffic', () => {
  it('keeps a peer with traffic outside any grant on its own, and carries the rest', () => {
    const open = (name: string, status: 'used' | 'outside-grant') => ({
      ...workloadEdge('legacy', name, 8080, false, 'plaintext'),
      traffic: {
        status,
        recent: { mtls: 0, plaintext: 3, denied: 0 },
        evidence: { mtls: 0, plaintext: 3, denied: 0 },
      },
    });
    const workload = {
      ...paymentsApiWorkload,
      callers: [],
      callees: [
        open('a', 'used'),
        open('b', 'used'),
        open('c', 'outside-grant'),
      ],
      blockedCallers: [],
    } as unknown as EntityWorkload;
    const { graph } = summarizeAccessGraph(buildAccessGraph(workload), view());
    expect(
      graph.callees.map(p => [p.label, p.lines.map(l => l.traffic)]),
    ).toEqual([
      ['legacy/c', ['outside-grant']],
      ['No policy applies (2 workloads)', ['used']],
    ]);
  });
});
