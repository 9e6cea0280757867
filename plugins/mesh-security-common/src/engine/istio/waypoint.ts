import {
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotService,
  SnapshotWorkload,
} from '../../model';
import { selectorMatches, serviceSelects, servicesIn } from '../core/match';
import { isObject } from '../validate/check';

/*
 * Istio ambient waypoints, as "Configure waypoint proxies"
 * (https://istio.io/latest/docs/ambient/usage/waypoint/) and istiod's resolution
 * (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go,
 * `fetchWaypointForTarget`) describe them: a Service or pod label `istio.io/use-waypoint` wins
 * over the namespace's, `none` opts out, `istio.io/use-waypoint-namespace` names the waypoint's
 * namespace; a Service's waypoint serves traffic addressed to the Service, a pod's traffic
 * addressed to the pod ("Ambient data plane", https://istio.io/latest/docs/ambient/architecture/data-plane/),
 * and only when the Gateway handles that traffic type (`istio.io/waypoint-for`, default
 * `service`) and its HBONE listener admits the namespace (`allowedRoutes`, default `Same`).
 */

/** The GatewayClass of Istio's own waypoints. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';
/** The Gateway API group (`Gateway`, `GatewayClass` targetRefs). */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/**
 * The label on the pods istiod deploys for a Gateway, naming it (the waypoint's Service selects
 * its pods by it).
 */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const WAYPOINT_FOR = 'istio.io/waypoint-for';
/** istiod's default listener for waypoint traffic (`makeAllowedRoutes`). */
const HBONE_LISTENER = { protocol: 'HBONE', port: 15008 };

/** A waypoint Gateway, by namespace and name. */
export interface WaypointRef {
  namespace: string;
  name: string;
}

/** One way traffic reaches a workload port, and the waypoint it passes, if any. */
export interface TrafficPath {
  /** How the traffic is addressed: `Service shop/b`, `the pod address`, … */
  via: string;
  /** The Service addressed (Service-addressed traffic). */
  service?: SnapshotService;
  /** The waypoint the traffic goes through. */
  waypoint?: WaypointRef;
  /** Why the waypoint (if any) cannot be known: the path cannot be evaluated. */
  unknown?: string;
  /** Why a waypoint a label names is not used (missing Gateway, traffic type, attachment). */
  skipped?: string;
}

/** Who sends: an ambient client's ztunnel, an Istio sidecar, or a client outside the mesh. */
export type WaypointClient = 'ambient' | 'sidecar' | 'outside';

/** The labelled object: kind, namespace (`''` for a Namespace) and name. */
interface Labelled {
  kind: string;
  namespace: string;
  name: string;
}

interface UseWaypoint extends WaypointRef {
  /** `Namespace shop`, `Service shop/b`, `Deployment shop/b`. */
  on: string;
}

/** The waypoint an object's labels name: `none` opts out, undefined when unlabelled. */
function useWaypoint(
  labels: Record<string, string> | undefined,
  object: Labelled,
): UseWaypoint | 'none' | undefined {
  const name = labels?.[USE_WAYPOINT];
  if (name === undefined) return undefined;
  // istiod reserves `none`: a waypoint named so cannot be used.
  if (name === 'none') return 'none';
  const on = `${object.kind} ${
    object.kind === 'Namespace'
      ? object.name
      : `${object.namespace}/${object.name}`
  }`;
  return {
    name,
    namespace:
      labels?.[USE_WAYPOINT_NAMESPACE] ??
      (object.kind === 'Namespace' ? object.name : object.namespace),
    on,
  };
}

/** Whether a Service port reaches container port `port` of the workload. */
function exposes(
  service: SnapshotService,
  w: SnapshotWorkload,
  port: number,
): boolean {
  return service.ports.some(sp => {
    const target = sp.targetPort ?? sp.port;
    const resolved =
      typeof target === 'number'
        ? target
        : w.ports.find(p => p.name === target)?.port;
    return resolved === port;
  });
}

/** The waypoints of the snapshot and the paths traffic takes to ambient workloads. */
export class WaypointIndex {
  private readonly gateways = new Map<string, SnapshotPolicy<JsonObject>>();
  private readonly services: readonly SnapshotService[];
  private readonly cache = new Map<
    SnapshotWorkload,
    Map<string, TrafficPath[]>
  >();
  /** Some Gateway of class `istio-waypoint` was read. */
  private readonly anyWaypoint: boolean;

  /**
   * `unavailable.gateways`: why the Gateways are not known (input `istioWaypoints`);
   * `unavailable.services`: why the Services are not known.
   */
  constructor(
    snapshot: Snapshot,
    private readonly nsLabels: (namespace: string) => Record<string, string>,
    private readonly unavailable: { gateways?: string; services?: string },
  ) {
    for (const o of snapshot.unevaluated ?? [])
      if (
        o.kind === 'Gateway' &&
        o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)
      )
        this.gateways.set(`${o.namespace}/${o.name}`, o);
    this.anyWaypoint = [...this.gateways.values()].some(
      g => g.spec.gatewayClassName === WAYPOINT_GATEWAY_CLASS,
    );
    this.services = snapshot.services;
  }

  /** Forgets the paths computed per workload (see EngineContext.releaseWorkloadCaches). */
  releaseCaches(): void {
    this.cache.clear();
  }

  /** The Services of the workload's namespace whose selector selects it. */
  private selecting(w: SnapshotWorkload): SnapshotService[] {
    return servicesIn(this.services, w.namespace).filter(s =>
      serviceSelects(s, w.labels),
    );
  }

  /**
   * Whether a label asks for a waypoint for some of the workload's traffic (the pod, its
   * namespace or a Service selecting it; `none` does not).
   */
  labelled(w: SnapshotWorkload): boolean {
    const names = (labels?: Record<string, string>) =>
      !!labels?.[USE_WAYPOINT] && labels[USE_WAYPOINT] !== 'none';
    return (
      names(w.labels) ||
      names(this.nsLabels(w.namespace)) ||
      this.selecting(w).some(s => names(s.labels))
    );
  }

  /**
   * The paths of traffic from a client to container port `port` of an ambient workload, each an
   * outcome: an ambient client's ztunnel sends traffic addressed to a Service to the Service's
   * waypoint and traffic addressed to the pod to the pod's ("Ambient data plane", "In mesh
   * routing"); a client outside the mesh knows nothing of waypoints and sends to the pod
   * directly ("Inbound"); Istio sidecars are documented there as not using waypoints either,
   * while istiod also configures sidecars for waypoints (`sidecar_interop.go` in the same
   * package), so both are outcomes for them.
   */
  paths(
    w: SnapshotWorkload,
    port: number,
    client: WaypointClient,
  ): TrafficPath[] {
    let byKey = this.cache.get(w);
    if (!byKey) this.cache.set(w, (byKey = new Map()));
    const key = `${port}/${client}`;
    let hit = byKey.get(key);
    if (!hit) byKey.set(key, (hit = this.computePaths(w, port, client)));
    return hit;
  }

  private computePaths(
    w: SnapshotWorkload,
    port: number,
    client: WaypointClient,
  ): TrafficPath[] {
    const direct: TrafficPath = {
      via:
        client === 'outside'
          ? 'the pod directly (a client outside the ambient mesh does not use waypoints)'
          : 'the pod directly (an Istio sidecar may not use waypoints)',
    };
    if (client === 'outside') return [direct];
    const namespaceUse = useWaypoint(this.nsLabels(w.namespace), {
      kind: 'Namespace',
      namespace: '',
      name: w.namespace,
    });
    const out: TrafficPath[] = [];
    if (
      this.unavailable.services &&
      (this.anyWaypoint || this.unavailable.gateways)
    )
      out.push({
        via: 'a Service',
        unknown: `the Services selecting the workload and the waypoints they use cannot be known: ${this.unavailable.services}`,
      });
    else
      for (const service of this.selecting(w)) {
        if (!exposes(service, w, port)) continue;
        const own = useWaypoint(service.labels, {
          kind: 'Service',
          namespace: service.namespace,
          name: service.name,
        });
        out.push(
          this.resolve(
            own ?? namespaceUse,
            'service',
            service.namespace,
            `Service ${service.namespace}/${service.name}`,
            service,
          ),
        );
      }
    const podUse = useWaypoint(w.labels, {
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
    });
    out.push(
      this.resolve(
        podUse ?? namespaceUse,
        'workload',
        w.namespace,
        'the pod address',
      ),
    );
    if (client === 'sidecar') out.push(direct);
    // Ways without a waypoint all meet the destination ztunnel alone: one outcome.
    const decided = out.filter(p => p.waypoint || p.unknown);
    const plain = out.filter(p => !p.waypoint && !p.unknown);
    const skipped = plain.flatMap(p => (p.skipped ? [p.skipped] : []));
    if (plain.length > 0)
      decided.push({
        via: plain.map(p => p.via).join(', '),
        ...(skipped.length > 0
          ? { skipped: [...new Set(skipped)].join('; ') }
          : {}),
      });
    return decided;
  }

  /** istiod's `fetchWaypointForService` / `fetchWaypointForWorkload` for one path. */
  private resolve(
    use: UseWaypoint | 'none' | undefined,
    traffic: 'service' | 'workload',
    from: string,
    via: string,
    service?: SnapshotService,
  ): TrafficPath {
    const path: TrafficPath = { via, ...(service ? { service } : {}) };
    if (use === undefined || use === 'none') return path;
    const skipped = this.skippedBecause(use, traffic, from);
    if (skipped === undefined)
      return {
        ...path,
        waypoint: { namespace: use.namespace, name: use.name },
      };
    return { ...path, ...skipped };
  }

  /**
   * Why istiod does not use the waypoint a label names for `traffic` from namespace `from`
   * (`skipped`), or why that cannot be known (`unknown`); undefined when it is used.
   */
  private skippedBecause(
    use: UseWaypoint,
    traffic: 'service' | 'workload',
    from: string,
  ): { skipped: string } | { unknown: string } | undefined {
    const named = `waypoint ${use.namespace}/${use.name} (istio.io/use-waypoint on ${use.on})`;
    if (this.unavailable.gateways)
      return {
        unknown: `${named} cannot be known: ${this.unavailable.gateways}`,
      };
    const gateway = this.gateways.get(`${use.namespace}/${use.name}`);
    // istiod: "waypoint is not ready", no fallback to the namespace's waypoint.
    if (!gateway)
      return {
        skipped: `${named} is not in the input: istiod sends the traffic without a waypoint`,
      };
    const gatewayClass = String(gateway.spec.gatewayClassName);
    if (gatewayClass !== WAYPOINT_GATEWAY_CLASS)
      return {
        unknown: `${named} is a Gateway of class ${gatewayClass}, not ${WAYPOINT_GATEWAY_CLASS}: not modelled`,
      };
    const handles = gateway.labels?.[WAYPOINT_FOR] ?? 'service';
    if (handles !== traffic && handles !== 'all')
      return {
        skipped: `${named} handles ${handles} traffic (istio.io/waypoint-for), not ${traffic} traffic: istiod uses no waypoint`,
      };
    if (!admits(gateway, from, this.nsLabels(from)))
      return {
        skipped: `${named} does not admit namespace ${from} (allowedRoutes of its HBONE listener): istiod uses no waypoint`,
      };
    return undefined;
  }

  /**
   * Why istiod does not use a waypoint a label names for the workload's traffic (for MS215),
   * over its Services and its pods; a namespace waypoint for services only is the documented
   * default, not reported for the pods.
   */
  skipped(w: SnapshotWorkload): string[] {
    const out: string[] = [];
    const namespaceUse = useWaypoint(this.nsLabels(w.namespace), {
      kind: 'Namespace',
      namespace: '',
      name: w.namespace,
    });
    const check = (
      use: UseWaypoint | 'none' | undefined,
      traffic: 'service' | 'workload',
      from: string,
    ) => {
      if (use === undefined || use === 'none') return;
      const why = this.skippedBecause(use, traffic, from);
      if (why && 'skipped' in why) out.push(why.skipped);
    };
    for (const service of this.selecting(w))
      check(
        useWaypoint(service.labels, {
          kind: 'Service',
          namespace: service.namespace,
          name: service.name,
        }) ?? namespaceUse,
        'service',
        service.namespace,
      );
    check(
      useWaypoint(w.labels, {
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
      }),
      'workload',
      w.namespace,
    );
    return [...new Set(out)];
  }

  /**
   * The waypoint whose proxy a workload is: istiod deploys a Gateway of class `istio-waypoint`
   * as a Deployment of the Gateway's name in its namespace, its pods labelled
   * `gateway.networking.k8s.io/gateway-name: <Gateway>`. `workload` is a workload of the
   * snapshot, or a namespace and name only (a workload the metrics name that the snapshot does
   * not hold: in manifests the waypoint's Deployment, which istiod creates, is not there);
   * undefined when it is none.
   */
  proxyOf(
    workload:
      | SnapshotWorkload
      | { namespace: string; name: string; labels?: undefined },
  ): WaypointRef | undefined {
    const name = workload.labels
      ? workload.labels[GATEWAY_NAME_LABEL]
      : workload.name;
    if (!name) return undefined;
    const gateway = this.gateways.get(`${workload.namespace}/${name}`);
    return gateway?.spec.gatewayClassName === WAYPOINT_GATEWAY_CLASS
      ? { namespace: workload.namespace, name }
      : undefined;
  }

  /** The waypoints some traffic to the workload goes through (any port, any client). */
  waypointsOf(w: SnapshotWorkload): Array<{
    waypoint: WaypointRef;
    service?: SnapshotService;
  }> {
    const ports = new Set<number>(w.ports.map(p => p.port));
    for (const service of this.selecting(w))
      for (const sp of service.ports)
        if (typeof (sp.targetPort ?? sp.port) === 'number')
          ports.add(Number(sp.targetPort ?? sp.port));
    const out = new Map<
      string,
      { waypoint: WaypointRef; service?: SnapshotService }
    >();
    for (const port of ports)
      for (const path of this.paths(w, port, 'ambient'))
        if (path.waypoint)
          out.set(
            `${path.waypoint.namespace}/${path.waypoint.name}|${
              path.service
                ? `${path.service.namespace}/${path.service.name}`
                : ''
            }`,
            {
              waypoint: path.waypoint,
              ...(path.service ? { service: path.service } : {}),
            },
          );
    return [...out.values()];
  }
}

/**
 * Whether a waypoint admits a namespace: its listener on 15008/HBONE (else `Same`)
 * `allowedRoutes.namespaces.from` — `All`, `Selector` (the namespace's labels; no selector
 * selects nothing) or `Same` (the default) — as istiod's `AllowsAttachmentFromNamespace` reads it.
 */
function admits(
  gateway: SnapshotPolicy<JsonObject>,
  namespace: string,
  labels: Record<string, string>,
): boolean {
  const listeners = Array.isArray(gateway.spec.listeners)
    ? gateway.spec.listeners.filter(isObject)
    : [];
  const hbone = listeners.find(
    l =>
      l.protocol === HBONE_LISTENER.protocol && l.port === HBONE_LISTENER.port,
  );
  const allowed =
    hbone &&
    isObject(hbone.allowedRoutes) &&
    isObject(hbone.allowedRoutes.namespaces)
      ? hbone.allowedRoutes.namespaces
      : undefined;
  const from = typeof allowed?.from === 'string' ? allowed.from : 'Same';
  if (from === 'All') return true;
  if (from === 'Selector')
    return isObject(allowed?.selector)
      ? selectorMatches(allowed?.selector as LabelSelector, labels)
      : false;
  return gateway.namespace === namespace;
}
