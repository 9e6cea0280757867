import {
  AccessEdge,
  createEngine,
  Engine,
  Finding,
} from '@mesh-security/plugin-mesh-security-common';
import { buildSnapshot, CallerAccount, SnapshotContext } from './snapshot';

/*
 * Impact and validation of a change with the engine: callers per port before and after, and the
 * blocking findings the change would introduce.
 */

/**
 * Finding codes that block a change when the change introduces them: allow-all rule (MS201),
 * policy selecting nothing (MS202, MS212), wildcard identity (MS209), Linkerd reference to a
 * missing object (MS211), Linkerd allow-all authentication (MS213), malformed object (MS401).
 */
export const BLOCKING_CODES = new Set([
  'MS201',
  'MS202',
  'MS209',
  'MS211',
  'MS212',
  'MS213',
  'MS401',
]);

/** Callers of one port before and after. */
export interface ImpactRow {
  port: number;
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  /** The requested requests on this port: `caller METHOD path: DENY → ALLOW`. */
  requested: string[];
}

/** The requests a change is about (requested or revoked access). */
export interface Probe {
  callers: CallerAccount[];
  methods?: string[];
  paths?: string[];
}

/** A concrete path matching an Istio path pattern (`/api/*` → `/api/x`, `*.json` → `/x.json`). */
const samplePath = (p: string) => p.replace(/\*$/, 'x').replace(/^\*/, '/x');

/** Decisions of the engine for every (caller, method, path) of the probe on one port. */
function probeDecisions(
  engine: Engine,
  ctx: SnapshotContext,
  probe: Probe,
  port: number,
) {
  const to = { namespace: ctx.target.namespace, name: ctx.target.name };
  const workloads = engine.evaluate().workloads;
  const out: Array<{ label: string; decision: 'ALLOW' | 'DENY' }> = [];
  for (const c of probe.callers) {
    const from = workloads.find(
      w =>
        w.namespace === c.namespace &&
        w.serviceAccount === c.serviceAccount &&
        w.name !== ctx.target.name,
    );
    for (const method of probe.methods?.length ? probe.methods : [undefined])
      for (const path of probe.paths?.length ? probe.paths : [undefined]) {
        const label = [`${c.namespace}/${c.serviceAccount}`, method, path]
          .filter(Boolean)
          .join(' ');
        const decision = from
          ? engine.check({
              from: { namespace: from.namespace, name: from.name },
              to,
              port,
              ...(method ? { method } : {}),
              ...(path ? { path: samplePath(path) } : {}),
            }).decision
          : 'DENY';
        out.push({ label, decision });
      }
  }
  return out;
}

/** The engine's view of a change. */
export interface ChangeAnalysis {
  impact: ImpactRow[];
  /** Findings the change introduces (all severities). */
  newFindings: Finding[];
  /** The subset that blocks the change. */
  blocking: Finding[];
  before: Engine;
  after: Engine;
}

/** A readable name for a caller on an edge, with its HTTP restrictions. */
export function peerLabel(edge: AccessEdge): string {
  const p = edge.peer;
  let name: string;
  if (p.kind === 'any-meshed') name = 'any meshed workload';
  else if (p.kind === 'external-plaintext') name = 'external (plaintext)';
  else
    name = `${(p as { namespace: string }).namespace}/${
      (p as { name: string }).name
    }`;
  const http = [edge.methods?.join(','), edge.paths?.join(',')]
    .filter(Boolean)
    .join(' ');
  return http ? `${name} (${http})` : name;
}

const findingKey = (f: Finding) =>
  `${f.code}|${f.object.kind}|${f.object.namespace}|${f.object.name}`;

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
  const options = { cluster: ctx.cluster };
  const beforeEngine = createEngine(before.snapshot, options);
  const afterEngine = createEngine(after.snapshot, options);
  const ref = { namespace: ctx.target.namespace, name: ctx.target.name };
  const impact = ports.map(port => {
    const b = [
      ...new Set(beforeEngine.callersOf(ref, port).map(peerLabel)),
    ].sort();
    const a = [
      ...new Set(afterEngine.callersOf(ref, port).map(peerLabel)),
    ].sort();
    const pb = probe ? probeDecisions(beforeEngine, ctx, probe, port) : [];
    const pa = probe ? probeDecisions(afterEngine, ctx, probe, port) : [];
    const requested = pb.map(
      (d, i) => `${d.label}: ${d.decision} → ${pa[i].decision}`,
    );
    return {
      port,
      before: b,
      after: a,
      added: a.filter(x => !b.includes(x)),
      removed: b.filter(x => !a.includes(x)),
      requested,
    };
  });
  const old = new Set(
    [...before.findings, ...beforeEngine.evaluate().findings].map(findingKey),
  );
  const newFindings = [
    ...after.findings,
    ...afterEngine.evaluate().findings,
  ].filter(f => !old.has(findingKey(f)));
  const unique = [
    ...new Map(newFindings.map(f => [findingKey(f), f])).values(),
  ];
  return {
    impact,
    newFindings: unique,
    blocking: unique.filter(f => BLOCKING_CODES.has(f.code)),
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
    '| port | callers before | callers after | added | removed | requested (before → after) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      r =>
        `| ${r.port} | ${cell(r.before)} | ${cell(r.after)} | ${cell(
          r.added,
        )} | ${cell(r.removed)} | ${cell(r.requested)} |`,
    ),
  ].join('\n');
}
