import {
  AccessDecision,
  AccessReason,
  AccessRequest,
  ExternalWorkloadSource,
  MtlsMode,
  SnapshotWorkload,
} from '../../model';
import { apAction, istioAuthorize } from '../istio/authorizationPolicy';
import { CallerContext, LayerVerdict, RequestAttrs } from './caller';
import { EngineContext, WorkloadInfo } from './context';
import { linkerdSkipped } from '../linkerd/server';
import { linkerdAuthorize } from '../linkerd/authorization';
import {
  externalWorkloadCallers,
  findExternalWorkload,
} from '../linkerd/externalWorkload';
import { sidecarCapturesInbound } from '../istio/sidecar';
import { networkPolicyCheck } from '../networkPolicy/networkPolicy';
import { TrafficPath, WaypointClient } from '../istio/waypoint';
import { serviceSelects, servicesIn } from './match';
import { carriedByMesh, declaredPort, portName } from './ports';
import { PortMemo } from './portMemo';
import { istioTcpPort } from './protocol';

/**
 * Thrown by queries naming a workload that is not in the snapshot.
 *
 * @public
 */
export class WorkloadNotFoundError extends Error {
  /**
   * Always `WorkloadNotFoundError`, so the error can be recognised by name where `instanceof`
   * cannot be used (e.g. in logs, or when several copies of this package are loaded).
   */
  readonly name = 'WorkloadNotFoundError';
}

const istioMesh = (m: string) => m === 'istio-sidecar' || m === 'istio-ambient';

/** Whether the port bypasses the target's proxy (no mTLS, no authorization on it). */
const bypassCache = new PortMemo<WorkloadInfo, boolean>();

export function bypassesProxy(info: WorkloadInfo, port: number): boolean {
  return bypassCache.get(info, port, () => computeBypass(info, port));
}

function computeBypass(info: WorkloadInfo, port: number): boolean {
  const declared = declaredPort(info.w.ports, port);
  if (declared && !carriedByMesh(declared)) return true;
  // excludeInboundPorts applies only when every port is redirected (include absent or `*`),
  // as the port's mTLS mode reads it (istio/peerAuthentication.ts).
  if (info.membership.mesh === 'istio-sidecar')
    return !sidecarCapturesInbound(info.w.annotations, port);
  if (info.membership.mesh === 'linkerd')
    return linkerdSkipped(info.w, info.ns, port);
  return false;
}

const callerCache = new WeakMap<
  WorkloadInfo,
  { plain: CallerContext; mtls: CallerContext }
>();

/**
 * The caller contexts of a workload (cached): as a plaintext client, and as an mTLS client
 * carrying its mesh identity. The mTLS layer decides which one the server sees.
 */
export function workloadCallers(info: WorkloadInfo): {
  plain: CallerContext;
  mtls: CallerContext;
} {
  let hit = callerCache.get(info);
  if (!hit) {
    const plain = workloadCaller(info);
    const mtls: CallerContext = { ...plain, mtls: true };
    if (istioMesh(info.membership.mesh)) mtls.principal = info.principal;
    if (info.membership.mesh === 'linkerd')
      mtls.linkerdIdentity = info.identity ?? undefined;
    hit = { plain, mtls };
    callerCache.set(info, hit);
  }
  return hit;
}

/** A plaintext caller context for a workload of the snapshot. */
export function workloadCaller(info: WorkloadInfo): CallerContext {
  return {
    kind: 'workload',
    workload: info.w,
    namespace: info.w.namespace,
    serviceAccount: info.w.serviceAccount,
    labels: info.w.labels,
    nsLabels: info.nsLabels,
    mesh: info.membership.mesh,
    mtls: false,
    principal: undefined,
    linkerdIdentity: undefined,
    ips: info.ips,
    inCluster: true,
    identity: undefined,
  };
}

export function externalCaller(ip?: string): CallerContext {
  return {
    kind: 'external',
    workload: undefined,
    namespace: undefined,
    serviceAccount: undefined,
    labels: {},
    nsLabels: {},
    mesh: 'none',
    mtls: false,
    principal: undefined,
    linkerdIdentity: undefined,
    ips: ip ? [ip] : undefined,
    inCluster: false,
    identity: undefined,
  };
}

/**
 * A network peer as the layers see it (docs/engine.md, "Network peers"): a client outside the
 * mesh — plaintext, no identity — whose address is any of a range.
 */
export function networkCaller(
  range: NonNullable<CallerContext['network']>,
): CallerContext {
  return { ...externalCaller(), network: range };
}

const VIA: Record<CallerContext['kind'], string> = {
  external: 'an external client sends plaintext',
  workload: 'the client has no mesh proxy and sends plaintext',
};

/** What a client puts on the wire: Istio/Linkerd mTLS, TLS without a mesh identity, or plaintext. */
export type Sends = 'mtls' | 'tls' | 'plain';

/**
 * The mTLS layer: what the client sends (Istio auto mTLS unless a DestinationRule sets the TLS
 * mode; Linkerd proxies always use mTLS between meshed pods; ztunnel uses HBONE mTLS) against what
 * the server port accepts (STRICT rejects plaintext). Sets `caller.mtls` and its identity.
 */
export function mtlsLayer(
  ctx: EngineContext,
  target: WorkloadInfo,
  callerInfo: WorkloadInfo | undefined,
  caller: CallerContext,
  port: number,
): LayerVerdict & { sendsMtls: boolean; sends: Sends } {
  const server = ctx.portMode(target, port);
  const declared = declaredPort(target.w.ports, port);
  if (declared && !carriedByMesh(declared))
    // Neither the client's proxy nor the server's carries UDP or SCTP (core/ports.ts).
    return {
      effect: 'ALLOW',
      message: `port ${portName(declared)} is DISABLED (${
        server.reason
      }); no client proxy carries it either: plaintext`,
      cannotEvaluate: [],
      byDefault: true,
      sendsMtls: false,
      sends: 'plain',
    };
  const tMesh = target.membership.mesh;
  let sends: Sends = 'plain';
  let via = VIA[caller.kind];
  let destinationRule: string | undefined;
  if (callerInfo && caller.kind === 'workload') {
    const cMesh = callerInfo.membership.mesh;
    if (cMesh === 'istio-sidecar') {
      const unknownTls = ctx.destinationRules.unavailable;
      // A DestinationRule may set any TLS mode for this target: what the client sends is unknown.
      if (unknownTls)
        return {
          effect: 'DENY',
          message: `what the client's sidecar sends cannot be known: ${unknownTls}`,
          cannotEvaluate: [`client-side TLS (DestinationRules): ${unknownTls}`],
          sendsMtls: false,
          sends,
        };
      // docs/engine.md "Istio Sidecar": a destination the client's Sidecar does not import is
      // unmatched traffic, forwarded as-is (ALLOW_ANY) or dropped (REGISTRY_ONLY).
      const out = ctx.sidecars.outbound(callerInfo.w, target.w, port);
      if (out.kind === 'unknown')
        return {
          effect: 'DENY',
          message: `what the client's sidecar does with this connection cannot be known: ${out.reason}`,
          cannotEvaluate: [out.reason],
          sendsMtls: false,
          sends,
        };
      if (out.kind === 'dropped')
        return {
          effect: 'DENY',
          ...(out.sidecar ? { policy: out.sidecar } : {}),
          message: out.message,
          cannotEvaluate: [],
          sendsMtls: false,
          sends,
        };
      const tls =
        out.kind === 'passthrough'
          ? undefined
          : ctx.destinationRules.clientTls(
              callerInfo.w.namespace,
              callerInfo.w.labels,
              target.w,
              port,
            );
      destinationRule = tls?.ref;
      if (!tls) {
        // Passthrough: "mutual TLS will not be used" (Traffic routing, "Unmatched traffic").
        via = out.kind === 'passthrough' ? out.message : via;
        destinationRule = out.kind === 'passthrough' ? out.sidecar : undefined;
      } else if (tls.mode === 'ISTIO_MUTUAL') {
        sends = 'mtls';
        via = `${destinationRule} sets tls.mode ISTIO_MUTUAL`;
        if (!istioMesh(tMesh) || bypassesProxy(target, port)) {
          return {
            effect: 'DENY',
            policy: destinationRule,
            message: `${destinationRule} forces Istio mTLS but port ${port} of the target has no Istio proxy to terminate it`,
            cannotEvaluate: [],
            sendsMtls: true,
            sends,
          };
        }
      } else if (
        tls.mode === 'DISABLE' ||
        tls.mode === 'SIMPLE' ||
        tls.mode === 'MUTUAL'
      ) {
        sends = tls.mode === 'DISABLE' ? 'plain' : 'tls';
        via = `${destinationRule} sets tls.mode ${tls.mode} for ${tls.host}`;
      } else {
        const auto = autoMtls(ctx, callerInfo, target, port, server.mtls);
        if (auto.unknown)
          return {
            effect: 'DENY',
            message: `what the client's sidecar sends cannot be known: ${auto.unknown}`,
            cannotEvaluate: [`client-side TLS (auto mTLS): ${auto.unknown}`],
            sendsMtls: false,
            sends,
          };
        sends = auto.sends;
        via = auto.via;
        // Auto mTLS reads no workload-selector or port-level policy: it sends mTLS to a sidecar
        // port whose own policy is DISABLE, which the sidecar does not terminate.
        if (sends === 'mtls' && server.mtls === 'DISABLED')
          return {
            effect: 'DENY',
            policy: policyFromReason(server.reason),
            message: `port ${port} is DISABLED (${server.reason}) and ${via}, which the server's sidecar does not terminate on this port: the connection fails (a DestinationRule with tls.mode DISABLE for the port would send plaintext)`,
            cannotEvaluate: [],
            sendsMtls: true,
            sends,
          };
        // A sidecar port of unknown mode may be DISABLE, which the mTLS sent would not reach.
        if (
          sends === 'mtls' &&
          server.mtls === 'UNKNOWN' &&
          tMesh === 'istio-sidecar'
        )
          return {
            effect: 'DENY',
            message: `the server's mTLS mode on port ${port} is unknown (${server.reason}) and ${via}, which fails if the port's policy is DISABLE`,
            cannotEvaluate: [`mTLS mode of port ${port}: ${server.reason}`],
            sendsMtls: true,
            sends,
          };
      }
    } else if (cMesh === 'istio-ambient') {
      if (istioMesh(tMesh) && server.mtls !== 'DISABLED') {
        sends = 'mtls';
        via = 'ztunnel sends HBONE mTLS to a meshed server';
      } else via = 'ztunnel sends plaintext to a server outside the mesh';
    } else if (cMesh === 'linkerd') {
      if (tMesh === 'linkerd' && server.mtls !== 'DISABLED') {
        sends = 'mtls';
        via = 'the Linkerd proxy sends mTLS to a meshed server';
      } else
        via =
          'the Linkerd proxy sends plaintext to a server without a Linkerd proxy';
    }
  } else if (caller.kind === 'external' && caller.mesh === 'linkerd') {
    // docs/engine.md "Linkerd ExternalWorkload": its proxy joins the mesh from outside.
    if (tMesh === 'linkerd' && server.mtls !== 'DISABLED') {
      sends = 'mtls';
      via =
        "the ExternalWorkload's Linkerd proxy sends mTLS to a meshed server";
    } else
      via =
        "the ExternalWorkload's Linkerd proxy sends plaintext to a server without a Linkerd proxy";
  }
  if (server.mtls === 'STRICT' && sends !== 'mtls') {
    return {
      effect: 'DENY',
      policy: destinationRule ?? policyFromReason(server.reason),
      message: `port ${port} is STRICT (${server.reason}) and ${via}`,
      cannotEvaluate: [],
      sendsMtls: false,
      sends,
    };
  }
  if (server.mtls === 'UNKNOWN' && sends !== 'mtls') {
    return {
      effect: 'DENY',
      message: `the server's mTLS mode on port ${port} is unknown (${server.reason}) and ${via}`,
      cannotEvaluate: [`mTLS mode of port ${port}: ${server.reason}`],
      sendsMtls: false,
      sends,
    };
  }
  return {
    effect: 'ALLOW',
    policy: destinationRule,
    message: `port ${port} is ${server.mtls}${
      server.reason ? ` (${server.reason})` : ''
    }; ${via}`,
    cannotEvaluate: [],
    byDefault: !destinationRule,
    sendsMtls: sends === 'mtls',
    sends,
  };
}

/** The deciding object named at the start of a mode reason (`PeerAuthentication ns/name`, `Server ns/name`). */
function policyFromReason(reason: string | undefined): string | undefined {
  const match = reason
    ? /^(PeerAuthentication|Server) [^\s:()]+/.exec(reason)
    : null;
  return match ? match[0] : reason;
}

/**
 * What Istio auto mTLS makes a client sidecar send when no DestinationRule sets a TLS mode
 * (`ClusterBuilder.buildAutoMtlsSettings`): plaintext when the client's mesh config sets
 * `enableAutoMtls: false`; to a sidecar, mTLS unless the mode Istio infers for the Service's
 * namespace from namespace-wide and mesh-wide PeerAuthentications only is DISABLE; to an
 * ambient workload, HBONE mTLS; plaintext to a port no Istio proxy serves.
 */
function autoMtls(
  ctx: EngineContext,
  callerInfo: WorkloadInfo,
  target: WorkloadInfo,
  port: number,
  server: MtlsMode,
): { sends: Sends; via: string; unknown?: string } {
  const settings = callerInfo.istioMesh;
  if (!settings.autoMtls)
    return {
      sends: 'plain',
      via: `enableAutoMtls is false in the mesh config (ConfigMap ${settings.configMap}) and no DestinationRule sets a TLS mode, so the client sidecar sends plaintext`,
    };
  const tMesh = target.membership.mesh;
  if (tMesh === 'istio-sidecar' && !bypassesProxy(target, port)) {
    const inferred = ctx.peerAuth.serviceMode(target.w.namespace);
    if (inferred.unknown)
      return { sends: 'plain', via: '', unknown: inferred.unknown };
    if (inferred.mode === 'DISABLE')
      return {
        sends: 'plain',
        via: `Istio auto mTLS, which reads namespace-wide and mesh-wide PeerAuthentications only, sends plaintext (PeerAuthentication ${inferred.policy?.namespace}/${inferred.policy?.name} sets DISABLE)`,
      };
    return {
      sends: 'mtls',
      via: 'Istio auto mTLS: the client sidecar sends mTLS to a meshed server',
    };
  }
  if (istioMesh(tMesh) && server !== 'DISABLED')
    return {
      sends: 'mtls',
      via: 'Istio auto mTLS: the client sidecar sends mTLS to a meshed server',
    };
  return {
    sends: 'plain',
    via: 'Istio auto mTLS: the server has no Istio proxy on this port, so the client sends plaintext',
  };
}

/** The authorization layer of the target's mesh. */
export function authorizationLayer(
  ctx: EngineContext,
  target: WorkloadInfo,
  caller: CallerContext,
  req: RequestAttrs,
  istioPolicies?: ReturnType<EngineContext['authz']['forWorkload']>,
): LayerVerdict {
  const mesh = target.membership.mesh;
  if (bypassesProxy(target, req.port))
    return {
      effect: 'ALLOW',
      message: `port ${portName(
        declaredPort(target.w.ports, req.port) ?? { port: req.port },
      )} bypasses the proxy: no authorization is enforced`,
      cannotEvaluate: [],
      byDefault: true,
    };
  const sidecarPort =
    mesh === 'istio-sidecar'
      ? ctx.sidecars.inboundPort(target.w, req.port)
      : undefined;
  if (sidecarPort)
    return {
      effect: 'DENY',
      message: `Istio authorization on port ${req.port} cannot be evaluated: ${sidecarPort}`,
      cannotEvaluate: [sidecarPort],
    };
  if (mesh === 'istio-ambient')
    return ambientAuthorization(ctx, target, caller, req);
  if (mesh === 'istio-sidecar') {
    if (ctx.authz.unavailable)
      return {
        effect: 'DENY',
        message: `Istio authorization cannot be evaluated: ${ctx.authz.unavailable}`,
        cannotEvaluate: [`Istio authorization: ${ctx.authz.unavailable}`],
      };
    const tcp = tcpPort(ctx, target, req.port);
    return istioAuthorize(
      istioPolicies ?? ctx.authz.forWorkload(target.w),
      caller,
      req,
      {
        l4Only: tcp !== undefined,
        l4Reason: tcp,
        trustDomains: target.istioMesh.trustDomains,
      },
    );
  }
  if (mesh === 'linkerd')
    return linkerdAuthorize(
      ctx.linkerd,
      target.w,
      target.ns,
      ctx.options.linkerdDefaultInboundPolicy,
      caller,
      req,
    );
  return {
    effect: 'ALLOW',
    message: 'the target has no mesh proxy: no authorization is enforced',
    cannotEvaluate: [],
    byDefault: true,
  };
}

/** Why the proxy in front of the target's `port` receives TCP (core/protocol.ts `istioTcpPort`). */
function tcpPort(
  ctx: EngineContext,
  target: WorkloadInfo,
  port: number,
): string | undefined {
  return istioTcpPort(
    target.w,
    port,
    ctx.snapshot.services,
    ctx.namespaces.get(target.w.namespace),
  );
}

/** Who sends to an ambient workload, as far as waypoints go (istio/waypoint.ts). */
function waypointClient(caller: CallerContext): WaypointClient {
  if (caller.mtls && caller.mesh === 'istio-ambient') return 'ambient';
  if (caller.mtls && caller.mesh === 'istio-sidecar') return 'sidecar';
  return 'outside';
}

/**
 * The Istio authorization of an ambient workload (docs/engine.md "Ambient waypoints"): each way
 * the traffic may take (istio/waypoint.ts `paths`) is an outcome. Without a waypoint the
 * destination ztunnel enforces its policies at L4; through a waypoint, the waypoint's policies
 * (`targetRefs`) decide at L7, while the destination ztunnel's policies would see the
 * waypoint's identity and are not evaluated. The layer allows when every outcome allows.
 */
function ambientAuthorization(
  ctx: EngineContext,
  target: WorkloadInfo,
  caller: CallerContext,
  req: RequestAttrs,
): LayerVerdict {
  if (ctx.authz.unavailable)
    return {
      effect: 'DENY',
      message: `Istio authorization cannot be evaluated: ${ctx.authz.unavailable}`,
      cannotEvaluate: [`Istio authorization: ${ctx.authz.unavailable}`],
    };
  const atZtunnel = ctx.authz.forWorkload(target.w);
  const trustDomains = target.istioMesh.trustDomains;
  const outcomes = ctx.waypoints
    .paths(target.w, req.port, waypointClient(caller))
    .map((path): [TrafficPath, LayerVerdict] => {
      if (path.unknown)
        return [
          path,
          {
            effect: 'DENY',
            message: `Istio authorization cannot be evaluated: ${path.unknown}`,
            cannotEvaluate: [path.unknown],
          },
        ];
      if (!path.waypoint) {
        const verdict = istioAuthorize(atZtunnel, caller, req, {
          l4Only: true,
        });
        return [
          path,
          path.skipped
            ? { ...verdict, message: `${verdict.message} (${path.skipped})` }
            : verdict,
        ];
      }
      const enforcing = atZtunnel.filter(p => apAction(p) !== 'AUDIT');
      if (enforcing.length > 0) {
        const reason = `not evaluated: ${enforcing
          .map(p => `AuthorizationPolicy ${p.namespace}/${p.name}`)
          .join(', ')} behind waypoint ${path.waypoint.namespace}/${
          path.waypoint.name
        } (the destination ztunnel sees the waypoint's identity for traffic through it, the client's otherwise)`;
        return [
          path,
          {
            effect: 'DENY',
            message: `Istio authorization cannot be evaluated: ${reason}`,
            cannotEvaluate: [reason],
          },
        ];
      }
      const tcp = tcpPort(ctx, target, req.port);
      const verdict = istioAuthorize(
        ctx.authz.forWaypoint(path.waypoint, path.service),
        caller,
        req,
        { l4Only: tcp !== undefined, l4Reason: tcp, trustDomains },
      );
      return [
        path,
        {
          ...verdict,
          message: `waypoint ${path.waypoint.namespace}/${path.waypoint.name}: ${verdict.message}`,
        },
      ];
    });
  return combineOutcomes(outcomes);
}

/**
 * One verdict for several ways a request may take: allowed when every way allows (what the
 * client may do is then the union of what each allows), denied when every way denies, and
 * otherwise denied with the difference in `cannotEvaluate` — the client's choice of address
 * decides, which the request does not tell.
 */
function combineOutcomes(
  outcomes: Array<[TrafficPath, LayerVerdict]>,
): LayerVerdict {
  if (outcomes.length === 1) return outcomes[0][1];
  const cannot = [...new Set(outcomes.flatMap(([, v]) => v.cannotEvaluate))];
  const described = (list: Array<[TrafficPath, LayerVerdict]>) =>
    list.map(([path, v]) => `via ${path.via}: ${v.message}`).join('; ');
  const allowed = outcomes.filter(([, v]) => v.effect === 'ALLOW');
  if (allowed.length === outcomes.length) {
    const verdicts = allowed.map(([, v]) => v);
    const union = (pick: (v: LayerVerdict) => string[] | undefined) =>
      verdicts.some(v => pick(v) === undefined)
        ? undefined
        : [...new Set(verdicts.flatMap(v => pick(v) ?? []))].sort();
    const methods = union(v => v.methods);
    const paths = union(v => v.paths);
    const operations = new Map<
      string,
      { methods?: string[]; paths?: string[] }
    >();
    if (methods || paths)
      for (const v of verdicts)
        for (const op of v.operations ?? [
          {
            ...(v.methods ? { methods: v.methods } : {}),
            ...(v.paths ? { paths: v.paths } : {}),
          },
        ])
          operations.set(JSON.stringify(op), op);
    const policy = verdicts.find(v => v.policy)?.policy;
    return {
      effect: 'ALLOW',
      ...(policy ? { policy } : {}),
      message: described(outcomes),
      cannotEvaluate: cannot,
      ...(verdicts.every(v => v.byDefault) ? { byDefault: true } : {}),
      ...(methods ? { methods } : {}),
      ...(paths ? { paths } : {}),
      ...(operations.size > 1 ? { operations: [...operations.values()] } : {}),
    };
  }
  const denied = outcomes.filter(([, v]) => v.effect === 'DENY');
  const first = denied[0][1];
  if (allowed.length === 0)
    return {
      effect: 'DENY',
      ...(first.policy ? { policy: first.policy } : {}),
      message: described(outcomes),
      cannotEvaluate: cannot,
    };
  const split = `Istio authorization depends on how the client addresses the workload: allowed via ${allowed
    .map(([path]) => path.via)
    .join(', ')}, denied via ${denied.map(([path]) => path.via).join(', ')}`;
  return {
    effect: 'DENY',
    ...(first.policy ? { policy: first.policy } : {}),
    message: `${split}; ${described(outcomes)}`,
    cannotEvaluate: [...cannot, split],
  };
}

/**
 * The AuthorizationPolicies that may decide requests to a workload: its own proxy's and, for an
 * ambient workload, those of the waypoints some of its traffic goes through (listings, network
 * peer candidates; the layer itself picks per way, see {@link ambientAuthorization}).
 */
export function istioServerPolicies(
  ctx: EngineContext,
  info: WorkloadInfo,
): ReturnType<EngineContext['authz']['forWorkload']> {
  const own = ctx.authz.forWorkload(info.w);
  if (info.membership.mesh !== 'istio-ambient') return own;
  const through = ctx.waypoints
    .waypointsOf(info.w)
    .flatMap(({ waypoint, service }) =>
      ctx.authz.forWaypoint(waypoint, service),
    );
  return through.length === 0 ? own : [...new Set([...own, ...through])];
}

type ServiceList = Array<{
  namespace: string;
  selector: Record<string, string> | null;
  ports: Array<{ port: number; targetPort?: number | string; name?: string }>;
}>;

/** Per Services list, then per workload (see core/protocol.ts `cache`). */
const tlsPortCache = new WeakMap<
  ServiceList,
  PortMemo<SnapshotWorkload, boolean>
>();

/**
 * Whether a port's application serves TLS itself, by the protocol its name declares: Istio's
 * [explicit protocol selection](https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/#explicit-protocol-selection)
 * reads a port name `<protocol>[-<suffix>]`, and `https` and `tls` are TLS. The container
 * port's name and the names of the Service ports selecting the workload that target it are
 * read. istiod's Services name its own TLS ports so (`https-dns` 15012, `https-webhook` →
 * 15017; [Ports used by Istio](https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio)).
 */
export function servesTls(
  target: WorkloadInfo,
  port: number,
  services: ServiceList,
): boolean {
  let perWorkload = tlsPortCache.get(services);
  if (!perWorkload) tlsPortCache.set(services, (perWorkload = new PortMemo()));
  return perWorkload.get(target.w, port, () =>
    computeServesTls(target, port, services),
  );
}

function computeServesTls(
  target: WorkloadInfo,
  port: number,
  services: ServiceList,
): boolean {
  const tlsName = (name: string | undefined) =>
    !!name && /^(https|tls)(-|$)/i.test(name);
  const w = target.w;
  if (tlsName(w.ports.find(p => p.port === port)?.name)) return true;
  return servicesIn(services, w.namespace).some(
    service =>
      serviceSelects(service, w.labels) &&
      service.ports.some(sp => {
        const targetPort = sp.targetPort ?? sp.port;
        const resolved =
          typeof targetPort === 'number'
            ? targetPort
            : w.ports.find(p => p.name === targetPort)?.port;
        return resolved === port && tlsName(sp.name);
      }),
  );
}

/** Istio's HBONE port: ambient (ztunnel) traffic between meshed pods arrives on it. */
export const HBONE_PORT = 15008;

/**
 * The port the NetworkPolicy layer sees. "Ambient and Kubernetes NetworkPolicy"
 * (https://istio.io/latest/docs/ambient/usage/networkpolicy/): mesh traffic to an ambient pod is
 * tunnelled over HBONE to port 15008, so NetworkPolicies must allow that port, not only the
 * application port.
 */
export function networkPolicyPort(
  target: WorkloadInfo,
  sendsMtls: boolean,
  port: number,
): number {
  return sendsMtls && target.membership.mesh === 'istio-ambient'
    ? HBONE_PORT
    : port;
}

/** Combines the three layers into a decision (DENY when any layer denies). */
export function decide(
  layers: Array<[AccessReason['layer'], LayerVerdict]>,
): AccessDecision {
  const reasons: AccessReason[] = [];
  const cannot: string[] = [];
  let decision: AccessDecision['decision'] = 'ALLOW';
  for (const [layer, v] of layers) {
    reasons.push({
      layer,
      ...(v.policy ? { policy: v.policy } : {}),
      message: v.message,
      effect: v.effect,
    });
    cannot.push(...v.cannotEvaluate);
    if (v.effect === 'DENY') decision = 'DENY';
  }
  return {
    decision,
    reasons,
    ...(cannot.length > 0 ? { cannotEvaluate: [...new Set(cannot)] } : {}),
  };
}

/** Full access check for one request. */
export function checkAccess(
  ctx: EngineContext,
  request: AccessRequest,
): AccessDecision {
  const targetW = ctx.find(request.to);
  if (!targetW)
    throw new WorkloadNotFoundError(
      `workload ${request.to.namespace}/${request.to.name} is not in the snapshot`,
    );
  const target = ctx.info(targetW);
  let callerInfo: WorkloadInfo | undefined;
  let caller: CallerContext;
  let meshedExternal: CallerContext | undefined;
  if (request.from.kind === 'external-workload') {
    const from = request.from as ExternalWorkloadSource;
    const workload = findExternalWorkload(ctx.snapshot, from);
    if (!workload)
      throw new WorkloadNotFoundError(
        `ExternalWorkload ${from.namespace}/${from.name} is not in the snapshot`,
      );
    const contexts = externalWorkloadCallers(workload);
    caller = contexts.plain;
    meshedExternal = contexts.mtls;
  } else if ('namespace' in request.from) {
    const w = ctx.find(request.from);
    if (!w)
      throw new WorkloadNotFoundError(
        `workload ${request.from.namespace}/${request.from.name} is not in the snapshot`,
      );
    callerInfo = ctx.info(w);
    caller = workloadCaller(callerInfo);
  } else caller = externalCaller(request.sourceIp);
  const req: RequestAttrs = {
    port: request.port,
    method: request.method,
    path: request.path,
    host: request.host,
    headers: request.headers,
    mode: 'request',
  };
  const mtls = mtlsLayer(ctx, target, callerInfo, caller, request.port);
  if (callerInfo && mtls.sendsMtls)
    caller = { ...workloadCallers(callerInfo).mtls };
  if (meshedExternal && mtls.sendsMtls) caller = meshedExternal;
  if (callerInfo && request.sourceIp)
    caller = { ...caller, ips: [request.sourceIp] };
  const authz = authorizationLayer(ctx, target, caller, req);
  const netpol = networkPolicyCheck(
    ctx.netpol,
    target.w,
    target.nsLabels,
    caller,
    networkPolicyPort(target, mtls.sendsMtls, request.port),
  );
  return decide(
    notEvaluatedLayers(
      [
        ['mtls', mtls],
        ['authorization', authz],
        ['network-policy', netpol],
      ],
      target,
      callerInfo,
    ),
  );
}

/**
 * Fail closed on unmodelled objects (docs/engine.md "Not evaluated"): a layer that one of them
 * may change (the target's inbound side, the client's outbound side) cannot allow; it says which
 * object was not evaluated.
 */
function notEvaluatedLayers(
  layers: Array<[AccessReason['layer'], LayerVerdict]>,
  target: WorkloadInfo,
  callerInfo: WorkloadInfo | undefined,
): Array<[AccessReason['layer'], LayerVerdict]> {
  const unread = [
    ...target.notEvaluated.inbound,
    ...(callerInfo?.notEvaluated.outbound ?? []),
  ];
  if (unread.length === 0) return layers;
  return layers.map(([layer, verdict]) => {
    const reasons = [
      ...new Set(
        unread.filter(n => n.layers.includes(layer)).map(n => n.reason),
      ),
    ];
    if (reasons.length === 0) return [layer, verdict];
    return [
      layer,
      {
        ...verdict,
        effect: 'DENY',
        message:
          verdict.effect === 'DENY'
            ? verdict.message
            : `${verdict.message}; but ${reasons.join('; ')} (may change this)`,
        cannotEvaluate: [...verdict.cannotEvaluate, ...reasons],
      },
    ];
  });
}
