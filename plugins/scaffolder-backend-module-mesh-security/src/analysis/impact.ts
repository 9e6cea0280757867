import {
  AccessEdge,
  callerChange,
  createEngine,
  Engine,
  Finding,
  findingChange,
  isWorkloadPeer,
} from '@mesh-security/plugin-mesh-security-common';
import { networkBlock, networkView, NetworkView } from './networkLayer';
import { Probe, probeDecisions, verdict } from './probe';
import { buildSnapshot, SnapshotContext } from './snapshot';

export type { Probe } from './probe';

/*
 * Impact and validation of a change with the engine: callers per port before and after (the
 * mesh layers: mTLS and authorization), the callers a NetworkPolicy still blocks after the
 * change, and the blocking findings the change would introduce.
 */

/**
 * Finding codes that block a change when the change introduces them: allow-all rule (MS201),
 * policy selecting nothing (MS202, MS212), wildcard identity (MS209), Linkerd reference to a
 * missing object (MS211), Linkerd allow-all authentication (MS213), HTTP rules that ztunnel
 * enforces (MS208) or on a port the sidecar receives as TCP (MS216): such a grant lets no one in,
 * malformed object (MS401).
 */
export const BLOCKING_CODES = new Set([
  'MS201',
  'MS202',
  'MS208',
  'MS209',
  'MS211',
  'MS212',
  'MS213',
  'MS216',
  'MS401',
]);

/** Callers of one port before and after. */
export interface ImpactRow {
  port: number;
  /** Callers the mesh (mTLS + authorization) lets in, before and after the change. */
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  /** The requested requests on this port: `caller METHOD path: DENY → ALLOW` (mesh layers). */
  requested: string[];
  /**
   * Callers the mesh lets in after the change whose connection a NetworkPolicy isolating the
   * target refuses (deciding layer `network-policy`): `caller: NetworkPolicy ns/name`.
   */
  blockedByNetworkPolicy: string[];
}

/** The engine's view of a change. */
export interface ChangeAnalysis {
  impact: ImpactRow[];
  /** Findings the change introduces (all severities). */
  newFindings: Finding[];
  /** The subset that blocks the change. */
  blocking: Finding[];
  /** Requested requests the mesh allows after the change but a NetworkPolicy blocks. */
  warnings: string[];
  /**
   * Requested requests the mesh still refuses after the change, each with the refusing layer's
   * reason: `caller METHOD path on port P: reason`.
   */
  notGranted: string[];
  /**
   * Requested requests the mesh still allows after the change (wholly, or `only` some of them),
   * each with the authorization that allows it: for a revoke, what the change does not take away.
   */
  stillAllowed: string[];
  before: Engine;
  after: Engine;
}

/** Callers after the change that the NetworkPolicy layer refuses, described for the table. */
function networkBlocked(
  network: NetworkView,
  edges: AccessEdge[],
  to: { namespace: string; name: string },
  port: number,
): string[] {
  const out = new Set<string>();
  for (const edge of edges) {
    const p = edge.peer;
    // Summaries are evaluated with every layer already; only single callers are probed here.
    if (!isWorkloadPeer(p)) continue;
    const block = networkBlock(network, p, to, port);
    if (block) out.add(`${p.namespace}/${p.name}: ${block}`);
  }
  return [...out].sort();
}

/**
 * Warnings for probed requests the mesh allows but a NetworkPolicy isolating the target refuses:
 * the request will not work until a NetworkPolicy allows it.
 */
function networkWarnings(
  network: NetworkView,
  ctx: SnapshotContext,
  decisions: ReturnType<typeof probeDecisions>,
  port: number,
): string[] {
  const to = { namespace: ctx.target.namespace, name: ctx.target.name };
  const out: string[] = [];
  for (const r of decisions) {
    const block =
      (r.decision === 'ALLOW' || r.only) && r.from
        ? networkBlock(network, r.from, to, port)
        : undefined;
    if (block)
      out.push(
        `${r.label} → ${to.namespace}/${to.name} port ${port}: the mesh allows it, but ${block} blocks the connection (deciding layer: network-policy). The request will not work until a NetworkPolicy allows it.`,
      );
  }
  return out;
}

/**
 * The NetworkPolicy warnings for requests already allowed by the mesh in the policy file's
 * current state (the action then changes nothing, but the request may still not work).
 */
export function networkWarningsNow(
  ctx: SnapshotContext,
  text: string,
  probe: Probe,
  ports: number[],
): string[] {
  const options = {
    cluster: ctx.cluster,
    platformNamespaces: ctx.platformNamespaces,
  };
  const mesh = createEngine(buildSnapshot(ctx, text).snapshot, options);
  const network = networkView(ctx, text);
  return ports.flatMap(port =>
    networkWarnings(network, ctx, probeDecisions(mesh, ctx, probe, port), port),
  );
}

/** Evaluates the policy file before and after the edit around the target. */
export function analyseChange(
  ctx: SnapshotContext,
  beforeText: string,
  afterText: string,
  ports: number[],
  probe?: Probe,
): ChangeAnalysis {
  const before = buildSnapshot(ctx, beforeText);
  const after = buildSnapshot(ctx, afterText, beforeText);
  const options = {
    cluster: ctx.cluster,
    platformNamespaces: ctx.platformNamespaces,
  };
  const beforeEngine = createEngine(before.snapshot, options);
  const afterEngine = createEngine(after.snapshot, options);
  const network = networkView(ctx, afterText, beforeText);
  const ref = { namespace: ctx.target.namespace, name: ctx.target.name };
  const warnings = new Set<string>();
  const notGranted: string[] = [];
  const stillAllowed: string[] = [];
  const impact = ports.map(port => {
    const afterEdges = afterEngine.callersOf(ref, port);
    const pb = probe ? probeDecisions(beforeEngine, ctx, probe, port) : [];
    const pa = probe ? probeDecisions(afterEngine, ctx, probe, port) : [];
    networkWarnings(network, ctx, pa, port).forEach(w => warnings.add(w));
    for (const d of pa)
      if (d.decision === 'DENY' && !d.only)
        notGranted.push(`${d.label} on port ${port}: ${d.reason}`);
      else if (d.from)
        stillAllowed.push(
          `${d.label} on port ${port}${d.only ? ` (only ${d.only})` : ''}: ${
            d.reason
          }`,
        );
    return {
      port,
      ...callerChange(beforeEngine.callersOf(ref, port), afterEdges),
      requested: pb.map(
        (d, i) => `${d.label}: ${verdict(d)} → ${verdict(pa[i])}`,
      ),
      blockedByNetworkPolicy: networkBlocked(network, afterEdges, ref, port),
    };
  });
  // Findings new with the change, most severe first (the order of the pull request's list).
  const { introduced } = findingChange(
    [...before.findings, ...beforeEngine.evaluate().findings],
    [...after.findings, ...afterEngine.evaluate().findings],
  );
  return {
    impact,
    newFindings: introduced,
    blocking: introduced.filter(f => BLOCKING_CODES.has(f.code)),
    warnings: [...warnings],
    notGranted,
    stillAllowed,
    before: beforeEngine,
    after: afterEngine,
  };
}

/** Whether every caller may already make every requested request on every port. */
export function alreadyAllowed(
  engine: Engine,
  ctx: SnapshotContext,
  probe: Probe,
  ports: number[],
): boolean {
  return ports.every(port =>
    probeDecisions(engine, ctx, probe, port).every(d => d.decision === 'ALLOW'),
  );
}

/** The impact as a Markdown table. */
export function impactTable(rows: ImpactRow[]): string {
  const cell = (v: string[]) =>
    v.length ? v.map(x => `\`${x}\``).join(', ') : '—';
  return [
    '| port | callers before | callers after | added | removed | requested (before → after) | blocked by NetworkPolicy (after) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      r =>
        `| ${r.port} | ${cell(r.before)} | ${cell(r.after)} | ${cell(
          r.added,
        )} | ${cell(r.removed)} | ${cell(r.requested)} | ${cell(
          r.blockedByNetworkPolicy,
        )} |`,
    ),
  ].join('\n');
}
