import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Mesh Security backend plugin. */
  meshSecurity?: {
    /**
     * Cluster sources in addition to the Kubernetes plugin's `kubernetes.clusterLocatorMethods`
     * (type `config`, `authProvider: serviceAccount`), which Mesh Security reads as well.
     */
    clusters?: Array<{
      /** Cluster name, as shown in the UI and used in responses. */
      name: string;
      /** `manifests`: Kubernetes objects read from YAML/JSON files under `path`. */
      type: 'manifests';
      /** Directory (read recursively) or file, relative to the backend's working directory. */
      path: string;
    }>;
    /** How often snapshots are refreshed in the background, in seconds. Default 60. */
    refreshIntervalSeconds?: number;
    /** Per-request timeout against a cluster's API, in milliseconds (at most 5000). Default 5000. */
    requestTimeoutMs?: number;
    /**
     * How long one cluster refresh may run before the scheduler gives up on it (10 seconds to
     * 1 hour). The cluster read itself stops a fifth earlier (at most one minute earlier), so
     * that what was read is stored; kinds not read by then keep their last good objects.
     * Default 5 minutes.
     */
    refreshTimeout?: HumanDuration | string;
    /**
     * Requests one Kubernetes list may make (pages, and restarts after 410 Gone); a list that
     * needs more fails for that kind. Default 400 (200,000 objects at 500 per page).
     */
    maxPagesPerList?: number;
    /**
     * Objects one cluster read may hold, every kind together; the kind whose page would exceed
     * it fails. Default 200000.
     */
    maxObjectsPerCluster?: number;
    /** Certificates expiring within this many days raise a finding. Default 30. */
    certificateExpiryWarningDays?: number;
    /**
     * How long what a catalog entity says (its Kubernetes annotations, owner, system) is used
     * before it is read again, in seconds (1–3600); annotated components are re-listed in the
     * background at this interval. Access is decided per request regardless. Default 30.
     */
    entityCacheSeconds?: number;
    /**
     * Linkerd's cluster-wide default inbound policy (e.g. `all-unauthenticated`), used instead of
     * the one `linkerd-config` sets. Default: `linkerd-config`'s (Linkerd's own default
     * `all-unauthenticated` when it sets none). While `linkerd-config` cannot be read, Linkerd
     * modes and authorization are UNKNOWN all the same: its trust domain and cluster networks
     * are not known either.
     */
    linkerdDefaultInboundPolicy?: string;
    /**
     * Access changes, shared with the scaffolder module that opens them as pull requests. The
     * backend reads these two keys to list a component's open access-change pull requests.
     */
    accessRequests?: {
      /**
       * The GitOps repository: `host/owner/name` (e.g. `github.com/acme/gitops`), used for
       * components without the `mesh-security.io/gitops-repo` annotation. The host must be
       * configured under `integrations.github`.
       */
      repository?: string;
      /**
       * Repositories (`owner/name`) whose pull requests may be listed. When set, a repository
       * named by an annotation or by `repository` outside this list is not read.
       */
      allowedRepositories?: string[];
      /**
       * How long one repository's open pull requests are reused before GitHub is asked again,
       * in seconds (default 60; a failure is remembered for at most 30).
       */
      pullRequestCacheSeconds?: number;
    };
  };
}
