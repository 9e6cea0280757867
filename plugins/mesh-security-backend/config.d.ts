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
      /**
       * Demo only: trust-root ConfigMaps served with their certificates re-issued when the
       * backend starts (same subject, self-signed, valid `validDays` from then), so that a demo's
       * "expires soon" finding holds on any date (docs/backend.md "Demo trust roots"). Leave
       * unset for real estates.
       */
      demoTrustRoots?: Array<{
        /** `linkerd/linkerd-identity-trust-roots` or `istio-system/istio-ca-root-cert`. */
        configMap: string;
        /** Days the re-issued certificates are valid, 1 to 3650. */
        validDays: number;
      }>;
    }>;
    /**
     * Bounds on reading `manifests` clusters, so that a hostile or merely huge file is refused
     * fast, with bounded memory and time, and never blocks the backend (docs/backend.md
     * "Manifest limits"). A file over a limit is not read and is reported as an error of its
     * cluster naming the file and the key; the rest of the cluster is still read.
     */
    manifestLimits?: {
      /** Largest file read, in bytes. Default 16777216 (16 MiB). */
      maxBytesPerFile?: number;
      /** Bytes read per cluster, all files together. Default 268435456 (256 MiB). */
      maxBytesPerCluster?: number;
      /** Manifest files read per cluster (the first ones in name order). Default 10000. */
      maxFilesPerCluster?: number;
      /** YAML documents (`---`) in one file, empty ones included. Default 50000. */
      maxDocumentsPerFile?: number;
      /** YAML documents per cluster. Default 500000. */
      maxDocumentsPerCluster?: number;
      /**
       * YAML nodes in one document: each scalar, alias and flow collection, and each `-`, `?`
       * and `:` indicator. Bounds the parser's memory (about 0.6 KiB per node). Default 250000.
       */
      maxNodesPerDocument?: number;
      /** YAML nodes in one file. Default 2000000 (a 16 MiB file holds about 1.6 million). */
      maxNodesPerFile?: number;
      /** YAML nodes per cluster. Default 20000000. */
      maxNodesPerCluster?: number;
      /** Nesting depth of the YAML parser. Default 200. */
      maxDepth?: number;
      /** Objects in one file, once `List` kinds are flattened. Default 50000. */
      maxObjectsPerFile?: number;
      /** Objects per cluster. Default 200000. */
      maxObjectsPerCluster?: number;
      /**
       * Heap (old generation) of the worker thread that parses manifest files, in MiB; a file
       * needing more is not read. Default 512.
       */
      parserHeapMb?: number;
      /**
       * Wall-clock time one file may take to parse (the worker is then terminated and the file
       * not read), e.g. `{ seconds: 60 }` or `'1m'`. Default 60 seconds.
       */
      parseTimeout?: HumanDuration | string;
    };
    /**
     * How often snapshots are refreshed in the background, in seconds. Default 60. With watches
     * (the default for live clusters) this is only the pace of retries after a failed start and
     * of manifest directories' reads.
     */
    refreshIntervalSeconds?: number;
    /**
     * How live clusters are kept current (docs/backend.md "Watches"): listed once, then watched,
     * each change published within `publishInterval`.
     */
    watch?: {
      /** false: list every kind in full every `refreshIntervalSeconds` instead. Default true. */
      enabled?: boolean;
      /**
       * How long one replica keeps a cluster's watches before its scheduled task returns and the
       * next run (on any replica) resumes from the stored resourceVersions. Also bounds how long
       * a cluster goes unwatched when that replica dies. 1 minute to 1 hour; default 5 minutes.
       */
      sessionDuration?: HumanDuration | string;
      /** Changes are published (a new generation) at most this often. 100 ms to 1 minute; default 1 second. */
      publishInterval?: HumanDuration | string;
      /**
       * While every change waiting is a pod's (rollouts, autoscaling, restarts), changes are
       * published at most this often instead; any other change (a policy, a namespace label)
       * still goes out within `publishInterval`. At least `publishInterval`, at most 1 minute;
       * default 3 seconds (or `publishInterval`, if longer).
       */
      podPublishInterval?: HumanDuration | string;
      /** Without changes, freshness is confirmed this often. 1 second to 1 minute; default 5 seconds. */
      heartbeatInterval?: HumanDuration | string;
    };
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
     * Posture over time, in the plugin's own database (docs/backend.md "Posture history"): each
     * component's day (mode, STRICT ports, findings, pillars) and every change of its mode.
     */
    history?: {
      /** Record and serve history. Default true. */
      enabled?: boolean;
      /** Days kept; older days are deleted. Default 400. */
      retentionDays?: number;
      /** How often today's record is refreshed, in minutes. Default 60. */
      recordIntervalMinutes?: number;
      /**
       * Demo only: a YAML file of recorded events (catalog/demo-history/events.yaml) to seed the
       * history from on start, so the demo shows a history from its first start. Seeded rows are
       * labelled demo data; components that already have a history are left alone. Relative to
       * the backend's working directory. Unset (the default): nothing is seeded.
       */
      demoSeed?: string;
    };
    /**
     * Regression notifications through the Backstage notifications backend (docs/backend.md
     * "Notifications on regressions"): the owning group of a component is told once when a port
     * leaves STRICT, a finding at or above the threshold or an allow-all rule appears, or a trust
     * root enters the warning window, and again when it recovers. A component opts out with the
     * annotation `mesh-security.io/notifications: disabled`.
     */
    notifications?: {
      /**
       * Send regression notifications. Default: on when `@backstage/plugin-notifications-backend`
       * runs in the same backend; set `true` when it runs in another backend instance.
       */
      enabled?: boolean;
      /**
       * New findings of this severity or worse are notified: `critical`, `high`, `medium`,
       * `low` or `info`. Default `high`.
       */
      severityThreshold?: 'critical' | 'high' | 'medium' | 'low' | 'info';
      /** How often the components are compared with their last state, in seconds (5–86400). Default 60. */
      checkIntervalSeconds?: number;
      /**
       * A trust root or mesh CA with fewer days left is in the warning window. Default
       * `certificateExpiryWarningDays`.
       */
      certificateWarningDays?: number;
    };
    /**
     * Observed traffic: what the mesh's own metrics say crossed the wire, read from a
     * Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics) in the
     * background and held against the policies (docs/traffic.md). Without it every cluster's
     * observations are `not-configured`.
     */
    traffic?: {
      /** The recent window, e.g. `'1h'` or `{ hours: 1 }`. Default 1 hour. */
      recentWindow?: HumanDuration | string;
      /**
       * The evidence window decisions rest on (such as enforcing STRICT), e.g. `'7d'`. At least
       * the recent window. Default 7 days.
       */
      evidenceWindow?: HumanDuration | string;
      /**
       * The resolution of "last seen" (1 minute to 1 day; at least the evidence window / 11000),
       * e.g. `'5m'`: traffic was last seen within this long before the time shown. At least twice
       * the scrape interval of the mesh metrics. Default 5 minutes.
       */
      lastSeenResolution?: HumanDuration | string;
      /** How often each cluster's metrics are read (at least 30 seconds). Default 5 minutes. */
      refreshInterval?: HumanDuration | string;
      /** How long one query may take (1 second to 5 minutes). Default 30 seconds. */
      queryTimeout?: HumanDuration | string;
      /**
       * Series kept from one query's answer; beyond it the observations are flagged
       * `truncated`. Default 100000.
       */
      maxSeriesPerQuery?: number;
      /** Largest answer read from one query (or recorded file), in bytes. Default 67108864 (64 MiB). */
      maxBytesPerQuery?: number;
      /** Where each cluster's metrics are read; a cluster appears in at most one source. */
      sources?: Array<
        | {
            /** A Prometheus-compatible HTTP API (`/api/v1/query`). */
            type: 'prometheus';
            /** Base URL, e.g. `https://prometheus.example.com` (`/api/v1/query` is appended). */
            url: string;
            /**
             * Bearer token sent as `Authorization: Bearer …`.
             * @visibility secret
             */
            bearerToken?: string;
            /** HTTP basic authentication (not with `bearerToken`). */
            basicAuth?: {
              username: string;
              /** @visibility secret */
              password: string;
            };
            /** The meshes whose metrics are read. Default both. */
            meshes?: Array<'istio' | 'linkerd'>;
            /**
             * The label naming the cluster when several clusters share this Prometheus (e.g.
             * `cluster`); each cluster's series are selected by `clusterLabel="<labelValue>"`.
             * Without it every series is taken to be of the one cluster listed.
             */
            clusterLabel?: string;
            /** The clusters (names as configured for Mesh Security) this source serves. */
            clusters: Array<{
              /** The cluster's name. */
              name: string;
              /** The value of `clusterLabel` for this cluster. Default: its name. */
              labelValue?: string;
            }>;
          }
        | {
            /**
             * Recorded query answers in a file of the repository (the demo), shown as
             * `source: recorded`.
             */
            type: 'recorded';
            /** The JSON file, relative to the backend's working directory. */
            path: string;
            /** The clusters whose recordings the file holds. */
            clusters: Array<{
              /** The cluster's name. */
              name: string;
            }>;
          }
      >;
    };
    /**
     * Access changes. The backend lists a component's open access-change pull requests from the
     * repository that `repository` and `allowedRepositories` (declared by
     * `@mesh-security/plugin-mesh-security-common`, shared with the scaffolder module) allow.
     */
    accessRequests?: {
      /**
       * How long one repository's open pull requests are reused before GitHub is asked again,
       * in seconds (default 60; a failure is remembered for at most 30).
       */
      pullRequestCacheSeconds?: number;
    };
  };
}
