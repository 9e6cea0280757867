/*
 * Catalog annotations Mesh Security reads besides the Kubernetes plugin's own
 * (`KUBERNETES_ANNOTATION` and `KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION`, imported from
 * `@backstage/plugin-kubernetes-common` where they are needed). docs/backend.md "Access-change
 * pull requests" and docs/scaffolder.md "Configuration" describe what each one does.
 */

/**
 * The prefix of Mesh Security's own annotations; the backend keeps every annotation under it
 * when it trims what it caches.
 *
 * @public
 */
export const MESH_SECURITY_ANNOTATION_PREFIX = 'mesh-security.io/';

/**
 * The GitOps repository holding a component's policies (`host/owner/name`, see
 * {@link parseGitopsRepository}); overrides `meshSecurity.accessRequests.repository`.
 *
 * @public
 */
export const GITOPS_REPO_ANNOTATION = 'mesh-security.io/gitops-repo';

/**
 * Where a component's authorization policies live in the GitOps repository (a relative
 * `.yaml`/`.yml` path under `meshSecurity.accessRequests.policyPathPrefix`); overrides
 * `meshSecurity.accessRequests.pathTemplate`.
 *
 * @public
 */
export const POLICY_PATH_ANNOTATION = 'mesh-security.io/policy-path';

/**
 * The Kubernetes plugin's annotation limiting a component's workloads to one namespace (the
 * Backstage Kubernetes plugin's "Configuration" documentation). `@backstage/plugin-kubernetes-common`
 * does not export it (its backend reads the literal), so it is declared here, once.
 *
 * @public
 */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
