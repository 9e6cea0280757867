import {
  JsonObject,
  Snapshot,
  SnapshotPolicy,
  SnapshotService,
  SnapshotWorkload,
} from '../../model';
import { cidrContains, selectorMatches } from '../core/match';
import { Json, isObject } from '../validate/check';
import { hostScore } from './hosts';

/*
 * What an Istio sidecar client's service registry holds (docs/engine.md "Istio service
 * registry"): Kubernetes Services, each visible to the namespaces its
 * `networking.istio.io/exportTo` annotation names (Resource annotations), and ServiceEntries
 * with a `workloadSelector`, whose hosts reach the pods they select (ServiceEntry reference,
 * https://istio.io/latest/docs/reference/config/networking/service-entry/).
 */

type Policy = SnapshotPolicy<JsonObject>;

/** A ServiceEntry port as the engine reads it. */
interface EntryPort {
  number: number;
  targetPort?: number;
  name?: string;
}

/** A ServiceEntry whose `workloadSelector` gives pods of its namespace its hosts and ports. */
interface SelectorEntry {
  ref: string;
  namespace: string;
  labels: Record<string, string>;
  hosts: string[];
  ports: EntryPort[];
  exportTo?: string[];
}

/** A registry entry reaching a workload's container port: a Service or a ServiceEntry. */
export interface RegistryEntry {
  /** `Service ns/name` or `ServiceEntry ns/name`. */
  ref: string;
  namespace: string;
  /** The host names clients use: the Service's FQDN, or the ServiceEntry's hosts. */
  hosts: string[];
  /** The entry's port (Service port, ServiceEntry port number). */
  port: number;
  /** `exportTo` as written, else the mesh config's default; undefined: every namespace. */
  exportTo?: string[];
}

/**
 * Whether a client namespace sees a Service or ServiceEntry (istiod's service index,
 * `pilot/pkg/model/push_context.go` `initServiceRegistry`): no `exportTo` or `*` exports to
 * every namespace; otherwise `~` to none ("visible to no one"), `.` to its own namespace, and
 * other entries name namespaces.
 */
export function serviceVisible(
  exportTo: string[] | undefined,
  namespace: string,
  clientNs: string,
): boolean {
  if (!exportTo || exportTo.length === 0 || exportTo.includes('*')) return true;
  if (exportTo.includes('~')) return false;
  return (
    exportTo.includes(clientNs) ||
    (exportTo.includes('.') && clientNs === namespace)
  );
}

/** A Service's `networking.istio.io/exportTo` (comma-separated; empty: unset). */
export function serviceExportTo(
  service: SnapshotService,
): string[] | undefined {
  const value = service.annotations?.['networking.istio.io/exportTo'];
  if (!value) return undefined;
  return value.split(',').map(v => v.trim());
}

const fqdnOf = (s: SnapshotService) =>
  `${s.name}.${s.namespace}.svc.cluster.local`;

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every(v => typeof v === 'string')
    ? (value as string[])
    : undefined;

/** How the engine reads a ServiceEntry (docs/engine.md "Istio service registry"). */
export type ServiceEntryReading =
  /** Modelled: a `workloadSelector` entry, part of the registry. */
  | { kind: 'selector'; entry: SelectorEntry }
  /** Callees outside the snapshot only: no verdict the engine reports changes. */
  | { kind: 'outside' }
  /** Not evaluated, with why. */
  | { kind: 'unmodelled'; why: string };

/**
 * Reads a ServiceEntry. Its hosts must not name an in-cluster Service (the Kubernetes Service
 * and the entry would then share a host name, which istiod resolves per namespace and age);
 * a `workloadSelector` needs `location: MESH_INTERNAL` ("Applicable only for MESH_INTERNAL
 * services") and exact hosts; an entry without one must not reach a pod of the snapshot
 * through its `endpoints` or `addresses`.
 */
export function readServiceEntry(
  o: Policy,
  services: SnapshotService[],
  podIps: string[],
): ServiceEntryReading {
  const spec = o.spec;
  const hosts = strings(spec.hosts);
  if (!hosts || hosts.length === 0)
    return { kind: 'unmodelled', why: 'hosts cannot be read' };
  const named = services.filter(s =>
    hosts.some(h => hostScore(h, fqdnOf(s), o.namespace) >= 0),
  );
  if (named.length > 0)
    return {
      kind: 'unmodelled',
      why: `its hosts name the in-cluster Service ${named[0].namespace}/${named[0].name}`,
    };
  const clusterHost = hosts.find(h => /\.cluster\.local\.?$/.test(h));
  if (clusterHost)
    return {
      kind: 'unmodelled',
      why: `host ${clusterHost} is an in-cluster name`,
    };
  const exportTo = strings(spec.exportTo);
  if (spec.exportTo !== undefined && !exportTo)
    return { kind: 'unmodelled', why: 'exportTo cannot be read' };
  const location = spec.location ?? 'MESH_EXTERNAL';
  if (spec.workloadSelector !== undefined) {
    const selector = spec.workloadSelector;
    const labels = isObject(selector) ? selector.labels ?? {} : undefined;
    if (
      !isObject(labels) ||
      !Object.values(labels).every(v => typeof v === 'string')
    )
      return { kind: 'unmodelled', why: 'workloadSelector cannot be read' };
    if (location !== 'MESH_INTERNAL')
      return {
        kind: 'unmodelled',
        why: `a workloadSelector on a ${String(location)} entry`,
      };
    const wildcard = hosts.find(h => h.includes('*'));
    if (wildcard)
      return {
        kind: 'unmodelled',
        why: `a workloadSelector with the wildcard host ${wildcard}`,
      };
    if (o.labels['istio.io/use-waypoint'] !== undefined)
      return { kind: 'unmodelled', why: 'istio.io/use-waypoint' };
    const ports = readPorts(spec.ports);
    if (!ports) return { kind: 'unmodelled', why: 'ports cannot be read' };
    return {
      kind: 'selector',
      entry: {
        ref: `ServiceEntry ${o.namespace}/${o.name}`,
        namespace: o.namespace,
        labels: labels as Record<string, string>,
        hosts: hosts.map(h => h.toLowerCase()),
        ports,
        ...(exportTo ? { exportTo } : {}),
      },
    };
  }
  const endpoints = Array.isArray(spec.endpoints) ? spec.endpoints : [];
  if (spec.endpoints !== undefined && !Array.isArray(spec.endpoints))
    return { kind: 'unmodelled', why: 'endpoints cannot be read' };
  for (const e of endpoints) {
    const address = isObject(e) ? e.address : undefined;
    if (typeof address !== 'string')
      return { kind: 'unmodelled', why: 'an endpoint without address' };
    if (
      podIps.includes(address) ||
      /\.cluster\.local\.?$/.test(address) ||
      services.some(s => fqdnOf(s) === address)
    )
      return {
        kind: 'unmodelled',
        why: `endpoint ${address} is in the cluster`,
      };
  }
  const addresses = spec.addresses === undefined ? [] : strings(spec.addresses);
  if (!addresses)
    return { kind: 'unmodelled', why: 'addresses cannot be read' };
  for (const address of addresses) {
    const hit = podIps.find(ip =>
      address.includes('/')
        ? cidrContains(address, ip) !== false
        : ip === address,
    );
    if (hit)
      return {
        kind: 'unmodelled',
        why: `address ${address} covers the pod address ${hit}`,
      };
  }
  return { kind: 'outside' };
}

/** `ports[]`: numbers 1–65535, optional `targetPort` and `name`; undefined when unreadable. */
function readPorts(value: unknown): EntryPort[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: EntryPort[] = [];
  const valid = (n: unknown): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
  for (const p of value as Json[]) {
    if (!isObject(p) || !valid(p.number)) return undefined;
    if (p.targetPort !== undefined && !valid(p.targetPort)) return undefined;
    out.push({
      number: p.number,
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
    });
  }
  return out;
}

/** Protocols whose ServiceEntry ports Istio routes by HTTP host or TLS SNI, not by port. */
const ROUTED_PROTOCOLS = new Set([
  'HTTP',
  'HTTP2',
  'GRPC',
  'GRPC-WEB',
  'HTTPS',
  'TLS',
]);

/**
 * A ServiceEntry with TCP ports (or another protocol not routed by host) and no `addresses`:
 * "all traffic on the port defined in the ServiceEntry is matched, regardless of the host"
 * (analyzer message IST0134, ServiceEntryAddressesRequired).
 */
interface PortCaptor {
  ref: string;
  namespace: string;
  exportTo?: string[];
  ports: number[];
}

/** The modelled ServiceEntries of a snapshot. */
export class ServiceRegistry {
  private readonly entries: SelectorEntry[] = [];
  private readonly captors: PortCaptor[] = [];
  /** Namespaces a Service's or modelled ServiceEntry's `exportTo` names. */
  readonly namedNamespaces = new Set<string>();
  /** Whether an entry is hidden from some namespace, or a ServiceEntry adds hosts. */
  readonly hides: boolean;
  /** The mesh config's `defaultServiceExportTo` (undefined: Istio's default `*`). */
  private readonly defaultExportTo?: string[];

  constructor(snapshot: Snapshot) {
    this.defaultExportTo = snapshot.meshConfig?.istio?.defaultServiceExportTo;
    // Collected once, and only when a ServiceEntry needs them.
    let ips: string[] | undefined;
    const podIps = () =>
      (ips ??= snapshot.workloads.flatMap(w =>
        w.pods.flatMap(p => (p.podIP ? [p.podIP] : [])),
      ));
    for (const o of snapshot.unevaluated ?? []) {
      if (
        o.kind !== 'ServiceEntry' ||
        !o.apiVersion.startsWith('networking.istio.io/')
      )
        continue;
      const reading = readServiceEntry(o, snapshot.services, podIps());
      if (reading.kind === 'selector') this.entries.push(reading.entry);
      const addresses = o.spec.addresses;
      if (Array.isArray(addresses) && addresses.length > 0) continue;
      const ports = (Array.isArray(o.spec.ports) ? o.spec.ports : [])
        .filter(isObject)
        .filter(
          p =>
            typeof p.number === 'number' &&
            !ROUTED_PROTOCOLS.has(String(p.protocol ?? '').toUpperCase()),
        )
        .map(p => p.number as number);
      if (ports.length > 0)
        this.captors.push({
          ref: `ServiceEntry ${o.namespace}/${o.name}`,
          namespace: o.namespace,
          exportTo: strings(o.spec.exportTo),
          ports,
        });
    }
    let hides = this.entries.length > 0;
    const name = (list: string[] | undefined) => {
      if (list && !list.includes('*')) hides = true;
      for (const to of list ?? [])
        if (to !== '.' && to !== '*' && to !== '~')
          this.namedNamespaces.add(to);
    };
    for (const service of snapshot.services) name(serviceExportTo(service));
    for (const entry of this.entries) name(entry.exportTo);
    // A captor may sit in any namespace: the one it is private to is named as well.
    for (const captor of this.captors) {
      const exportTo = this.exportToOf(captor.exportTo);
      name(exportTo);
      if (exportTo && !exportTo.includes('*'))
        this.namedNamespaces.add(captor.namespace);
    }
    name(this.defaultExportTo);
    this.hides = hides;
  }

  /**
   * The `exportTo` that applies: as written, else the mesh config's `defaultServiceExportTo`
   * (istiod `serviceExportTo`).
   */
  exportToOf(written: string[] | undefined): string[] | undefined {
    return written ?? this.defaultExportTo;
  }

  /**
   * A ServiceEntry visible to the client's namespace that may take unmatched traffic on one of
   * the port numbers: a port without `addresses` not routed by host (docs/engine.md "Istio
   * service registry"), with the port.
   */
  capturing(
    clientNs: string,
    ports: number[],
  ): { ref: string; port: number } | undefined {
    for (const captor of this.captors) {
      const exportTo = this.exportToOf(captor.exportTo);
      if (!serviceVisible(exportTo, captor.namespace, clientNs)) continue;
      const port = captor.ports.find(p => ports.includes(p));
      if (port !== undefined) return { ref: captor.ref, port };
    }
    return undefined;
  }

  /** Whether a modelled ServiceEntry selects the workload. */
  selects(w: SnapshotWorkload): boolean {
    return this.entries.some(e => this.selecting(e, w));
  }

  /**
   * The modelled ServiceEntries reaching the workload's container port: the endpoint port of a
   * selected pod is its container port named as the entry's port, else `targetPort`, else the
   * port number (istiod `convertWorkloadInstanceToServiceInstance`).
   */
  entriesFor(w: SnapshotWorkload, port: number): RegistryEntry[] {
    const out: RegistryEntry[] = [];
    for (const entry of this.entries) {
      if (!this.selecting(entry, w)) continue;
      for (const p of entry.ports) {
        const named =
          p.name !== undefined
            ? w.ports.find(c => c.name === p.name)?.port
            : undefined;
        if ((named ?? p.targetPort ?? p.number) !== port) continue;
        out.push({
          ref: entry.ref,
          namespace: entry.namespace,
          hosts: entry.hosts,
          port: p.number,
          exportTo: this.exportToOf(entry.exportTo),
        });
      }
    }
    return out;
  }

  private selecting(entry: SelectorEntry, w: SnapshotWorkload): boolean {
    return (
      w.namespace === entry.namespace &&
      selectorMatches({ matchLabels: entry.labels }, w.labels)
    );
  }
}
