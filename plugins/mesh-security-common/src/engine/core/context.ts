import {
  Mesh,
  MtlsMode,
  PortMtls,
  Snapshot,
  SnapshotNamespace,
  SnapshotWorkload,
  WorkloadRef,
} from '../../model';
import { AuthorizationIndex } from '../istio/authorizationPolicy';
import { DestinationRuleIndex } from '../istio/destinationRule';
import { LinkerdIndex, linkerdPortMode } from '../linkerd/server';
import { Membership, identityOf, istioRevision, membership } from './mesh';
import {
  PeerAuthenticationIndex,
  combineModes,
  istioPortModes,
} from '../istio/peerAuthentication';
import { NetworkPolicyIndex } from '../networkPolicy/networkPolicy';
import {
  EngineOptions,
  IstioMeshSettings,
  ResolvedOptions,
  istioMeshFor,
  resolveOptions,
  unavailableReason,
} from './options';
import { groupBy } from './selectorIndex';
import { declaredPort, withUncarriedDisabled } from './ports';
import { UnevaluatedIndex, WorkloadNotEvaluated } from './unevaluated';
import { SidecarIndex } from '../istio/sidecar';
import { WaypointIndex } from '../istio/waypoint';

/** What the engine knows about one workload (computed once, cached). */
export interface WorkloadInfo {
  w: SnapshotWorkload;
  ns?: SnapshotNamespace;
  nsLabels: Record<string, string>;
  membership: Membership;
  identity: string | null;
  principal?: string;
  /** The Istio mesh config serving the workload (docs/engine.md "Trust domain"). */
  istioMesh: IstioMeshSettings;
  ports: PortMtls[];
  /** Mode of a port not declared in the template. */
  defaultPort: Omit<PortMtls, 'port'>;
  mtls: MtlsMode;
  mtlsReason?: string;
  /** Ambient only: the PeerAuthentication whose DISABLE has no effect (MS114). */
  ignoredDisable?: string;
  ips?: string[];
  /** Unmodelled objects that may change the workload's verdicts (docs/engine.md "Not evaluated"). */
  notEvaluated: WorkloadNotEvaluated;
}

/** Indexes built once per snapshot; every query reads them. */
export class EngineContext {
  readonly options: ResolvedOptions;
  readonly namespaces: Map<string, SnapshotNamespace>;
  readonly byNamespace: Map<string, SnapshotWorkload[]>;
  readonly peerAuth: PeerAuthenticationIndex;
  readonly authz: AuthorizationIndex;
  readonly netpol: NetworkPolicyIndex;
  readonly linkerd: LinkerdIndex;
  readonly destinationRules: DestinationRuleIndex;
  readonly unevaluated: UnevaluatedIndex;
  readonly sidecars: SidecarIndex;
  readonly waypoints: WaypointIndex;
  /** Why no workload's mesh membership can be known (namespaces or pods were not read). */
  private readonly membershipUnavailable?: string;
  /**
   * Per namespace, its workloads by `kind/name` and by `/name` (the first of that name): built
   * for a namespace when a query first looks into it, not for every snapshot (a context lives
   * for one generation of a changing cluster, and most are never asked for most namespaces).
   */
  private readonly byKey = new Map<string, Map<string, SnapshotWorkload>>();
  private managedSecrets?: Map<string, Set<string>>;

  /** Secrets produced by ExternalSecrets, per namespace. */
  externalSecretTargets(namespace: string): Set<string> {
    if (!this.managedSecrets) {
      this.managedSecrets = new Map();
      for (const e of this.snapshot.externalSecrets) {
        const set = this.managedSecrets.get(e.namespace) ?? new Set<string>();
        set.add(e.targetSecret);
        this.managedSecrets.set(e.namespace, set);
      }
    }
    return this.managedSecrets.get(namespace) ?? new Set();
  }
  private readonly infos = new Map<SnapshotWorkload, WorkloadInfo>();
  /** Where this context's infos are held once released (see {@link EngineContext.holdInfos}). */
  private held?: (w: SnapshotWorkload) => WorkloadInfo | undefined;

  /** The options as given, to tell whether a later context may take this one's indexes. */
  private readonly given: EngineOptions;

  /**
   * `previous`: the context of the snapshot before, whose indexes over the policies are taken
   * as they are when every object but the workloads is the same (docs/engine.md "Incremental
   * evaluation"): a pod event then builds no policy index anew.
   */
  constructor(
    readonly snapshot: Snapshot,
    options: EngineOptions = {},
    previous?: EngineContext,
  ) {
    this.given = options;
    const kept =
      previous !== undefined &&
      previous.given === options &&
      sameButWorkloads(previous.snapshot, snapshot)
        ? previous
        : undefined;
    this.options = kept?.options ?? resolveOptions(snapshot, options);
    this.namespaces = new Map(snapshot.namespaces.map(n => [n.name, n]));
    this.byNamespace = groupBy(snapshot.workloads, w => w.namespace);
    // docs/engine.md "Unavailable inputs": each index knows which of its inputs were not read.
    const o = this.options;
    this.membershipUnavailable = unavailableReason(o, 'namespaces', 'pods');
    // These read no workload and no other index; their caches per workload are keyed by the
    // workload object, which a changed workload replaces.
    this.peerAuth =
      kept?.peerAuth ??
      new PeerAuthenticationIndex(
        snapshot,
        o.rootNamespace,
        unavailableReason(o, 'istioPeerAuthentications', 'istioMeshConfig'),
      );
    this.authz =
      kept?.authz ??
      new AuthorizationIndex(
        snapshot,
        o.rootNamespace,
        unavailableReason(o, 'istioAuthorizationPolicies', 'istioMeshConfig'),
      );
    this.netpol =
      kept?.netpol ??
      new NetworkPolicyIndex(
        snapshot,
        unavailableReason(
          o,
          'networkPolicies',
          'adminNetworkPolicies',
          'ciliumNetworkPolicies',
        ),
      );
    this.linkerd =
      kept?.linkerd ??
      new LinkerdIndex(
        snapshot,
        o.linkerdTrustDomain,
        o.linkerdClusterNetworks,
        {
          anyPort: unavailableReason(o, 'linkerdServers', 'linkerdMeshConfig'),
          serverPort: unavailableReason(o, 'linkerdAuthorizations'),
        },
      );
    this.waypoints = new WaypointIndex(snapshot, ns => this.nsLabels(ns), {
      gateways: unavailableReason(o, 'istioWaypoints'),
      services: unavailableReason(o, 'services'),
    });
    const meshUnread = unavailableReason(o, 'istioMeshConfig');
    this.sidecars = new SidecarIndex(
      snapshot,
      o.rootNamespace,
      w =>
        meshUnread
          ? `(unknown: ${meshUnread})`
          : this.istioMesh(w).outboundTrafficPolicy ?? 'ALLOW_ANY',
      unavailableReason(o, 'istioSidecars'),
      unavailableReason(o, 'services'),
    );
    this.unevaluated = new UnevaluatedIndex(
      snapshot,
      o.rootNamespace,
      ns => this.nsLabels(ns),
      this.sidecars,
      o.istioRevisions,
      unavailableReason(o, 'istioRevisionMeshConfigs'),
      unavailableReason(o, 'linkerdMeshConfig')
        ? undefined
        : o.linkerdClusterNetworks,
    );
    this.destinationRules = new DestinationRuleIndex(
      snapshot,
      o.rootNamespace,
      unavailableReason(
        o,
        'istioDestinationRules',
        'services',
        'istioMeshConfig',
      ),
    );
  }

  /**
   * Forgets everything computed per workload (infos, policy lists, client TLS): once the access
   * graph holds its answers, the context only serves the few queries asked later, so a replica
   * does not keep every workload's intermediate results (docs/benchmarks.md, memory).
   */
  releaseWorkloadCaches(): void {
    this.infos.clear();
    this.authz.releaseCaches();
    this.waypoints.releaseCaches();
    this.netpol.releaseCaches();
    this.destinationRules.releaseCaches();
  }

  /**
   * Takes the info computed by an earlier context for the same workload object, when nothing it
   * depends on changed (engine/incremental.ts decides; docs/engine.md "Incremental evaluation").
   */
  adoptInfo(info: WorkloadInfo): void {
    this.infos.set(info.w, info);
  }

  /**
   * Names where every workload's info of this context stays held after
   * {@link EngineContext.releaseWorkloadCaches}: the incremental evaluator keeps them for the
   * next change, and the queries asked later (the traffic join's, on every page view) read them
   * there instead of computing them again. `held` answers undefined for an info it no longer
   * holds as this context had it (docs/engine.md "Incremental evaluation").
   */
  holdInfos(held: (w: SnapshotWorkload) => WorkloadInfo | undefined): void {
    this.held = held;
  }

  /** Finds a workload by namespace/name (and kind when given). */
  find(ref: WorkloadRef): SnapshotWorkload | undefined {
    if (ref.cluster && ref.cluster !== this.options.cluster) return undefined;
    let keys = this.byKey.get(ref.namespace);
    if (!keys) {
      const workloads = this.byNamespace.get(ref.namespace);
      // (A namespace without workloads is not kept: queries name namespaces at will.)
      if (!workloads) return undefined;
      keys = new Map();
      for (const workload of workloads) {
        keys.set(`${workload.kind}/${workload.name}`, workload);
        if (!keys.has(`/${workload.name}`))
          keys.set(`/${workload.name}`, workload);
      }
      this.byKey.set(ref.namespace, keys);
    }
    return keys.get(`${ref.kind ?? ''}/${ref.name}`);
  }

  /**
   * Which mesh serves a workload, as its info says (`membership.mesh`), without computing the
   * info when it is not kept: a query after the caches were released asks only this.
   */
  meshOf(w: SnapshotWorkload): Mesh {
    const cached = this.infos.get(w);
    if (cached) return cached.membership.mesh;
    return this.membershipUnavailable
      ? 'none'
      : membership(w, this.namespaces.get(w.namespace)).mesh;
  }

  /**
   * The Istio mesh config serving a workload: its revision's ConfigMap for a sidecar workload,
   * else `istio` (an ambient workload's identity comes from ztunnel's control plane).
   */
  istioMesh(w: SnapshotWorkload, mesh?: Mesh): IstioMeshSettings {
    if (this.options.istioRevisions.size === 0) return this.options.istio;
    const m = mesh ?? this.meshOf(w);
    return m === 'istio-sidecar'
      ? istioMeshFor(this.options, istioRevision(w, this.nsLabels(w.namespace)))
      : this.options.istio;
  }

  nsLabels(namespace: string): Record<string, string> {
    return (
      this.namespaces.get(namespace)?.labels ?? {
        'kubernetes.io/metadata.name': namespace,
      }
    );
  }

  /**
   * What the engine knows about a workload; `keep: false` computes it without keeping it (for
   * queries after {@link EngineContext.releaseWorkloadCaches}, such as the traffic join).
   */
  info(w: SnapshotWorkload, keep = true): WorkloadInfo {
    const cached = this.infos.get(w) ?? this.held?.(w);
    if (cached) return cached;
    const ns = this.namespaces.get(w.namespace);
    const observed = membership(w, ns);
    // The pods' containers are still counted; which mesh serves them is not known.
    const m: Membership = this.membershipUnavailable
      ? {
          mesh: 'none',
          pods: observed.pods,
          unknown: this.membershipUnavailable,
        }
      : observed;
    const istioMesh = this.istioMesh(w, m.mesh);
    const { identity, principal } = identityOf(
      m.mesh,
      w.namespace,
      w.serviceAccount,
      istioMesh.trustDomain,
      this.options.linkerdTrustDomain,
    );
    let ports: PortMtls[];
    let defaultPort: Omit<PortMtls, 'port'>;
    let ignoredDisable: string | undefined;
    if (m.unknown) {
      ports = w.ports.map(p => ({
        port: p.port,
        name: p.name,
        protocol: p.protocol,
        mtls: 'UNKNOWN',
        reason: m.unknown,
      }));
      defaultPort = { mtls: 'UNKNOWN', reason: m.unknown };
    } else if (m.mesh === 'istio-sidecar' || m.mesh === 'istio-ambient') {
      const r = istioPortModes(this.peerAuth, w, m.mesh === 'istio-ambient');
      ports = r.ports;
      ignoredDisable = r.ignoredDisable;
      defaultPort = {
        mtls: r.workloadMode.mtls,
        reason: r.workloadMode.reason,
      };
      if (m.mesh === 'istio-sidecar') ports = this.sidecarIngress(w, ports);
    } else if (m.mesh === 'linkerd') {
      const cluster = this.options.linkerdDefaultInboundPolicy;
      ports = w.ports.map(p => ({
        port: p.port,
        name: p.name,
        protocol: p.protocol,
        ...linkerdPortMode(this.linkerd, w, ns, cluster, p.port),
      }));
      defaultPort = linkerdPortMode(this.linkerd, w, ns, cluster, undefined);
    } else {
      const reason = 'no mesh proxy: the workload accepts plaintext only';
      ports = w.ports.map(p => ({
        port: p.port,
        name: p.name,
        protocol: p.protocol,
        mtls: 'DISABLED',
        reason,
      }));
      defaultPort = { mtls: 'DISABLED', reason };
    }
    const notEvaluated = this.unevaluated.forWorkload(w, m.mesh);
    const mtlsUnread = notEvaluated.inbound.filter(n =>
      n.layers.includes('mtls'),
    );
    if (mtlsUnread.length > 0) {
      // Fail closed: an unmodelled object may change what every port accepts.
      const unread = mtlsUnread.map(n => n.reason).join('; ');
      ports = ports.map(p => ({ ...p, mtls: 'UNKNOWN', reason: unread }));
      defaultPort = { mtls: 'UNKNOWN', reason: unread };
    }
    // UDP and SCTP stay plaintext whatever the mesh or its policies (core/ports.ts).
    if (m.unknown || m.mesh !== 'none') ports = withUncarriedDisabled(ports);
    let { mtls, reason } = combineModes(ports, { port: 0, ...defaultPort });
    if (m.mixed && m.pods.meshed > 0 && m.pods.meshed < m.pods.total) {
      mtls = 'PARTIAL';
      reason = `${m.mixed}; pods without a proxy accept plaintext`;
    }
    const ips =
      w.pods.length > 0 && w.pods.every(p => p.podIP)
        ? w.pods.map(p => p.podIP!)
        : undefined;
    const info: WorkloadInfo = {
      w,
      ns,
      nsLabels: this.nsLabels(w.namespace),
      membership: m,
      identity,
      principal,
      istioMesh,
      ports,
      defaultPort,
      mtls,
      mtlsReason: reason,
      ignoredDisable,
      ips,
      notEvaluated,
    };
    if (keep) this.infos.set(w, info);
    return info;
  }

  /** A sidecar workload's ports its Sidecar's `ingress` listeners leave undecided: `UNKNOWN`. */
  private sidecarIngress(w: SnapshotWorkload, ports: PortMtls[]): PortMtls[] {
    return ports.map(p => {
      const reason = this.sidecars.inboundPort(w, p.port);
      return reason ? { ...p, mtls: 'UNKNOWN', reason } : p;
    });
  }

  /**
   * Server mode of one port (declared or not); a number declared with several protocols is its
   * TCP port (core/ports.ts `declaredPort`).
   */
  portMode(info: WorkloadInfo, port: number): Omit<PortMtls, 'port'> {
    const declared = declaredPort(info.ports, port);
    if (declared) return declared;
    if (info.notEvaluated.inbound.some(n => n.layers.includes('mtls')))
      return info.defaultPort;
    if (info.membership.mesh === 'linkerd') {
      return linkerdPortMode(
        this.linkerd,
        info.w,
        info.ns,
        this.options.linkerdDefaultInboundPolicy,
        port,
      );
    }
    if (
      info.membership.mesh === 'istio-sidecar' ||
      info.membership.mesh === 'istio-ambient'
    ) {
      const r = istioPortModes(
        this.peerAuth,
        { ...info.w, ports: [{ port }] },
        info.membership.mesh === 'istio-ambient',
      );
      return info.membership.mesh === 'istio-sidecar'
        ? this.sidecarIngress(info.w, r.ports)[0]
        : r.ports[0];
    }
    return info.defaultPort;
  }
}

/** Every field of two snapshots but their workloads is the same object. */
function sameButWorkloads(a: Snapshot, b: Snapshot): boolean {
  const keys = Object.keys(a) as Array<keyof Snapshot>;
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(k => k === 'workloads' || a[k] === b[k]);
}
