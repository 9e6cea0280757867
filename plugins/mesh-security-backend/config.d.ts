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
    /** Certificates expiring within this many days raise a finding. Default 30. */
    certificateExpiryWarningDays?: number;
    /**
     * Linkerd's cluster-wide default inbound policy when `linkerd-config` cannot be read
     * (e.g. `all-unauthenticated`). Default: taken from `linkerd-config`, else UNKNOWN.
     */
    linkerdDefaultInboundPolicy?: string;
  };
}
