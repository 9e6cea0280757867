/*
 * The impact of a change: two states of an estate evaluated by the engine and compared, per
 * target workload and port (callers gained and lost, mTLS mode, the layer deciding a caller) and
 * for the findings. One implementation for the scaffolder's pull-request impact table
 * (docs/scaffolder.md "The pull request") and `mesh-security diff` (docs/cli.md "`diff`").
 */
import type { Engine } from '../engine';
import { istioPathSample } from '../engine/istio/pathPatterns';
import { declaredPort } from '../engine/core/ports';
import {
  AccessEdge,
  AccessLayer,
  Finding,
  isWorkloadPeer,
  MtlsMode,
  peerLabel,
  SEVERITIES,
  Severity,
  WorkloadRef,
} from '../model';

/**
 * How a caller is named in an impact: its {@link peerLabel}, followed by the HTTP methods and
 * paths it is limited to, when limited (`shop/cart (GET,POST /api/*)`).
 */
function edgeLabel(edge: AccessEdge): string {
  const name = peerLabel(edge.peer);
  const restriction = (o: { methods?: string[]; paths?: string[] }) =>
    [o.methods?.join(','), o.paths?.join(',')].filter(Boolean).join(' ');
  const http = edge.operations
    ? edge.operations.map(restriction).join('; ')
    : restriction(edge);
  return http ? `${name} (${http})` : name;
}

/**
 * The callers of one port in two states, each as its `peerLabel` followed by the HTTP methods
 * and paths it is limited to, when limited (`shop/cart (GET,POST /api/*)`); sorted, distinct.
 *
 * @public
 */
export interface CallerChange {
  /** Callers before the change. */
  before: string[];
  /** Callers after the change. */
  after: string[];
  /** Callers after and not before (new callers, or a caller's wider or other HTTP limits). */
  added: string[];
  /** Callers before and not after. */
  removed: string[];
}

const labels = (edges: AccessEdge[]) =>
  [...new Set(edges.map(edgeLabel))].sort();

/**
 * Compares the callers of one port before and after a change.
 *
 * @public
 */
export function callerChange(
  before: AccessEdge[],
  after: AccessEdge[],
): CallerChange {
  const b = labels(before);
  const a = labels(after);
  const had = new Set(b);
  const has = new Set(a);
  return {
    before: b,
    after: a,
    added: a.filter(x => !had.has(x)),
    removed: b.filter(x => !has.has(x)),
  };
}

/** What identifies a finding across two states: code and object (the message may differ). */
const findingKey = (f: Finding) =>
  `${f.code}|${f.object.kind}|${f.object.namespace}|${f.object.name}`;

const compareFindings = (a: Finding, b: Finding) =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
  a.code.localeCompare(b.code) ||
  findingKey(a).localeCompare(findingKey(b));

/** Code-unit order, the same on every machine and locale. */
const byCodeUnits = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};

/**
 * One finding per code and object; of several (e.g. two malformed objects without a name), the
 * first by message and fix, so that the result does not depend on the order of the inputs.
 */
const distinct = (findings: Finding[]) => {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = findingKey(f);
    const kept = byKey.get(key);
    if (
      !kept ||
      (byCodeUnits(f.message, kept.message) || byCodeUnits(f.fix, kept.fix)) < 0
    )
      byKey.set(key, f);
  }
  return [...byKey.values()];
};

/**
 * Findings introduced and resolved by a change (one per code and object), most severe first.
 *
 * @public
 */
export function findingChange(
  before: Finding[],
  after: Finding[],
): { introduced: Finding[]; resolved: Finding[] } {
  const had = new Set(before.map(findingKey));
  const has = new Set(after.map(findingKey));
  return {
    introduced: distinct(after.filter(f => !had.has(findingKey(f)))).sort(
      compareFindings,
    ),
    resolved: distinct(before.filter(f => !has.has(findingKey(f)))).sort(
      compareFindings,
    ),
  };
}

/**
 * The layer deciding a caller, and its policy (`Kind namespace/name`) when a policy decided.
 *
 * @public
 */
export interface DecidingLayer {
  /** The layer; `default` when no policy decided. */
  layer: AccessLayer | 'default';
  /** The deciding policy; absent when a default decided. */
  policy?: string;
}

/**
 * A caller whose deciding layer changed: one allowed in both states by another layer or
 * policy, or one lost, with the layer that now refuses it (e.g. a NetworkPolicy added where
 * the authorization still allows the caller).
 *
 * @public
 */
export interface LayerChange {
  /** The caller, as {@link peerLabel} names it. */
  caller: string;
  /** What decided before (the caller was allowed). */
  before: DecidingLayer;
  /** What decides after: the allowing layer, or for a caller lost, the first layer denying it. */
  after: DecidingLayer;
  /** Whether the caller is still allowed after the change. */
  allowed: boolean;
}

/**
 * The change of one port of a workload.
 *
 * @public
 */
export interface PortImpact extends CallerChange {
  /** The container port. */
  port: number;
  /**
   * The port's mTLS mode before and after (`UNKNOWN` for a side where the port is absent), and
   * why it is what it is after (the deciding policy or annotation), when the engine says.
   */
  mtls: { before: MtlsMode; after: MtlsMode; reason?: string };
  /**
   * The policies (`Kind namespace/name`) that allow the callers added; empty when defaults
   * allow them (no policy restricts the port).
   */
  addedBy: string[];
  /** Callers whose deciding layer changed. */
  layers: LayerChange[];
}

/**
 * The change of one workload: ports whose callers, mode or deciding layers differ.
 *
 * @public
 */
export interface WorkloadImpact {
  /** The workload's namespace. */
  namespace: string;
  /** The workload's name. */
  name: string;
  /** The workload's kind (`Deployment`, …). */
  kind: string;
  /** `added` or `removed` when the workload exists in one state only, else `changed`. */
  change: 'added' | 'removed' | 'changed';
  /** The ports that changed, by port number. */
  ports: PortImpact[];
}

/**
 * The impact of a change on a whole estate.
 *
 * @public
 */
export interface EstateImpact {
  /** Workloads with a change, by namespace and name. */
  workloads: WorkloadImpact[];
  /** Findings the change introduces, most severe first. */
  introduced: Finding[];
  /** Findings the change resolves, most severe first. */
  resolved: Finding[];
}

/** How much an mTLS mode protects a port: higher is stronger; unknown modes are not ranked. */
const MTLS_STRENGTH: Partial<Record<MtlsMode, number>> = {
  STRICT: 3,
  PARTIAL: 2,
  PERMISSIVE: 1,
  DISABLED: 0,
};

/**
 * Whether a port's mode got weaker (STRICT → PERMISSIVE, PERMISSIVE → DISABLED, …). A mode that
 * becomes UNKNOWN counts as weaker: the change can no longer be shown to keep the protection.
 *
 * @public
 */
export function isMtlsDowngrade(before: MtlsMode, after: MtlsMode): boolean {
  const b = MTLS_STRENGTH[before];
  if (b === undefined) return false;
  const a = MTLS_STRENGTH[after];
  return a === undefined || a < b;
}

const refKey = (r: { namespace: string; name: string }) =>
  `${r.namespace}/${r.name}`;

const decidingLayer = (edge: AccessEdge): DecidingLayer => ({
  layer: edge.decidedBy.layer,
  ...(edge.decidedBy.policy ? { policy: edge.decidedBy.policy } : {}),
});

const sameLayer = (a: DecidingLayer, b: DecidingLayer) =>
  a.layer === b.layer && a.policy === b.policy;

/**
 * The layer that refuses a workload caller in the engine's state, asked with the caller's first
 * allowed method and path of before; undefined when the caller is still allowed (another edge,
 * e.g. a namespace, now stands for it).
 */
function denyingLayer(
  engine: Engine,
  edge: AccessEdge & { peer: WorkloadRef },
  to: WorkloadRef,
  port: number,
): DecidingLayer | 'allowed' {
  const method = edge.methods?.[0];
  const path = edge.paths?.[0];
  const decision = engine.check({
    from: { namespace: edge.peer.namespace, name: edge.peer.name },
    to,
    port,
    ...(method ? { method } : {}),
    ...(path ? { path: istioPathSample(path) } : {}),
  });
  if (decision.decision === 'ALLOW') return 'allowed';
  const reason = decision.reasons.find(r => r.effect === 'DENY');
  if (!reason) return { layer: 'default' };
  return {
    layer: reason.layer,
    ...(reason.policy ? { policy: reason.policy } : {}),
  };
}

/** Deciding-layer changes of the callers of one port (see {@link LayerChange}). */
function layerChanges(
  beforeEdges: AccessEdge[],
  afterEdges: AccessEdge[],
  after: Engine | undefined,
  to: WorkloadRef,
  port: number,
): LayerChange[] {
  const now = new Map(afterEdges.map(e => [peerLabel(e.peer), e]));
  const out: LayerChange[] = [];
  for (const edge of beforeEdges) {
    const caller = peerLabel(edge.peer);
    const before = decidingLayer(edge);
    const still = now.get(caller);
    if (still) {
      const layer = decidingLayer(still);
      if (!sameLayer(before, layer))
        out.push({ caller, before, after: layer, allowed: true });
    } else if (after && isWorkloadPeer(edge.peer)) {
      // A summary peer lost is listed in `removed` only: its workloads are asked one by one
      // nowhere, and a count change alone renames it.
      const layer = denyingLayer(
        after,
        edge as AccessEdge & { peer: WorkloadRef },
        to,
        port,
      );
      if (layer !== 'allowed')
        out.push({ caller, before, after: layer, allowed: false });
    }
  }
  return [...new Map(out.map(change => [change.caller, change])).values()].sort(
    (a, b) => a.caller.localeCompare(b.caller),
  );
}

/** The impact of one port of one workload; an engine is undefined when the workload is absent. */
function portImpact(
  before: Engine | undefined,
  after: Engine | undefined,
  ref: WorkloadRef,
  port: number,
  mtls: PortImpact['mtls'],
): PortImpact {
  const beforeEdges = before ? before.callersOf(ref, port) : [];
  const afterEdges = after ? after.callersOf(ref, port) : [];
  const callers = callerChange(beforeEdges, afterEdges);
  const added = new Set(callers.added);
  const addedBy = afterEdges
    .filter(e => added.has(edgeLabel(e)))
    .map(e => e.decidedBy.policy)
    .filter((policy): policy is string => policy !== undefined);
  return {
    port,
    ...callers,
    mtls,
    addedBy: [...new Set(addedBy)].sort(),
    layers: layerChanges(beforeEdges, afterEdges, after, ref, port),
  };
}

const changed = (p: PortImpact) =>
  p.added.length > 0 ||
  p.removed.length > 0 ||
  p.mtls.before !== p.mtls.after ||
  p.layers.length > 0;

/**
 * Compares two states of an estate: every workload of either state, each of its ports, and the
 * findings (`findings` adds to the engines' own those raised outside them, e.g. by
 * `readObjects`). Only what changed is listed, in a stable order (namespace, name, port).
 *
 * @public
 */
export function estateImpact(
  before: Engine,
  after: Engine,
  findings: { before: Finding[]; after: Finding[] } = {
    before: [],
    after: [],
  },
): EstateImpact {
  const beforeResult = before.evaluate();
  const afterResult = after.evaluate();
  const beforeWorkloads = new Map(
    beforeResult.workloads.map(w => [refKey(w), w]),
  );
  const afterWorkloads = new Map(
    afterResult.workloads.map(w => [refKey(w), w]),
  );
  const keys = [
    ...new Set([...beforeWorkloads.keys(), ...afterWorkloads.keys()]),
  ].sort();
  const workloads: WorkloadImpact[] = [];
  for (const key of keys) {
    const was = beforeWorkloads.get(key);
    const is = afterWorkloads.get(key);
    const workload = (is ?? was)!;
    const ref = { namespace: workload.namespace, name: workload.name };
    const ports = [
      ...new Set([
        ...(was?.ports ?? []).map(p => p.port),
        ...(is?.ports ?? []).map(p => p.port),
      ]),
    ].sort((a, b) => a - b);
    // Ports are compared by number, as the access graph answers them: a number declared over
    // TCP and UDP is its TCP port (docs/engine.md "Port protocol").
    const mode = (posture: typeof was, port: number): MtlsMode =>
      declaredPort(posture?.ports ?? [], port)?.mtls ?? 'UNKNOWN';
    const reason = (port: number) =>
      declaredPort(is?.ports ?? [], port)?.reason;
    const impacts = ports
      .map(port =>
        portImpact(
          was ? before : undefined,
          is ? after : undefined,
          ref,
          port,
          {
            before: mode(was, port),
            after: mode(is, port),
            ...(reason(port) ? { reason: reason(port) } : {}),
          },
        ),
      )
      .filter(changed);
    let change: WorkloadImpact['change'] = 'changed';
    if (!was) change = 'added';
    else if (!is) change = 'removed';
    if (change === 'changed' && impacts.length === 0) continue;
    workloads.push({
      namespace: workload.namespace,
      name: workload.name,
      kind: workload.kind,
      change,
      ports: impacts,
    });
  }
  return {
    workloads,
    ...findingChange(
      [...findings.before, ...beforeResult.findings],
      [...findings.after, ...afterResult.findings],
    ),
  };
}

/**
 * Whether a finding is at least as severe as `severity`.
 *
 * @public
 */
export function atLeast(finding: Finding, severity: Severity): boolean {
  return SEVERITIES.indexOf(finding.severity) <= SEVERITIES.indexOf(severity);
}
