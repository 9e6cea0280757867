import {
  Mesh,
  SnapshotNamespace,
  SnapshotPod,
  SnapshotWorkload,
} from '../../model';
import { istioPrincipal, linkerdIdentity } from './identities';

/**
 * Mesh membership of a workload, from live pods when there are any, else predicted from the
 * injection rules.
 */
export interface Membership {
  mesh: Mesh;
  pods: { meshed: number; total: number };
  /** Set when membership cannot be predicted (e.g. the namespace object is missing). */
  unknown?: string;
  /** Set when live pods disagree (some meshed, some not, or different meshes). */
  mixed?: string;
}

/** Namespaces never injected by Istio's webhook (istio-sidecar-injector `neverInject` namespaces). */
const ISTIO_NEVER_INJECTED = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

/**
 * Istio sidecar injection, "Installing the Sidecar" > "Controlling the injection policy" and
 * its revision table, as the injector webhooks select pods:
 * - a pod label `sidecar.istio.io/inject=false` or a host-network pod: never injected;
 * - the namespace label `istio-injection` decides when present: `enabled` injects, any other
 *   value (`disabled`) does not ("if either label is disabled, the pod is not injected"), and it
 *   takes precedence over `istio.io/rev`;
 * - otherwise a namespace label `istio.io/rev=<revision>` injects (that revision's webhook);
 * - otherwise a pod label `istio.io/rev=<revision>` injects (the revision's object selector,
 *   for namespaces with neither label), and so does the pod label `sidecar.istio.io/inject=true`;
 * - otherwise not (`enableNamespacesByDefault` is false by default).
 * Without the namespace's labels only a pod's opt-out is certain: a namespace label could
 * veto an opt-in.
 */
function istioSidecar(
  namespace: string,
  ns: SnapshotNamespace | undefined,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  hostNetwork: boolean,
): boolean | undefined {
  const podInject =
    labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
  if (hostNetwork || podInject === 'false') return false;
  if (ISTIO_NEVER_INJECTED.has(namespace)) return false;
  if (!ns) return undefined;
  const podOptsIn =
    podInject === 'true' || labels['istio.io/rev'] !== undefined;
  const nsInjection = ns.labels['istio-injection'];
  if (nsInjection !== undefined) return nsInjection === 'enabled';
  if (ns.labels['istio.io/rev'] !== undefined) return true;
  return podOptsIn;
}

/**
 * The Istio revision whose control plane serves a workload, by the webhook precedence of
 * {@link istioSidecar}: the namespace label `istio-injection` selects the default revision,
 * else the namespace label `istio.io/rev`, else the pod template's `istio.io/rev`; with none of
 * them, the `istio.io/rev` label the injector stamps on live pods when they all agree.
 * Undefined: the default revision (mesh config `istio`).
 */
export function istioRevision(
  w: SnapshotWorkload,
  nsLabels: Record<string, string>,
): string | undefined {
  if (nsLabels['istio-injection'] !== undefined) return undefined;
  const declared = nsLabels['istio.io/rev'] ?? w.labels['istio.io/rev'];
  if (declared !== undefined) return declared;
  const live = new Set(w.pods.map(p => p.labels['istio.io/rev']));
  return live.size === 1 ? [...live][0] : undefined;
}

/**
 * Ambient enrollment, "Ambient mode" > "Adding workloads to the mesh": namespace label
 * `istio.io/dataplane-mode=ambient`, pod label `istio.io/dataplane-mode=none` opts out; a pod
 * label `ambient` enrolls a single pod. Pods with a sidecar are never captured by ztunnel.
 */
function istioAmbient(
  namespace: SnapshotNamespace | undefined,
  labels: Record<string, string>,
): boolean | undefined {
  const pod = labels['istio.io/dataplane-mode'];
  if (pod === 'none') return false;
  if (pod === 'ambient') return true;
  if (!namespace) return undefined;
  return namespace.labels['istio.io/dataplane-mode'] === 'ambient';
}

/**
 * Namespaces the Linkerd proxy injector never sees: the chart's default webhook
 * `namespaceSelector` excludes `kube-system` and `cert-manager` by name, and any namespace
 * labelled `config.linkerd.io/admission-webhooks: disabled` (Linkerd's "Automatic Proxy
 * Injection" docs and the `proxyInjector.namespaceSelector` chart value).
 */
const LINKERD_NEVER_INJECTED = new Set(['kube-system', 'cert-manager']);

/**
 * Linkerd proxy injection, "Automatic Proxy Injection": `linkerd.io/inject: enabled` (or
 * `ingress`) on the namespace or the pod template; `disabled` on the pod opts out; the webhook
 * never runs in the excluded namespaces above, whatever their annotations say.
 */
function linkerdInjected(
  namespace: string,
  ns: SnapshotNamespace | undefined,
  annotations: Record<string, string>,
): boolean | undefined {
  if (LINKERD_NEVER_INJECTED.has(namespace)) return false;
  if (ns?.labels['config.linkerd.io/admission-webhooks'] === 'disabled')
    return false;
  const pod = annotations['linkerd.io/inject'];
  if (pod === 'disabled') return false;
  if (!ns) return undefined;
  if (pod === 'enabled' || pod === 'ingress') return true;
  const nsValue = ns.annotations['linkerd.io/inject'];
  return nsValue === 'enabled' || nsValue === 'ingress';
}

function livePodMesh(
  pod: SnapshotPod,
  namespace: SnapshotNamespace | undefined,
): Mesh {
  if (pod.containers.includes('istio-proxy')) return 'istio-sidecar';
  if (pod.containers.includes('linkerd-proxy')) return 'linkerd';
  // istio-cni marks captured pods with `ambient.istio.io/redirection: enabled`.
  if (pod.annotations['ambient.istio.io/redirection'] === 'enabled')
    return 'istio-ambient';
  if (istioAmbient(namespace, pod.labels) === true) return 'istio-ambient';
  return 'none';
}

/** Predicts or observes the mesh of a workload. */
export function membership(
  w: SnapshotWorkload,
  ns: SnapshotNamespace | undefined,
): Membership {
  if (w.pods.length > 0) {
    const counts = new Map<Mesh, number>();
    let first: Mesh | undefined;
    let same = true;
    for (const pod of w.pods) {
      const m = livePodMesh(pod, ns);
      if (first === undefined) first = m;
      else if (m !== first) same = false;
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    // Fast path: every live pod agrees.
    if (same && first !== undefined)
      return {
        mesh: first,
        pods: {
          meshed: first === 'none' ? 0 : w.pods.length,
          total: w.pods.length,
        },
      };
    const meshed = w.pods.length - (counts.get('none') ?? 0);
    const ranked = [...counts.entries()]
      .filter(([m]) => m !== 'none')
      .sort((a, b) => b[1] - a[1]);
    const mesh = ranked.length > 0 ? ranked[0][0] : 'none';
    const mixed =
      counts.size > 1
        ? `live pods differ: ${[...counts.entries()]
            .map(([m, n]) => `${n} ${m}`)
            .join(', ')}`
        : undefined;
    return { mesh, pods: { meshed, total: w.pods.length }, mixed };
  }
  const pods = { meshed: 0, total: 0 };
  // A template whose only container is `istio-proxy` is a proxy itself (ztunnel, a gateway),
  // not a workload with a sidecar.
  const proxyOnly =
    w.containers.length === 1 && w.containers[0] === 'istio-proxy';
  if (w.containers.includes('istio-proxy') && !proxyOnly)
    return { mesh: 'istio-sidecar', pods };
  if (w.containers.includes('linkerd-proxy')) return { mesh: 'linkerd', pods };
  const sidecar = proxyOnly
    ? false
    : istioSidecar(
        w.namespace,
        ns,
        w.labels,
        w.annotations,
        w.hostNetwork === true,
      );
  if (sidecar) return { mesh: 'istio-sidecar', pods };
  const linkerd = linkerdInjected(w.namespace, ns, w.annotations);
  if (linkerd) return { mesh: 'linkerd', pods };
  const ambient =
    w.hostNetwork || proxyOnly ? false : istioAmbient(ns, w.labels);
  if (ambient) return { mesh: 'istio-ambient', pods };
  if (sidecar === undefined || linkerd === undefined || ambient === undefined) {
    return {
      mesh: 'none',
      pods,
      unknown: `namespace ${w.namespace} is not in the input, so injection and ambient enrollment cannot be predicted`,
    };
  }
  return { mesh: 'none', pods };
}

/**
 * Istio identity (SPIFFE) and principal, Linkerd identity (docs/architecture.md "Domain words").
 */
export function identityOf(
  mesh: Mesh,
  namespace: string,
  sa: string,
  trustDomain: string,
  linkerdTrustDomain: string,
): { identity: string | null; principal?: string } {
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient') {
    const principal = istioPrincipal(trustDomain, namespace, sa);
    return { identity: `spiffe://${principal}`, principal };
  }
  if (mesh === 'linkerd')
    return {
      identity: linkerdIdentity(linkerdTrustDomain, namespace, sa),
    };
  return { identity: null };
}
