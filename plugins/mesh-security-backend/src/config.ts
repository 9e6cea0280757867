import { Config, readDurationFromConfig } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import {
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  readPlatformNamespaces,
} from '@mesh-security/plugin-mesh-security-common';
import { KubernetesClusterConfig } from './sources/kubernetesHttp';
import { PrometheusEndpoint } from './traffic/PrometheusClient';
import {
  ClusterSelector,
  TRAFFIC_MESHES,
  TrafficMesh,
  isLabelName,
} from './traffic/queries';
import {
  DEFAULT_MANIFESTS_SETTINGS,
  MANIFEST_LIMIT_KEYS,
  ManifestsSettings,
} from './sources/ManifestsSource';
import {
  DEMO_TRUST_ROOT_CONFIG_MAPS,
  DemoTrustRoot,
} from './sources/demoTrustRoots';

/** A cluster Mesh Security reads, from either configuration block. */
export type ClusterConfig =
  | ({ type: 'kubernetes' } & KubernetesClusterConfig)
  | {
      type: 'manifests';
      name: string;
      path: string;
      demoTrustRoots?: DemoTrustRoot[];
    };

/** Longest validity of a re-issued demo trust root, in days (ten years). */
const MAX_DEMO_VALID_DAYS = 3650;

/** `demoTrustRoots` of a manifests cluster (docs/backend.md "Demo trust roots"), validated. */
function readDemoTrustRoots(
  cluster: Config,
  key: string,
): DemoTrustRoot[] | undefined {
  const roots = cluster.getOptionalConfigArray('demoTrustRoots');
  if (!roots) return undefined;
  return roots.map((root, r) => {
    const at = `${key}.demoTrustRoots[${r}]`;
    const configMap = root.getString('configMap');
    if (!DEMO_TRUST_ROOT_CONFIG_MAPS.includes(configMap)) {
      throw new Error(
        `${at}.configMap must be one of ${DEMO_TRUST_ROOT_CONFIG_MAPS.join(
          ', ',
        )}`,
      );
    }
    const validDays = root.getNumber('validDays');
    if (
      !(
        Number.isInteger(validDays) &&
        validDays >= 1 &&
        validDays <= MAX_DEMO_VALID_DAYS
      )
    ) {
      throw new Error(
        `${at}.validDays must be a whole number from 1 to ${MAX_DEMO_VALID_DAYS}`,
      );
    }
    return { configMap, validDays };
  });
}

/** The backend's settings, validated, with defaults applied. */
export interface MeshSecurityConfig {
  clusters: ClusterConfig[];
  refreshIntervalSeconds: number;
  requestTimeoutMs: number;
  certificateExpiryWarningDays: number;
  /** How long what a catalog entity says (annotations, owner) is used before it is read again. */
  entityCacheSeconds: number;
  linkerdDefaultInboundPolicy?: string;
  /** `meshSecurity.platformNamespaces` (common's config.d.ts); undefined: the defaults. */
  platformNamespaces?: string[];
  /** The scheduler's timeout for one cluster refresh. */
  refreshTimeoutMs: number;
  /** Wall time of one cluster read: the refresh timeout less a margin to store what was read. */
  readTimeoutMs: number;
  /** Requests one Kubernetes list may make. */
  maxPagesPerList: number;
  /** Objects one cluster read may hold. */
  maxObjectsPerCluster: number;
  /** How `manifests` clusters are read: limits, the parsing worker's heap and timeout. */
  manifests: ManifestsSettings;
  /** Observed traffic (`meshSecurity.traffic`). */
  traffic: TrafficSettings;
  /** How live clusters are kept current (`meshSecurity.watch`). */
  watch: WatchSettings;
}

/** `meshSecurity.watch`, validated (docs/backend.md "Watches"). */
export interface WatchSettings {
  /** Live clusters are listed once, then watched; false: listed in full every interval. */
  enabled: boolean;
  /** One watching session; the scheduler's task then hands over (resuming, not relisting). */
  sessionMs: number;
  /** Changes are published at most this often. */
  publishIntervalMs: number;
  /** While only pods changed, changes are published at most this often (≥ publishIntervalMs). */
  podPublishIntervalMs: number;
  /** Without changes, freshness is confirmed this often. */
  heartbeatMs: number;
}

/** Where one cluster's observed traffic is read. */
export type TrafficClusterConfig =
  | {
      type: 'prometheus';
      cluster: string;
      endpoint: PrometheusEndpoint;
      meshes: TrafficMesh[];
      selector?: ClusterSelector;
    }
  | { type: 'recorded'; cluster: string; path: string };

/** `meshSecurity.traffic`, validated, with defaults applied. */
export interface TrafficSettings {
  recentSeconds: number;
  evidenceSeconds: number;
  /** The step of the last-seen queries, in seconds. */
  lastSeenResolutionSeconds: number;
  refreshIntervalMs: number;
  queryTimeoutMs: number;
  maxSeriesPerQuery: number;
  maxBytesPerQuery: number;
  /** One entry per cluster a source covers. */
  clusters: TrafficClusterConfig[];
}

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/i;

/**
 * Reads `meshSecurity.*` and the Kubernetes plugin's `kubernetes.clusterLocatorMethods`
 * (type `config`), so a Backstage already configured for the Kubernetes plugin needs nothing
 * else. Clusters we cannot read the way they are configured (another auth provider, another
 * locator type) are skipped with a warning that says why; invalid values fail startup with the
 * offending key named.
 */
export function readMeshSecurityConfig(
  config: Config,
  logger: LoggerService,
): MeshSecurityConfig {
  const clusters: ClusterConfig[] = [];
  const names = new Set<string>();
  const add = (cluster: ClusterConfig, key: string) => {
    if (!CLUSTER_NAME.test(cluster.name)) {
      throw new Error(
        `${key}.name "${cluster.name}" is not a valid cluster name`,
      );
    }
    if (names.has(cluster.name)) {
      throw new Error(
        `${key}.name: cluster "${cluster.name}" is configured twice`,
      );
    }
    names.add(cluster.name);
    clusters.push(cluster);
  };

  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, m) => {
    const type = method.getString('type');
    if (type !== 'config') {
      logger.warn(
        `Mesh Security reads only clusterLocatorMethods of type "config"; kubernetes.clusterLocatorMethods[${m}] (type "${type}") is skipped`,
      );
      return;
    }
    (method.getOptionalConfigArray('clusters') ?? []).forEach((cluster, c) => {
      const key = `kubernetes.clusterLocatorMethods[${m}].clusters[${c}]`;
      const name = cluster.getString('name');
      const authProvider =
        cluster.getOptionalString('authProvider') ?? 'serviceAccount';
      if (authProvider !== 'serviceAccount') {
        logger.warn(
          `Mesh Security supports authProvider "serviceAccount" only; cluster "${name}" (${key}) uses "${authProvider}" and is skipped`,
        );
        return;
      }
      const { url, parsed } = readHttpUrl(cluster, key);
      const skipTLSVerify =
        cluster.getOptionalBoolean('skipTLSVerify') ?? false;
      if (parsed.protocol === 'http:' && !skipTLSVerify) {
        // @kubernetes/client-node refuses plain HTTP unless TLS verification is explicitly off.
        throw new Error(
          `${key}.url uses http: use https, or set skipTLSVerify: true (never for production clusters)`,
        );
      }
      add(
        {
          type: 'kubernetes',
          name,
          url,
          serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
          caData: cluster.getOptionalString('caData'),
          caFile: cluster.getOptionalString('caFile'),
          skipTLSVerify,
        },
        key,
      );
    });
  });

  (config.getOptionalConfigArray('meshSecurity.clusters') ?? []).forEach(
    (cluster, c) => {
      const key = `meshSecurity.clusters[${c}]`;
      const type = cluster.getString('type');
      if (type !== 'manifests') {
        throw new Error(
          `${key}.type must be "manifests" (live clusters go under kubernetes.clusterLocatorMethods)`,
        );
      }
      const demoTrustRoots = readDemoTrustRoots(cluster, key);
      add(
        {
          type: 'manifests',
          name: cluster.getString('name'),
          path: cluster.getString('path'),
          ...(demoTrustRoots ? { demoTrustRoots } : {}),
        },
        key,
      );
    },
  );

  const refreshIntervalSeconds =
    config.getOptionalNumber('meshSecurity.refreshIntervalSeconds') ?? 60;
  if (!(refreshIntervalSeconds >= 5)) {
    throw new Error('meshSecurity.refreshIntervalSeconds must be at least 5');
  }
  const requestTimeoutMs =
    config.getOptionalNumber('meshSecurity.requestTimeoutMs') ?? 5000;
  if (!(requestTimeoutMs > 0 && requestTimeoutMs <= 5000)) {
    throw new Error('meshSecurity.requestTimeoutMs must be between 1 and 5000');
  }
  const certificateExpiryWarningDays =
    config.getOptionalNumber('meshSecurity.certificateExpiryWarningDays') ??
    DEFAULT_CERTIFICATE_WARNING_DAYS;
  if (!(certificateExpiryWarningDays >= 0)) {
    throw new Error(
      'meshSecurity.certificateExpiryWarningDays must be 0 or more',
    );
  }
  const entityCacheSeconds =
    config.getOptionalNumber('meshSecurity.entityCacheSeconds') ?? 30;
  if (!(entityCacheSeconds >= 1 && entityCacheSeconds <= 3600)) {
    throw new Error(
      'meshSecurity.entityCacheSeconds must be between 1 and 3600',
    );
  }
  const refreshTimeoutMs = config.has('meshSecurity.refreshTimeout')
    ? durationToMilliseconds(
        readDurationFromConfig(config, { key: 'meshSecurity.refreshTimeout' }),
      )
    : 5 * 60 * 1000;
  if (!(refreshTimeoutMs >= 10_000 && refreshTimeoutMs <= 60 * 60 * 1000)) {
    throw new Error(
      'meshSecurity.refreshTimeout must be between 10 seconds and 1 hour',
    );
  }
  const positiveInteger = (key: string, fallback: number) => {
    const value = config.getOptionalNumber(key) ?? fallback;
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new Error(`${key} must be a whole number of at least 1`);
    }
    return value;
  };
  return {
    clusters,
    watch: readWatchSettings(config),
    manifests: readManifestsSettings(config),
    traffic: readTrafficSettings(config, names),
    refreshIntervalSeconds,
    requestTimeoutMs,
    certificateExpiryWarningDays,
    entityCacheSeconds,
    linkerdDefaultInboundPolicy: config.getOptionalString(
      'meshSecurity.linkerdDefaultInboundPolicy',
    ),
    platformNamespaces: readPlatformNamespaces(config),
    refreshTimeoutMs,
    // Storing a read (hash, gzip, cache writes) must also finish before the scheduler gives up.
    readTimeoutMs: refreshTimeoutMs - Math.min(60_000, refreshTimeoutMs / 5),
    // Enough requests to reach the object cap at the default page size (500).
    maxPagesPerList: positiveInteger('meshSecurity.maxPagesPerList', 400),
    maxObjectsPerCluster: positiveInteger(
      'meshSecurity.maxObjectsPerCluster',
      200_000,
    ),
  };
}

/** Reads `meshSecurity.watch` (every key optional; defaults in config.d.ts). */
function readWatchSettings(config: Config): WatchSettings {
  const duration = (
    key: string,
    fallbackMs: number,
    minMs: number,
    maxMs: number,
    range: string,
  ) => {
    const full = `meshSecurity.watch.${key}`;
    const ms = config.has(full)
      ? durationToMilliseconds(readDurationFromConfig(config, { key: full }))
      : fallbackMs;
    if (!(ms >= minMs && ms <= maxMs))
      throw new Error(`${full} must be between ${range}`);
    return ms;
  };
  const publishIntervalMs = duration(
    'publishInterval',
    1000,
    100,
    60_000,
    '100 milliseconds and 1 minute',
  );
  const podPublishIntervalMs = duration(
    'podPublishInterval',
    Math.max(3000, publishIntervalMs),
    100,
    60_000,
    '100 milliseconds and 1 minute',
  );
  if (podPublishIntervalMs < publishIntervalMs)
    throw new Error(
      'meshSecurity.watch.podPublishInterval must not be shorter than meshSecurity.watch.publishInterval',
    );
  return {
    enabled: config.getOptionalBoolean('meshSecurity.watch.enabled') ?? true,
    sessionMs: duration(
      'sessionDuration',
      5 * 60_000,
      60_000,
      60 * 60_000,
      '1 minute and 1 hour',
    ),
    publishIntervalMs,
    podPublishIntervalMs,
    heartbeatMs: duration(
      'heartbeatInterval',
      5000,
      1000,
      60_000,
      '1 second and 1 minute',
    ),
  };
}

/** Reads `meshSecurity.manifestLimits` (every key optional; defaults in config.d.ts). */
function readManifestsSettings(config: Config): ManifestsSettings {
  const prefix = 'meshSecurity.manifestLimits';
  const limits = config.getOptionalConfig(prefix);
  const count = (name: string, fallback: number, minimum = 1) => {
    const value = limits?.getOptionalNumber(name) ?? fallback;
    if (!(Number.isInteger(value) && value >= minimum)) {
      throw new Error(
        `${prefix}.${name} must be a whole number of at least ${minimum}`,
      );
    }
    return value;
  };
  const defaults = DEFAULT_MANIFESTS_SETTINGS;
  const read = <Limit extends string>(
    keys: Record<Limit, string>,
    fallback: Record<Limit, number>,
  ) => {
    const values = {} as Record<Limit, number>;
    for (const limit of Object.keys(keys) as Limit[]) {
      values[limit] = count(keys[limit], fallback[limit]);
    }
    return values;
  };
  let parseTimeoutMs = defaults.parseTimeoutMs;
  if (limits?.has('parseTimeout')) {
    parseTimeoutMs = durationToMilliseconds(
      readDurationFromConfig(limits, { key: 'parseTimeout' }),
    );
    if (!(parseTimeoutMs >= 1000)) {
      throw new Error(`${prefix}.parseTimeout must be at least 1 second`);
    }
  }
  return {
    file: read(MANIFEST_LIMIT_KEYS.file, defaults.file),
    cluster: read(MANIFEST_LIMIT_KEYS.cluster, defaults.cluster),
    parserHeapMb: count('parserHeapMb', defaults.parserHeapMb, 64),
    parseTimeoutMs,
  };
}

/** Reads `meshSecurity.traffic` (every key optional; defaults in config.d.ts). */
function readTrafficSettings(
  config: Config,
  clusterNames: ReadonlySet<string>,
): TrafficSettings {
  const prefix = 'meshSecurity.traffic';
  const traffic = config.getOptionalConfig(prefix);
  const duration = (
    key: string,
    fallbackMs: number,
    minimumMs: number,
    maximumMs: number,
    range: string,
  ) => {
    if (!traffic?.has(key)) return fallbackMs;
    let ms: number;
    try {
      ms = durationToMilliseconds(readDurationFromConfig(traffic, { key }));
    } catch (error) {
      throw new Error(
        `${prefix}.${key} is not a duration: ${(error as Error).message}`,
      );
    }
    if (!(ms >= minimumMs && ms <= maximumMs)) {
      throw new Error(`${prefix}.${key} must be ${range}`);
    }
    return ms;
  };
  const day = 24 * 60 * 60 * 1000;
  const recentMs = duration(
    'recentWindow',
    60 * 60 * 1000,
    60_000,
    400 * day,
    'between 1 minute and 400 days',
  );
  const evidenceMs = duration(
    'evidenceWindow',
    7 * day,
    60_000,
    400 * day,
    'between 1 minute and 400 days',
  );
  if (evidenceMs < recentMs) {
    throw new Error(
      `${prefix}.evidenceWindow must be at least ${prefix}.recentWindow`,
    );
  }
  const resolutionMs = duration(
    'lastSeenResolution',
    5 * 60 * 1000,
    60_000,
    day,
    'between 1 minute and 1 day',
  );
  // A subquery evaluates every step: bounded like Prometheus bounds a range query's points.
  if (evidenceMs / resolutionMs > 11_000) {
    throw new Error(
      `${prefix}.lastSeenResolution must be at least ${prefix}.evidenceWindow / 11000 (${Math.ceil(
        evidenceMs / 11_000 / 60_000,
      )} minutes)`,
    );
  }
  const count = (key: string, fallback: number) => {
    const value = traffic?.getOptionalNumber(key) ?? fallback;
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new Error(`${prefix}.${key} must be a whole number of at least 1`);
    }
    return value;
  };
  const settings: TrafficSettings = {
    // PromQL ranges are whole seconds.
    recentSeconds: Math.max(1, Math.round(recentMs / 1000)),
    evidenceSeconds: Math.max(1, Math.round(evidenceMs / 1000)),
    lastSeenResolutionSeconds: Math.round(resolutionMs / 1000),
    refreshIntervalMs: duration(
      'refreshInterval',
      5 * 60 * 1000,
      30_000,
      day,
      'between 30 seconds and 1 day',
    ),
    queryTimeoutMs: duration(
      'queryTimeout',
      30_000,
      1000,
      5 * 60 * 1000,
      'between 1 second and 5 minutes',
    ),
    maxSeriesPerQuery: count('maxSeriesPerQuery', 100_000),
    maxBytesPerQuery: count('maxBytesPerQuery', 64 * 1024 * 1024),
    clusters: [],
  };
  const covered = new Set<string>();
  (traffic?.getOptionalConfigArray('sources') ?? []).forEach((source, s) => {
    const key = `${prefix}.sources[${s}]`;
    const type = source.getString('type');
    if (type !== 'prometheus' && type !== 'recorded') {
      throw new Error(`${key}.type must be "prometheus" or "recorded"`);
    }
    const clusters = source.getConfigArray('clusters');
    if (clusters.length === 0) {
      throw new Error(`${key}.clusters must name at least one cluster`);
    }
    const clusterLabel = source.getOptionalString('clusterLabel');
    if (type === 'prometheus' && clusters.length > 1 && !clusterLabel) {
      throw new Error(
        `${key}.clusterLabel is required when the source serves several clusters`,
      );
    }
    if (clusterLabel !== undefined && !isLabelName(clusterLabel)) {
      throw new Error(`${key}.clusterLabel is not a Prometheus label name`);
    }
    let endpoint: PrometheusEndpoint | undefined;
    let meshes: TrafficMesh[] = [...TRAFFIC_MESHES];
    if (type === 'prometheus') {
      const { url } = readHttpUrl(source, key);
      const bearerToken = source.getOptionalString('bearerToken');
      const basic = source.getOptionalConfig('basicAuth');
      if (bearerToken && basic) {
        throw new Error(
          `${key}: set either bearerToken or basicAuth, not both`,
        );
      }
      endpoint = {
        url,
        ...(bearerToken ? { bearerToken } : {}),
        ...(basic
          ? {
              basicAuth: {
                username: basic.getString('username'),
                password: basic.getString('password'),
              },
            }
          : {}),
      };
      const configured = source.getOptionalStringArray('meshes');
      if (configured) {
        if (
          configured.length === 0 ||
          configured.some(
            m => !(TRAFFIC_MESHES as readonly string[]).includes(m),
          )
        ) {
          throw new Error(`${key}.meshes must list "istio" and/or "linkerd"`);
        }
        meshes = [...new Set(configured)] as TrafficMesh[];
      }
    }
    clusters.forEach((cluster, c) => {
      const clusterKey = `${key}.clusters[${c}]`;
      const name = cluster.getString('name');
      if (!clusterNames.has(name)) {
        throw new Error(
          `${clusterKey}.name: "${name}" is not a cluster Mesh Security reads`,
        );
      }
      if (covered.has(name)) {
        throw new Error(
          `${clusterKey}.name: cluster "${name}" has more than one traffic source`,
        );
      }
      covered.add(name);
      if (type === 'recorded') {
        settings.clusters.push({
          type,
          cluster: name,
          path: source.getString('path'),
        });
        return;
      }
      settings.clusters.push({
        type,
        cluster: name,
        endpoint: endpoint!,
        meshes,
        ...(clusterLabel
          ? {
              selector: {
                label: clusterLabel,
                value: cluster.getOptionalString('labelValue') ?? name,
              },
            }
          : {}),
      });
    });
  });
  return settings;
}

/** `<key>.url`, required to be an http(s) URL; errors name the key. */
function readHttpUrl(
  config: Config,
  key: string,
): { url: string; parsed: URL } {
  const url = config.getString('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${key}.url is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${key}.url must be http(s)`);
  }
  return { url, parsed };
}
