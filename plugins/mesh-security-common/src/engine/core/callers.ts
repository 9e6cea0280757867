import { AccessBlock, AccessEdge, MtlsMode } from '../../model';
import {
  Sends,
  authorizationLayer,
  externalCaller,
  mtlsLayer,
  networkPolicyPort,
  servesTls,
} from './access';
import { CallerContext, LayerVerdict, RequestAttrs } from './caller';
import { EngineContext, WorkloadInfo } from './context';
import { networkPolicyCheck } from '../networkPolicy/networkPolicy';
import { allowSourceClients, apAction } from '../istio/authorizationPolicy';
import { MTLS_FINDINGS } from '../findings/mtls';

/*
 * One edge of the access graph: may this client call this port of the target at all (some
 * request allowed), and what decided it. "May call" means every layer allows some request of
 * the client on the port; the method/path restrictions of the allowing rules are reported on
 * the edge. accessGraph.ts asks this once per caller group (or per member when a group's
 * policies tell its members apart), never once per workload pair.
 */

/**
 * The client of a connection as the layers see it: plaintext, and over mTLS with its identity
 * (a workload of the snapshot or a Linkerd ExternalWorkload).
 */
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
  connection: NonNullable<AccessEdge['connection']>,
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
    connection,
  };
}

/**
 * What the client puts on the wire as the edge shows it: a plaintext connection to a port whose
 * application serves TLS itself (see {@link servesTls}) is TLS without a mesh identity.
 */
function connectionOf(
  target: WorkloadInfo,
  port: number,
  sends: Sends,
  services: EngineContext['snapshot']['services'],
): NonNullable<AccessEdge['connection']> {
  return sends === 'plain' && servesTls(target, port, services)
    ? 'tls'
    : CONNECTION[sends];
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
  const client = mtls.sendsMtls && caller.mtls ? caller.mtls : caller.plain;
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
    connectionOf(target, port, mtls.sends, ctx.snapshot.services),
    ctx.portMode(target, port).mtls,
    // The target's unmodelled objects make the edge partial (docs/engine.md "Not evaluated").
    target.notEvaluated.inbound.map(n => n.reason),
  );
}

/** A layer's verdict as a blocked edge reads it: the rejecting layer names no decision. */
const passed = (v: LayerVerdict): LayerVerdict =>
  v.effect === 'DENY' ? { ...v, byDefault: true } : v;

/**
 * Whether no caller can be blocked from `target` on any port ({@link blockedEdge}), known
 * without asking each caller: a blocked edge is rejected by a DestinationRule — there is none
 * in the snapshot — or by the network layer while an explicit authorization rule admits the
 * client, and neither a workload without a proxy nor an Istio sidecar without an ALLOW
 * AuthorizationPolicy admits anyone explicitly (their authorization allows by default, or
 * denies). Ambient and Linkerd workloads are asked caller by caller.
 */
export function nothingBlockable(
  ctx: EngineContext,
  target: WorkloadInfo,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
): boolean {
  if (ctx.snapshot.istio.destinationRules.length > 0) return false;
  const mesh = target.membership.mesh;
  if (mesh === 'none') return true;
  return (
    mesh === 'istio-sidecar' && !policies.some(p => apAction(p) === 'ALLOW')
  );
}

/**
 * Whether nothing can be blocked on one port of `target` because its authorization admits
 * anyone: without DestinationRules, a blocked edge needs an explicit rule admitting the client
 * that does not admit an anonymous plaintext client from outside as well (see
 * {@link blockedEdge}), so a port that admits that client blocks no one. Linkerd's default
 * `all-unauthenticated`, an ambient workload without policies, an ALLOW rule `{}`.
 */
export function admitsAnyone(
  ctx: EngineContext,
  target: WorkloadInfo,
  port: number,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
): boolean {
  if (ctx.snapshot.istio.destinationRules.length > 0) return false;
  return (
    authorizationLayer(
      ctx,
      target,
      externalCaller(),
      { port, mode: 'any' },
      policies,
    ).effect === 'ALLOW'
  );
}

/**
 * The workloads that can be blocked callers of `target`, by namespace and service account,
 * when not all: without DestinationRules a blocked edge needs an explicit ALLOW rule admitting
 * the client (see {@link blockedEdge}), and on a sidecar, ALLOW rules that name their clients by
 * identity name their namespaces and often their service accounts (`allowSourceClients`); any
 * other client is denied by the authorization layer and never blocked. Undefined: any workload.
 */
export function blockableClients(
  ctx: EngineContext,
  target: WorkloadInfo,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
): Map<string, Set<string> | undefined> | undefined {
  if (ctx.snapshot.istio.destinationRules.length > 0) return undefined;
  if (target.membership.mesh !== 'istio-sidecar' || ctx.authz.unavailable)
    return undefined;
  return allowSourceClients(policies, target.istioMesh.trustDomains);
}

/**
 * The edge from `caller` to `target` on `port` when configuration intends the connection but a
 * layer rejects every request of it (docs/engine.md, "Blocked edges"); undefined when the
 * connection is allowed, not intended, or cannot be evaluated. Intended means: the client's
 * DestinationRule addresses the target (and its authorization would admit the client had the
 * rule not changed what it sends), or an explicit authorization rule admits the client. A layer
 * that cannot evaluate its inputs blocks nothing: that is unknown, not blocked.
 */
export function blockedEdge(
  ctx: EngineContext,
  target: WorkloadInfo,
  caller: CallerContexts,
  port: number,
  policies: ReturnType<EngineContext['authz']['forWorkload']>,
  peer: AccessEdge['peer'],
): AccessEdge | undefined {
  const mtls = mtlsLayer(ctx, target, caller.info, caller.plain, port);
  if (mtls.cannotEvaluate.length > 0) return undefined;
  const byDestinationRule =
    mtls.effect === 'DENY' && !!mtls.policy?.startsWith('DestinationRule ');
  // Other mTLS denials (a client outside the mesh into a STRICT port) are what STRICT is for.
  if (mtls.effect === 'DENY' && !byDestinationRule) return undefined;
  const portMode = ctx.portMode(target, port).mtls;
  // Without the rule, auto mTLS sends mTLS exactly to a port a proxy enforces STRICT on.
  const sendsMtls = byDestinationRule ? portMode === 'STRICT' : mtls.sendsMtls;
  const client =
    caller.info && sendsMtls && caller.mtls ? caller.mtls : caller.plain;
  const req = { port, mode: 'any' } as const;
  // Every condition below is necessary and reads no other's result, so their order is free.
  // Behind a NetworkPolicy isolating the target's ingress, the network layer denies most
  // callers and the authorization layer is read for them anyway: it goes first, and the callers
  // no explicit rule names (most, when the policies name a few clients) stop there. Otherwise
  // the network layer goes first: most callers stop at its ALLOW without reading identities.
  let authz: LayerVerdict | undefined;
  if (!byDestinationRule && ctx.netpol.isolating(target.w).ingress.length > 0) {
    authz = authorizationLayer(ctx, target, client, req, policies);
    // An explicit rule names the client: not a default.
    if (
      authz.effect === 'DENY' ||
      authz.cannotEvaluate.length > 0 ||
      authz.byDefault
    )
      return undefined;
  }
  const netpol = networkPolicyCheck(
    ctx.netpol,
    target.w,
    target.nsLabels,
    client,
    networkPolicyPort(target, sendsMtls, port),
  );
  if (netpol.cannotEvaluate.length > 0) return undefined;
  if (mtls.effect === 'ALLOW' && netpol.effect === 'ALLOW') return undefined;
  // The client's own egress policy denying is the client not meaning to call: only the
  // target's ingress can block an intended connection.
  if (
    netpol.effect === 'DENY' &&
    client.workload &&
    networkPolicyCheck(
      ctx.netpol,
      target.w,
      target.nsLabels,
      { ...client, workload: undefined },
      networkPolicyPort(target, sendsMtls, port),
    ).effect === 'ALLOW'
  )
    return undefined;
  authz ??= authorizationLayer(ctx, target, client, req, policies);
  if (authz.effect === 'DENY' || authz.cannotEvaluate.length > 0)
    return undefined;
  if (!byDestinationRule) {
    // An explicit rule names the client: not a default, and not one that admits anyone (an
    // anonymous plaintext client from outside).
    if (authz.byDefault) return undefined;
    const anyone = authorizationLayer(
      ctx,
      target,
      externalCaller(),
      req,
      policies,
    );
    if (anyone.effect === 'ALLOW') return undefined;
  }
  const blocked: AccessBlock = byDestinationRule
    ? {
        layer: 'mtls',
        ...(mtls.policy ? { policy: mtls.policy } : {}),
        reason: mtls.message,
        ...(portMode === 'STRICT'
          ? { finding: MTLS_FINDINGS.strictBehindDisable.code }
          : {}),
      }
    : {
        layer: 'network-policy',
        ...(netpol.policy ? { policy: netpol.policy } : {}),
        reason: netpol.message,
      };
  return {
    ...edgeFrom(
      peer,
      port,
      { mtls: passed(mtls), authz, netpol: passed(netpol) },
      connectionOf(target, port, mtls.sends, ctx.snapshot.services),
      portMode,
      target.notEvaluated.inbound.map(n => n.reason),
    ),
    blocked,
  };
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
