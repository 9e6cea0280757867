export interface Config {
  meshSecurity?: {
    /**
     * Settings of the access-change template actions. Where they open pull requests,
     * `repository` and `allowedRepositories`, is declared by
     * `@mesh-security/plugin-mesh-security-common` (shared with the backend).
     */
    accessRequests?: {
      /** Branch the pull requests target; the repository's default branch when absent. */
      baseBranch?: string;
      /**
       * Directory of the repository every policy file the actions write must be in (default
       * `clusters/`). A path from the annotation `mesh-security.io/policy-path` outside it (say
       * `.github/workflows/x.yaml`) is refused, and `pathTemplate` and `mtlsPathTemplate` must
       * start with it.
       */
      policyPathPrefix?: string;
      /**
       * Where a component's authorization policies live, with `{cluster}`, `{namespace}` and
       * `{name}` (the component). Default `clusters/{cluster}/{namespace}/authorization/{name}.yaml`.
       * The annotation `mesh-security.io/policy-path` on a component overrides it (a relative
       * `.yaml`/`.yml` path under `policyPathPrefix`).
       */
      pathTemplate?: string;
      /**
       * Where `mesh-security:mtls:enforce` writes PeerAuthentications. Default
       * `clusters/{cluster}/{namespace}/authentication/{name}.yaml` (`{name}`: the component, or
       * `namespace` for a namespace-wide policy).
       */
      mtlsPathTemplate?: string;
      /** Labels added to every pull request (e.g. `access-change`). */
      labels?: string[];
      /** Reviewers requested on every pull request: GitHub users, or teams as `org/team`. */
      reviewers?: string[];
      /** Longest wait honoured for a GitHub rate limit's `retry-after`, in seconds (default 60). */
      maxRetryWaitSeconds?: number;
      /**
       * Largest policy file the actions read and edit, in bytes (default 2097152, i.e. 2 MiB; at
       * most 104857600, GitHub's 100 MB file limit). A larger file is refused before it is
       * downloaded, and nothing is written.
       */
      maxPolicyFileBytes?: number;
    };
  };
}
