import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { readMeshSecurityConfig } from './config';

const logger = mockServices.logger.mock();
const read = (data: object) =>
  readMeshSecurityConfig(new ConfigReader(data), logger);

describe('readMeshSecurityConfig', () => {
  it('reads the manifest limits, each defaulting to the documented value', () => {
    expect(read({}).manifests).toEqual({
      file: {
        maxDocuments: 50_000,
        maxNodes: 2_000_000,
        maxDocumentNodes: 250_000,
        maxDepth: 200,
        maxObjects: 50_000,
      },
      cluster: {
        maxFiles: 10_000,
        maxFileBytes: 16 * 1024 * 1024,
        maxBytes: 256 * 1024 * 1024,
        maxDocuments: 500_000,
        maxNodes: 20_000_000,
        maxObjects: 200_000,
      },
      parserHeapMb: 512,
      parseTimeoutMs: 60_000,
    });
    const manifests = read({
      meshSecurity: {
        manifestLimits: {
          maxBytesPerFile: 1024,
          maxNodesPerDocument: 1000,
          maxObjectsPerCluster: 10,
          parserHeapMb: 128,
          parseTimeout: { seconds: 5 },
        },
      },
    }).manifests;
    expect(manifests).toMatchObject({
      file: { maxDocumentNodes: 1000, maxNodes: 2_000_000 },
      cluster: { maxFileBytes: 1024, maxObjects: 10 },
      parserHeapMb: 128,
      parseTimeoutMs: 5000,
    });
  });

  it('reads meshSecurity.platformNamespaces, refusing what is not a namespace name', () => {
    expect(read({}).platformNamespaces).toBeUndefined();
    expect(
      read({ meshSecurity: { platformNamespaces: ['kube-system', 'infra'] } })
        .platformNamespaces,
    ).toEqual(['kube-system', 'infra']);
    expect(read({ meshSecurity: { platformNamespaces: [] } })).toMatchObject({
      platformNamespaces: [],
    });
    expect(() =>
      read({ meshSecurity: { platformNamespaces: ['Infra!'] } }),
    ).toThrow(
      'meshSecurity.platformNamespaces: "Infra!" is not a namespace name',
    );
  });

  it("reads a manifests cluster's demo trust roots", () => {
    const demoTrustRoots = [
      { configMap: 'linkerd/linkerd-identity-trust-roots', validDays: 29 },
    ];
    expect(
      read({
        meshSecurity: {
          clusters: [
            { name: 'demo', type: 'manifests', path: './d', demoTrustRoots },
          ],
        },
      }).clusters,
    ).toEqual([
      { type: 'manifests', name: 'demo', path: './d', demoTrustRoots },
    ]);
  });

  it('reads the Kubernetes plugin clusters and our manifests clusters, with defaults', () => {
    const config = read({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'prod',
                url: 'https://prod:6443',
                authProvider: 'serviceAccount',
                serviceAccountToken: 't',
                caData: 'Y2E=',
              },
              { name: 'gke', url: 'https://gke', authProvider: 'google' },
            ],
          },
          { type: 'gke', projectId: 'p' },
        ],
      },
      meshSecurity: {
        clusters: [{ name: 'demo', type: 'manifests', path: './demo' }],
      },
    });
    expect(config.clusters).toEqual([
      {
        type: 'kubernetes',
        name: 'prod',
        url: 'https://prod:6443',
        serviceAccountToken: 't',
        caData: 'Y2E=',
        caFile: undefined,
        skipTLSVerify: false,
      },
      { type: 'manifests', name: 'demo', path: './demo' },
    ]);
    expect(config).toMatchObject({
      refreshIntervalSeconds: 60,
      requestTimeoutMs: 5000,
      certificateExpiryWarningDays: 30,
      entityCacheSeconds: 30,
      refreshTimeoutMs: 300_000,
      readTimeoutMs: 240_000,
      maxPagesPerList: 400,
      maxObjectsPerCluster: 200_000,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('cluster "gke"'),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('(type "gke") is skipped'),
    );
  });

  it('watches live clusters by default, with the documented session, publish and heartbeat intervals', () => {
    expect(read({}).watch).toEqual({
      enabled: true,
      sessionMs: 300_000,
      publishIntervalMs: 1000,
      podPublishIntervalMs: 3000,
      heartbeatMs: 5000,
    });
    expect(
      read({
        meshSecurity: {
          watch: {
            enabled: false,
            sessionDuration: '10m',
            publishInterval: { milliseconds: 250 },
            heartbeatInterval: { seconds: 10 },
          },
        },
      }).watch,
    ).toEqual({
      enabled: false,
      sessionMs: 600_000,
      publishIntervalMs: 250,
      podPublishIntervalMs: 3000,
      heartbeatMs: 10_000,
    });
    // Pod churn waits at least as long as any other change.
    expect(
      read({ meshSecurity: { watch: { publishInterval: '5s' } } }).watch,
    ).toMatchObject({ publishIntervalMs: 5000, podPublishIntervalMs: 5000 });
    expect(
      read({ meshSecurity: { watch: { podPublishInterval: '10s' } } }).watch,
    ).toMatchObject({ publishIntervalMs: 1000, podPublishIntervalMs: 10_000 });
  });

  it('reads the bounds of a cluster read; the read stops before the refresh times out', () => {
    expect(
      read({
        meshSecurity: {
          refreshTimeout: { seconds: 30 },
          maxPagesPerList: 10,
          maxObjectsPerCluster: 5000,
        },
      }),
    ).toMatchObject({
      refreshTimeoutMs: 30_000,
      readTimeoutMs: 24_000,
      maxPagesPerList: 10,
      maxObjectsPerCluster: 5000,
    });
  });

  it.each([
    [
      {
        meshSecurity: {
          clusters: [{ name: 'a', type: 'kubeconfig', path: 'x' }],
        },
      },
      'meshSecurity.clusters[0].type must be "manifests"',
    ],
    [
      {
        meshSecurity: {
          clusters: [
            { name: 'a', type: 'manifests', path: 'x' },
            { name: 'a', type: 'manifests', path: 'y' },
          ],
        },
      },
      'cluster "a" is configured twice',
    ],
    [
      {
        meshSecurity: {
          clusters: [{ name: 'bad name!', type: 'manifests', path: 'x' }],
        },
      },
      'is not a valid cluster name',
    ],
    [
      {
        meshSecurity: {
          clusters: [
            {
              name: 'a',
              type: 'manifests',
              path: 'x',
              demoTrustRoots: [{ configMap: 'linkerd/other', validDays: 29 }],
            },
          ],
        },
      },
      'meshSecurity.clusters[0].demoTrustRoots[0].configMap must be one of istio-system/istio-ca-root-cert, linkerd/linkerd-identity-trust-roots',
    ],
    [
      {
        meshSecurity: {
          clusters: [
            {
              name: 'a',
              type: 'manifests',
              path: 'x',
              demoTrustRoots: [
                {
                  configMap: 'linkerd/linkerd-identity-trust-roots',
                  validDays: 0.5,
                },
              ],
            },
          ],
        },
      },
      'meshSecurity.clusters[0].demoTrustRoots[0].validDays must be a whole number from 1 to 3650',
    ],
    [
      {
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: [{ name: 'p', url: 'not a url' }] },
          ],
        },
      },
      'kubernetes.clusterLocatorMethods[0].clusters[0].url is not a valid URL',
    ],
    [
      { meshSecurity: { requestTimeoutMs: 10000 } },
      'requestTimeoutMs must be between 1 and 5000',
    ],
    [
      {
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [{ name: 'p', url: 'http://k8s:8080' }],
            },
          ],
        },
      },
      'url uses http: use https, or set skipTLSVerify: true',
    ],
    [
      { meshSecurity: { refreshIntervalSeconds: 1 } },
      'refreshIntervalSeconds must be at least 5',
    ],
    [
      { meshSecurity: { entityCacheSeconds: 0 } },
      'entityCacheSeconds must be between 1 and 3600',
    ],
    [
      { meshSecurity: { refreshTimeout: { seconds: 5 } } },
      'meshSecurity.refreshTimeout must be between 10 seconds and 1 hour',
    ],
    [
      { meshSecurity: { watch: { sessionDuration: { seconds: 10 } } } },
      'meshSecurity.watch.sessionDuration must be between 1 minute and 1 hour',
    ],
    [
      { meshSecurity: { watch: { publishInterval: '10ms' } } },
      'meshSecurity.watch.publishInterval must be between 100 milliseconds and 1 minute',
    ],
    [
      {
        meshSecurity: {
          watch: { publishInterval: '2s', podPublishInterval: '1s' },
        },
      },
      'meshSecurity.watch.podPublishInterval must not be shorter than meshSecurity.watch.publishInterval',
    ],
    [
      { meshSecurity: { watch: { podPublishInterval: '2m' } } },
      'meshSecurity.watch.podPublishInterval must be between 100 milliseconds and 1 minute',
    ],
    [
      { meshSecurity: { watch: { heartbeatInterval: { minutes: 2 } } } },
      'meshSecurity.watch.heartbeatInterval must be between 1 second and 1 minute',
    ],
    [
      { meshSecurity: { maxPagesPerList: 0 } },
      'meshSecurity.maxPagesPerList must be a whole number of at least 1',
    ],
    [
      { meshSecurity: { maxObjectsPerCluster: 1.5 } },
      'meshSecurity.maxObjectsPerCluster must be a whole number of at least 1',
    ],
    [
      { meshSecurity: { manifestLimits: { maxNodesPerFile: 1.5 } } },
      'meshSecurity.manifestLimits.maxNodesPerFile must be a whole number of at least 1',
    ],
    [
      { meshSecurity: { manifestLimits: { parserHeapMb: 8 } } },
      'meshSecurity.manifestLimits.parserHeapMb must be a whole number of at least 64',
    ],
    [
      { meshSecurity: { manifestLimits: { parseTimeout: '10ms' } } },
      'meshSecurity.manifestLimits.parseTimeout must be at least 1 second',
    ],
  ])('rejects invalid configuration %#', (data, message) => {
    expect(() => read(data)).toThrow(message);
  });
});

describe('meshSecurity.traffic', () => {
  const clusters = [
    { name: 'eu', type: 'manifests', path: 'eu' },
    { name: 'us', type: 'manifests', path: 'us' },
    { name: 'demo', type: 'manifests', path: 'demo' },
  ];
  const traffic = (value: object) =>
    read({ meshSecurity: { clusters, traffic: value } }).traffic;

  it('defaults to no sources (every cluster not-configured) and the documented windows', () => {
    expect(read({}).traffic).toEqual({
      recentSeconds: 3600,
      evidenceSeconds: 7 * 24 * 3600,
      lastSeenResolutionSeconds: 300,
      refreshIntervalMs: 5 * 60 * 1000,
      queryTimeoutMs: 30_000,
      maxSeriesPerQuery: 100_000,
      maxBytesPerQuery: 64 * 1024 * 1024,
      clusters: [],
    });
  });

  it('reads windows as durations, a shared Prometheus with a cluster label, and recorded data', () => {
    const settings = traffic({
      recentWindow: '30m',
      evidenceWindow: { days: 14 },
      lastSeenResolution: '30m',
      queryTimeout: { seconds: 10 },
      sources: [
        {
          type: 'prometheus',
          url: 'https://thanos.example.com',
          bearerToken: 'secret',
          clusterLabel: 'k8s_cluster',
          meshes: ['linkerd'],
          clusters: [{ name: 'eu', labelValue: 'eu-west-1' }, { name: 'us' }],
        },
        {
          type: 'recorded',
          path: 'traffic.json',
          clusters: [{ name: 'demo' }],
        },
      ],
    });
    expect(settings.recentSeconds).toBe(1800);
    expect(settings.evidenceSeconds).toBe(14 * 24 * 3600);
    expect(settings.queryTimeoutMs).toBe(10_000);
    expect(settings.lastSeenResolutionSeconds).toBe(1800);
    expect(settings.clusters).toEqual([
      {
        type: 'prometheus',
        cluster: 'eu',
        endpoint: { url: 'https://thanos.example.com', bearerToken: 'secret' },
        meshes: ['linkerd'],
        selector: { label: 'k8s_cluster', value: 'eu-west-1' },
      },
      {
        type: 'prometheus',
        cluster: 'us',
        endpoint: { url: 'https://thanos.example.com', bearerToken: 'secret' },
        meshes: ['linkerd'],
        selector: { label: 'k8s_cluster', value: 'us' },
      },
      { type: 'recorded', cluster: 'demo', path: 'traffic.json' },
    ]);
  });

  it('reads basic auth for a Prometheus source', () => {
    expect(
      traffic({
        sources: [
          {
            type: 'prometheus',
            url: 'https://prom.example.com',
            basicAuth: { username: 'reader', password: 'secret' },
            clusters: [{ name: 'eu' }],
          },
        ],
      }).clusters[0],
    ).toEqual({
      type: 'prometheus',
      cluster: 'eu',
      endpoint: {
        url: 'https://prom.example.com',
        basicAuth: { username: 'reader', password: 'secret' },
      },
      meshes: ['istio', 'linkerd'],
    });
  });

  const prometheus = (extra: object) => ({
    sources: [
      {
        type: 'prometheus',
        url: 'https://prom.example.com',
        clusters: [{ name: 'eu' }],
        ...extra,
      },
    ],
  });

  it.each([
    [
      { recentWindow: 'soon' },
      'meshSecurity.traffic.recentWindow is not a duration',
    ],
    [
      { recentWindow: '10s' },
      'meshSecurity.traffic.recentWindow must be between 1 minute and 400 days',
    ],
    [
      { recentWindow: '2d', evidenceWindow: '1d' },
      'meshSecurity.traffic.evidenceWindow must be at least meshSecurity.traffic.recentWindow',
    ],
    [
      { lastSeenResolution: '10s' },
      'meshSecurity.traffic.lastSeenResolution must be between 1 minute and 1 day',
    ],
    [
      { evidenceWindow: '90d' },
      'meshSecurity.traffic.lastSeenResolution must be at least meshSecurity.traffic.evidenceWindow / 11000 (12 minutes)',
    ],
    [
      { refreshInterval: '5s' },
      'meshSecurity.traffic.refreshInterval must be between 30 seconds and 1 day',
    ],
    [
      { maxSeriesPerQuery: 0 },
      'meshSecurity.traffic.maxSeriesPerQuery must be a whole number of at least 1',
    ],
    [
      prometheus({ url: 'ftp://x' }),
      'meshSecurity.traffic.sources[0].url must be http(s)',
    ],
    [
      prometheus({ url: 'not a url' }),
      'meshSecurity.traffic.sources[0].url is not a valid URL',
    ],
    [
      prometheus({
        bearerToken: 't',
        basicAuth: { username: 'u', password: 'p' },
      }),
      'meshSecurity.traffic.sources[0]: set either bearerToken or basicAuth, not both',
    ],
    [
      prometheus({ meshes: ['consul'] }),
      'meshSecurity.traffic.sources[0].meshes must list "istio" and/or "linkerd"',
    ],
    [
      prometheus({ clusterLabel: 'k8s-cluster' }),
      'meshSecurity.traffic.sources[0].clusterLabel is not a Prometheus label name',
    ],
    [
      prometheus({ clusters: [{ name: 'eu' }, { name: 'us' }] }),
      'meshSecurity.traffic.sources[0].clusterLabel is required when the source serves several clusters',
    ],
    [
      prometheus({ clusters: [{ name: 'mars' }] }),
      'meshSecurity.traffic.sources[0].clusters[0].name: "mars" is not a cluster Mesh Security reads',
    ],
    [
      {
        sources: [
          { type: 'recorded', path: 'a.json', clusters: [{ name: 'eu' }] },
          { type: 'recorded', path: 'b.json', clusters: [{ name: 'eu' }] },
        ],
      },
      'meshSecurity.traffic.sources[1].clusters[0].name: cluster "eu" has more than one traffic source',
    ],
    [
      { sources: [{ type: 'influx', clusters: [{ name: 'eu' }] }] },
      'meshSecurity.traffic.sources[0].type must be "prometheus" or "recorded"',
    ],
  ])('refuses %j naming the key', (value, message) => {
    expect(() => traffic(value)).toThrow(message);
  });
});
