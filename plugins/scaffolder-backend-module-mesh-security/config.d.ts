export interface Config {
  meshSecurity?: {
    /** Settings of the access-change template actions. */
    accessRequests?: {
      /**
       * Repositories the actions may open pull requests against (`owner/name`), on top of the
       * integrations configuration. Empty or absent: none.
       */
      allowedRepositories?: string[];
    };
  };
}
