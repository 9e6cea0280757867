import { EDGE_PROTECTIONS } from '@mesh-security/plugin-mesh-security-common';
import { combineTrafficStatuses } from '../ObservedTraffic';
import {
  AccessGraphData,
  AccessLineData,
  AccessPeerData,
} from './accessGraphModel';

/**
 * The namespaces of the platform's own components when `meshSecurity.platformNamespaces` is not
 * set: the engine's defaults (docs/engine.md), with Istio's usual root namespace.
 */
export const DEFAULT_GRAPH_PLATFORM_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'istio-system',
  'linkerd',
  'cert-manager',
];

/** How the graph is made readable at fan-out (see {@link summarizeAccessGraph}). */
export interface AccessGraphView {
  /** Namespaces whose workloads are platform components (istiod, DNS, gateways, monitoring). */
  platformNamespaces: ReadonlySet<string>;
  /** Draw platform peers (else they are left out and counted). */
  showPlatform: boolean;
  /** Draw every peer no policy applies to on its own (else one summary node per side). */
  expandNoPolicy: boolean;
}

/** What the view left out or grouped, for the line under the graph. */
export interface AccessGraphSummaryNote {
  /** Platform peers left out (labels, each once, both sides). */
  hiddenPlatform: string[];
}

/** Ports shown in a grouped line before "+n more". */
const MAX_PORTS = 4;

/** The peers on one side no policy applies to, as one node: "No policy applies (5 workloads)". */
function noPolicyNode(
  side: AccessPeerData['side'],
  peers: AccessPeerData[],
): AccessPeerData {
  const lines: AccessLineData[] = [];
  for (const protection of EDGE_PROTECTIONS) {
    const having = peers.filter(p =>
      p.lines.some(l => l.protection === protection),
    );
    if (having.length === 0) continue;
    const ports: string[] = [];
    for (const p of having)
      for (const l of p.lines)
        if (l.protection === protection)
          for (const port of l.label.split(', '))
            if (!ports.includes(port)) ports.push(port);
    const traffic = combineTrafficStatuses(
      having.flatMap(p =>
        p.lines.flatMap(l =>
          l.protection === protection && l.traffic ? [l.traffic] : [],
        ),
      ),
    );
    const shown = ports.slice(0, MAX_PORTS).join(', ');
    const more =
      ports.length > MAX_PORTS ? ` +${ports.length - MAX_PORTS} more` : '';
    lines.push({
      protection,
      label: `${having.length} workload${
        having.length === 1 ? '' : 's'
      }, ports ${shown}${more}`,
      portModes: Array.from(
        new Set(
          having.flatMap(p =>
            p.lines
              .filter(l => l.protection === protection)
              .flatMap(l => l.portModes),
          ),
        ),
      ),
      ...(traffic ? { traffic } : {}),
    });
  }
  return {
    id: 'no-policy',
    label: `No policy applies (${peers.length} workload${
      peers.length === 1 ? '' : 's'
    })`,
    role: 'summary',
    side,
    bidirectional: false,
    lines,
    members: peers.map(p => p.label),
  };
}

/**
 * The graph as drawn: platform peers left out unless asked for (counted in the note), and the
 * workloads that no policy applies to — allowed by default, not by a grant — grouped into one
 * "No policy applies" node per side unless expanded, so that neither implied peers nor the
 * platform's components read like explicit grants. Summary peers ("Any Istio workload (12)",
 * a namespace) are already one node each and stay as they are. The access table keeps every
 * edge.
 */
export function summarizeAccessGraph(
  graph: AccessGraphData,
  view: AccessGraphView,
): { graph: AccessGraphData; note: AccessGraphSummaryNote } {
  const hiddenPlatform: string[] = [];
  const isPlatform = (p: AccessPeerData) =>
    p.role !== 'observed' &&
    p.namespace !== undefined &&
    view.platformNamespaces.has(p.namespace);
  const side = (peers: AccessPeerData[]): AccessPeerData[] => {
    const kept = peers
      .filter(p => {
        if (view.showPlatform || !isPlatform(p)) return true;
        if (!hiddenPlatform.includes(p.label)) hiddenPlatform.push(p.label);
        return false;
      })
      .map(p => (isPlatform(p) ? { ...p, platform: true } : p));
    if (view.expandNoPolicy) return kept;
    // A peer with denied traffic or traffic outside any grant keeps its own node.
    const grouped = kept.filter(
      p =>
        p.noPolicy &&
        p.role === 'workload' &&
        !p.platform &&
        !p.lines.some(
          l => l.traffic === 'denied' || l.traffic === 'outside-grant',
        ),
    );
    if (grouped.length < 2) return kept;
    const node = noPolicyNode(grouped[0].side, grouped);
    const rest = kept.filter(p => !grouped.includes(p));
    return [...rest, node];
  };
  const callers = side(graph.callers);
  const callees = side(graph.callees);
  // A peer on both sides stays marked only while it is drawn on both.
  const ids = (peers: AccessPeerData[]) => new Set(peers.map(p => p.id));
  const callerIds = ids(callers);
  const calleeIds = ids(callees);
  return {
    graph: {
      self: graph.self,
      callers: callers.map(p => ({
        ...p,
        bidirectional: p.bidirectional && calleeIds.has(p.id),
      })),
      callees: callees.map(p => ({
        ...p,
        bidirectional: p.bidirectional && callerIds.has(p.id),
      })),
    },
    note: { hiddenPlatform },
  };
}
