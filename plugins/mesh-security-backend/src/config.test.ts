import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { readMeshSecurityConfig } from './config';

const logger = mockServices.logger.mock();
const read = (data: object) =>
  readMeshSecurityConfig(new ConfigReader(data), logger);

describe('readMeshSecurityConfig', () => {
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
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('cluster "gke"'),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('(type "gke") is skipped'),
    );
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
  ])('rejects invalid configuration %#', (data, message) => {
    expect(() => read(data)).toThrow(message);
  });
});
