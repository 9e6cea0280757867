export interface Config {
  techInsights?: {
    factRetrievers?: {
      /** Schedule of the Mesh Security facts (read by the Tech Insights backend). */
      meshSecurityFactRetriever?: {
        /** Cron expression, e.g. `*\/15 * * * *`. */
        cadence: string;
        /** How long facts are kept (`timeToLive`) or how many (`maxItems`). */
        lifecycle?: object;
        /** Delay before the first run after start. */
        initialDelay?: object;
        /** How long one run may take. */
        timeout?: object;
      };
    };
  };
}
