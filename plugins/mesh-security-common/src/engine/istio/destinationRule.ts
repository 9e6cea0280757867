import {
  JsonObject,
  Snapshot,
  SnapshotPolicy,
  SnapshotService,
  SnapshotWorkload,
} from '../../model';
import { selectorMatches, serviceSelects, servicesIn } from '../core/match';
import { groupBy } from '../core/selectorIndex';
import { Json, isObject } from '../validate/check';
import { hostScore } from './hosts';
import {
  RegistryEntry,
  ServiceRegistry,
  serviceExportTo,
  serviceVisible,
} from './serviceRegistry';

/*
 * Client-side TLS of an Istio sidecar: DestinationRule reference
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings)
 * and "Auto mutual TLS" (https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#auto-mutual-tls).
 * A DestinationRule is looked up in the client's namespace, then the service's, then the root
 * namespace ("Destination rule" > exportTo / configuration scoping); the most specific host
 * wins; `portLevelSettings` override `trafficPolicy` for their (service) port.
 */

type P = SnapshotPolicy<JsonObject>;

export interface ClientTls {
  /** What the client sends: Istio mTLS, plaintext, or TLS without a mesh identity. */
  mode: 'ISTIO_MUTUAL' | 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'AUTO';
  rule?: P;
  /** `DestinationRule ns/name` of the rule. */
  ref?: string;
  host?: string;
}

export const drRef = (p: P) => `DestinationRule ${p.namespace}/${p.name}`;

/**
 * Whether a client namespace sees the rule (DestinationRule reference, `exportTo`): absent or
 * empty, or `*`, exports to every namespace; `.` to the rule's own; other entries name
 * namespaces. `~` names no namespace: istiod's index (`push_context.go` `setDestinationRules`,
 * `getExportedDestinationRuleFromNamespace`) exports a rule to the namespaces its entries name,
 * so `exportTo: ["~"]` reaches no client. With other entries, or on a rule with a
 * `workloadSelector`, it is not evaluated (docs/engine.md "Not evaluated").
 */
function exportedTo(
  rule: P,
  clientNs: string,
  defaultExportTo: string[] | undefined,
): boolean {
  const exportTo = rule.spec.exportTo;
  // Without `exportTo`, the mesh config's `defaultDestinationRuleExportTo` decides; istiod honours
  // only `.` there (`setDestinationRules`: "We only honor . and *").
  if (!Array.isArray(exportTo) || exportTo.length === 0)
    return !defaultExportTo?.includes('.') || clientNs === rule.namespace;
  return (
    exportTo.includes('*') ||
    exportTo.includes(clientNs) ||
    (exportTo.includes('.') && clientNs === rule.namespace)
  );
}

export class DestinationRuleIndex {
  private readonly byNs: Map<string, P[]>;
  private readonly services: readonly SnapshotService[];
  /** Namespaces some rule's `exportTo` names: their clients see rules others do not. */
  private readonly namedExports = new Set<string>();
  /** The mesh config's `defaultDestinationRuleExportTo` (undefined: `*`). */
  private readonly defaultExportTo?: string[];

  /** `unavailable`: why the DestinationRules (or the Services they name) are not known. */
  constructor(
    snapshot: Snapshot,
    private readonly rootNamespace: string,
    readonly unavailable?: string,
    /** The modelled ServiceEntries (and Service visibility). */
    readonly registry = new ServiceRegistry(snapshot),
  ) {
    this.byNs = groupBy(snapshot.istio.destinationRules, p => p.namespace);
    this.defaultExportTo =
      snapshot.meshConfig?.istio?.defaultDestinationRuleExportTo;
    for (const rule of snapshot.istio.destinationRules)
      for (const to of Array.isArray(rule.spec.exportTo)
        ? rule.spec.exportTo
        : [])
        if (to !== '.' && to !== '*') this.namedExports.add(String(to));
    this.services = snapshot.services;
  }

  /** Services selecting the workload and exposing the container port: [service, service port]. */
  servicesFor(
    workload: SnapshotWorkload,
    port: number,
  ): Array<{ service: SnapshotService; port: number }> {
    const named = (name: string) =>
      workload.ports.some(p => p.port === port && !!p.name && p.name === name);
    const out: Array<{ service: SnapshotService; port: number }> = [];
    for (const s of servicesIn(this.services, workload.namespace)) {
      if (!serviceSelects(s, workload.labels)) continue;
      for (const sp of s.ports) {
        const tp = sp.targetPort ?? sp.port;
        if (
          tp === port ||
          (typeof tp === 'string' && (tp === String(port) || named(tp)))
        )
          out.push({ service: s, port: sp.port });
      }
    }
    return out;
  }

  /** The DestinationRule the client uses for the host, if any. */
  ruleFor(
    clientNs: string,
    clientLabels: Record<string, string>,
    fqdn: string,
    serviceNs: string,
  ): P | undefined {
    for (const ns of [clientNs, serviceNs, this.rootNamespace]) {
      let best: P | undefined;
      let bestScore = -1;
      for (const destinationRule of this.byNs.get(ns) ?? []) {
        if (!exportedTo(destinationRule, clientNs, this.defaultExportTo))
          continue;
        if (
          isObject(destinationRule.spec.workloadSelector) &&
          (ns !== clientNs ||
            !selectorMatches(
              destinationRule.spec.workloadSelector as never,
              clientLabels,
            ))
        )
          continue;
        const score =
          typeof destinationRule.spec.host === 'string'
            ? hostScore(
                destinationRule.spec.host,
                fqdn,
                destinationRule.namespace,
              )
            : -1;
        if (score > bestScore) {
          best = destinationRule;
          bestScore = score;
        }
      }
      if (best) return best;
    }
    return undefined;
  }

  /**
   * Whether the namespace holds DestinationRules or is named by the `exportTo` of one, of a
   * Service or of a ServiceEntry (its clients may then see different ones).
   */
  hasRules(namespace: string): boolean {
    return (
      this.byNs.has(namespace) ||
      this.namedExports.has(namespace) ||
      this.registry.namedNamespaces.has(namespace)
    );
  }

  /**
   * The client namespace's workload-scoped rules that select this client: with its namespace,
   * all that makes one sidecar client's TLS settings differ from another's.
   */
  workloadRulesFor(
    clientNs: string,
    clientLabels: Record<string, string>,
  ): string[] {
    return (this.byNs.get(clientNs) ?? [])
      .filter(
        d =>
          isObject(d.spec.workloadSelector) &&
          selectorMatches(d.spec.workloadSelector as never, clientLabels),
      )
      .map(d => d.name);
  }

  /** Client TLS settings per client namespace (or '' for every namespace alike), target, port. */
  private readonly cache = new Map<
    string,
    Map<SnapshotWorkload, Map<number, ClientTls>>
  >();
  private readonly cacheableNs = new Map<string, boolean>();

  /** Forgets what was cached per target (see EngineContext.releaseWorkloadCaches). */
  releaseCaches(): void {
    this.cache.clear();
  }

  /** The client TLS mode from a sidecar client to a workload port. */
  clientTls(
    clientNs: string,
    clientLabels: Record<string, string>,
    target: SnapshotWorkload,
    port: number,
  ): ClientTls {
    // Without workload-scoped rules in the client namespace the answer depends only on it.
    let cacheable = this.cacheableNs.get(clientNs);
    if (cacheable === undefined) {
      cacheable = !(this.byNs.get(clientNs) ?? []).some(d =>
        isObject(d.spec.workloadSelector),
      );
      this.cacheableNs.set(clientNs, cacheable);
    }
    if (!cacheable)
      return this.computeClientTls(clientNs, clientLabels, target, port);
    // A client namespace without DestinationRules of its own sees exactly the rules every other
    // such namespace sees (the service's namespace's exported ones and the root namespace's),
    // unless it is the service's or the root namespace (which also see rules exported to '.'):
    // those clients share one cache entry, so the cache grows with targets, not clients × targets.
    const key =
      !this.hasRules(clientNs) &&
      clientNs !== target.namespace &&
      clientNs !== this.rootNamespace
        ? ''
        : clientNs;
    let byTarget = this.cache.get(key);
    if (!byTarget) this.cache.set(key, (byTarget = new Map()));
    let byPort = byTarget.get(target);
    if (!byPort) byTarget.set(target, (byPort = new Map()));
    let hit = byPort.get(port);
    if (!hit)
      byPort.set(
        port,
        (hit = this.computeClientTls(clientNs, clientLabels, target, port)),
      );
    return hit;
  }

  private computeClientTls(
    clientNs: string,
    clientLabels: Record<string, string>,
    target: SnapshotWorkload,
    port: number,
  ): ClientTls {
    for (const entry of this.entriesFor(target, port)) {
      // docs/engine.md "Istio service registry": a Service or ServiceEntry not exported to the
      // client's namespace is not in its registry, nor are the rules for its hosts.
      if (!serviceVisible(entry.exportTo, entry.namespace, clientNs)) continue;
      for (const host of entry.hosts) {
        const destinationRule = this.ruleFor(
          clientNs,
          clientLabels,
          host,
          entry.namespace,
        );
        if (!destinationRule) continue;
        const mode = tlsModeFor(destinationRule, entry.port);
        if (mode)
          return {
            mode,
            rule: destinationRule,
            ref: drRef(destinationRule),
            host,
          };
      }
    }
    return { mode: 'AUTO' };
  }

  /** The Services and modelled ServiceEntries reaching the workload's container port. */
  private entriesFor(target: SnapshotWorkload, port: number): RegistryEntry[] {
    return [
      ...this.servicesFor(target, port).map(
        ({ service, port: servicePort }) => {
          return {
            ref: `Service ${service.namespace}/${service.name}`,
            namespace: service.namespace,
            hosts: [`${service.name}.${service.namespace}.svc.cluster.local`],
            port: servicePort,
            exportTo: this.registry.exportToOf(serviceExportTo(service)),
          };
        },
      ),
      ...this.registry.entriesFor(target, port),
    ];
  }
}

export function tlsModeFor(
  dr: P,
  servicePort: number | undefined,
): ClientTls['mode'] | undefined {
  const tp = isObject(dr.spec.trafficPolicy) ? dr.spec.trafficPolicy : {};
  const pls = Array.isArray(tp.portLevelSettings)
    ? tp.portLevelSettings.filter(isObject)
    : [];
  const pl = pls.find(
    s => isObject(s.port) && (s.port as Json).number === servicePort,
  );
  let tls = isObject(tp.tls) ? tp.tls : undefined;
  if (pl && isObject(pl.tls)) tls = pl.tls;
  const mode = tls?.mode;
  return mode === 'ISTIO_MUTUAL' ||
    mode === 'DISABLE' ||
    mode === 'SIMPLE' ||
    mode === 'MUTUAL'
    ? mode
    : undefined;
}
