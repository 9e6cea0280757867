import {
  EntityWorkload,
  JsonObject,
  Mesh,
  parseManifests,
  readObjects,
  ReadResult,
  parseIstioPrincipal,
  SnapshotService,
  SnapshotWorkload,
} from '@mesh-security/plugin-mesh-security-common';

/*
 * A small snapshot around one target, enough for the engine to answer "who may call it" before
 * and after a change: the policies that apply to the target today (from the backend), overridden
 * by the objects of the policy file (before or after the edit), the target workload, and one
 * workload per service account the policies or the request name (callers are shown by service
 * account). Namespaces get the labels that make their workloads members of the target's mesh
 * (and `kubernetes.io/metadata.name`, which every namespace carries). NetworkPolicies are only
 * included on request (see networkLayer.ts). An Istio sidecar target gets the Services that
 * declare its ports' protocols ({@link declaringServices}).
 */

/** A service account of a caller. */
export interface CallerAccount {
  namespace: string;
  serviceAccount: string;
  /**
   * Pod labels of the caller's workload, when the caller was named as a component (its posture
   * has them). Callers named by identity get a placeholder label: NetworkPolicy pod selectors
   * cannot be evaluated for them.
   */
  labels?: Record<string, string>;
}

/** Options of {@link buildSnapshot}. */
export interface SnapshotOptions {
  /**
   * How the impact sees each NetworkPolicy (see networkLayer.ts); NetworkPolicies are left out
   * when absent.
   */
  networkPolicies?: (policy: NetworkPolicy) => NetworkPolicy[];
}

/** A NetworkPolicy of the snapshot. */
export type NetworkPolicy = ReadResult['snapshot']['networkPolicies'][number];

/** Label given to callers whose pod labels are unknown. */
export const PLACEHOLDER_LABEL = 'mesh-security.io/caller';

/** Inputs of {@link buildSnapshot}. */
export interface SnapshotContext {
  cluster: string;
  /** `meshSecurity.platformNamespaces` (undefined: the engine's defaults). */
  platformNamespaces?: string[];
  target: EntityWorkload;
  callers: CallerAccount[];
}

const key = (o: JsonObject) => {
  const meta = (o.metadata ?? {}) as JsonObject;
  return `${String(o.kind)}|${String(meta.namespace ?? 'default')}|${String(
    meta.name,
  )}`;
};

function namespaceFor(name: string, mesh: Mesh) {
  const labels: Record<string, string> = {
    'kubernetes.io/metadata.name': name,
  };
  const annotations: Record<string, string> = {};
  if (mesh === 'istio-sidecar') labels['istio-injection'] = 'enabled';
  if (mesh === 'istio-ambient') labels['istio.io/dataplane-mode'] = 'ambient';
  if (mesh === 'linkerd') annotations['linkerd.io/inject'] = 'enabled';
  return { name, labels, annotations };
}

/**
 * Services standing in for those that declare the protocols of an Istio sidecar target's ports
 * (its posture's `appProtocol`, as the Security tab reads them from the cluster's Services): one
 * per protocol, selecting the target, each port targeting the container port. The sidecar
 * receives a port declared `tcp` (`tls`, `mysql`, …) as TCP and ignores an ALLOW rule's HTTP
 * conditions there (docs/engine.md "Authorization Policy for TCP"; MS216). Other meshes get
 * none: ztunnel is L4 on every port, the snapshot has no waypoint, and Linkerd reads no Service.
 */
export function declaringServices(t: EntityWorkload): SnapshotService[] {
  if (t.mesh !== 'istio-sidecar' || Object.keys(t.labels).length === 0)
    return [];
  const ports = new Map<string, number[]>();
  for (const p of t.ports)
    for (const protocol of p.appProtocol?.split(', ') ?? [])
      ports.set(protocol, [...(ports.get(protocol) ?? []), p.port]);
  return [...ports.keys()].sort().map(protocol => ({
    namespace: t.namespace,
    name: `${t.name}-declared-${protocol}`,
    selector: t.labels,
    ports: ports.get(protocol)!.map(port => ({
      port,
      targetPort: port,
      name: `${protocol}-${port}`,
      protocol: 'TCP',
      appProtocol: protocol,
    })),
  }));
}

/**
 * The annotation that makes the target's proxy skip the ports its posture says bypass it
 * (`ports[].bypassesProxy`), so that the analysis leaves them outside mTLS and authorization as
 * the cluster does: no PeerAuthentication or AuthorizationPolicy change reaches them.
 */
export function bypassAnnotations(t: EntityWorkload): Record<string, string> {
  const ports = [
    ...new Set(t.ports.filter(p => p.bypassesProxy).map(p => p.port)),
  ];
  if (ports.length === 0) return {};
  if (t.mesh === 'istio-sidecar')
    return { 'traffic.sidecar.istio.io/excludeInboundPorts': ports.join(',') };
  if (t.mesh === 'linkerd')
    return { 'config.linkerd.io/skip-inbound-ports': ports.join(',') };
  return {};
}

/** Service accounts named by Istio principals and Linkerd identityRefs in the objects. */
export function namedAccounts(objects: unknown[]): CallerAccount[] {
  const out: CallerAccount[] = [];
  const visit = (v: unknown, ns: string) => {
    if (typeof v === 'string') {
      const principal = parseIstioPrincipal(v);
      if (principal)
        out.push({
          namespace: principal.namespace,
          serviceAccount: principal.serviceAccount,
        });
    } else if (Array.isArray(v)) v.forEach(x => visit(x, ns));
    else if (v && typeof v === 'object') {
      const o = v as JsonObject;
      if (o.kind === 'ServiceAccount' && typeof o.name === 'string')
        out.push({
          namespace: typeof o.namespace === 'string' ? o.namespace : ns,
          serviceAccount: o.name,
        });
      Object.values(o).forEach(x => visit(x, ns));
    }
  };
  for (const o of objects) {
    const ns = String(
      ((o as JsonObject).metadata as JsonObject | undefined)?.namespace ??
        'default',
    );
    visit((o as JsonObject).spec, ns);
  }
  return out;
}

/**
 * The objects of the policy file plus the context policies (the live manifests the backend sent)
 * that the file does not own. The file owns what it defines now or defined before the edit
 * (`ownedText`): an object deleted by the edit is gone, not taken back from the live cluster.
 */
function mergeObjects(
  fileText: string,
  contextObjects: JsonObject[],
  ownedText = '',
): { objects: JsonObject[]; fileObjects: JsonObject[] } {
  const fileObjects = parseManifests(fileText).objects as JsonObject[];
  const inFile = new Set(
    [
      ...fileObjects,
      ...(parseManifests(ownedText).objects as JsonObject[]),
    ].map(key),
  );
  const context = contextObjects.filter(o => !inFile.has(key(o)));
  return { objects: [...context, ...fileObjects], fileObjects };
}

/** Builds the snapshot for a policy file's text (see the module comment). */
export function buildSnapshot(
  ctx: SnapshotContext,
  fileText: string,
  ownedText = '',
  options: SnapshotOptions = {},
): ReadResult {
  const { objects } = mergeObjects(
    fileText,
    ctx.target.policies.map(p => ({ ...p.manifest })),
    ownedText,
  );
  const result = readObjects(objects, { cluster: ctx.cluster });
  const t = ctx.target;
  const snapshot = result.snapshot;
  snapshot.networkPolicies = options.networkPolicies
    ? snapshot.networkPolicies.flatMap(options.networkPolicies)
    : [];
  const accounts = [...ctx.callers, ...namedAccounts(objects)];
  const namespaces = new Set([t.namespace, ...accounts.map(a => a.namespace)]);
  snapshot.namespaces = [...namespaces]
    .sort()
    .map(ns => namespaceFor(ns, t.mesh));
  const workload = (
    namespace: string,
    name: string,
    serviceAccount: string,
    labels: Record<string, string>,
    ports: SnapshotWorkload['ports'],
  ): SnapshotWorkload => ({
    namespace,
    name,
    kind: 'Deployment',
    labels,
    annotations: {},
    serviceAccount,
    containers: [name],
    ports,
    secrets: [],
    csiSecretStore: false,
    pods: [],
  });
  const workloads = [
    workload(
      t.namespace,
      t.name,
      t.serviceAccount,
      t.labels,
      t.ports.map(p => ({
        port: p.port,
        ...(p.name ? { name: p.name } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
      })),
    ),
  ];
  workloads[0].kind = t.kind;
  workloads[0].annotations = bypassAnnotations(t);
  const seen = new Set([`${t.namespace}/${t.serviceAccount}`]);
  for (const a of accounts) {
    if (seen.has(`${a.namespace}/${a.serviceAccount}`)) continue;
    seen.add(`${a.namespace}/${a.serviceAccount}`);
    const name =
      a.namespace === t.namespace && a.serviceAccount === t.name
        ? `sa-${a.serviceAccount}`
        : a.serviceAccount;
    workloads.push(
      workload(
        a.namespace,
        name,
        a.serviceAccount,
        a.labels ?? { [PLACEHOLDER_LABEL]: a.serviceAccount },
        [],
      ),
    );
  }
  snapshot.workloads = workloads;
  snapshot.services = [...snapshot.services, ...declaringServices(t)];
  return result;
}
