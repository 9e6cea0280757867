export interface Config {
  meshSecurity?: {
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
