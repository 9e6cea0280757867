import {
  ContainerPort,
  SecretUse,
  SnapshotPod,
  SnapshotWorkload,
} from '../../model';
import { Json, isObject, notAString } from '../validate/check';

/*
 * Groups pod controllers and live pods into workloads (docs/architecture.md "Domain words"):
 * Deployments own ReplicaSets own Pods; CronJobs own Jobs own Pods; StatefulSets/DaemonSets own
 * Pods.
 */

/** Proxy containers are not the workload's ports (Istio `istio-proxy`, Linkerd `linkerd-proxy`). */
export const PROXY_CONTAINERS = new Set(['istio-proxy', 'linkerd-proxy']);

export interface RawMeta {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences: Array<{ kind: string; name: string }>;
}

interface Template {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Json;
}

export const stringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isObject(v))
    for (const [k, val] of Object.entries(v))
      if (typeof val === 'string') out[k] = val;
  return out;
};

const list = (v: unknown): Json[] =>
  Array.isArray(v) ? v.filter(isObject) : [];

/**
 * Why a controller's pod template metadata is malformed, if it is: labels and annotations that are
 * not maps of strings (an unquoted `sidecar.istio.io/inject: false` is a boolean), which the API
 * server refuses with the whole object, so the workload is not what its manifest says.
 */
export function templateMetadataProblem(
  kind: string,
  spec: Json,
): string | undefined {
  const path =
    kind === 'CronJob'
      ? 'spec.jobTemplate.spec.template.metadata'
      : 'spec.template.metadata';
  const t = rawPodTemplate(kind, spec);
  const meta = isObject(t) && isObject(t.metadata) ? t.metadata : {};
  for (const key of ['labels', 'annotations'] as const) {
    const map = meta[key];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) return `${path}.${key}: must be a map of strings`;
    for (const [name, value] of Object.entries(map)) {
      if (typeof value !== 'string')
        return `${path}.${key}[${name}]: ${notAString(value)}`;
    }
  }
  return undefined;
}

/** A controller's pod template as written (a CronJob's is in its job template). */
function rawPodTemplate(kind: string, spec: Json): unknown {
  if (kind !== 'CronJob') return spec.template;
  const jt = isObject(spec.jobTemplate) ? spec.jobTemplate : {};
  return isObject(jt.spec) ? jt.spec.template : undefined;
}

function podTemplate(kind: string, spec: Json): Template | undefined {
  const t = rawPodTemplate(kind, spec);
  if (!isObject(t)) return undefined;
  const meta = isObject(t.metadata) ? t.metadata : {};
  return {
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    spec: isObject(t.spec) ? t.spec : {},
  };
}

/** Containers plus init containers that run as native sidecars (`restartPolicy: Always`). */
function runningContainers(spec: Json): Json[] {
  const init = list(spec.initContainers).filter(
    c => c.restartPolicy === 'Always' || PROXY_CONTAINERS.has(String(c.name)),
  );
  return [...list(spec.containers), ...init];
}

function ports(spec: Json): ContainerPort[] {
  const out: ContainerPort[] = [];
  const seen = new Set<string>();
  for (const c of runningContainers(spec)) {
    if (PROXY_CONTAINERS.has(String(c.name))) continue;
    for (const p of list(c.ports)) {
      const port = Number(p.containerPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
      const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
      const key = `${port}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        port,
        name: typeof p.name === 'string' ? p.name : undefined,
        protocol,
      });
    }
  }
  return out.sort((a, b) => a.port - b.port);
}

function secrets(spec: Json): { secrets: SecretUse[]; csi: boolean } {
  const out: SecretUse[] = [];
  let csi = false;
  for (const v of list(spec.volumes)) {
    if (isObject(v.secret) && typeof v.secret.secretName === 'string')
      out.push({ name: v.secret.secretName, via: 'volume' });
    if (isObject(v.projected)) {
      for (const s of list(v.projected.sources)) {
        if (isObject(s.secret) && typeof s.secret.name === 'string')
          out.push({ name: s.secret.name, via: 'volume' });
      }
    }
    if (isObject(v.csi) && v.csi.driver === 'secrets-store.csi.k8s.io')
      csi = true;
  }
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    for (const e of list(c.env)) {
      const ref =
        isObject(e.valueFrom) && isObject(e.valueFrom.secretKeyRef)
          ? e.valueFrom.secretKeyRef
          : undefined;
      if (ref && typeof ref.name === 'string')
        out.push({ name: ref.name, via: 'env' });
    }
    for (const e of list(c.envFrom)) {
      if (isObject(e.secretRef) && typeof e.secretRef.name === 'string')
        out.push({ name: e.secretRef.name, via: 'envFrom' });
    }
  }
  const unique = new Map(out.map(s => [`${s.name}/${s.via}`, s]));
  return { secrets: [...unique.values()], csi };
}

function workloadFrom(
  kind: string,
  meta: RawMeta,
  t: Template,
): SnapshotWorkload {
  const s = secrets(t.spec);
  const sa = t.spec.serviceAccountName ?? t.spec.serviceAccount;
  return {
    namespace: meta.namespace,
    name: meta.name,
    kind,
    labels: t.labels,
    annotations: t.annotations,
    serviceAccount: typeof sa === 'string' && sa ? sa : 'default',
    hostNetwork: t.spec.hostNetwork === true ? true : undefined,
    containers: runningContainers(t.spec).map(c => String(c.name)),
    ports: ports(t.spec),
    secrets: s.secrets,
    csiSecretStore: s.csi,
    pods: [],
  };
}

/** Collects controllers and pods, then groups pods under their top-level controller. */
export class WorkloadCollector {
  private readonly controllers = new Map<
    string,
    { kind: string; meta: RawMeta; template?: Template }
  >();
  private readonly pods: Array<{ meta: RawMeta; spec: Json; status: Json }> =
    [];

  addController(kind: string, meta: RawMeta, spec: Json): void {
    this.controllers.set(`${meta.namespace}/${kind}/${meta.name}`, {
      kind,
      meta,
      template: podTemplate(kind, spec),
    });
  }

  addPod(meta: RawMeta, spec: Json, status: Json): void {
    this.pods.push({ meta, spec, status });
  }

  /** The top-level owner of a controller or pod (following ReplicaSet→Deployment, Job→CronJob). */
  private topOwner(
    namespace: string,
    kind: string,
    name: string,
    labels: Record<string, string>,
    depth = 0,
  ): { kind: string; name: string } {
    const own = this.controllers.get(`${namespace}/${kind}/${name}`);
    const owner = own?.meta.ownerReferences[0];
    // Depth guard: malformed input may contain ownership cycles.
    if (own && owner && depth < 4)
      return this.topOwner(
        namespace,
        owner.kind,
        owner.name,
        labels,
        depth + 1,
      );
    if (!own && kind === 'ReplicaSet') {
      // A Deployment names its ReplicaSets `<deployment>-<pod-template-hash>` (Deployment
      // controller); the pod carries the hash as a label, so the owner is known exactly.
      const hash = labels['pod-template-hash'];
      if (hash && name.endsWith(`-${hash}`))
        return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
    }
    return { kind, name };
  }

  /**
   * Replicas of a workload carry identical labels, annotations and container lists: one shared
   * (read-only) copy per distinct value keeps the retained snapshot small.
   */
  private readonly interned = new Map<string, unknown>();
  private shared<T extends object>(value: T): T {
    const key = JSON.stringify(value);
    const held = this.interned.get(key) as T | undefined;
    if (held) return held;
    this.interned.set(key, value);
    return value;
  }

  build(): SnapshotWorkload[] {
    const byKey = new Map<string, SnapshotWorkload>();
    // Top-level controllers first, then owned ReplicaSets/Jobs whose owner was not read.
    const ordered = [...this.controllers.values()].sort(
      (a, b) => a.meta.ownerReferences.length - b.meta.ownerReferences.length,
    );
    for (const c of ordered) {
      if (!c.template) continue;
      const top = this.topOwner(
        c.meta.namespace,
        c.kind,
        c.meta.name,
        c.template.labels,
      );
      const key = `${c.meta.namespace}/${top.kind}/${top.name}`;
      if (byKey.has(key)) continue;
      byKey.set(
        key,
        workloadFrom(top.kind, { ...c.meta, name: top.name }, c.template),
      );
    }
    for (const pod of this.pods) {
      const ns = pod.meta.namespace;
      const first = pod.meta.ownerReferences[0];
      const top = first
        ? this.topOwner(ns, first.kind, first.name, pod.meta.labels)
        : { kind: 'Pod', name: pod.meta.name };
      const key = `${ns}/${top.kind}/${top.name}`;
      let workload = byKey.get(key);
      if (!workload) {
        workload = workloadFrom(
          top.kind,
          { ...pod.meta, name: top.name },
          {
            labels: pod.meta.labels,
            annotations: pod.meta.annotations,
            spec: pod.spec,
          },
        );
        byKey.set(key, workload);
      }
      const live: SnapshotPod = {
        name: pod.meta.name,
        labels: this.shared(pod.meta.labels),
        annotations: this.shared(pod.meta.annotations),
        containers: this.shared(
          runningContainers(pod.spec).map(c => String(c.name)),
        ),
        podIP:
          typeof pod.status.podIP === 'string' ? pod.status.podIP : undefined,
        phase:
          typeof pod.status.phase === 'string' ? pod.status.phase : undefined,
      };
      workload.pods.push(live);
    }
    return [...byKey.values()].sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name) ||
        a.kind.localeCompare(b.kind),
    );
  }
}
