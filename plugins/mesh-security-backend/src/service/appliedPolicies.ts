import {
  AppliedPolicy,
  JsonObject,
  SnapshotPolicy,
} from '@mesh-security/plugin-mesh-security-common';

/** A policy as entity views list it: its identity and its manifest (the UI renders the YAML). */
export function toAppliedPolicy(
  policy: SnapshotPolicy<JsonObject>,
): AppliedPolicy {
  return {
    kind: policy.kind,
    apiVersion: policy.apiVersion,
    namespace: policy.namespace,
    name: policy.name,
    manifest: {
      apiVersion: policy.apiVersion,
      kind: policy.kind,
      metadata: {
        name: policy.name,
        namespace: policy.namespace,
        ...(Object.keys(policy.labels).length ? { labels: policy.labels } : {}),
      },
      spec: policy.spec,
    },
  };
}
