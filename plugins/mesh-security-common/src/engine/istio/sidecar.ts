import {
  JsonObject,
  Snapshot,
  SnapshotPolicy,
  SnapshotService,
  SnapshotWorkload,
} from '../../model';
import { Json, isObject } from '../validate/check';
import { selectorMatches, serviceSelects, servicesIn } from '../core/match';
import { groupBy } from '../core/selectorIndex';
import { portList } from './peerAuthentication';
import {
  RegistryEntry,
  ServiceRegistry,
  serviceExportTo,
  serviceVisible,
} from './serviceRegistry';

/*
 * Istio `Sidecar` resources (docs/engine.md "Istio Sidecar"), from the Sidecar reference
 * (https://istio.io/latest/docs/reference/config/networking/sidecar/):
 *
 * - Selection: a Sidecar with a `workloadSelector` selecting the workload wins over the
 *   namespace's selector-less Sidecar; a selector-less Sidecar of the root namespace "will be
 *   applied by default to all namespaces without a Sidecar configuration" (NOTE 2). Two
 *   selector-less Sidecars in a namespace, or two selecting the same workload, are "undefined
 *   behavior" (NOTE 1): never guessed, the workload's verdicts are not evaluated.
 * - `ingress`: "If specified, inbound ports are configured if and only if the workload instance
 *   is associated with a service"; a port no listener names, or a listener with `tls`
 *   (experimental) or its own `bind`/`captureMode`, is not evaluated.
 * - `egress` hosts (`namespace/dnsName`) import Services and ServiceEntries; traffic to a
 *   destination no host imports is "unmatched traffic" (Traffic routing): with
 *   `outboundTrafficPolicy` ALLOW_ANY it is forwarded as-is and "mutual TLS will not be used",
 *   with REGISTRY_ONLY it is dropped. So is traffic to a destination whose Services are all
 *   hidden from the client's namespace (`exportTo`, istio/serviceRegistry.ts).
 */

type Policy = SnapshotPolicy<JsonObject>;

/** What a client's sidecar does with a connection to a destination. */
export type SidecarOutbound =
  /** The destination is imported: the usual client-side rules (auto mTLS, DestinationRules). */
  | { kind: 'imported' }
  /** Unmatched traffic that ALLOW_ANY forwards as-is: plaintext. `sidecar`: the object named. */
  | { kind: 'passthrough'; sidecar?: string; message: string }
  /** Unmatched traffic that REGISTRY_ONLY drops. `sidecar`: the object named. */
  | { kind: 'dropped'; sidecar?: string; message: string }
  /** What happens cannot be known without guessing. */
  | { kind: 'unknown'; reason: string };

/** One problem that makes part of a workload's Sidecar configuration not evaluable. */
export interface SidecarIssue {
  /** The Sidecar object concerned. */
  object: Policy;
  /** Why: completes `not evaluated: Sidecar ns/name (<why>)`. */
  why: string;
  side: 'inbound' | 'outbound';
}

interface EgressHost {
  namespace: string;
  dnsName: string;
}

interface EgressListener {
  port?: number;
  hosts: EgressHost[];
}

/** The Sidecar configuration a workload's proxy gets. */
interface Effective {
  /** The Sidecar applied (`Sidecar ns/name`); undefined when none applies. */
  sidecar?: Policy;
  issues: SidecarIssue[];
  /** Inbound ports configured by `ingress` listeners (port → listener); undefined: all. */
  ingress?: Map<number, Json>;
  /** Egress listeners; undefined: every Service is imported. */
  egress?: EgressListener[];
  /** `outboundTrafficPolicy.mode`, with the Sidecar it comes from (undefined: mesh config). */
  mode: string;
  modeFrom?: Policy;
}

const refOf = (p: Policy) => `Sidecar ${p.namespace}/${p.name}`;

/** A Sidecar's `workloadSelector.labels`, or undefined when it has no `workloadSelector`. */
function selectorOf(p: Policy): Record<string, string> | undefined {
  const ws = p.spec.workloadSelector;
  if (!isObject(ws)) return undefined;
  return isObject(ws.labels) ? (ws.labels as Record<string, string>) : {};
}

/** The listener `captureMode`/`bind` the engine models: the default capture (iptables). */
const defaultCapture = (l: Json) =>
  (l.captureMode === undefined ||
    l.captureMode === 'DEFAULT' ||
    l.captureMode === 'IPTABLES') &&
  (l.bind === undefined || l.bind === '');

/**
 * Whether the sidecar captures inbound traffic to a port (not excluded by the
 * `traffic.sidecar.istio.io/*InboundPorts` annotations; docs/engine.md "mTLS").
 */
export function sidecarCapturesInbound(
  annotations: Record<string, string>,
  port: number,
): boolean {
  const exclude = portList(
    annotations['traffic.sidecar.istio.io/excludeInboundPorts'],
  );
  const include = portList(
    annotations['traffic.sidecar.istio.io/includeInboundPorts'],
  );
  if (include && !include.has('*')) return include.has(String(port));
  return !exclude?.has(String(port));
}

/** The Sidecars of a snapshot and what each sidecar workload gets from them. */
export class SidecarIndex {
  private readonly byNs: Map<string, Policy[]>;
  private readonly cache = new WeakMap<SnapshotWorkload, Effective>();
  private readonly services: readonly SnapshotService[];

  constructor(
    snapshot: Snapshot,
    private readonly rootNamespace: string,
    /** The workload's mesh config's `outboundTrafficPolicy.mode` (default ALLOW_ANY). */
    private readonly meshMode: (w: SnapshotWorkload) => string,
    /** Why the Sidecars could not be read (docs/engine.md "Unavailable inputs"). */
    private readonly unread?: string,
    /** Why the Services could not be read. */
    private readonly servicesUnread?: string,
    private readonly registry = new ServiceRegistry(snapshot),
  ) {
    this.byNs = groupBy(
      (snapshot.unevaluated ?? []).filter(
        o =>
          o.kind === 'Sidecar' &&
          o.apiVersion.startsWith('networking.istio.io/'),
      ),
      o => o.namespace,
    );
    this.services = snapshot.services;
  }

  /** Whether the snapshot has any Sidecar. */
  get any(): boolean {
    return this.byNs.size > 0;
  }

  /** Every Sidecar of the snapshot. */
  all(): Policy[] {
    return [...this.byNs.values()].flat();
  }

  /**
   * The Sidecar applied to a sidecar workload, with the issues that make parts of it not
   * evaluable (cached). Only `istio-sidecar` workloads have one: "A Sidecar is not applicable
   * to gateways" (NOTE 3), nor to ambient workloads.
   */
  effective(w: SnapshotWorkload): Effective {
    let hit = this.cache.get(w);
    if (!hit) this.cache.set(w, (hit = this.compute(w)));
    return hit;
  }

  /** A key telling apart clients whose Sidecars differ (access graph caller groups). */
  clientKey(w: SnapshotWorkload): string {
    const e = this.effective(w);
    return [
      e.sidecar ? refOf(e.sidecar) : '',
      e.modeFrom ? refOf(e.modeFrom) : '',
      e.mode,
      ...e.issues.filter(i => i.side === 'outbound').map(i => i.why),
    ].join('|');
  }

  /** Whether the client's outbound answers depend on its Sidecar (or the mesh's REGISTRY_ONLY). */
  shapesOutbound(w: SnapshotWorkload): boolean {
    if (this.unread) return true;
    const e = this.effective(w);
    return (
      e.egress !== undefined ||
      e.modeFrom !== undefined ||
      e.mode !== 'ALLOW_ANY' ||
      e.issues.some(i => i.side === 'outbound')
    );
  }

  /**
   * Why a captured inbound port of a sidecar workload is not evaluated because of its Sidecar's
   * `ingress` listeners, or undefined when the Sidecar leaves it as without one.
   */
  inboundPort(w: SnapshotWorkload, port: number): string | undefined {
    if (!sidecarCapturesInbound(w.annotations, port)) return undefined;
    if (this.unread)
      return `${this.unread} (an Istio Sidecar may change what the sidecar accepts on port ${port})`;
    const e = this.effective(w);
    if (!e.ingress || !e.sidecar) return undefined;
    if (this.servicesUnread)
      return `${this.servicesUnread} (the ingress listeners of ${refOf(
        e.sidecar,
      )} apply only to workloads a Service selects)`;
    const listener = e.ingress.get(port);
    const ref = refOf(e.sidecar);
    if (!listener)
      return `not evaluated: ${ref} (its ingress listeners do not name port ${port}: what the sidecar does with traffic to it is not documented)`;
    if (listener.tls !== undefined)
      return `not evaluated: ${ref} (the ingress listener of port ${port} terminates TLS itself, an experimental feature behind ENABLE_TLS_ON_SIDECAR_INGRESS)`;
    return undefined;
  }

  /**
   * What the client's sidecar does with a connection to `target` on its container port `port`:
   * the destination is imported when a Service selecting the target (or a ServiceEntry
   * selecting it) exposes a port targeting it, is exported to the client's namespace, and an
   * egress listener imports it on that port.
   */
  outbound(
    client: SnapshotWorkload,
    target: SnapshotWorkload,
    port: number,
  ): SidecarOutbound {
    if (this.unread)
      return {
        kind: 'unknown',
        reason: `${this.unread} (an Istio Sidecar may change where the client's sidecar sends)`,
      };
    const e = this.effective(client);
    const issue = e.issues.find(i => i.side === 'outbound');
    if (issue)
      return {
        kind: 'unknown',
        reason: `not evaluated: ${refOf(issue.object)} (${issue.why})`,
      };
    if (!this.registry.hides && !this.shapesOutbound(client))
      return { kind: 'imported' };
    const entries = this.entriesOf(target, port);
    const visible = entries.filter(entry =>
      serviceVisible(entry.exportTo, entry.namespace, client.namespace),
    );
    // docs/engine.md "Istio service registry": a destination whose Services are all hidden from
    // the client's namespace is unmatched traffic. Without any Service the destination is taken
    // as imported unless a Sidecar or REGISTRY_ONLY shapes the client (docs/engine.md "Not
    // modelled": inputs without Services).
    const hidden = entries.length > 0 && visible.length === 0;
    if (!hidden && !this.shapesOutbound(client)) return { kind: 'imported' };
    const imported =
      !hidden &&
      visible.some(entry => this.imports(e.egress, client.namespace, entry));
    if (imported) return { kind: 'imported' };
    const from = e.modeFrom ? refOf(e.modeFrom) : 'the mesh config';
    let what: string;
    if (entries.length === 0)
      what = `no Service exposes port ${port} of the target`;
    else if (hidden)
      what = `${[...new Set(entries.map(entry => entry.ref))].join(
        ', ',
      )} exposing port ${port} of the target ${
        entries.length > 1 ? 'are' : 'is'
      } not exported to namespace ${client.namespace} (exportTo)`;
    else
      what = `${
        e.sidecar ? refOf(e.sidecar) : 'the Sidecar'
      } imports no Service exposing port ${port} of the target`;
    // docs/engine.md "Istio service registry": a TCP ServiceEntry port without `addresses` is
    // matched by destination port alone (IST0134) and may take this traffic.
    const captor = this.registry.capturing(client.namespace, [
      port,
      ...entries.map(entry => entry.port),
    ]);
    if (captor)
      return {
        kind: 'unknown',
        reason: `not evaluated: ${captor.ref} (its port ${captor.port} has no addresses: Istio matches it by destination port alone, and it may take this unmatched traffic)`,
      };
    // The object named: the hidden Service, else the Sidecar (or the one setting the mode).
    const named = hidden ? entries[0].ref : undefined;
    if (e.mode === 'REGISTRY_ONLY')
      return {
        kind: 'dropped',
        sidecar:
          named ??
          (e.modeFrom ? refOf(e.modeFrom) : e.sidecar && refOf(e.sidecar)),
        message: `${what}, and ${from} sets outboundTrafficPolicy REGISTRY_ONLY: the client sidecar drops traffic to destinations outside its registry`,
      };
    if (e.mode === 'ALLOW_ANY')
      return {
        kind: 'passthrough',
        sidecar: named ?? (e.sidecar && refOf(e.sidecar)),
        message: `${what}: unmatched traffic, which ALLOW_ANY (${from}) forwards as-is, without mutual TLS`,
      };
    return {
      kind: 'unknown',
      reason: `${what}: unmatched traffic, and the outboundTrafficPolicy that decides it is not evaluated: ${
        e.mode.startsWith('(unknown: ')
          ? e.mode.slice('(unknown: '.length, -1)
          : `${e.mode} (${from})`
      }`,
    };
  }

  /**
   * The Services selecting the workload with a (TCP) port targeting its container port `port`,
   * and the modelled ServiceEntries reaching it.
   */
  private entriesOf(w: SnapshotWorkload, port: number): RegistryEntry[] {
    let byPort = this.entryCache.get(w);
    if (!byPort) this.entryCache.set(w, (byPort = new Map()));
    let hit = byPort.get(port);
    if (!hit) byPort.set(port, (hit = this.computeEntries(w, port)));
    return hit;
  }

  private readonly entryCache = new WeakMap<
    SnapshotWorkload,
    Map<number, RegistryEntry[]>
  >();

  private computeEntries(w: SnapshotWorkload, port: number): RegistryEntry[] {
    const out: RegistryEntry[] = [];
    for (const service of servicesIn(this.services, w.namespace)) {
      if (!serviceSelects(service, w.labels)) continue;
      for (const sp of service.ports) {
        if (sp.protocol !== undefined && sp.protocol !== 'TCP') continue;
        const tp = sp.targetPort ?? sp.port;
        let resolved: number | undefined;
        if (typeof tp === 'number') resolved = tp;
        else if (/^\d+$/.test(tp)) resolved = Number(tp);
        else resolved = w.ports.find(p => p.name === tp)?.port;
        if (resolved !== port) continue;
        out.push({
          ref: `Service ${service.namespace}/${service.name}`,
          namespace: service.namespace,
          hosts: [`${service.name}.${service.namespace}.svc.cluster.local`],
          port: sp.port,
          exportTo: this.registry.exportToOf(serviceExportTo(service)),
        });
      }
    }
    return [...out, ...this.registry.entriesFor(w, port)];
  }

  /**
   * Whether egress listeners import a registry entry on its port: "the hosts exposed on a
   * listener port will be based on the listener with the most specific port", so listeners
   * naming the port decide it, else those without a port.
   */
  private imports(
    egress: EgressListener[] | undefined,
    clientNs: string,
    entry: RegistryEntry,
  ): boolean {
    if (!egress) return true;
    const exact = egress.filter(l => l.port === entry.port);
    const pool =
      exact.length > 0 ? exact : egress.filter(l => l.port === undefined);
    return pool.some(l =>
      l.hosts.some(
        h =>
          (h.namespace === '*' ||
            (h.namespace === '.' ? clientNs : h.namespace) ===
              entry.namespace) &&
          entry.hosts.some(host => dnsMatches(h.dnsName, host)),
      ),
    );
  }

  private compute(w: SnapshotWorkload): Effective {
    const none: Effective = { issues: [], mode: this.meshMode(w) };
    const local = this.byNs.get(w.namespace) ?? [];
    const selecting = local.filter(p => selectorOf(p) !== undefined);
    const matching = selecting.filter(p =>
      selectorMatches({ matchLabels: selectorOf(p) }, w.labels),
    );
    const defaults = local.filter(p => selectorOf(p) === undefined);
    const rootDefaults =
      w.namespace === this.rootNamespace
        ? []
        : (this.byNs.get(this.rootNamespace) ?? []).filter(
            p => selectorOf(p) === undefined,
          );
    // The chain from the most specific Sidecar to the least: what is unset in one may be
    // "inherited … from the namespace-wide or the global default Sidecar".
    const undefinedChoice = (list: Policy[], what: string): Effective => ({
      ...none,
      sidecar: list[0],
      issues: list.flatMap(object => [
        {
          object,
          why: `${what}: Istio leaves the choice undefined`,
          side: 'inbound' as const,
        },
        {
          object,
          why: `${what}: Istio leaves the choice undefined`,
          side: 'outbound' as const,
        },
      ]),
    });
    if (matching.length > 1)
      return undefinedChoice(
        matching,
        `${matching.map(refOf).join(' and ')} select the same workload`,
      );
    if (defaults.length > 1)
      return undefinedChoice(
        defaults,
        `${defaults
          .map(refOf)
          .join(' and ')} are selector-less Sidecars of one namespace`,
      );
    const chain: Policy[] = [];
    if (matching.length === 1) chain.push(matching[0]);
    if (defaults.length === 1) chain.push(defaults[0]);
    if (rootDefaults.length > 1 && chain.length === 0)
      return undefinedChoice(
        rootDefaults,
        `${rootDefaults
          .map(refOf)
          .join(' and ')} are selector-less Sidecars of the root namespace`,
      );
    if (rootDefaults.length === 1) {
      if (chain.length === 0 && selecting.length > 0)
        // NOTE 2 applies the root default to "namespaces without a Sidecar configuration"; this
        // namespace has Sidecars, none selecting the workload: not documented either way.
        return {
          ...none,
          sidecar: rootDefaults[0],
          issues: (['inbound', 'outbound'] as const).map(side => ({
            object: rootDefaults[0],
            why: `namespace ${w.namespace} has Sidecars, none selecting the workload: whether the root-namespace default applies there is not documented`,
            side,
          })),
        };
      chain.push(rootDefaults[0]);
    }
    if (chain.length === 0) return none;
    const [sidecar, ...parents] = chain;
    const issues: SidecarIssue[] = [];
    const result: Effective = { ...none, sidecar, issues };
    const spec = sidecar.spec;
    // A field unset on the applied Sidecar but set on a less specific one: the reference says
    // it is "inherited … from the namespace-wide or the global default Sidecar"; whether Istio
    // does so is not documented consistently, so it is not guessed.
    const inherited = (field: 'egress' | 'outboundTrafficPolicy') => {
      const parent = parents.find(p => p.spec[field] !== undefined);
      return spec[field] === undefined && parent
        ? `${refOf(sidecar)} sets no ${field} and ${refOf(
            parent,
          )} does: whether it is inherited is not documented consistently`
        : undefined;
    };
    const egressInherited = inherited('egress');
    if (egressInherited)
      issues.push({
        object: sidecar,
        why: egressInherited.replace(`${refOf(sidecar)} sets`, 'it sets'),
        side: 'outbound',
      });
    const modeInherited = inherited('outboundTrafficPolicy');
    if (modeInherited) result.mode = `(unknown: ${modeInherited})`;
    this.readIngress(w, sidecar, result);
    this.readEgress(sidecar, result);
    const otp = spec.outboundTrafficPolicy;
    if (isObject(otp)) {
      if (otp.egressProxy !== undefined)
        issues.push({
          object: sidecar,
          why: 'outboundTrafficPolicy.egressProxy forwards unmatched traffic to an egress proxy',
          side: 'outbound',
        });
      // proto3's default for an unset mode is REGISTRY_ONLY (0), the reference's prose says the
      // default is ALLOW_ANY: an unset mode is not guessed.
      result.mode = typeof otp.mode === 'string' ? otp.mode : '(unset mode)';
      result.modeFrom = sidecar;
    }
    return result;
  }

  private readIngress(w: SnapshotWorkload, sidecar: Policy, result: Effective) {
    const ingress = sidecar.spec.ingress;
    if (!Array.isArray(ingress) || ingress.length === 0) return;
    const issue = (why: string) =>
      result.issues.push({ object: sidecar, why, side: 'inbound' });
    const hasService =
      servicesIn(this.services, w.namespace).some(s =>
        serviceSelects(s, w.labels),
      ) || this.registry.selects(w);
    if (!hasService)
      issue(
        'ingress listeners configure inbound ports "if and only if the workload instance is associated with a service", and no Service selects it',
      );
    const map = new Map<number, Json>();
    for (const l of ingress) {
      if (
        !isObject(l) ||
        !isObject(l.port) ||
        typeof l.port.number !== 'number'
      ) {
        issue('an ingress listener without a port number');
        continue;
      }
      if (!defaultCapture(l))
        issue(
          `the ingress listener of port ${l.port.number} sets its own bind or captureMode`,
        );
      map.set(l.port.number, l);
    }
    result.ingress = map;
  }

  private readEgress(sidecar: Policy, result: Effective) {
    const egress = sidecar.spec.egress;
    if (!Array.isArray(egress)) return;
    const issue = (why: string) =>
      result.issues.push({ object: sidecar, why, side: 'outbound' });
    const listeners: EgressListener[] = [];
    for (const l of egress) {
      if (!isObject(l)) continue;
      if (!defaultCapture(l))
        issue('an egress listener sets its own bind or captureMode');
      const port =
        isObject(l.port) && typeof l.port.number === 'number'
          ? l.port.number
          : undefined;
      const hosts: EgressHost[] = [];
      for (const h of Array.isArray(l.hosts) ? l.hosts : []) {
        const m = typeof h === 'string' ? /^([^/]+)\/(.+)$/.exec(h) : null;
        if (!m) {
          issue(`egress host ${JSON.stringify(h)} is not namespace/dnsName`);
          continue;
        }
        // `~`: "no namespace" in older references, an exclusion prefix in newer ones.
        if (m[1].startsWith('~')) {
          issue(
            `egress host ${h} uses "~", whose meaning differs between Istio releases`,
          );
          continue;
        }
        hosts.push({ namespace: m[1], dnsName: m[2].toLowerCase() });
      }
      listeners.push({ port, hosts });
    }
    result.egress = listeners;
  }
}

/** A `dnsName` of an egress host against a Service FQDN: `*`, `*.suffix` or the exact name. */
function dnsMatches(dnsName: string, fqdn: string): boolean {
  if (dnsName === '*') return true;
  if (dnsName.startsWith('*.')) return fqdn.endsWith(dnsName.slice(1));
  return dnsName === fqdn;
}
