import {
  createEngine,
  Engine,
  JsonObject,
} from '@mesh-security/plugin-mesh-security-common';
import {
  buildSnapshot,
  NetworkPolicy,
  PLACEHOLDER_LABEL,
  SnapshotContext,
} from './snapshot';

/*
 * The Kubernetes NetworkPolicy layer of the impact ("Network Policies": a pod selected by a
 * policy with policyType Ingress accepts only connections an ingress rule allows; policies add
 * up). The mesh view (mTLS + authorization) says who the policy file lets in; a NetworkPolicy
 * isolating the target's pods can still drop the connection before the proxy sees it. The
 * engine reports the deciding layer and policy of each check.
 *
 * What the scaffolder knows, and how the unknown is treated so that a reported block is certain:
 * - the NetworkPolicies selecting the target (the backend lists them): its ingress is complete;
 * - not the callers' egress policies: egress rules are left out (never half evaluated);
 * - not namespace labels besides `kubernetes.io/metadata.name`: a namespaceSelector on other
 *   labels is assumed to match;
 * - pod labels only for callers named as components: for callers named by identity a
 *   podSelector is assumed to match.
 */

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespaceSelector that only names namespaces (the one label every namespace is known by). */
function namesNamespaces(selector: unknown): boolean {
  if (!selector || typeof selector !== 'object') return true;
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key?: string }>;
  };
  return (
    Object.keys(s.matchLabels ?? {}).every(k => k === NAME_LABEL) &&
    (s.matchExpressions ?? []).every(e => e.key === NAME_LABEL)
  );
}

/** A peer with the selectors the scaffolder cannot evaluate widened to "any". */
function widenPeer(peer: unknown, podLabelsKnown: boolean): unknown {
  if (!peer || typeof peer !== 'object') return peer;
  const p = { ...(peer as JsonObject) };
  if (
    p.namespaceSelector !== undefined &&
    !namesNamespaces(p.namespaceSelector)
  )
    p.namespaceSelector = {};
  if (p.podSelector !== undefined && !podLabelsKnown) p.podSelector = {};
  return p;
}

/**
 * The ingress half of a NetworkPolicy as the impact evaluates it (see above), or nothing for an
 * egress-only policy. `policyTypes` defaults to Ingress.
 */
export function ingressView(podLabelsKnown: boolean) {
  return (p: NetworkPolicy): NetworkPolicy[] => {
    const types = Array.isArray(p.spec.policyTypes)
      ? (p.spec.policyTypes as unknown[])
      : ['Ingress'];
    if (!types.includes('Ingress')) return [];
    const spec: JsonObject = { ...p.spec, policyTypes: ['Ingress'] };
    delete spec.egress;
    if (Array.isArray(spec.ingress))
      spec.ingress = spec.ingress.map(rule => {
        const r = rule as JsonObject | null;
        return r && Array.isArray(r.from)
          ? { ...r, from: r.from.map(peer => widenPeer(peer, podLabelsKnown)) }
          : r;
      });
    return [{ ...p, spec }];
  };
}

/** The engines that answer the NetworkPolicy layer for a policy file's state. */
export interface NetworkView {
  /** For callers whose pod labels are known. */
  known: Engine;
  /** For callers named by identity (pod selectors assumed to match). */
  unknown: Engine;
}

/** The NetworkPolicy view of a policy file's state (`ownedText`: see buildSnapshot). */
export function networkView(
  ctx: SnapshotContext,
  text: string,
  ownedText = '',
): NetworkView {
  const engine = (podLabelsKnown: boolean) =>
    createEngine(
      buildSnapshot(ctx, text, ownedText, {
        networkPolicies: ingressView(podLabelsKnown),
      }).snapshot,
      { cluster: ctx.cluster, platformNamespaces: ctx.platformNamespaces },
    );
  return { known: engine(true), unknown: engine(false) };
}

/**
 * The NetworkPolicies that certainly refuse a connection from a workload of the snapshot to the
 * target (`NetworkPolicy ns/name, …` as the engine names them), or undefined when that layer
 * allows it or the answer depends on what the scaffolder does not know. A NetworkPolicy does not
 * look at HTTP method or path.
 */
export function networkBlock(
  view: NetworkView,
  from: { namespace: string; name: string },
  to: { namespace: string; name: string },
  port: number,
): string | undefined {
  const labelsKnown =
    view.known.posture(from).labels[PLACEHOLDER_LABEL] === undefined;
  const engine = labelsKnown ? view.known : view.unknown;
  const reason = engine
    .check({ from, to, port })
    .reasons.find(r => r.layer === 'network-policy' && r.effect === 'DENY');
  return reason ? reason.policy ?? 'a NetworkPolicy' : undefined;
}
