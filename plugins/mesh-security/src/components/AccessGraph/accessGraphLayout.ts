import { EdgeProtection } from '@mesh-security/plugin-mesh-security-common';
import { EDGE_TRAFFIC_LABELS } from '../ObservedTraffic';
import {
  AccessGraphData,
  AccessLineData,
  AccessPeerData,
} from './accessGraphModel';

/*
 * A three-column layout of the access graph: callers left, the workload in the middle (as tall
 * as both columns, so every line is horizontal and no arrowheads pile up), callees right. Each
 * peer is a row; each of its lines (one per effective protection) has its own band in the row,
 * with its label above the line, so nothing overlaps however many peers there are. Text keeps
 * its size: the drawing scrolls instead of shrinking.
 */

/** Sizes in pixels; text widths are estimated per character (SVG text is not measured). */
export const GRAPH_SIZES = {
  nodeFont: 13,
  labelFont: 11,
  /** Average advance of a character, generous so that estimates err on the wide side. */
  nodeCharWidth: 8,
  labelCharWidth: 7,
  nodeHeight: 30,
  nodePadding: 10,
  lineHeight: 28,
  rowGap: 10,
  /** Space left of a line's label for its protection icon. */
  iconWidth: 16,
  minGap: 140,
} as const;

/** What an edge's protection reads as, in labels, legends and accessible names. */
export const PROTECTION_TEXT: Record<
  EdgeProtection,
  { short: string; description: string }
> = {
  mtls: { short: 'mTLS', description: 'mTLS (mesh identity)' },
  tls: { short: 'TLS', description: 'TLS without a mesh identity' },
  plaintext: { short: 'plaintext', description: 'plaintext' },
  blocked: {
    short: 'blocked',
    description: 'blocked by configuration (meant to connect, rejected)',
  },
  unknown: { short: 'not known', description: 'protection not known' },
};

/** The text drawn above a line: traffic symbol, protection, ports. */
export function lineText(line: AccessLineData): string {
  const traffic = line.traffic
    ? `${EDGE_TRAFFIC_LABELS[line.traffic].symbol} `
    : '';
  return `${traffic}${PROTECTION_TEXT[line.protection].short} · ${line.label}`;
}

/** A rectangle. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A line placed between a peer and the workload. */
export interface PlacedLine {
  line: AccessLineData;
  /** Start and end x (the arrow points at `x2`) and the line's y. */
  x1: number;
  x2: number;
  y: number;
  /** Where its label's text goes (estimated extent). */
  label: Box;
  /** Where its protection icon goes. */
  icon: Box;
}

/** A peer placed in its column. */
export interface PlacedPeer {
  peer: AccessPeerData;
  box: Box;
  lines: PlacedLine[];
}

/** The placed graph. */
export interface AccessGraphLayout {
  width: number;
  height: number;
  self: Box;
  callers: PlacedPeer[];
  callees: PlacedPeer[];
}

/**
 * How many characters of a node's label are drawn. Longer labels (a mesh identity no workload
 * carries, the five sources of traffic no edge covers) end in "…", whole in the node's tooltip
 * and accessible name and in the access table: drawn whole, one such node made its column
 * wider than the page and pushed the workload out of sight.
 */
export const NODE_LABEL_MAX = 48;

/** The text a node draws: its label, cut at {@link NODE_LABEL_MAX} characters. */
export function drawnLabel(label: string): string {
  return label.length > NODE_LABEL_MAX
    ? `${label.slice(0, NODE_LABEL_MAX - 1)}…`
    : label;
}

const S = GRAPH_SIZES;
/** Room for the drawn label and, on bidirectional peers, the ⇄ mark. */
const nodeWidth = (label: string) =>
  (drawnLabel(label).length + 2) * S.nodeCharWidth + 2 * S.nodePadding;
const labelWidth = (line: AccessLineData) =>
  lineText(line).length * S.labelCharWidth;
const max = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);

/** The width of the gap between a column of peers and the workload. */
function gapWidth(peers: AccessPeerData[]): number {
  const widest = max(peers.flatMap(p => p.lines.map(labelWidth)));
  return Math.max(S.minGap, widest + S.iconWidth + 2 * S.nodePadding + 12);
}

function placeColumn(
  peers: AccessPeerData[],
  x: number,
  width: number,
  lineFrom: (box: Box) => [number, number],
): PlacedPeer[] {
  let y = 0;
  return peers.map(peer => {
    const height = Math.max(S.nodeHeight, peer.lines.length * S.lineHeight);
    const box = { x, y, width, height };
    const [x1, x2] = lineFrom(box);
    const lines = peer.lines.map((line, i) => {
      // Each line's band is lineHeight tall; the line sits low in it, its label above.
      const bandTop =
        y + (height - peer.lines.length * S.lineHeight) / 2 + i * S.lineHeight;
      const lineY = bandTop + S.lineHeight - 8;
      const left = Math.min(x1, x2) + S.nodePadding;
      return {
        line,
        x1,
        x2,
        y: lineY,
        icon: {
          x: left,
          y: lineY - 4 - 13,
          width: 13,
          height: 13,
        },
        label: {
          x: left + S.iconWidth,
          y: lineY - 4 - S.labelFont,
          width: labelWidth(line),
          height: S.labelFont + 2,
        },
      };
    });
    y += height + S.rowGap;
    return { peer, box, lines };
  });
}

/** Places callers, the workload and callees (see the comment at the top of this file). */
export function layoutAccessGraph(graph: AccessGraphData): AccessGraphLayout {
  const callerWidth =
    graph.callers.length > 0
      ? max(graph.callers.map(p => nodeWidth(p.label)))
      : 0;
  const calleeWidth =
    graph.callees.length > 0
      ? max(graph.callees.map(p => nodeWidth(p.label)))
      : 0;
  const leftGap = graph.callers.length > 0 ? gapWidth(graph.callers) : 0;
  const rightGap = graph.callees.length > 0 ? gapWidth(graph.callees) : 0;
  const selfX = callerWidth + leftGap;
  const selfWidth = nodeWidth(graph.self.label);
  const calleeX = selfX + selfWidth + rightGap;
  const callers = placeColumn(graph.callers, 0, callerWidth, box => [
    box.x + box.width,
    selfX,
  ]);
  const callees = placeColumn(graph.callees, calleeX, calleeWidth, box => [
    selfX + selfWidth,
    box.x,
  ]);
  const bottom = (placed: PlacedPeer[]) =>
    max(placed.map(p => p.box.y + p.box.height));
  const height = Math.max(S.nodeHeight, bottom(callers), bottom(callees));
  return {
    width: calleeX + calleeWidth,
    height,
    self: { x: selfX, y: 0, width: selfWidth, height },
    callers,
    callees,
  };
}
