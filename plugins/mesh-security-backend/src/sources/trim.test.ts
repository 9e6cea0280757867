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

  it('drops Secret data and all ConfigMap data the engine does not read', () => {
    const secret = trimObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==' },
      stringData: { token: 'hunter2' },
    });
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
    });
    const configMap = (name: string, data: Record<string, string>) =>
      trimObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'istio-system' },
        data,
      }) as { data?: unknown };
    expect(configMap('app-settings', { DB_PASSWORD: 'hunter2' }).data).toBe(
      undefined,
    );
    expect(
      configMap('istio', { mesh: 'trustDomain: corp', extra: 'x' }).data,
    ).toEqual({ mesh: 'trustDomain: corp' });
    expect(
      configMap('linkerd-config', { values: 'identityTrustDomain: corp' }).data,
    ).toEqual({ values: 'identityTrustDomain: corp' });
    expect(
      configMap('istio-ca-root-cert', { 'root-cert.pem': 'PEM', other: 'x' })
        .data,
    ).toEqual({ 'root-cert.pem': 'PEM' });
  });

  it("keeps only the mesh key of a revision's mesh config (istio-<revision>)", () => {
    const configMap = (namespace: string, name: string) =>
      trimObject({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { 'istio.io/rev': 'canary' } },
        data: {
          mesh: 'trustDomain: canary.td',
          meshNetworks: 'networks: {}',
          config: 'policy: enabled',
        },
      }) as { data?: unknown };
    expect(configMap('istio-system', 'istio-canary').data).toEqual({
      mesh: 'trustDomain: canary.td',
    });
    // Not a mesh config: another namespace, or a name the engine does not read as one.
    expect(configMap('shop', 'istio-canary').data).toBe(undefined);
    expect(configMap('istio-system', 'istio-Canary').data).toBe(undefined);
  });
});
