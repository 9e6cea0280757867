import { parse as parseYaml } from 'yaml';
import { kubectlYamlTags } from './kubectlYaml';
import {
  Finding,
  JsonObject,
  Snapshot,
  SnapshotPolicy,
  UNEVALUATED_KINDS,
  WORKLOAD_KINDS,
} from '../../model';
import { IDENTITY_FINDINGS } from '../findings/identity';
import { MTLS_FINDINGS } from '../findings/mtls';
import { makeFinding } from '../findings/make';
import {
  RawMeta,
  WorkloadCollector,
  stringMap,
  templateMetadataProblem,
} from './readWorkloads';
import { Json, isObject, notAString } from '../validate/check';
import {
  validateAuthorizationPolicy,
  validateDestinationRule,
  validatePeerAuthentication,
} from '../validate/istio';
import {
  gatewayRouteOnServer,
  validateHttpRoute,
  validateLinkerdAuthorizationPolicy,
  validateMeshTlsAuthentication,
  validateNetworkAuthentication,
  validateNetworkPolicy,
  validateServer,
  validateServerAuthorization,
  validateLinkerdKeptKind,
} from '../validate/linkerd';
import { validateAdminKind } from '../validate/adminNetworkPolicy';
import { validateCiliumKind } from '../validate/ciliumNetworkPolicy';
import { validateGatewayKind } from '../validate/gateway';
import { GATEWAY_API_GROUP } from '../istio/waypoint';

/**
 * Options of {@link readObjects}.
 *
 * @public
 */
export interface ReadOptions {
  /** Cluster name stored in the snapshot. */
  cluster?: string;
}

/**
 * The result of {@link readObjects}: the snapshot and the findings about malformed objects.
 *
 * @public
 */
export interface ReadResult {
  /** The objects the engine reads, trimmed; malformed objects are left out. */
  snapshot: Snapshot;
  /**
   * Findings about objects that were left out (MS401 malformed, e.g. a missing field or an
   * unserved apiVersion) or are partly ignored (MS104 `portLevelMtls` without a selector).
   */
  findings: Finding[];
}

type PolicyTarget = (s: Snapshot) => Array<SnapshotPolicy<JsonObject>>;

/** Policy kinds: group → accepted versions, validator, where they go in the snapshot. */
const POLICY_KINDS: Record<
  string,
  {
    groups: Record<string, string[]>;
    validate: (spec: unknown) => string[];
    target: PolicyTarget;
  }
> = {
  PeerAuthentication: {
    groups: { 'security.istio.io': ['v1', 'v1beta1'] },
    validate: validatePeerAuthentication,
    target: s => s.istio.peerAuthentications,
  },
  DestinationRule: {
    groups: { 'networking.istio.io': ['v1', 'v1beta1', 'v1alpha3'] },
    validate: validateDestinationRule,
    target: s => s.istio.destinationRules,
  },
  Server: {
    groups: {
      'policy.linkerd.io': ['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'],
    },
    validate: validateServer,
    target: s => s.linkerd.servers,
  },
  ServerAuthorization: {
    groups: { 'policy.linkerd.io': ['v1beta1', 'v1alpha1'] },
    validate: validateServerAuthorization,
    target: s => s.linkerd.serverAuthorizations,
  },
  MeshTLSAuthentication: {
    groups: { 'policy.linkerd.io': ['v1alpha1'] },
    validate: validateMeshTlsAuthentication,
    target: s => s.linkerd.meshTlsAuthentications,
  },
  NetworkAuthentication: {
    groups: { 'policy.linkerd.io': ['v1alpha1'] },
    validate: validateNetworkAuthentication,
    target: s => s.linkerd.networkAuthentications,
  },
  HTTPRoute: {
    groups: {
      'policy.linkerd.io': ['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'],
      // Read only where they attach to a Linkerd Server (below).
      [GATEWAY_API_GROUP]: ['v1', 'v1beta1'],
    },
    validate: validateHttpRoute,
    target: s => s.linkerd.httpRoutes,
  },
  NetworkPolicy: {
    groups: { 'networking.k8s.io': ['v1'] },
    validate: validateNetworkPolicy,
    target: s => s.networkPolicies,
  },
};

/** Kinds kept unevaluated, by `group/Kind` (docs/engine.md "Not evaluated"). */
const UNEVALUATED = new Set<string>(UNEVALUATED_KINDS);

/** Cluster-scoped kinds among them: their namespace is `''`, not kubectl's `default`. */
const CLUSTER_SCOPED = new Set([
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
]);

/** The workload kinds read as controllers (a bare Pod is read as a pod). */
const CONTROLLERS = new Set<string>(
  WORKLOAD_KINDS.filter(kind => kind !== 'Pod'),
);

/** An object's namespace (`default` when absent) and name, when both are strings. */
function readableName(
  raw: Json,
): Pick<RawMeta, 'namespace' | 'name'> | undefined {
  const m = raw.metadata;
  if (!isObject(m) || typeof m.name !== 'string' || m.name.length === 0)
    return undefined;
  if (m.namespace !== undefined && typeof m.namespace !== 'string')
    return undefined;
  return { namespace: m.namespace || 'default', name: m.name };
}

function readMeta(raw: Json): RawMeta | string {
  if (!isObject(raw.metadata)) return 'metadata: Required value';
  const m = raw.metadata;
  if (typeof m.name !== 'string' || m.name.length === 0)
    return 'metadata.name: Required value';
  if (m.namespace !== undefined && typeof m.namespace !== 'string')
    return `metadata.namespace: ${notAString(m.namespace)}`;
  for (const key of ['labels', 'annotations'] as const) {
    const map = m[key];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) return `metadata.${key}: must be a map of strings`;
    for (const [name, value] of Object.entries(map)) {
      if (typeof value !== 'string')
        return `metadata.${key}[${name}]: ${notAString(value)}`;
    }
  }
  const owners = Array.isArray(m.ownerReferences)
    ? m.ownerReferences
        .filter(isObject)
        .filter(o => typeof o.kind === 'string' && typeof o.name === 'string')
    : [];
  // The controller owner decides the workload (ownerReferences with `controller: true`).
  owners.sort(
    (a, b) => Number(b.controller === true) - Number(a.controller === true),
  );
  return {
    // Manifests often omit the namespace (applied with `kubectl -n`); `default` is kubectl's default.
    namespace:
      typeof m.namespace === 'string' && m.namespace ? m.namespace : 'default',
    name: m.name,
    labels: stringMap(m.labels),
    annotations: stringMap(m.annotations),
    creationTimestamp:
      typeof m.creationTimestamp === 'string' ? m.creationTimestamp : undefined,
    ownerReferences: owners.map(o => ({
      kind: String(o.kind),
      name: String(o.name),
    })),
  };
}

/** Where kubectl puts an object: its namespace, `default` when it names none, `''` if cluster-scoped. */
function objectNamespace(kind: string, meta: Json): string {
  if (kind === 'Namespace' || CLUSTER_SCOPED.has(kind)) return '';
  return typeof meta.namespace === 'string' && meta.namespace
    ? meta.namespace
    : 'default';
}

/**
 * The earlier definitions of objects the list defines more than once (same API group, kind,
 * namespace and name; the version does not matter), by index, with how many times the object
 * is defined; undefined when every object is defined once. A cluster holds one object per
 * identity, and `kubectl apply` leaves the last definition.
 */
function definedAgain(list: unknown[]): Map<number, number> | undefined {
  const last = new Map<string, number>();
  const keys: Array<string | undefined> = new Array(list.length);
  let repeated = false;
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    if (!isObject(raw) || typeof raw.kind !== 'string') continue;
    const meta = raw.metadata;
    if (!isObject(meta) || typeof meta.name !== 'string' || !meta.name)
      continue;
    const api = apiGroup(raw.apiVersion);
    const key = `${api?.group ?? ''}/${raw.kind}/${objectNamespace(
      raw.kind,
      meta,
    )}/${meta.name}`;
    keys[i] = key;
    if (last.has(key)) repeated = true;
    last.set(key, i);
  }
  if (!repeated) return undefined;
  const count = new Map<string, number>();
  for (const key of keys)
    if (key !== undefined) count.set(key, (count.get(key) ?? 0) + 1);
  const earlier = new Map<number, number>();
  keys.forEach((key, i) => {
    if (key !== undefined && last.get(key) !== i)
      earlier.set(i, count.get(key)!);
  });
  return earlier;
}

function apiGroup(
  apiVersion: unknown,
): { group: string; version: string } | undefined {
  if (typeof apiVersion !== 'string' || apiVersion.length === 0)
    return undefined;
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function readMeshConfig(
  snapshot: Snapshot,
  meta: RawMeta,
  data: unknown,
): string | undefined {
  if (!isObject(data)) return undefined;
  try {
    const revision = revisionOfMeshConfig(meta, data);
    if (
      (meta.name === 'istio' || revision !== undefined) &&
      typeof data.mesh === 'string'
    ) {
      // Istio mesh config ("Global Mesh Options"): trustDomain, rootNamespace.
      const mesh = parseYaml(data.mesh, {
        merge: true,
        customTags: kubectlYamlTags,
      }) as unknown;
      if (isObject(mesh)) {
        const aliases = Array.isArray(mesh.trustDomainAliases)
          ? mesh.trustDomainAliases.filter(
              (a): a is string => typeof a === 'string',
            )
          : [];
        // An empty list is proto3's unset: Istio's default `*` applies.
        const exportTo = (key: string) => {
          const list = mesh[key];
          return Array.isArray(list) && list.length > 0
            ? { [key]: list.map(String) }
            : {};
        };
        const values = {
          trustDomain:
            typeof mesh.trustDomain === 'string' ? mesh.trustDomain : undefined,
          rootNamespace:
            typeof mesh.rootNamespace === 'string'
              ? mesh.rootNamespace
              : undefined,
          ...(aliases.length > 0 ? { trustDomainAliases: aliases } : {}),
          ...exportTo('defaultServiceExportTo'),
          ...exportTo('defaultDestinationRuleExportTo'),
          ...(typeof mesh.enableAutoMtls === 'boolean'
            ? { enableAutoMtls: mesh.enableAutoMtls }
            : {}),
          ...(isObject(mesh.outboundTrafficPolicy)
            ? {
                outboundTrafficPolicy:
                  typeof mesh.outboundTrafficPolicy.mode === 'string'
                    ? mesh.outboundTrafficPolicy.mode
                    : '(unset mode)',
              }
            : {}),
        };
        if (revision === undefined) snapshot.meshConfig.istio = values;
        else (snapshot.meshConfig.istioRevisions ??= {})[revision] = values;
      }
    } else if (
      meta.name === 'linkerd-config' &&
      typeof data.values === 'string'
    ) {
      const values = parseYaml(data.values, {
        merge: true,
        customTags: kubectlYamlTags,
      }) as unknown;
      if (isObject(values)) {
        const proxy = isObject(values.proxy) ? values.proxy : {};
        const pc = isObject(values.policyController)
          ? values.policyController
          : {};
        const policy = proxy.defaultInboundPolicy ?? pc.defaultAllowPolicy;
        const networks = values.clusterNetworks;
        const egress = isObject(values.egress) ? values.egress : {};
        snapshot.meshConfig.linkerd = {
          trustDomain:
            typeof values.identityTrustDomain === 'string'
              ? values.identityTrustDomain
              : undefined,
          defaultInboundPolicy: typeof policy === 'string' ? policy : undefined,
          clusterNetworks:
            typeof networks === 'string'
              ? networks
                  .split(',')
                  .map(n => n.trim())
                  .filter(Boolean)
              : undefined,
          ...(typeof proxy.opaquePorts === 'string'
            ? { opaquePorts: proxy.opaquePorts }
            : {}),
          ...(typeof egress.globalEgressNetworkNamespace === 'string'
            ? {
                globalEgressNetworkNamespace:
                  egress.globalEgressNetworkNamespace,
              }
            : {}),
        };
      }
    }
  } catch (error) {
    return `data: cannot parse mesh configuration: ${
      String((error as Error).message).split('\n')[0]
    }`;
  }
  return undefined;
}

/**
 * Reads raw Kubernetes objects (as parsed from YAML/JSON or listed from the API) into a
 * {@link Snapshot}. Tolerant: unknown kinds and unknown fields are ignored; a malformed object
 * of a kind the engine reads becomes a finding (MS401) and is left out. Never throws.
 *
 * @public
 */
export function readObjects(
  objects: unknown[],
  options: ReadOptions = {},
): ReadResult {
  const snapshot = emptySnapshot();
  snapshot.cluster = options.cluster;
  const findings: Finding[] = [];
  const workloads = new WorkloadCollector();
  const malformed = (
    raw: Json | undefined,
    meta: Pick<RawMeta, 'namespace' | 'name'> | undefined,
    problems: string[],
  ) => {
    const kind = raw && typeof raw.kind === 'string' ? raw.kind : 'Unknown';
    const object = {
      kind,
      // As every other finding names it: a cluster-scoped object has no namespace (`meta`
      // reads an absent one as `default`, where a namespaced object would be applied).
      namespace:
        kind === 'Namespace' || CLUSTER_SCOPED.has(kind)
          ? ''
          : meta?.namespace ?? '',
      name: meta?.name ?? '(unnamed)',
      cluster: options.cluster,
    };
    findings.push(
      makeFinding(
        IDENTITY_FINDINGS.malformed,
        object,
        `${kind} ${object.namespace ? `${object.namespace}/` : ''}${
          object.name
        } is malformed and was ignored: ${problems.slice(0, 3).join('; ')}`,
      ),
    );
  };
  const list = Array.isArray(objects) ? objects : [];
  const replaced = definedAgain(list);
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    const again = replaced?.get(i);
    if (again) {
      definedTwice(raw as Json, again);
      continue;
    }
    try {
      readOne(raw);
    } catch (error) {
      // Defensive: a reader bug must not lose the rest of the estate.
      malformed(isObject(raw) ? raw : undefined, undefined, [
        `unreadable: ${String((error as Error)?.message ?? error)}`,
      ]);
    }
  }
  snapshot.workloads = workloads.build();
  sortPolicies(snapshot);
  return { snapshot, findings };

  /** An earlier definition of an object the input defines again (MS409): left out. */
  function definedTwice(raw: Json, times: number): void {
    const meta = raw.metadata as Json;
    const kind = String(raw.kind);
    const namespace = objectNamespace(kind, meta);
    findings.push(
      makeFinding(
        IDENTITY_FINDINGS.definedTwice,
        { kind, namespace, name: String(meta.name), cluster: options.cluster },
        `${kind} ${namespace ? `${namespace}/` : ''}${String(
          meta.name,
        )} is defined ${times} times in the input: the last definition is evaluated, as ` +
          '`kubectl apply` leaves it, and this earlier one is ignored',
      ),
    );
  }

  function readOne(raw: unknown): void {
    if (!isObject(raw)) {
      malformed(undefined, undefined, ['not an object']);
      return;
    }
    const kind = raw.kind;
    if (typeof kind !== 'string') {
      malformed(raw, undefined, ['kind: Required value']);
      return;
    }
    const api = apiGroup(raw.apiVersion);
    const known =
      kind === 'Namespace' ||
      kind === 'Pod' ||
      kind === 'Service' ||
      kind === 'ConfigMap' ||
      kind === 'ServiceAccount' ||
      CONTROLLERS.has(kind) ||
      kind === 'AuthorizationPolicy' ||
      kind === 'ExternalSecret' ||
      kind in POLICY_KINDS ||
      (api !== undefined && UNEVALUATED.has(`${api.group}/${kind}`));
    if (!known) return;
    const meta = readMeta(raw);
    if (typeof meta === 'string') {
      // Named when its name is readable (a label `istio-injection: yes` unquoted is a boolean,
      // the name still says which object it is); `(unnamed)` otherwise.
      malformed(raw, readableName(raw), [meta]);
      return;
    }
    if (!api) {
      malformed(raw, meta, ['apiVersion: Required value']);
      return;
    }
    const spec = isObject(raw.spec) ? raw.spec : {};
    if (
      (kind === 'HTTPRoute' || kind === 'GRPCRoute') &&
      api.group === GATEWAY_API_GROUP &&
      !gatewayRouteOnServer(raw.spec)
    ) {
      // The Gateway API's routes of Gateways and Services decide no verdict the engine gives;
      // those on Linkerd Servers are read (HTTPRoute) or not evaluated (GRPCRoute).
    } else if (UNEVALUATED.has(`${api.group}/${kind}`)) {
      const problems = [
        ...validateAdminKind(kind, api.version, meta.name, raw.spec),
        ...validateCiliumKind(kind, api.version, raw),
        ...validateLinkerdKeptKind(kind, api.version, raw.spec),
        ...validateGatewayKind(kind, api.group, api.version, raw.spec),
      ];
      if (problems.length > 0)
        malformed(
          raw,
          CLUSTER_SCOPED.has(kind) ? { ...meta, namespace: '' } : meta,
          problems,
        );
      else keepUnevaluated(raw, meta, api);
    } else if (kind === 'Namespace') {
      // Kubernetes sets `kubernetes.io/metadata.name` on every namespace (NamespaceDefaultLabelName).
      snapshot.namespaces.push({
        name: meta.name,
        labels: { ...meta.labels, 'kubernetes.io/metadata.name': meta.name },
        annotations: meta.annotations,
      });
    } else if (kind === 'Pod') {
      workloads.addPod(meta, spec, isObject(raw.status) ? raw.status : {});
    } else if (CONTROLLERS.has(kind)) {
      if (
        api.group === 'apps' ||
        api.group === 'batch' ||
        api.group === 'extensions'
      ) {
        const problem = templateMetadataProblem(kind, spec);
        if (problem) malformed(raw, meta, [problem]);
        else workloads.addController(kind, meta, spec);
      }
    } else if (kind === 'Service') {
      readService(meta, spec);
    } else if (kind === 'ConfigMap') {
      const problem = readMeshConfig(snapshot, meta, raw.data);
      if (problem) malformed(raw, meta, [problem]);
    } else if (kind === 'ExternalSecret') {
      const target =
        isObject(spec.target) && typeof spec.target.name === 'string'
          ? spec.target.name
          : meta.name;
      // external-secrets.io: `spec.target.name` defaults to the ExternalSecret's name.
      snapshot.externalSecrets.push({
        namespace: meta.namespace,
        name: meta.name,
        targetSecret: target,
      });
    } else if (kind === 'ServiceAccount') {
      // Identities come from the workloads' serviceAccountName; the object itself adds nothing.
    } else if (kind === 'AuthorizationPolicy') {
      if (api.group === 'security.istio.io')
        addPolicy(
          raw,
          meta,
          api,
          ['v1', 'v1beta1'],
          validateAuthorizationPolicy,
          snapshot.istio.authorizationPolicies,
        );
      else if (api.group === 'policy.linkerd.io')
        addPolicy(
          raw,
          meta,
          api,
          ['v1alpha1'],
          validateLinkerdAuthorizationPolicy,
          snapshot.linkerd.authorizationPolicies,
        );
    } else {
      const def = POLICY_KINDS[kind];
      const versions = def?.groups[api.group];
      if (versions)
        addPolicy(raw, meta, api, versions, def.validate, def.target(snapshot));
    }
  }

  function addPolicy(
    raw: Json,
    meta: RawMeta,
    api: { group: string; version: string },
    versions: string[],
    validate: (spec: unknown) => string[],
    target: Array<SnapshotPolicy<JsonObject>>,
  ): void {
    const problems = versions.includes(api.version)
      ? validate(raw.spec)
      : [
          `apiVersion: ${api.group}/${
            api.version
          } is not a served version of ${String(raw.kind)}`,
        ];
    // portLevelMtls without selector: the API server rejects it (CEL) and Istio ignores the
    // port-level part; reported as its own finding so the fix is specific, object kept.
    const portLevel = problems.indexOf('spec: portLevelMtls requires selector');
    if (portLevel >= 0 && raw.kind === 'PeerAuthentication') {
      problems.splice(portLevel, 1);
      const object = {
        kind: 'PeerAuthentication',
        namespace: meta.namespace,
        name: meta.name,
        cluster: options.cluster,
      };
      findings.push(
        makeFinding(
          MTLS_FINDINGS.portLevelWithoutSelector,
          object,
          `PeerAuthentication ${meta.namespace}/${meta.name} sets portLevelMtls without a selector: Istio ignores it (and the API server rejects the object)`,
        ),
      );
    }
    if (problems.length > 0) {
      malformed(raw, meta, problems);
      return;
    }
    target.push({
      kind: String(raw.kind),
      apiVersion: `${api.group}/${api.version}`,
      namespace: meta.namespace,
      name: meta.name,
      labels: meta.labels,
      annotations: meta.annotations,
      creationTimestamp: meta.creationTimestamp,
      spec: (isObject(raw.spec) ? raw.spec : {}) as JsonObject,
    });
  }

  function keepUnevaluated(
    raw: Json,
    meta: RawMeta,
    api: { group: string; version: string },
  ): void {
    const kind = String(raw.kind);
    (snapshot.unevaluated ??= []).push({
      kind,
      apiVersion: api.group ? `${api.group}/${api.version}` : api.version,
      namespace: CLUSTER_SCOPED.has(kind) ? '' : meta.namespace,
      name: meta.name,
      labels: meta.labels,
      annotations: meta.annotations,
      creationTimestamp: meta.creationTimestamp,
      spec: specOf(raw) as JsonObject,
    });
  }

  function readService(meta: RawMeta, spec: Json): void {
    const ports = (Array.isArray(spec.ports) ? spec.ports : [])
      .filter(isObject)
      .flatMap(p => {
        const port = Number(p.port);
        if (!Number.isInteger(port)) return [];
        const tp = p.targetPort;
        return [
          {
            port,
            targetPort:
              typeof tp === 'number' || typeof tp === 'string' ? tp : undefined,
            name: typeof p.name === 'string' ? p.name : undefined,
            protocol: typeof p.protocol === 'string' ? p.protocol : undefined,
            ...(typeof p.appProtocol === 'string'
              ? { appProtocol: p.appProtocol }
              : {}),
          },
        ];
      });
    snapshot.services.push({
      namespace: meta.namespace,
      name: meta.name,
      selector: isObject(spec.selector) ? stringMap(spec.selector) : null,
      ports,
      ...(Object.keys(meta.labels).length > 0 ? { labels: meta.labels } : {}),
      ...(Object.keys(meta.annotations).length > 0
        ? { annotations: meta.annotations }
        : {}),
    });
  }
}

/** Sorts what the reader read (internal: the incremental evaluator assembles snapshots too). */
export function sortPolicies(snapshot: Snapshot): void {
  // Deterministic order, independent of input order (property: order independence).
  const by = (
    a: { namespace: string; name: string; kind?: string },
    b: { namespace: string; name: string; kind?: string },
  ) =>
    a.namespace.localeCompare(b.namespace) ||
    a.name.localeCompare(b.name) ||
    (a.kind ?? '').localeCompare(b.kind ?? '');
  snapshot.namespaces.sort((a, b) => a.name.localeCompare(b.name));
  snapshot.services.sort(by);
  for (const l of [
    ...Object.values(snapshot.istio),
    ...Object.values(snapshot.linkerd),
    snapshot.networkPolicies,
  ])
    l.sort(by);
  snapshot.externalSecrets.sort(by);
  snapshot.unevaluated?.sort(by);
}

function specOf(raw: Json): Json {
  const spec = isObject(raw.spec) ? raw.spec : {};
  // A Cilium policy's top-level `specs` (more rules) is kept as `spec.specs`.
  return Array.isArray(raw.specs) ? { ...spec, specs: raw.specs } : spec;
}

/**
 * The revision whose istiod reads a ConfigMap as its mesh configuration: ConfigMap
 * `istio-<revision>` in `istio-system` ("Canary upgrades",
 * https://istio.io/latest/docs/setup/upgrade/canary/: each revision's istiod reads its own;
 * docs/engine.md "Trust domain"). Undefined for any other ConfigMap. The reader takes its `mesh`
 * key; the backend keeps that key and nothing else of it.
 *
 * @public
 */
export function istioMeshConfigRevision(
  namespace: string | undefined,
  name: string,
): string | undefined {
  const match = /^istio-([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(name);
  return namespace === 'istio-system' && match ? match[1] : undefined;
}

/** The revision of a revisioned Istio mesh configuration that has a `mesh` key. */
function revisionOfMeshConfig(meta: RawMeta, data: Json): string | undefined {
  return typeof data.mesh === 'string'
    ? istioMeshConfigRevision(meta.namespace, meta.name)
    : undefined;
}

/**
 * An empty snapshot, filled as objects are read.
 */
function emptySnapshot(): Snapshot {
  return {
    meshConfig: {},
    namespaces: [],
    workloads: [],
    services: [],
    istio: {
      peerAuthentications: [],
      destinationRules: [],
      authorizationPolicies: [],
    },
    linkerd: {
      servers: [],
      serverAuthorizations: [],
      authorizationPolicies: [],
      meshTlsAuthentications: [],
      networkAuthentications: [],
      httpRoutes: [],
    },
    networkPolicies: [],
    externalSecrets: [],
  };
}
