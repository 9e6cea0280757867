import {
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { hostScore } from '../istio/hosts';
import { readServiceEntry, serviceVisible } from '../istio/serviceRegistry';
import { apTargetRefs } from '../istio/authorizationPolicy';
import { GATEWAY_API_GROUP } from '../istio/waypoint';
import { Json, isObject } from '../validate/check';
import {
  cidrContains,
  selectorMatches,
  serviceSelects,
  servicesIn,
} from './match';
import { SidecarIndex } from '../istio/sidecar';
import { istioRevision } from './mesh';
import { egressReachesCluster } from '../linkerd/egressNetwork';
import { gatewayRouteServers } from '../validate/linkerd';
import { IstioMeshSettings } from './options';
import {
  AdminNetworkPolicyIndex,
  adminPriority,
  adminSubjectSelects,
} from '../networkPolicy/adminNetworkPolicy';
import {
  ciliumRules as ciliumPolicyRules,
  readableEndpointSelector,
} from '../networkPolicy/ciliumNetworkPolicy';

/*
 * Objects and settings that change verdicts but are not modelled (docs/engine.md "Not
 * evaluated"). Each one gets a scope (the workloads it may affect, as servers and as clients) and
 * the layers it may change; those verdicts become "not evaluated: <what>" instead of a silent
 * answer. Scopes err wide: an object whose reach cannot be told affects every workload it could.
 */

/**
 * What an unmodelled object may change: a layer of access decisions (`mtls`, `authorization`,
 * `network-policy`), or only the set of peers (callers or callees outside the snapshot).
 */
type UnevaluatedLayer = 'mtls' | 'authorization' | 'network-policy' | 'peers';

/** One unmodelled object or setting affecting a workload. */
interface NotEvaluated {
  /** `not evaluated: <Kind ns/name>` (or the setting), the text verdicts carry. */
  reason: string;
  /** The object or setting, e.g. `Sidecar shop/default`. */
  ref: string;
  /** What it may change. */
  layers: UnevaluatedLayer[];
}

/** The unmodelled objects affecting one workload, as a server and as a client. */
export interface WorkloadNotEvaluated {
  inbound: NotEvaluated[];
  outbound: NotEvaluated[];
}

/** The scope of one source: a predicate over workloads and the layers each side may change. */
interface Source {
  ref: string;
  /** Finding object: kind, namespace and name of what to fix. */
  object: { kind: string; namespace: string; name: string };
  applies: (w: SnapshotWorkload, mesh: string) => boolean;
  inbound: UnevaluatedLayer[];
  outbound: UnevaluatedLayer[];
  /**
   * Set for an input that could not be read (docs/engine.md "Unavailable inputs") rather than
   * an object read but not modelled: verdicts carry this reason instead of "not evaluated", and
   * no MS408 is raised.
   */
  unavailable?: string;
}

const NONE: WorkloadNotEvaluated = { inbound: [], outbound: [] };
const isIstio = (mesh: string) =>
  mesh === 'istio-sidecar' || mesh === 'istio-ambient';

/**
 * A selector's match, failing closed: a selector the engine cannot read (not an object, an
 * unknown operator) selects everything.
 */
function mayMatch(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isObject(selector)) return true;
  const exprs = selector.matchExpressions;
  if (
    exprs !== undefined &&
    (!Array.isArray(exprs) ||
      exprs.some(
        e =>
          !isObject(e) ||
          !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(
            String(e.operator),
          ),
      ))
  )
    return true;
  return selectorMatches(selector as LabelSelector, labels);
}

/**
 * Cilium endpoint selectors: labels may carry a source prefix (`k8s:`, `any:`); the namespace is
 * the label `io.kubernetes.pod.namespace` ("Endpoint Selector" in Cilium's policy language).
 * Other prefixes (`reserved:`, `cidr:`) are not pod labels: such a selector may select anything.
 */
function ciliumMatches(
  selector: unknown,
  w: SnapshotWorkload,
  namespace?: string,
): boolean {
  if (!isObject(selector)) return true;
  const strip = (key: string): string | undefined => {
    const m = /^([a-z0-9]+):(.*)$/.exec(key);
    if (!m) return key;
    return m[1] === 'k8s' || m[1] === 'any' ? m[2] : undefined;
  };
  const labels: Record<string, string> = {
    ...w.labels,
    'io.kubernetes.pod.namespace': w.namespace,
  };
  const matchLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    isObject(selector.matchLabels) ? selector.matchLabels : {},
  )) {
    const k = strip(key);
    if (k === undefined) return true;
    matchLabels[k] = String(value);
  }
  const exprs: Json[] = Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions.filter(isObject)
    : [];
  const matchExpressions = [];
  for (const e of exprs) {
    const k = strip(String(e.key));
    if (k === undefined) return true;
    matchExpressions.push({ ...e, key: k });
  }
  if (namespace !== undefined && w.namespace !== namespace) return false;
  return mayMatch({ matchLabels, matchExpressions }, labels);
}

/** Cilium rules: the spec itself or its `specs` list; selectors and directions of each. */
function ciliumRules(spec: JsonObject): Json[] {
  const rules = [
    ...(isObject(spec) && Object.keys(spec).some(k => k !== 'specs')
      ? [spec as Json]
      : []),
    ...(Array.isArray(spec.specs) ? spec.specs.filter(isObject) : []),
  ];
  return rules.length > 0 ? rules : [{}];
}

const has = (rule: Json, prefix: string) =>
  Object.keys(rule).some(k => k.startsWith(prefix));

/** Directions a network object may restrict: ingress, egress, or (unreadable) both. */
function directions(
  ingress: boolean,
  egress: boolean,
): Pick<Source, 'inbound' | 'outbound'> {
  const both = !ingress && !egress;
  return {
    inbound: ingress || both ? ['network-policy'] : [],
    outbound: egress || both ? ['network-policy'] : [],
  };
}

/**
 * AuthorizationPolicy `targetRefs` the engine models: a core `Service`, a waypoint `Gateway` and
 * the `GatewayClass` (docs/engine.md "Ambient waypoints").
 */
function modelledTargetRef(ref: Json): boolean {
  if (ref.kind === 'Service')
    return ref.group === undefined || ref.group === '' || ref.group === 'core';
  return (
    (ref.kind === 'Gateway' || ref.kind === 'GatewayClass') &&
    ref.group === GATEWAY_API_GROUP
  );
}

/** The unmodelled objects of a snapshot, indexed by the workloads they may affect. */
export class UnevaluatedIndex {
  readonly sources: Source[] = [];
  private readonly cache = new WeakMap<
    SnapshotWorkload,
    WorkloadNotEvaluated
  >();

  constructor(
    snapshot: Snapshot,
    rootNamespace: string,
    nsLabels: (ns: string) => Record<string, string>,
    sidecars?: SidecarIndex,
    istioRevisions?: ReadonlyMap<string, IstioMeshSettings>,
    istioRevisionsUnread?: string,
    linkerdClusterNetworks?: string[],
  ) {
    this.linkerdClusterNetworks = linkerdClusterNetworks;
    const add = (source: Source) => this.sources.push(source);
    if (sidecars?.any) this.addSidecarIssues(snapshot, sidecars);
    this.addAdminTies(snapshot, nsLabels);
    const behind = (namespace: string, name?: string) => {
      const selectors = servicesIn(snapshot.services, namespace)
        .filter(s => name === undefined || s.name === name)
        .map(s => s.selector)
        .filter(
          (s): s is Record<string, string> => !!s && Object.keys(s).length > 0,
        );
      return (w: SnapshotWorkload) =>
        w.namespace === namespace &&
        selectors.some(s => selectorMatches({ matchLabels: s }, w.labels));
    };
    for (const o of snapshot.unevaluated ?? [])
      this.addObject(o, behind, snapshot);
    // DestinationRule `exportTo`: `.`, `*`, namespace names and a lone `~` (no namespace) are
    // modelled (istio/destinationRule.ts). Istio's validation rejects `~` on a DestinationRule;
    // beside other entries, or on a rule with a `workloadSelector` (which istiod keeps in its
    // namespace whatever `exportTo` says), whether the rule exists at all decides, so it is not
    // evaluated.
    for (const rule of snapshot.istio.destinationRules) {
      const exportTo = rule.spec.exportTo;
      if (
        !Array.isArray(exportTo) ||
        exportTo.every(v => typeof v === 'string' && v !== '~') ||
        (exportTo.length === 1 && rule.spec.workloadSelector === undefined)
      )
        continue;
      const host = typeof rule.spec.host === 'string' ? rule.spec.host : '*';
      const targets = snapshot.services
        .filter(
          s =>
            hostScore(
              host,
              `${s.name}.${s.namespace}.svc.cluster.local`,
              rule.namespace,
            ) >= 0,
        )
        .map(s => behind(s.namespace, s.name));
      add({
        ref: `exportTo of DestinationRule ${rule.namespace}/${rule.name}`,
        object: {
          kind: 'DestinationRule',
          namespace: rule.namespace,
          name: rule.name,
        },
        applies: (w, mesh) => isIstio(mesh) && targets.some(t => t(w)),
        inbound: ['mtls'],
        outbound: [],
      });
    }
    // AuthorizationPolicy `targetRefs` to a ServiceEntry (or a kind Istio does not document):
    // Services, waypoint Gateways and the GatewayClass are modelled (istio/waypoint.ts); a
    // ServiceEntry's waypoint serves hosts outside the snapshot's Services. Scope: every ambient
    // workload a label sends to a waypoint.
    const waypointLabelled = (w: SnapshotWorkload) => {
      const named = (labels?: Record<string, string>) =>
        !!labels?.['istio.io/use-waypoint'] &&
        labels['istio.io/use-waypoint'] !== 'none';
      return (
        named(w.labels) ||
        named(nsLabels(w.namespace)) ||
        servicesIn(snapshot.services, w.namespace).some(
          s => named(s.labels) && serviceSelects(s, w.labels),
        )
      );
    };
    for (const policy of snapshot.istio.authorizationPolicies) {
      const kinds = apTargetRefs(policy)
        .filter(r => !modelledTargetRef(r))
        .map(r => String(r.kind));
      if (kinds.length === 0) continue;
      add({
        ref: `AuthorizationPolicy ${policy.namespace}/${
          policy.name
        } (targetRefs ${[...new Set(kinds)].join(', ')})`,
        object: {
          kind: 'AuthorizationPolicy',
          namespace: policy.namespace,
          name: policy.name,
        },
        applies: (w, mesh) => mesh === 'istio-ambient' && waypointLabelled(w),
        inbound: ['authorization'],
        outbound: [],
      });
    }
    // Revisioned mesh configs (docs/engine.md "Trust domain"): modelled for sidecar workloads
    // except a `rootNamespace` other than the one the engine uses, which would move the
    // mesh-wide policies of that revision's workloads; an ambient workload's mesh config is its
    // ztunnel's control plane's, which the snapshot does not tell.
    for (const [revision, mesh] of istioRevisions ?? []) {
      const object = {
        kind: 'ConfigMap',
        namespace: 'istio-system',
        name: mesh.configMap,
      };
      const ofRevision = (w: SnapshotWorkload) =>
        istioRevision(w, nsLabels(w.namespace)) === revision;
      add({
        ref: `ConfigMap istio-system/${mesh.configMap} (ambient workload)`,
        object,
        applies: (w, m) => m === 'istio-ambient' && ofRevision(w),
        inbound: ['mtls', 'authorization'],
        outbound: [],
      });
      if (mesh.rootNamespace !== rootNamespace)
        add({
          ref: `rootNamespace ${mesh.rootNamespace} of ConfigMap istio-system/${mesh.configMap}`,
          object,
          applies: (w, m) => m === 'istio-sidecar' && ofRevision(w),
          inbound: ['mtls', 'authorization'],
          outbound: ['mtls', 'peers'],
        });
      // docs/engine.md "Istio service registry": the exportTo defaults are modelled from
      // ConfigMap `istio`; a revision's own (unset: Istio's `*`) would give its sidecar clients
      // other registries.
      const own = snapshot.meshConfig?.istioRevisions?.[revision];
      const base = snapshot.meshConfig?.istio;
      for (const key of [
        'defaultServiceExportTo',
        'defaultDestinationRuleExportTo',
      ] as const) {
        const value = (v?: string[]) => [...(v ?? ['*'])].sort().join(',');
        if (value(own?.[key]) !== value(base?.[key]))
          add({
            ref: `${key} of ConfigMap istio-system/${mesh.configMap}`,
            object,
            applies: (w, m) => m === 'istio-sidecar' && ofRevision(w),
            inbound: [],
            outbound: ['mtls', 'peers'],
          });
      }
    }
    // ConfigMaps `istio-<revision>` that could not be read (input `istioRevisionMeshConfigs`):
    // whether a workload's revision has one is not known, so neither is its mesh config — the
    // workloads of any revision, as the rows above would scope them, fail closed rather than
    // take `istio`'s trust domain.
    if (istioRevisionsUnread) {
      const object = {
        kind: 'ConfigMap',
        namespace: 'istio-system',
        name: 'istio-<revision>',
      };
      const unavailable = `the mesh config of the workload's Istio revision is unknown: ${istioRevisionsUnread}`;
      const revised = (w: SnapshotWorkload) =>
        istioRevision(w, nsLabels(w.namespace)) !== undefined;
      add({
        ref: 'ConfigMaps istio-system/istio-<revision> (sidecar workload)',
        object,
        applies: (w, m) => m === 'istio-sidecar' && revised(w),
        inbound: ['mtls', 'authorization'],
        outbound: ['mtls', 'peers'],
        unavailable,
      });
      add({
        ref: 'ConfigMaps istio-system/istio-<revision> (ambient workload)',
        object,
        applies: (w, m) => m === 'istio-ambient' && revised(w),
        inbound: ['mtls', 'authorization'],
        outbound: [],
        unavailable,
      });
    } else if (
      snapshot.meshConfig?.istio !== undefined ||
      (istioRevisions?.size ?? 0) > 0
    )
      this.addRevisionsWithoutMeshConfig(snapshot, nsLabels, istioRevisions);
  }

  /**
   * A revision named by `istio.io/rev` that has no ConfigMap `istio-<revision>` while the input
   * holds Istio mesh ConfigMaps (docs/engine.md "Trust domain"): most likely a revision tag
   * ("Canary upgrades" › "Stable revision labels",
   * https://istio.io/latest/docs/setup/upgrade/canary/#stable-revision-labels), a webhook that
   * points to some revision's istiod, which the engine does not read — so the mesh config
   * serving its workloads is unknown, not `istio`'s. `default` is served by `istio`. Without any
   * mesh ConfigMap (GitOps repositories often hold none) the workloads keep `istio`'s defaults.
   */
  private addRevisionsWithoutMeshConfig(
    snapshot: Snapshot,
    nsLabels: (ns: string) => Record<string, string>,
    istioRevisions?: ReadonlyMap<string, IstioMeshSettings>,
  ): void {
    const revisionOf = (w: SnapshotWorkload) =>
      istioRevision(w, nsLabels(w.namespace));
    const missing = new Set<string>();
    for (const w of snapshot.workloads) {
      const revision = revisionOf(w);
      if (
        revision !== undefined &&
        revision !== 'default' &&
        !istioRevisions?.has(revision)
      )
        missing.add(revision);
    }
    for (const revision of [...missing].sort()) {
      const ref = `istio.io/rev ${revision} (revision ${revision} has no mesh ConfigMap istio-${revision}: a revision tag? tags are not read)`;
      const object = {
        kind: 'ConfigMap',
        namespace: 'istio-system',
        name: `istio-${revision}`,
      };
      const ofRevision = (w: SnapshotWorkload) => revisionOf(w) === revision;
      this.sources.push(
        {
          ref,
          object,
          applies: (w, m) => m === 'istio-sidecar' && ofRevision(w),
          inbound: ['mtls', 'authorization'],
          outbound: ['mtls', 'peers'],
        },
        {
          ref,
          object,
          applies: (w, m) => m === 'istio-ambient' && ofRevision(w),
          inbound: ['mtls', 'authorization'],
          outbound: [],
        },
      );
    }
  }

  /**
   * Istio Sidecars are modelled (istio/sidecar.ts); the parts the engine cannot decide without
   * guessing (an undefined choice between Sidecars, unmodelled listener settings) are sources
   * of their own, one per Sidecar and reason, for the sidecar workloads they concern.
   */
  private addSidecarIssues(snapshot: Snapshot, sidecars: SidecarIndex): void {
    const seen = new Map<string, Source>();
    for (const w of snapshot.workloads)
      for (const issue of sidecars.effective(w).issues) {
        const o = issue.object;
        const ref = `Sidecar ${o.namespace}/${o.name} (${issue.why})`;
        let source = seen.get(ref);
        if (!source) {
          const key = issue.why;
          const object = {
            kind: 'Sidecar',
            namespace: o.namespace,
            name: o.name,
          };
          source = {
            ref,
            object,
            applies: (x, mesh) =>
              mesh === 'istio-sidecar' &&
              sidecars
                .effective(x)
                .issues.some(i => i.object === o && i.why === key),
            inbound: [],
            outbound: [],
          };
          seen.set(ref, source);
          this.sources.push(source);
        }
        if (issue.side === 'inbound')
          source.inbound = ['mtls', 'authorization'];
        else source.outbound = ['mtls', 'peers'];
      }
  }

  /**
   * AdminNetworkPolicies sharing a priority: upstream leaves undefined which one applies
   * (docs/engine.md "AdminNetworkPolicy"), so the direction two of them select a workload for is
   * not evaluated rather than decided by a guessed order.
   */
  private addAdminTies(
    snapshot: Snapshot,
    nsLabels: (ns: string) => Record<string, string>,
  ): void {
    for (const tie of new AdminNetworkPolicyIndex(snapshot).ties()) {
      const ref = `AdminNetworkPolicy ${tie
        .map(p => p.name)
        .join(', ')} (same priority ${adminPriority(tie[0])})`;
      const object = {
        kind: 'AdminNetworkPolicy',
        namespace: '',
        name: tie[0].name,
      };
      const twice =
        (direction: 'ingress' | 'egress') => (w: SnapshotWorkload) =>
          tie.filter(
            p =>
              Array.isArray(p.spec[direction]) &&
              (p.spec[direction] as unknown[]).length > 0 &&
              adminSubjectSelects(p, w, nsLabels(w.namespace)),
          ).length > 1;
      this.sources.push(
        {
          ref,
          object,
          applies: twice('ingress'),
          inbound: ['network-policy'],
          outbound: [],
        },
        {
          ref,
          object,
          applies: twice('egress'),
          inbound: [],
          outbound: ['network-policy'],
        },
      );
    }
  }

  private addObject(
    o: SnapshotPolicy<JsonObject>,
    behind: (ns: string, name?: string) => (w: SnapshotWorkload) => boolean,
    snapshot: Snapshot,
  ): void {
    const spec = o.spec;
    const ref = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    const object = { kind: o.kind, namespace: o.namespace, name: o.name };
    const add = (
      applies: Source['applies'],
      inbound: UnevaluatedLayer[],
      outbound: UnevaluatedLayer[],
    ) => this.sources.push({ ref, object, applies, inbound, outbound });
    switch (o.kind) {
      case 'Sidecar':
        // Modelled (istio/sidecar.ts); what it leaves undecided is added by the constructor.
        break;
      case 'Gateway':
        // Waypoints, modelled (istio/waypoint.ts); other Gateways carry no mesh traffic the
        // engine reports on.
        break;
      case 'ServiceEntry': {
        // Modelled (istio/serviceRegistry.ts): `workloadSelector` entries, and entries whose
        // hosts and endpoints are all outside the cluster (callees outside the snapshot). The
        // others may change the hosts of the workloads they reach: pods they select, workloads
        // behind in-cluster Services their hosts name, pods their endpoints or addresses name.
        const podIps = (w: SnapshotWorkload) =>
          w.pods.flatMap(p => (p.podIP ? [p.podIP] : []));
        const reading = readServiceEntry(
          o,
          snapshot.services,
          snapshot.workloads.flatMap(podIps),
        );
        if (reading.kind !== 'unmodelled') break;
        const entryRef = `${ref} (${reading.why})`;
        const exportTo =
          Array.isArray(spec.exportTo) &&
          spec.exportTo.every(v => typeof v === 'string')
            ? (spec.exportTo as string[])
            : undefined;
        const hosts = Array.isArray(spec.hosts) ? spec.hosts.map(String) : [];
        const internal = snapshot.services
          .filter(s =>
            hosts.some(
              h =>
                hostScore(
                  h,
                  `${s.name}.${s.namespace}.svc.cluster.local`,
                  o.namespace,
                ) >= 0,
            ),
          )
          .map(s => behind(s.namespace, s.name));
        const selector = isObject(spec.workloadSelector)
          ? { matchLabels: spec.workloadSelector.labels }
          : undefined;
        const addresses = [
          ...(Array.isArray(spec.endpoints) ? spec.endpoints : []).map(e =>
            isObject(e) ? e.address : undefined,
          ),
          ...(Array.isArray(spec.addresses) ? spec.addresses : []),
        ].filter((a): a is string => typeof a === 'string');
        const named = (w: SnapshotWorkload) =>
          podIps(w).some(ip =>
            addresses.some(a =>
              a.includes('/') ? cidrContains(a, ip) !== false : a === ip,
            ),
          );
        const source = (
          applies: Source['applies'],
          inbound: UnevaluatedLayer[],
          outbound: UnevaluatedLayer[],
        ) =>
          this.sources.push({
            ref: entryRef,
            object,
            applies,
            inbound,
            outbound,
          });
        source(
          (w, mesh) =>
            isIstio(mesh) &&
            ((selector !== undefined &&
              w.namespace === o.namespace &&
              mayMatch(selector, w.labels)) ||
              internal.some(t => t(w)) ||
              named(w)),
          ['mtls', 'authorization'],
          [],
        );
        source(
          (w, mesh) =>
            isIstio(mesh) && serviceVisible(exportTo, o.namespace, w.namespace),
          [],
          ['peers'],
        );
        break;
      }
      case 'GRPCRoute': {
        // The Gateway API's GRPCRoutes on Linkerd Servers (the reader keeps no other): they route
        // a gRPC Server's requests (unmatched ones are refused) and carry route authorizations,
        // and an HTTPRoute on a Server that has one is refused ("route conflicted"). Not modelled:
        // the authorization of the pods the Servers they attach to select.
        const parents = new Set(gatewayRouteServers(spec));
        const servers = snapshot.linkerd.servers.filter(
          s => s.namespace === o.namespace && parents.has(s.name),
        );
        add(
          (w, mesh) =>
            mesh === 'linkerd' &&
            servers.some(
              s =>
                isObject(s.spec.podSelector) &&
                w.namespace === s.namespace &&
                mayMatch(s.spec.podSelector as LabelSelector, w.labels),
            ),
          ['authorization'],
          [],
        );
        break;
      }
      case 'ExternalWorkload':
        // Callers of Linkerd workloads are modelled (linkerd/externalWorkload.ts); as a callee
        // (an endpoint of the Services selecting it) it is outside the snapshot.
        add((_w, mesh) => mesh === 'linkerd', [], ['peers']);
        break;
      case 'EgressNetwork': {
        // Only networks reaching into the cluster networks change a reported verdict
        // (linkerd/egressNetwork.ts): a client calling a pod by address may be captured. The
        // global egress namespace's apply to every client, the others to their namespace's.
        if (!egressReachesCluster(spec, this.linkerdClusterNetworks)) break;
        const global =
          snapshot.meshConfig?.linkerd?.globalEgressNetworkNamespace ??
          'linkerd-egress';
        add(
          (w, mesh) =>
            mesh === 'linkerd' &&
            (o.namespace === global || w.namespace === o.namespace),
          [],
          ['authorization', 'peers'],
        );
        break;
      }
      case 'AdminNetworkPolicy':
      case 'BaselineAdminNetworkPolicy':
        // Modelled (networkPolicy/adminNetworkPolicy.ts); equal priorities are added by the
        // constructor.
        break;
      case 'CiliumNetworkPolicy':
      case 'CiliumClusterwideNetworkPolicy': {
        // Modelled (networkPolicy/ciliumNetworkPolicy.ts) but for host policies (`nodeSelector`)
        // and endpoint selectors naming labels the engine does not read.
        const modelled = new Set(
          ciliumPolicyRules(o)
            .filter(readableEndpointSelector)
            .map(r => r.rule),
        );
        for (const rule of ciliumRules(spec)) {
          if (modelled.has(rule)) continue;
          const { inbound, outbound } = directions(
            has(rule, 'ingress'),
            has(rule, 'egress'),
          );
          const namespace =
            o.kind === 'CiliumNetworkPolicy' ? o.namespace : undefined;
          // A host policy applies to nodes: the pods on their network.
          const host = rule.nodeSelector !== undefined;
          const selector = isObject(rule.endpointSelector)
            ? rule.endpointSelector
            : undefined;
          add(
            w =>
              host
                ? w.hostNetwork === true
                : (namespace === undefined || w.namespace === namespace) &&
                  (selector === undefined ||
                    ciliumMatches(selector, w, namespace)),
            inbound,
            outbound,
          );
        }
        break;
      }
      default:
        // A kind kept but not scoped here: every workload, every layer.
        add(
          () => true,
          ['mtls', 'authorization', 'network-policy', 'peers'],
          ['mtls', 'network-policy', 'peers'],
        );
    }
  }

  /** Linkerd `clusterNetworks`; undefined when unknown. */
  private readonly linkerdClusterNetworks: string[] | undefined;

  /** The unmodelled objects that may affect the workload (cached). */
  forWorkload(w: SnapshotWorkload, mesh: string): WorkloadNotEvaluated {
    if (this.sources.length === 0) return NONE;
    let hit = this.cache.get(w);
    if (!hit) {
      hit = { inbound: [], outbound: [] };
      for (const s of this.sources) {
        if (
          (s.inbound.length === 0 && s.outbound.length === 0) ||
          !s.applies(w, mesh)
        )
          continue;
        const reason = s.unavailable ?? `not evaluated: ${s.ref}`;
        if (s.inbound.length > 0)
          hit.inbound.push({ reason, ref: s.ref, layers: s.inbound });
        if (s.outbound.length > 0)
          hit.outbound.push({ reason, ref: s.ref, layers: s.outbound });
      }
      this.cache.set(w, hit);
    }
    return hit;
  }
}
