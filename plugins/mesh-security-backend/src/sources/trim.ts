/**
 * Trimmed projections: what is kept of each object read from a cluster, so that a snapshot
 * retains a small, bounded amount per pod. Everything the engine reads is kept; bulky fields it
 * never reads (managedFields, last-applied annotations, container images/commands/probes/
 * resources, env values, most of status) are dropped as soon as a page arrives.
 */

import {
  MESH_SECURITY_ANNOTATION_PREFIX,
  MESH_TRUST_ROOTS,
  istioMeshConfigRevision,
} from '@mesh-security/plugin-mesh-security-common';

type Json = Record<string, unknown>;

/**
 * Annotations the engine reads all live under these prefixes (mesh injection, port exclusions,
 * Linkerd policy defaults, ambient enrollment); every other annotation is dropped.
 */
const KEPT_ANNOTATION_PREFIXES = [
  'sidecar.istio.io/',
  'traffic.sidecar.istio.io/',
  'istio.io/',
  'ambient.istio.io/',
  'proxy.istio.io/',
  // `networking.istio.io/exportTo` on Services (docs/engine.md "Not evaluated").
  'networking.istio.io/',
  'linkerd.io/',
  'config.linkerd.io/',
  'config.alpha.linkerd.io/',
  'backstage.io/',
  MESH_SECURITY_ANNOTATION_PREFIX,
];
/** Bulky annotations under a kept prefix that the engine never reads. */
const DROPPED_ANNOTATIONS = new Set([
  'sidecar.istio.io/status',
  'linkerd.io/proxy-version',
  'linkerd.io/created-by',
]);

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function trimMetadata(metadata: unknown): Json | undefined {
  if (!isObject(metadata)) return undefined;
  const { managedFields, annotations, ...rest } = metadata;
  const out: Json = { ...rest };
  if (isObject(annotations)) {
    out.annotations = Object.fromEntries(
      Object.entries(annotations).filter(
        ([key, value]) =>
          KEPT_ANNOTATION_PREFIXES.some(prefix => key.startsWith(prefix)) &&
          !DROPPED_ANNOTATIONS.has(key) &&
          // Huge annotation values are never mesh configuration.
          !(typeof value === 'string' && value.length > 4096),
      ),
    );
  }
  return out;
}

function trimEnv(env: unknown): unknown {
  if (!Array.isArray(env)) return undefined;
  // Only references to Secrets matter (credential-leakage pillar); values are never kept.
  const refs = env
    .filter(
      e =>
        isObject(e) &&
        isObject(e.valueFrom) &&
        isObject(e.valueFrom.secretKeyRef),
    )
    .map(e => ({
      name: (e as Json).name,
      valueFrom: { secretKeyRef: ((e as Json).valueFrom as Json).secretKeyRef },
    }));
  return refs.length ? refs : undefined;
}

function trimContainer(container: unknown): unknown {
  if (!isObject(container)) return container;
  const envFrom = Array.isArray(container.envFrom)
    ? container.envFrom.filter(e => isObject(e) && isObject(e.secretRef))
    : undefined;
  return {
    name: container.name,
    ports: container.ports,
    restartPolicy: container.restartPolicy,
    env: trimEnv(container.env),
    envFrom: envFrom?.length ? envFrom : undefined,
  };
}

function trimVolumes(volumes: unknown): unknown {
  if (!Array.isArray(volumes)) return undefined;
  // Secret, projected-secret and CSI volumes matter; others only by name.
  return volumes.map(v =>
    isObject(v)
      ? { name: v.name, secret: v.secret, projected: v.projected, csi: v.csi }
      : v,
  );
}

function trimPodSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  return {
    serviceAccountName: spec.serviceAccountName ?? spec.serviceAccount,
    containers: Array.isArray(spec.containers)
      ? spec.containers.map(trimContainer)
      : spec.containers,
    initContainers: Array.isArray(spec.initContainers)
      ? spec.initContainers.map(trimContainer)
      : undefined,
    volumes: trimVolumes(spec.volumes),
    hostNetwork: spec.hostNetwork,
  };
}

function trimTemplate(template: unknown): unknown {
  if (!isObject(template)) return template;
  return {
    metadata: trimMetadata(template.metadata),
    spec: trimPodSpec(template.spec),
  };
}

/**
 * The ConfigMap data that is read, by ConfigMap name: the mesh configuration the engine reads
 * by name in any namespace (`readMeshConfig` in the common package's `engine/core/reader.ts`), and
 * the public trust roots (`MESH_TRUST_ROOTS` in the common package's
 * `engine/findings/certificates.ts`); besides, the `mesh` key of a revision's mesh configuration
 * (`istioMeshConfigRevision`, docs/engine.md "Trust domain"). Any other data is dropped.
 */
const KEPT_CONFIG_MAP_DATA = new Map<string, string[]>([
  ['istio', ['mesh']],
  ['linkerd-config', ['values']],
  ...MESH_TRUST_ROOTS.map(
    root => [root.name, [root.key]] as [string, string[]],
  ),
]);

function trimConfigMapData(raw: Json): Json | undefined {
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || !isObject(raw.data)) return undefined;
  const keys =
    KEPT_CONFIG_MAP_DATA.get(name) ??
    (istioMeshConfigRevision(
      typeof namespace === 'string' ? namespace : undefined,
      name,
    ) !== undefined
      ? ['mesh']
      : undefined);
  if (!keys) return undefined;
  const data = raw.data;
  return Object.fromEntries(
    keys.filter(key => key in data).map(key => [key, data[key]]),
  );
}

/** Returns the trimmed projection of one raw object (unknown kinds pass through, minus bulk). */
export function trimObject(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const base: Json = {
    apiVersion: raw.apiVersion,
    kind: raw.kind,
    metadata: trimMetadata(raw.metadata),
  };
  const spec = raw.spec;
  switch (raw.kind) {
    case 'Pod': {
      const status = isObject(raw.status)
        ? {
            phase: raw.status.phase,
            podIP: raw.status.podIP,
            podIPs: raw.status.podIPs,
          }
        : undefined;
      return { ...base, spec: trimPodSpec(spec), status };
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return isObject(spec)
        ? {
            ...base,
            spec: {
              replicas: spec.replicas,
              selector: spec.selector,
              template: trimTemplate(spec.template),
            },
          }
        : base;
    case 'CronJob': {
      const jobTemplate =
        isObject(spec) && isObject(spec.jobTemplate)
          ? spec.jobTemplate
          : undefined;
      const jobSpec =
        jobTemplate && isObject(jobTemplate.spec)
          ? jobTemplate.spec
          : undefined;
      return {
        ...base,
        spec: jobSpec
          ? {
              jobTemplate: {
                spec: { template: trimTemplate(jobSpec.template) },
              },
            }
          : spec,
      };
    }
    case 'Certificate':
      // cert-manager: keep the spec and the readiness/expiry status, nothing else.
      return {
        ...base,
        spec,
        status: isObject(raw.status)
          ? { notAfter: raw.status.notAfter, conditions: raw.status.conditions }
          : undefined,
      };
    case 'ConfigMap':
      return { ...base, data: trimConfigMapData(raw) };
    case 'Secret':
      // Never read (docs/backend.md "RBAC"); a manifests directory may still hold some.
      return base;
    default:
      // Policies, Services, Namespaces are small: keep their spec.
      return { ...base, spec };
  }
}
