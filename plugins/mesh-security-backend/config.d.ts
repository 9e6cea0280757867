export interface Config {
  /** Mesh Security backend plugin. */
  meshSecurity?: {
    /**
     * Cluster sources in addition to the Kubernetes plugin's `kubernetes.clusterLocatorMethods`
     * (type `config`), which Mesh Security reads as well.
     */
    clusters?: Array<{
      /** Cluster name, as shown in the UI and used in responses. */
      name: string;
      /** `manifests`: Kubernetes objects read from YAML/JSON files under `path`. */
      type: 'manifests';
      /** Directory (read recursively) or file, relative to the backend's working directory. */
      path: string;
    }>;
  };
}
