import { AccessEdge, MtlsMode } from '../../model';
import {
  Sends,
  authorizationLayer,
  externalCaller,
  mtlsLayer,
  networkPolicyPort,
} from './access';
import { CallerContext, LayerVerdict, RequestAttrs } from './caller';
import { EngineContext, WorkloadInfo } from './context';
import { networkPolicyCheck } from '../networkPolicy/networkPolicy';

/*
 * One edge of the access graph: may this client call this port of the target at all (some
 * request allowed), and what decided it. "May call" means every layer allows some request of
 * the client on the port; the method/path restrictions of the allowing rules are reported on
 * the edge. accessGraph.ts asks this once per caller group (or per member when a group's
 * policies tell its members apart), never once per workload pair.
 */

/** The client of a connection as the layers see it: plaintext, and over mTLS with its identity. */
export interface CallerContexts {
  /** The workload when the client is one (for client-side TLS and egress policies). */
  info?: WorkloadInfo;
  plain: CallerContext;
  /** The same client over mTLS, carrying its mesh identity. */
  mtls?: CallerContext;
}

const CONNECTION: Record<Sends, NonNullable<AccessEdge['connection']>> = {
  mtls: 'mtls',
  tls: 'tls',
  plain: 'plaintext',
};

function edgeFrom(
  peer: AccessEdge['peer'],
  port: number,
  layers: { mtls: LayerVerdict; authz: LayerVerdict; netpol: LayerVerdict },
  sends: Sends,
  portMtls: MtlsMode,
  unread: string[],
): AccessEdge {
  const { mtls, authz, netpol } = layers;
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
    ...unread,
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
    connection: CONNECTION[sends],
  };
}

/**
 * The edge from `caller` to `target` on `port` ("is some request of this client allowed"), or
 * undefined when a layer denies every request. `policies` are the target's AuthorizationPolicies
 * (looked up once per target by the caller of this function).
 */
export function connectionEdge(
  ctx: EngineContext,
  target: WorkloadInfo,
  caller: CallerContexts,
  port: number,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
  peer: AccessEdge['peer'],
): AccessEdge | undefined {
  const req: RequestAttrs = { port, mode: 'any' };
  const mtls = mtlsLayer(ctx, target, caller.info, caller.plain, port);
  if (mtls.effect === 'DENY') return undefined;
  // The server sees the client's identity only over mTLS.
  const client =
    caller.info && mtls.sendsMtls && caller.mtls ? caller.mtls : caller.plain;
  // Every layer must allow; the network layer goes first because a namespace isolated by
  // NetworkPolicy denies whole caller groups without reading their identities.
  const netpol = networkPolicyCheck(
    ctx.netpol,
    target.w,
    target.nsLabels,
    client,
    networkPolicyPort(target, mtls.sendsMtls, port),
  );
  if (netpol.effect === 'DENY') return undefined;
  const authz = authorizationLayer(ctx, target, client, req, policies);
  if (authz.effect === 'DENY') return undefined;
  return edgeFrom(
    peer,
    port,
    { mtls, authz, netpol },
    mtls.sends,
    ctx.portMode(target, port).mtls,
    // The target's unmodelled objects make the edge partial (docs/engine.md "Not evaluated").
    target.notEvaluated.inbound.map(n => n.reason),
  );
}

/** The edge from a plaintext client outside the cluster, or undefined when denied. */
export function externalEdge(
  ctx: EngineContext,
  target: WorkloadInfo,
  port: number,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
): AccessEdge | undefined {
  return connectionEdge(
    ctx,
    target,
    { plain: externalCaller() },
    port,
    policies,
    { kind: 'external-plaintext' },
  );
}
