export interface Config {
  meshSecurity?: {
    /**
     * Where finding codes link to: the address of this project's `docs/findings.md` as your
     * users can open it (e.g. the file on your Git host or a published copy); each code links
     * to its anchor (`#ms108`). Default (key absent): codes do not link, and each shows its
     * title and description from the findings registry instead.
     *
     * @visibility frontend
     */
    findingsDocumentationUrl?: string;
  };
}
