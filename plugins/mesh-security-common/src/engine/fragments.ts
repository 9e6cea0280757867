import { Snapshot } from '../model';

/*
 * The fragments of incremental evaluation (docs/engine.md "Incremental evaluation"): what the
 * reader reads from one object that is not a pod or controller, kept per object so that a policy
 * edit re-assembles the snapshot of the other objects without reading them again.
 */

/**
 * What the reader reads from one object alone: its non-empty lists by path (`services`,
 * `istio.peerAuthentications`, …) and its mesh config. Most objects give one item or none, so
 * a fragment holds that, not a whole snapshot of empty lists (thousands are kept per cluster).
 */
export interface Fragment {
  lists: Array<[string, unknown[]]>;
  meshConfig?: Snapshot['meshConfig'];
}

/** The fragment of every object that gives the reader nothing (a ServiceAccount, say). */
const NOTHING: Fragment = { lists: [] };

/** A snapshot's lists by path (`unevaluated` apart: it may be absent). */
export function listsOf(s: Snapshot): Array<[string, unknown[]]> {
  return [
    ['namespaces', s.namespaces],
    ['services', s.services],
    ['networkPolicies', s.networkPolicies],
    ['externalSecrets', s.externalSecrets],
    ...Object.entries(s.istio).map(([k, list]): [string, unknown[]] => [
      `istio.${k}`,
      list,
    ]),
    ...Object.entries(s.linkerd).map(([k, list]): [string, unknown[]] => [
      `linkerd.${k}`,
      list,
    ]),
  ];
}

/** The fragment of the snapshot read from one object. */
export function fragmentOf(s: Snapshot): Fragment {
  const lists = listsOf(s).filter(([, list]) => list.length > 0);
  if (s.unevaluated?.length) lists.push(['unevaluated', s.unevaluated]);
  const mesh = s.meshConfig;
  const hasMesh = !!(mesh.istio || mesh.linkerd || mesh.istioRevisions);
  if (lists.length === 0 && !hasMesh) return NOTHING;
  return hasMesh ? { lists, meshConfig: mesh } : { lists };
}

/**
 * Adds what one object gave the reader to a snapshot being assembled, as the reader would have
 * (lists in the objects' order, then sorted; a later mesh ConfigMap wins). `lists`: the
 * snapshot's {@link listsOf}.
 */
export function addFragment(
  to: Snapshot,
  lists: Map<string, unknown[]>,
  from: Fragment,
): void {
  for (const [path, items] of from.lists) {
    const list =
      path === 'unevaluated' ? (to.unevaluated ??= []) : lists.get(path)!;
    list.push(...items);
  }
  const mesh = from.meshConfig;
  if (!mesh) return;
  if (mesh.istio) to.meshConfig.istio = mesh.istio;
  if (mesh.linkerd) to.meshConfig.linkerd = mesh.linkerd;
  if (mesh.istioRevisions)
    to.meshConfig.istioRevisions = {
      ...to.meshConfig.istioRevisions,
      ...mesh.istioRevisions,
    };
}
