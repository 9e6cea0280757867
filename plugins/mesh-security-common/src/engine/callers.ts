import { AccessEdge, MtlsMode, SnapshotWorkload, WorkloadRef } from '../model';
import {
  WorkloadNotFoundError,
  anyMeshedCaller,
  authorizationLayer,
  externalCaller,
  hasWaypoint,
  mtlsLayer,
  networkPolicyPort,
  workloadCallers,
} from './access';
import { CallerContext, LayerVerdict, RequestAttrs } from './caller';
import { EngineContext, WorkloadInfo } from './context';
import { networkPolicyCheck } from './networkPolicy';

/*
 * The access graph: who may call a workload (and whom it may call), per port, with the layer
 * that decided. "May call" means some request of that caller is allowed on the port (method/path
 * restrictions of the allowing rule are reported on the edge). Target-side policy lists are
 * computed once per query; caller-side data is cached per workload by the context.
 */

function edgeFrom(
  peer: AccessEdge['peer'],
  port: number,
  mtls: LayerVerdict,
  authz: LayerVerdict,
  netpol: LayerVerdict,
  portMtls: MtlsMode,
): AccessEdge | undefined {
  if (
    mtls.effect === 'DENY' ||
    authz.effect === 'DENY' ||
    netpol.effect === 'DENY'
  )
    return undefined;
  // The most specific allowing layer names the decision: an explicit policy beats a default.
  const candidates: Array<[AccessEdge['decidedBy']['layer'], LayerVerdict]> = [
    ['authorization', authz],
    ['network-policy', netpol],
    ['mtls', mtls],
  ];
  const decider = candidates.find(([, v]) => !v.byDefault);
  const cannot = [
    ...mtls.cannotEvaluate,
    ...authz.cannotEvaluate,
    ...netpol.cannotEvaluate,
  ];
  return {
    peer,
    port,
    ...(authz.methods && authz.methods.length > 0
      ? { methods: authz.methods }
      : {}),
    ...(authz.paths && authz.paths.length > 0 ? { paths: authz.paths } : {}),
    ...(authz.operations && authz.operations.length > 1
      ? { operations: authz.operations }
      : {}),
    decidedBy: decider
      ? {
          layer: decider[0],
          ...(decider[1].policy ? { policy: decider[1].policy } : {}),
        }
      : { layer: 'default' },
    ...(cannot.length > 0 ? { cannotEvaluate: [...new Set(cannot)] } : {}),
    portMtls,
  };
}

function evaluate(
  ctx: EngineContext,
  target: WorkloadInfo,
  callerInfo: WorkloadInfo | undefined,
  plainCaller: CallerContext,
  req: RequestAttrs,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
) {
  const port = req.port;
  const mtls = mtlsLayer(ctx, target, callerInfo, plainCaller, port);
  if (mtls.effect === 'DENY') return undefined;
  // The server sees the client's identity only over mTLS.
  const caller =
    callerInfo && mtls.sendsMtls
      ? workloadCallers(callerInfo).mtls
      : plainCaller;
  const authz = authorizationLayer(ctx, target, caller, req, policies);
  if (authz.effect === 'DENY') return undefined;
  const netpol = networkPolicyCheck(
    ctx.netpol,
    target.w,
    target.nsLabels,
    caller,
    networkPolicyPort(target, mtls.sendsMtls, port),
  );
  return { mtls, authz, netpol };
}

/** Every caller of `target` on its ports (or one port). */
export function callersOf(
  ctx: EngineContext,
  ref: WorkloadRef,
  port?: number,
): AccessEdge[] {
  const w = ctx.find(ref);
  if (!w)
    throw new WorkloadNotFoundError(
      `workload ${ref.namespace}/${ref.name} is not in the snapshot`,
    );
  const target = ctx.info(w);
  const ports = port !== undefined ? [port] : target.ports.map(p => p.port);
  const mesh = target.membership.mesh;
  const policies = ctx.authz.forWorkload(
    w,
    mesh === 'istio-ambient' && hasWaypoint(ctx, w),
  );
  const out: AccessEdge[] = [];
  for (const p of ports) {
    const req: RequestAttrs = { port: p, mode: 'any' };
    const portMtls = ctx.portMode(target, p).mtls;
    for (const other of ctx.snapshot.workloads) {
      if (other === w) continue;
      const info = ctx.info(other);
      const r = evaluate(
        ctx,
        target,
        info,
        workloadCallers(info).plain,
        req,
        policies,
      );
      const edge =
        r &&
        edgeFrom(
          {
            cluster: ctx.options.cluster,
            namespace: other.namespace,
            name: other.name,
            kind: other.kind,
          },
          p,
          r.mtls,
          r.authz,
          r.netpol,
          portMtls,
        );
      if (edge) out.push(edge);
    }
    if (mesh !== 'none') {
      const r = evaluate(
        ctx,
        target,
        undefined,
        anyMeshedCaller(mesh),
        req,
        policies,
      );
      const edge =
        r &&
        edgeFrom(
          { kind: 'any-meshed' },
          p,
          r.mtls,
          r.authz,
          r.netpol,
          portMtls,
        );
      if (edge) out.push(edge);
    }
    const r = evaluate(ctx, target, undefined, externalCaller(), req, policies);
    const edge =
      r &&
      edgeFrom(
        { kind: 'external-plaintext' },
        p,
        r.mtls,
        r.authz,
        r.netpol,
        portMtls,
      );
    if (edge) out.push(edge);
  }
  return out;
}

/** Every workload port `source` may call. */
export function calleesOf(ctx: EngineContext, ref: WorkloadRef): AccessEdge[] {
  const w = ctx.find(ref);
  if (!w)
    throw new WorkloadNotFoundError(
      `workload ${ref.namespace}/${ref.name} is not in the snapshot`,
    );
  const callerInfo = ctx.info(w);
  const out: AccessEdge[] = [];
  for (const other of ctx.snapshot.workloads as SnapshotWorkload[]) {
    if (other === w) continue;
    const target = ctx.info(other);
    const policies = ctx.authz.forWorkload(
      other,
      target.membership.mesh === 'istio-ambient' && hasWaypoint(ctx, other),
    );
    for (const p of target.ports) {
      const r = evaluate(
        ctx,
        target,
        callerInfo,
        workloadCallers(callerInfo).plain,
        { port: p.port, mode: 'any' },
        policies,
      );
      const edge =
        r &&
        edgeFrom(
          {
            cluster: ctx.options.cluster,
            namespace: other.namespace,
            name: other.name,
            kind: other.kind,
          },
          p.port,
          r.mtls,
          r.authz,
          r.netpol,
          p.mtls,
        );
      if (edge) out.push(edge);
    }
  }
  return out;
}
