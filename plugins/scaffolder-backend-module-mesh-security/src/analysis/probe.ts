import {
  AccessEdge,
  AccessReason,
  AccessRequest,
  Engine,
  istioPathSample,
} from '@mesh-security/plugin-mesh-security-common';
import { CallerAccount, SnapshotContext } from './snapshot';

/** The requests a change is about (requested or revoked access). */
export interface Probe {
  callers: CallerAccount[];
  methods?: string[];
  paths?: string[];
}

/** One probed request on one port. */
export interface ProbeRequest {
  /** `namespace/serviceAccount [METHOD] [path]`. */
  label: string;
  /** The caller's workload in the snapshot (absent: the caller is not in it). */
  from?: { namespace: string; name: string };
  method?: string;
  path?: string;
}

/** Every (caller, method, path) of the probe, with the caller's workload in the engine's snapshot. */
export function probeRequests(
  engine: Engine,
  ctx: SnapshotContext,
  probe: Probe,
): ProbeRequest[] {
  const workloads = engine.evaluate().workloads;
  const out: ProbeRequest[] = [];
  for (const c of probe.callers) {
    const from = workloads.find(
      w =>
        w.namespace === c.namespace &&
        w.serviceAccount === c.serviceAccount &&
        w.name !== ctx.target.name,
    );
    for (const method of probe.methods?.length ? probe.methods : [undefined])
      for (const path of probe.paths?.length ? probe.paths : [undefined]) {
        out.push({
          label: [`${c.namespace}/${c.serviceAccount}`, method, path]
            .filter(Boolean)
            .join(' '),
          ...(from
            ? { from: { namespace: from.namespace, name: from.name } }
            : {}),
          ...(method ? { method } : {}),
          ...(path ? { path: istioPathSample(path) } : {}),
        });
      }
  }
  return out;
}

/** One probed request's verdict on one port. */
export interface ProbeDecision extends ProbeRequest {
  /** ALLOW only when the whole request is allowed (for a port-only probe: every request). */
  decision: 'ALLOW' | 'DENY';
  /**
   * Port-only probes: the requests the mesh allows when it allows some but not all (e.g. a
   * Linkerd Server with HTTPRoutes, where requests matching no route get 404, or an Istio rule
   * limited to some methods), as `GET /api/*`.
   */
  only?: string;
  /**
   * Why, as the engine says it: for a DENY without `only`, the refusing layer's reason; otherwise
   * what allows the request — the authorization layer's reason (a request with a method or path)
   * or the deciding policy of the caller's connection (a port-only probe).
   */
  reason: string;
}

/** The deciding reason of an access check: the refusing layer's, else the authorization's. */
function reasonOf(reasons: AccessReason[]): string {
  const r =
    reasons.find(x => x.effect === 'DENY') ??
    reasons.find(x => x.layer === 'authorization');
  if (!r) return 'the engine gives no reason';
  return r.policy ? `${r.policy}: ${r.message}` : r.message;
}

/**
 * What allows a connection: its deciding policy, else the authorization layer's reason for a
 * request on the port (e.g. "port 9090 bypasses the proxy: no authorization is enforced").
 */
function allowedBy(engine: Engine, edge: AccessEdge, request: AccessRequest) {
  if (edge.decidedBy.policy) return edge.decidedBy.policy;
  const r = engine
    .check(request)
    .reasons.find(x => x.layer === 'authorization');
  return r?.message ?? 'the engine gives no reason';
}

/** `ALLOW`, `DENY`, or `only GET /api/*` for a partly allowed port-only probe. */
export const verdict = (d: ProbeDecision) =>
  d.only ? `only ${d.only}` : d.decision;

/**
 * The engine's decision for each probed request on one port (DENY when the caller is unknown).
 * A request with a method or path is checked as such; a port-only one asks whether the caller
 * may make every request on the port, from the engine's connection of that caller to the port
 * (an access check without method and path cannot tell which HTTPRoute or rule would serve it).
 */
export function probeDecisions(
  engine: Engine,
  ctx: SnapshotContext,
  probe: Probe,
  port: number,
): ProbeDecision[] {
  const to = { namespace: ctx.target.namespace, name: ctx.target.name };
  return probeRequests(engine, ctx, probe).map(r => {
    if (!r.from)
      return {
        ...r,
        decision: 'DENY' as const,
        reason: 'the caller is not in the analysed snapshot',
      };
    if (r.method || r.path) {
      const request = {
        from: r.from,
        to,
        port,
        ...(r.method ? { method: r.method } : {}),
        ...(r.path ? { path: r.path } : {}),
      };
      const { decision, reasons } = engine.check(request);
      return { ...r, decision, reason: reasonOf(reasons) };
    }
    const edge = engine.accessGraph().connection(r.from, to, port);
    if (!edge)
      return {
        ...r,
        decision: 'DENY' as const,
        reason: reasonOf(engine.check({ from: r.from, to, port }).reasons),
      };
    if (!edge.methods?.length && !edge.paths?.length)
      return {
        ...r,
        decision: 'ALLOW' as const,
        reason: allowedBy(engine, edge, { from: r.from, to, port }),
      };
    const restriction = (o: { methods?: string[]; paths?: string[] }) =>
      [o.methods?.join(','), o.paths?.join(',')].filter(Boolean).join(' ');
    const only = edge.operations
      ? edge.operations.map(restriction).join('; ')
      : restriction(edge);
    return {
      ...r,
      decision: 'DENY' as const,
      only,
      reason: allowedBy(engine, edge, { from: r.from, to, port }),
    };
  });
}
