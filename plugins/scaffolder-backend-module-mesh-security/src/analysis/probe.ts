import { Engine } from '@mesh-security/plugin-mesh-security-common';
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

/** A concrete path matching an Istio path pattern (`/api/*` → `/api/x`, `*.json` → `/x.json`). */
export const samplePath = (p: string) =>
  p.replace(/\*$/, 'x').replace(/^\*/, '/x');

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
          ...(path ? { path: samplePath(path) } : {}),
        });
      }
  }
  return out;
}

/** The engine's decision for each probed request on one port (DENY when the caller is unknown). */
export function probeDecisions(
  engine: Engine,
  ctx: SnapshotContext,
  probe: Probe,
  port: number,
): Array<ProbeRequest & { decision: 'ALLOW' | 'DENY' }> {
  const to = { namespace: ctx.target.namespace, name: ctx.target.name };
  return probeRequests(engine, ctx, probe).map(r => ({
    ...r,
    decision: r.from
      ? engine.check({
          from: r.from,
          to,
          port,
          ...(r.method ? { method: r.method } : {}),
          ...(r.path ? { path: r.path } : {}),
        }).decision
      : 'DENY',
  }));
}
