export interface Config {
  meshSecurity?: {
    /**
     * Namespaces of the platform's own components, meant to run outside the mesh: their
     * workloads raise no mesh-membership findings (MS108, MS110, MS113) and are marked
     * `platform`, still evaluated. Read by the backend and the scaffolder module alike; the CLI
     * takes the same list as `--platform-namespaces`. Default: `kube-system`, `kube-public`,
     * `kube-node-lease`, the Istio root namespace, `linkerd`, `cert-manager`; `[]` for none.
     * The frontend reads it too: the access graph leaves these namespaces' workloads out unless
     * asked to show platform peers (with the defaults and `istio-system` when unset).
     *
     * @visibility frontend
     */
    platformNamespaces?: string[];
    /**
     * Where access changes go. These two keys are shared by the backend (which lists a
     * component's open access-change pull requests) and the scaffolder module (which opens them),
     * and both read them with `readGitopsRepositorySettings`; each package declares its own
     * further keys of `meshSecurity.accessRequests`.
     */
    accessRequests?: {
      /**
       * The default GitOps repository: `host/owner/name` (e.g. `github.com/acme/gitops`;
       * `owner/name` means host `github.com`), used for components without the
       * `mesh-security.io/gitops-repo` annotation. The host must be configured under
       * `integrations.github` (or, for the scaffolder actions, `integrations.gitlab`).
       */
      repository?: string;
      /**
       * Repositories (`owner/name`, compared case-insensitively) that access changes may go to:
       * the backend lists pull requests, and the actions open them, only there. Default (key
       * absent): `repository` alone; an annotation or an action input naming any other
       * repository is refused. An empty list allows none.
       */
      allowedRepositories?: string[];
    };
  };
}
