import {
  AppliedPolicy,
  JsonObject,
  SnapshotPolicy,
} from '@mesh-security/plugin-mesh-security-common';
import { renderYaml } from './renderYaml';

/**
 * Policies as entity views show them, with their YAML. A policy applies to many workloads and a
 * snapshot generation never changes, so each one is rendered once and kept as long as its
 * snapshot object lives (the generation).
 */
const renderedPolicies = new WeakMap<
  SnapshotPolicy<JsonObject>,
  AppliedPolicy
>();

export function toAppliedPolicy(
  policy: SnapshotPolicy<JsonObject>,
): AppliedPolicy {
  let rendered = renderedPolicies.get(policy);
  if (!rendered) {
    rendered = renderPolicy(policy);
    renderedPolicies.set(policy, rendered);
  }
  return rendered;
}

/** Whether a policy has been rendered already (nothing is rendered by asking). */
export function isRendered(policy: SnapshotPolicy<JsonObject>): boolean {
  return renderedPolicies.has(policy);
}

function renderPolicy(policy: SnapshotPolicy<JsonObject>): AppliedPolicy {
  const manifest = {
    apiVersion: policy.apiVersion,
    kind: policy.kind,
    metadata: {
      name: policy.name,
      namespace: policy.namespace,
      ...(Object.keys(policy.labels).length ? { labels: policy.labels } : {}),
    },
    spec: policy.spec,
  };
  return {
    kind: policy.kind,
    apiVersion: policy.apiVersion,
    namespace: policy.namespace,
    name: policy.name,
    yaml: renderYaml(manifest),
  };
}
