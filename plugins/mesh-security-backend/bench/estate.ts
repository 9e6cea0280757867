/*
 * The estate the backend benchmarks serve: a deterministic set of Kubernetes objects
 * (namespaces, workloads and their pods, Services, Istio and Kubernetes policies) of a given
 * size, as a mock API server ({@link ./mockKubernetes}) lists and watches them.
 */
export type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [field: string]: unknown;
  };
} & Record<string, unknown>;

export interface EstateSize {
  namespaces: number;
  workloads: number;
  podsPerWorkload: number;
  entities: number;
  /**
   * `policies` (the default): a default-deny NetworkPolicy per namespace and an ALLOW
   * AuthorizationPolicy for every other workload. `allow-all`: neither — Istio's default, where
   * every meshed workload may call every other one.
   */
  estate?: 'policies' | 'allow-all';
  /**
   * The mesh of every workload: `istio` (the default: sidecars, a PeerAuthentication per
   * namespace, the `policies` estate's ALLOW AuthorizationPolicies) or `linkerd` (`linkerd-proxy`
   * containers and the cluster's default inbound policy; the `policies` estate gives every other
   * workload a Server for port 8080, authorized by an AuthorizationPolicy requiring a
   * MeshTLSAuthentication of the same caller instead).
   */
  mesh?: 'istio' | 'linkerd';
  /**
   * `bench:watch`: one more NetworkPolicy, in `ns-1`, letting every pod of the namespaces
   * labelled `bench/allowed=true` (none at first) call `w-1`, so that flipping a namespace's label
   * shows in `w-1`'s callers. Needs the `policies` estate.
   */
  labelledNamespaces?: boolean;
}

/** Deterministic generated estate: workload i belongs to entity `svc-<i % entities>`. */
export function generateEstate(
  cluster: number,
  size: EstateSize,
): Map<string, Obj[]> {
  const kinds = new Map<string, Obj[]>();
  const linkerd = size.mesh === 'linkerd';
  const add = (plural: string, obj: Obj) => {
    if (!kinds.has(plural)) kinds.set(plural, []);
    kinds.get(plural)!.push(obj);
  };
  for (let n = 0; n < size.namespaces; n++) {
    add('namespaces', {
      metadata: {
        name: `ns-${n}`,
        labels: {
          'kubernetes.io/metadata.name': `ns-${n}`,
          ...(linkerd ? {} : { 'istio-injection': 'enabled' }),
        },
        // As the Istio estate's PeerAuthentications: every third namespace accepts plaintext.
        ...(linkerd
          ? {
              annotations: {
                'linkerd.io/inject': 'enabled',
                'config.linkerd.io/default-inbound-policy':
                  n % 3 === 0 ? 'all-unauthenticated' : 'all-authenticated',
              },
            }
          : {}),
      },
    });
    if (!linkerd)
      add('peerauthentications', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: `ns-${n}` },
        spec: { mtls: { mode: n % 3 === 0 ? 'PERMISSIVE' : 'STRICT' } },
      });
    if (size.estate !== 'allow-all')
      add('networkpolicies', {
        metadata: { name: 'default-deny', namespace: `ns-${n}` },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
  }
  if (size.labelledNamespaces && size.estate !== 'allow-all') {
    add('networkpolicies', {
      metadata: { name: 'allow-labelled-namespaces', namespace: 'ns-1' },
      spec: {
        podSelector: { matchLabels: { app: 'w-1' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'bench/allowed': 'true' } },
              },
            ],
          },
        ],
      },
    });
  }
  for (let w = 0; w < size.workloads; w++) {
    const ns = `ns-${w % size.namespaces}`;
    const name = `w-${w}`;
    const labels = {
      app: name,
      'backstage.io/kubernetes-id': `svc-${w % size.entities}`,
    };
    const template = {
      metadata: { labels, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        serviceAccountName: name,
        containers: [
          {
            name: 'app',
            image: `registry.example/${name}:1.2.3`,
            ports: [
              { name: 'http', containerPort: 8080 },
              { name: 'metrics', containerPort: 9090 },
            ],
            env: Array.from({ length: 10 }, (_, i) => ({
              name: `SETTING_${i}`,
              value: 'x'.repeat(40),
            })),
            resources: { limits: { cpu: '500m', memory: '256Mi' } },
          },
        ],
      },
    };
    add('deployments', {
      metadata: { name, namespace: ns, labels, uid: `d-${cluster}-${w}` },
      spec: {
        replicas: size.podsPerWorkload,
        selector: { matchLabels: { app: name } },
        template,
      },
    });
    add('replicasets', {
      metadata: {
        name: `${name}-5d9f`,
        namespace: ns,
        labels,
        ownerReferences: [
          {
            kind: 'Deployment',
            name,
            controller: true,
            uid: `d-${cluster}-${w}`,
          },
        ],
      },
      spec: {
        replicas: size.podsPerWorkload,
        selector: { matchLabels: { app: name } },
        template,
      },
    });
    add('services', {
      metadata: { name, namespace: ns, labels },
      spec: {
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    });
    add('serviceaccounts', { metadata: { name, namespace: ns } });
    // Every other workload admits the next one (`w-<w+1>`) on port 8080, as the mesh writes it.
    if (w % 2 === 0 && size.estate !== 'allow-all')
      (linkerd ? addLinkerdGrant : addIstioGrant)(add, w, name, ns, size);
    for (let p = 0; p < size.podsPerWorkload; p++) {
      add('pods', {
        metadata: {
          name: `${name}-5d9f-${p}`,
          namespace: ns,
          labels: { ...labels, 'pod-template-hash': '5d9f' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': 'y'.repeat(600),
            ...(linkerd
              ? { 'linkerd.io/proxy-version': 'edge-24.11.8' }
              : {
                  'sidecar.istio.io/status':
                    '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
                }),
          },
          ownerReferences: [
            { kind: 'ReplicaSet', name: `${name}-5d9f`, controller: true },
          ],
          managedFields: [
            {
              manager: 'kube-controller-manager',
              operation: 'Update',
              fieldsV1: { f: 'z'.repeat(300) },
            },
          ],
        },
        spec: {
          ...template.spec,
          containers: [
            ...template.spec.containers,
            linkerd
              ? {
                  name: 'linkerd-proxy',
                  image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
                  ports: [
                    { containerPort: 4143, name: 'linkerd-proxy' },
                    { containerPort: 4191, name: 'linkerd-admin' },
                  ],
                }
              : {
                  name: 'istio-proxy',
                  image: 'istio/proxyv2:1.24',
                  ports: [{ containerPort: 15090, name: 'http-envoy-prom' }],
                },
          ],
        },
        status: {
          phase: 'Running',
          podIP: `10.${cluster}.${Math.floor(w / 250)}.${(w % 250) + 1}`,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: 'app', ready: true, restartCount: 0, image: 'x' },
          ],
        },
      });
    }
  }
  return kinds;
}

type Add = (plural: string, obj: Obj) => void;

/** Istio: an ALLOW AuthorizationPolicy naming the caller's principal, for GET on port 8080. */
function addIstioGrant(
  add: Add,
  w: number,
  name: string,
  ns: string,
  size: EstateSize,
): void {
  add('authorizationpolicies', {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `${name}-allow`, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      action: 'ALLOW',
      rules: [
        {
          from: [
            {
              source: {
                principals: [
                  `cluster.local/ns/ns-${(w + 1) % size.namespaces}/sa/w-${
                    w + 1
                  }`,
                ],
              },
            },
          ],
          to: [{ operation: { methods: ['GET'], ports: ['8080'] } }],
        },
      ],
    },
  });
}

/**
 * Linkerd: a Server for port 8080 and an AuthorizationPolicy on it requiring a
 * MeshTLSAuthentication of the caller's identity (three objects where Istio writes one).
 */
function addLinkerdGrant(
  add: Add,
  w: number,
  name: string,
  ns: string,
  size: EstateSize,
): void {
  const caller = `w-${w + 1}.ns-${(w + 1) % size.namespaces}`;
  add('servers', {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: `${name}-http`, namespace: ns },
    spec: {
      podSelector: { matchLabels: { app: name } },
      port: 8080,
      proxyProtocol: 'HTTP/1',
    },
  });
  add('meshtlsauthentications', {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'MeshTLSAuthentication',
    metadata: { name: `${name}-callers`, namespace: ns },
    spec: {
      identities: [`${caller}.serviceaccount.identity.linkerd.cluster.local`],
    },
  });
  add('authorizationpolicies', {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `${name}-allow`, namespace: ns },
    spec: {
      targetRef: {
        group: 'policy.linkerd.io',
        kind: 'Server',
        name: `${name}-http`,
      },
      requiredAuthenticationRefs: [
        {
          group: 'policy.linkerd.io',
          kind: 'MeshTLSAuthentication',
          name: `${name}-callers`,
        },
      ],
    },
  });
}
