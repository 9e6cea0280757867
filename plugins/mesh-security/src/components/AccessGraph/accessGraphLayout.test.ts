import { EDGE_PROTECTIONS } from '@mesh-security/plugin-mesh-security-common';
import { AccessGraphData, AccessPeerData } from './accessGraphModel';
import {
  Box,
  NODE_LABEL_MAX,
  drawnLabel,
  layoutAccessGraph,
} from './accessGraphLayout';

/** A generated estate: `n` peers on each side, up to three protections each, long labels. */
function estate(n: number): AccessGraphData {
  const peers = (side: AccessPeerData['side']): AccessPeerData[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${side}:${i}`,
      label: `team-${i % 7}/service-${'x'.repeat(i % 13)}-${i}`,
      role: i % 5 === 0 ? 'summary' : 'workload',
      side,
      bidirectional: i % 3 === 0,
      lines: EDGE_PROTECTIONS.slice(0, 1 + (i % 3)).map((protection, j) => ({
        protection,
        label: `${8000 + i} GET /api/v${j}/${'p'.repeat(i % 17)}`,
        portModes: ['STRICT'],
      })),
    }));
  return {
    self: { label: 'payments/payments-api' },
    callers: peers('caller'),
    callees: peers('callee'),
  };
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width &&
  b.x < a.x + a.width &&
  a.y < b.y + b.height &&
  b.y < a.y + a.height;

describe('layoutAccessGraph', () => {
  it('places 100 callers and 100 callees with no node or label overlapping another', () => {
    const layout = layoutAccessGraph(estate(100));
    const peers = [...layout.callers, ...layout.callees];
    const boxes: Array<[string, Box]> = [
      ['self', layout.self],
      ...peers.map(p => [`node ${p.peer.id}`, p.box] as [string, Box]),
      ...peers.flatMap(p =>
        p.lines.flatMap(l => [
          [`label ${p.peer.id} ${l.line.protection}`, l.label] as [string, Box],
          [`icon ${p.peer.id} ${l.line.protection}`, l.icon] as [string, Box],
        ]),
      ),
    ];
    const clashes: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        if (overlap(boxes[i][1], boxes[j][1]))
          clashes.push(`${boxes[i][0]} × ${boxes[j][0]}`);
    expect(clashes).toEqual([]);
    expect(peers.flatMap(p => p.lines)).toHaveLength(
      2 * (34 + 33 * 2 + 33 * 3),
    );
  });

  it('draws every line horizontally between its peer and the workload, its label in between', () => {
    const layout = layoutAccessGraph(estate(20));
    for (const p of layout.callers)
      for (const l of p.lines) {
        expect([l.x1, l.x2]).toEqual([p.box.x + p.box.width, layout.self.x]);
        expect(l.y).toBeGreaterThan(p.box.y);
        expect(l.y).toBeLessThan(p.box.y + p.box.height);
        expect(l.label.x).toBeGreaterThanOrEqual(l.x1);
        expect(l.label.x + l.label.width).toBeLessThanOrEqual(l.x2);
      }
    for (const p of layout.callees)
      for (const l of p.lines) {
        expect([l.x1, l.x2]).toEqual([
          layout.self.x + layout.self.width,
          p.box.x,
        ]);
        expect(l.label.x + l.label.width).toBeLessThanOrEqual(l.x2);
      }
    // The workload spans both columns: every line ends on it, none on one point.
    expect(layout.self.height).toBe(layout.height);
  });

  it('lays out a graph with callers only', () => {
    const layout = layoutAccessGraph({ ...estate(3), callees: [] });
    expect(layout.width).toBe(layout.self.x + layout.self.width);
    expect(layout.callees).toEqual([]);
  });

  it('draws a long label cut, so that one node does not widen its column past the page', () => {
    const identity =
      'prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local (no workload of the snapshot)';
    expect(drawnLabel('payments/payments-api')).toBe('payments/payments-api');
    const cut = drawnLabel(identity);
    expect(cut).toHaveLength(NODE_LABEL_MAX);
    expect(cut).toBe(`${identity.slice(0, NODE_LABEL_MAX - 1)}…`);
    const withCaller = (label: string) =>
      layoutAccessGraph({
        self: { label: 'data/etl-worker' },
        callers: [
          {
            id: 'caller:0',
            label,
            role: 'observed',
            side: 'caller',
            bidirectional: false,
            lines: [
              { protection: 'unknown', label: '9100', portModes: ['UNKNOWN'] },
            ],
          },
        ],
        callees: [],
      });
    const long = withCaller(identity);
    expect(long.callers[0].box.width).toBe(
      withCaller(identity.slice(0, NODE_LABEL_MAX)).callers[0].box.width,
    );
    expect(long.width).toBeLessThan(800);
  });
});
