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
