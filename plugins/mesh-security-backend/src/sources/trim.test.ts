import { trimObject } from './trim';

describe('trimObject', () => {
  it('keeps the mesh annotations the engine reads and drops the rest', () => {
    const trimmed = trimObject({
      kind: 'Namespace',
      metadata: {
        name: 'data',
        annotations: {
          'linkerd.io/inject': 'enabled',
          'config.linkerd.io/default-inbound-policy': 'all-authenticated',
          'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
          'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
          'prometheus.io/scrape': 'true',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
    }) as any;
    expect(trimmed.metadata.annotations).toEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/default-inbound-policy': 'all-authenticated',
      'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
    });
  });

  it('keeps what the credential-leakage pillar needs from a pod template, and no values', () => {
    const trimmed = trimObject({
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            serviceAccountName: 'api',
            containers: [
              {
                name: 'api',
                image: 'api:1',
                ports: [{ containerPort: 8080 }],
                env: [
                  { name: 'PLAIN', value: 'hunter2' },
                  {
                    name: 'DB',
                    valueFrom: {
                      secretKeyRef: { name: 'db', key: 'password' },
                    },
                  },
                ],
                envFrom: [
                  { secretRef: { name: 'creds' } },
                  { configMapRef: { name: 'cfg' } },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: 'tls' } },
              { name: 'store', csi: { driver: 'secrets-store.csi.k8s.io' } },
            ],
          },
        },
      },
    }) as any;
    const container = trimmed.spec.template.spec.containers[0];
    expect(container.env).toEqual([
      {
        name: 'DB',
        valueFrom: { secretKeyRef: { name: 'db', key: 'password' } },
      },
    ]);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'creds' } }]);
    expect(container.image).toBeUndefined();
    expect(JSON.stringify(trimmed)).not.toContain('hunter2');
    expect(trimmed.spec.template.spec.volumes.map((v: any) => v.name)).toEqual([
      'tls',
      'store',
    ]);
  });
});
