import { ExternalWorkloadPeer, Snapshot } from '../../model';
import type { CallerContext } from '../core/caller';
import { isObject } from '../validate/check';

/*
 * Linkerd ExternalWorkload ("ExternalWorkload" reference,
 * https://linkerd.io/2-edge/reference/external-workload/): a meshed workload outside Kubernetes
 * whose proxy presents `meshTLS.identity` (`meshTls` in v1alpha1) and calls from its
 * `workloadIPs`; in-cluster Servers authorize it by that identity ("Adding non-Kubernetes
 * workloads", "Use authorization policies with machines":
 * https://linkerd.io/2-edge/tasks/adding-non-kubernetes-workloads/).
 */

/** What the engine reads of an ExternalWorkload. */
export interface ExternalWorkload {
  namespace: string;
  name: string;
  /** `meshTLS.identity`: the identity its proxy presents (a SPIFFE id). */
  identity: string;
  /** `workloadIPs[].ip`: the addresses it calls from. */
  ips: string[];
}

const cache = new WeakMap<Snapshot, ExternalWorkload[]>();

/** The snapshot's ExternalWorkloads (kept among its unevaluated kinds), cached. */
export function externalWorkloadsOf(snapshot: Snapshot): ExternalWorkload[] {
  let hit = cache.get(snapshot);
  if (!hit) {
    hit = [];
    for (const o of snapshot.unevaluated ?? []) {
      if (o.kind !== 'ExternalWorkload') continue;
      const tls = o.spec.meshTLS ?? o.spec.meshTls;
      if (!isObject(tls) || typeof tls.identity !== 'string') continue;
      const ips = (Array.isArray(o.spec.workloadIPs) ? o.spec.workloadIPs : [])
        .map(entry => (isObject(entry) ? entry.ip : undefined))
        .filter((ip): ip is string => typeof ip === 'string');
      hit.push({
        namespace: o.namespace,
        name: o.name,
        identity: tls.identity,
        ips,
      });
    }
    cache.set(snapshot, hit);
  }
  return hit;
}

/** The ExternalWorkload of the snapshot named by `ref`, if any. */
export function findExternalWorkload(
  snapshot: Snapshot,
  ref: { namespace: string; name: string },
): ExternalWorkload | undefined {
  return externalWorkloadsOf(snapshot).find(
    e => e.namespace === ref.namespace && e.name === ref.name,
  );
}

/** The peer that names an ExternalWorkload in caller lists. */
export function externalWorkloadPeer(
  workload: ExternalWorkload,
): ExternalWorkloadPeer {
  return {
    kind: 'external-workload',
    namespace: workload.namespace,
    name: workload.name,
    identity: workload.identity,
  };
}

/**
 * An ExternalWorkload as the layers see it: a client outside the cluster (no namespace or
 * service account: identityRefs never name it) whose Linkerd proxy sends mTLS to a meshed
 * server (core/access.ts `mtlsLayer`), presenting its identity over mTLS only: the
 * `CallerContexts` of core/callers.ts, without a workload's `info`.
 */
export function externalWorkloadCallers(workload: ExternalWorkload): {
  plain: CallerContext;
  mtls: CallerContext;
} {
  const plain: CallerContext = {
    kind: 'external',
    labels: {},
    nsLabels: {},
    mesh: 'linkerd',
    mtls: false,
    ips: workload.ips.length > 0 ? workload.ips : undefined,
    inCluster: false,
  };
  return {
    plain,
    mtls: { ...plain, mtls: true, linkerdIdentity: workload.identity },
  };
}
