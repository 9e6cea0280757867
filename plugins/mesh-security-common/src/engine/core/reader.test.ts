import { crdsDir, readText } from '../../__testUtils__/testdata';
import {
  deployment,
  gatewayHttpRoute,
  namespace,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { parseManifests } from './manifests';
import { readObjects } from './reader';
import path from 'node:path';

const pod = (
  name: string,
  owner: { kind: string; name: string } | undefined,
  labels: Record<string, string>,
  containers: string[],
  init: Array<{ name: string; restartPolicy?: string }> = [],
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    labels,
    ...(owner
      ? {
          ownerReferences: [
            { ...owner, controller: true, apiVersion: 'apps/v1', uid: 'x' },
          ],
        }
      : {}),
  },
  spec: {
    containers: containers.map(c => ({ name: c })),
    initContainers: init,
  },
  status: { phase: 'Running', podIP: '10.0.0.1' },
});

describe('readObjects', () => {
  it('groups pods under their top-level controller (ReplicaSet → Deployment via pod-template-hash)', () => {
    const { snapshot, findings } = readObjects([
      namespace('shop'),
      deployment('shop', 'web'),
      pod(
        'web-5d9f-abc',
        { kind: 'ReplicaSet', name: 'web-5d9f' },
        { app: 'web', 'pod-template-hash': '5d9f' },
        ['app', 'istio-proxy'],
      ),
      pod(
        'web-5d9f-def',
        { kind: 'ReplicaSet', name: 'web-5d9f' },
        { app: 'web', 'pod-template-hash': '5d9f' },
        ['app'],
        [{ name: 'istio-proxy', restartPolicy: 'Always' }],
      ),
      pod('bare', undefined, { app: 'bare' }, ['app']),
    ]);
    expect(findings).toEqual([]);
    const web = snapshot.workloads.find(w => w.name === 'web')!;
    expect(web.kind).toBe('Deployment');
    expect(web.pods.map(p => p.containers)).toEqual([
      ['app', 'istio-proxy'],
      ['app', 'istio-proxy'],
    ]);
    expect(snapshot.workloads.find(w => w.name === 'bare')?.kind).toBe('Pod');
  });

  it('shares equal labels, annotations and container lists between replicas, keeping differing ones apart', () => {
    const { snapshot } = readObjects([
      namespace('shop'),
      deployment('shop', 'web'),
      pod(
        'web-5d9f-a',
        { kind: 'ReplicaSet', name: 'web-5d9f' },
        { app: 'web', 'pod-template-hash': '5d9f' },
        ['app', 'istio-proxy'],
      ),
      pod(
        'web-5d9f-b',
        { kind: 'ReplicaSet', name: 'web-5d9f' },
        { app: 'web', 'pod-template-hash': '5d9f' },
        ['app', 'istio-proxy'],
      ),
      pod(
        'web-5d9f-c',
        { kind: 'ReplicaSet', name: 'web-5d9f' },
        { app: 'web', 'pod-template-hash': '5d9f', canary: 'true' },
        ['app'],
      ),
    ]);
    const [a, b, c] = snapshot.workloads.find(w => w.name === 'web')!.pods;
    expect(a.labels).toBe(b.labels);
    expect(a.containers).toBe(b.containers);
    expect(a.name).not.toBe(b.name);
    expect(c.labels).toEqual({
      app: 'web',
      'pod-template-hash': '5d9f',
      canary: 'true',
    });
    expect(c.containers).toEqual(['app']);
    expect(a.labels).toEqual({ app: 'web', 'pod-template-hash': '5d9f' });
  });

  it('reads CronJob pod templates, ServiceAccounts and Secret uses', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', namespace: 'shop' },
      spec: {
        schedule: '@daily',
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { app: 'report' } },
              spec: {
                serviceAccountName: 'reporter',
                containers: [
                  { name: 'r', envFrom: [{ secretRef: { name: 'db' } }] },
                ],
              },
            },
          },
        },
      },
    };
    const w = readObjects([cron]).snapshot.workloads[0];
    expect(w).toMatchObject({
      kind: 'CronJob',
      name: 'report',
      serviceAccount: 'reporter',
      secrets: [{ name: 'db', via: 'envFrom' }],
    });
  });

  it('reads mesh configuration from the istio and linkerd-config ConfigMaps', () => {
    const { snapshot } = readObjects([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: { mesh: 'trustDomain: corp\nrootNamespace: mesh-root\n' },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'linkerd-config', namespace: 'linkerd' },
        data: {
          values:
            'identityTrustDomain: l.corp\nproxy:\n  defaultInboundPolicy: deny\nclusterNetworks: "10.0.0.0/8,fd00::/8"\n',
        },
      },
    ]);
    expect(snapshot.meshConfig).toEqual({
      istio: { trustDomain: 'corp', rootNamespace: 'mesh-root' },
      linkerd: {
        trustDomain: 'l.corp',
        defaultInboundPolicy: 'deny',
        clusterNetworks: ['10.0.0.0/8', 'fd00::/8'],
      },
    });
  });

  it('applies merge keys in mesh configuration, as the meshes read it', () => {
    const { snapshot } = readObjects([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: {
          mesh: '<<: {trustDomain: corp, rootNamespace: a}\nrootNamespace: b\n',
        },
      },
    ]);
    expect(snapshot.meshConfig.istio).toEqual({
      trustDomain: 'corp',
      rootNamespace: 'b',
    });
  });

  it('reads revisioned Istio mesh configuration from istio-system/istio-<revision>', () => {
    const configMap = (ns: string, name: string, mesh: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
      data: { mesh },
    });
    const { snapshot } = readObjects([
      configMap(
        'istio-system',
        'istio-canary',
        'trustDomain: new.td\ntrustDomainAliases: [old.td]\n',
      ),
      configMap('shop', 'istio-other', 'trustDomain: elsewhere\n'),
    ]);
    expect(snapshot.meshConfig).toEqual({
      istioRevisions: {
        canary: { trustDomain: 'new.td', trustDomainAliases: ['old.td'] },
      },
    });
    expect(snapshot.unevaluated).toBeUndefined();
  });

  it('ignores a controller whose pod template labels or annotations are not strings (MS401)', () => {
    // What `sidecar.istio.io/inject: false` unquoted reads as: the API server refuses the object.
    const injectFalse = deployment('shop', 'web', {
      annotations: { 'sidecar.istio.io/inject': false } as never,
    });
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { tier: 2 } },
              spec: { containers: [{ name: 'job', image: 'x' }] },
            },
          },
        },
      },
    };
    const { snapshot, findings } = readObjects([
      injectFalse,
      cronJob,
      deployment('shop', 'api'),
    ]);
    expect(snapshot.workloads.map(w => w.name)).toEqual(['api']);
    expect(findings.map(f => [f.code, f.message])).toEqual([
      [
        'MS401',
        'Deployment shop/web is malformed and was ignored: ' +
          'spec.template.metadata.annotations[sidecar.istio.io/inject]: ' +
          'must be a string, not a boolean (YAML reads true/false, yes/no, on/off and y/n ' +
          'without quotes as booleans: quote the value)',
      ],
      [
        'MS401',
        'CronJob shop/nightly is malformed and was ignored: ' +
          'spec.jobTemplate.spec.template.metadata.labels[tier]: must be a string, not a number ' +
          '(quote the value)',
      ],
    ]);
  });

  it('reads the last definition of an object defined twice, as kubectl apply leaves it (MS409)', () => {
    const strict = peerAuthentication('shop', 'web', {
      mtls: { mode: 'STRICT' },
    });
    const permissive = {
      // Another version of the same API group is the same object.
      ...peerAuthentication('shop', 'web', { mtls: { mode: 'PERMISSIVE' } }),
      apiVersion: 'security.istio.io/v1beta1',
    };
    const other = peerAuthentication('other', 'web', {
      mtls: { mode: 'DISABLE' },
    });
    const { snapshot, findings } = readObjects([
      strict,
      namespace('shop'),
      other,
      permissive,
      { ...namespace('shop'), metadata: { name: 'shop', namespace: 'x' } },
    ]);
    expect(
      snapshot.istio.peerAuthentications.map(p => [
        p.namespace,
        p.name,
        (p.spec.mtls as { mode: string }).mode,
      ]),
    ).toEqual([
      ['other', 'web', 'DISABLE'],
      ['shop', 'web', 'PERMISSIVE'],
    ]);
    expect(snapshot.namespaces.map(n => n.name)).toEqual(['shop']);
    expect(findings.map(f => [f.code, f.message])).toEqual([
      [
        'MS409',
        'PeerAuthentication shop/web is defined 2 times in the input: the last definition is ' +
          'evaluated, as `kubectl apply` leaves it, and this earlier one is ignored',
      ],
      [
        'MS409',
        'Namespace shop is defined 2 times in the input: the last definition is evaluated, as ' +
          '`kubectl apply` leaves it, and this earlier one is ignored',
      ],
    ]);
    // Namespaces are told apart, and so are kinds of other API groups.
    const linkerd = {
      ...strict,
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
    };
    expect(
      readObjects([strict, other, linkerd]).findings.map(f => f.code),
    ).not.toContain('MS409');
  });

  it('turns malformed objects into MS401 findings and ignores unknown kinds and fields', () => {
    const { snapshot, findings } = readObjects([
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      {
        ...peerAuthentication('shop', 'ok', { mtls: { mode: 'STRICT' } }),
        extra: { ignored: true },
      },
      peerAuthentication('shop', 'bad', { mtls: { mode: 'SOMETIMES' } }),
      {
        apiVersion: 'security.istio.io/v1alpha1',
        kind: 'PeerAuthentication',
        metadata: { name: 'old', namespace: 'shop' },
      },
      { kind: 'Pod' },
      42,
    ]);
    expect(snapshot.istio.peerAuthentications.map(p => p.name)).toEqual(['ok']);
    expect(findings.map(f => f.code)).toEqual([
      'MS401',
      'MS401',
      'MS401',
      'MS401',
    ]);
    expect(findings[0].message).toContain('spec.mtls.mode');
  });

  it("reads the Gateway API's HTTPRoutes attached to a Linkerd Server, and no others", () => {
    const route = (name: string, parentRefs: object[], rules: unknown = []) =>
      gatewayHttpRoute('data', name, { parentRefs, rules });
    const { snapshot, findings } = readObjects([
      route('on-server', [
        { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
      ]),
      // A Gateway's or a Service's route (Istio, or Linkerd's outbound routing): not read, not
      // held to the checks the engine makes of the routes it reads.
      route('on-gateway', [{ name: 'ingress' }], [{ matches: 'all' }]),
      route('on-service', [{ group: '', kind: 'Service', name: 'b' }]),
      // The Gateway API's own group by default: no Server.
      route('no-group', [{ kind: 'Server', name: 'b-http' }]),
      route(
        'invalid',
        [{ group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' }],
        [{ matches: 'all' }],
      ),
    ]);
    expect(
      snapshot.linkerd.httpRoutes.map(r => [r.name, r.apiVersion]),
    ).toEqual([['on-server', 'gateway.networking.k8s.io/v1']]);
    expect(findings.map(f => [f.code, f.object?.name])).toEqual([
      ['MS401', 'invalid'],
    ]);
  });

  it('defaults the namespace of namespaced objects to "default" and adds the implicit namespace label', () => {
    const { snapshot } = readObjects([
      namespace('shop'),
      { ...deployment('x', 'web'), metadata: { name: 'web' } },
    ]);
    expect(snapshot.workloads[0].namespace).toBe('default');
    expect(snapshot.namespaces[0].labels['kubernetes.io/metadata.name']).toBe(
      'shop',
    );
  });

  it('names a malformed object by its name when that reads, a cluster-scoped one without a namespace', () => {
    const { findings } = readObjects([
      { kind: 'Namespace', metadata: { name: 'shop' } },
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'deny-all' },
        spec: { priority: 'high' },
      },
      { ...deployment('shop', 'web'), apiVersion: undefined },
      // Metadata that does not read (a boolean label, `istio-injection: yes` unquoted): named
      // all the same when the name reads; `(unnamed)` only when it does not.
      { kind: 'Namespace', metadata: { name: 'pay', labels: { a: true } } },
      {
        ...peerAuthentication('pay', 'strict', { mtls: { mode: 'STRICT' } }),
        metadata: { name: 'strict', namespace: 'pay', annotations: { n: 1 } },
      },
      { kind: 'Namespace', metadata: { labels: { a: true } } },
    ]);
    expect(
      findings.map(f => [f.object, f.message.split(' is malformed')[0]]),
    ).toEqual([
      [{ kind: 'Namespace', namespace: '', name: 'shop' }, 'Namespace shop'],
      [
        { kind: 'AdminNetworkPolicy', namespace: '', name: 'deny-all' },
        'AdminNetworkPolicy deny-all',
      ],
      [
        { kind: 'Deployment', namespace: 'shop', name: 'web' },
        'Deployment shop/web',
      ],
      [{ kind: 'Namespace', namespace: '', name: 'pay' }, 'Namespace pay'],
      [
        { kind: 'PeerAuthentication', namespace: 'pay', name: 'strict' },
        'PeerAuthentication pay/strict',
      ],
      [
        { kind: 'Namespace', namespace: '', name: '(unnamed)' },
        'Namespace (unnamed)',
      ],
    ]);
  });
});

describe('Istio validation fixtures (istio/istio pkg/config/validation/testdata/crds)', () => {
  const dir = path.join(crdsDir, 'istio-testdata');
  const fixtures = ['authz', 'destinationrule', 'peerauth'];
  it.each(fixtures)(
    '%s-invalid.yaml: every document is reported as a finding',
    name => {
      const parsed = parseManifests(
        readText(path.join(dir, `${name}-invalid.yaml`)),
      );
      expect(parsed.objects.length).toBeGreaterThan(0);
      expect(parsed.errors).toEqual([]);
      for (const doc of parsed.objects) {
        const { findings } = readObjects([doc]);
        expect({
          doc: (doc as { _err: string })._err,
          codes: findings.map(f => f.code),
        }).toEqual({
          doc: (doc as { _err: string })._err,
          codes: [expect.stringMatching(/^MS(401|104)$/)],
        });
      }
    },
  );

  it.each(fixtures)('%s-valid.yaml: no malformed-object finding', name => {
    const parsed = parseManifests(
      readText(path.join(dir, `${name}-valid.yaml`)),
    );
    // Each document is an example of its own (some share a name): read one at a time.
    for (const doc of parsed.objects) {
      const { findings, snapshot } = readObjects([doc]);
      expect(findings).toEqual([]);
      expect(
        snapshot.istio.authorizationPolicies.length +
          snapshot.istio.destinationRules.length +
          snapshot.istio.peerAuthentications.length,
      ).toBe(1);
    }
  });
});
