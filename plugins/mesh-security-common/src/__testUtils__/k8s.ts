/*
 * Builders for the Kubernetes, Istio and Linkerd objects used by the engine's tests. Every
 * policy built here must satisfy the upstream CRD schemas (checked by conformance.test.ts).
 */

export type Obj = Record<string, unknown>;
type Labels = Record<string, string>;

export function namespace(
  name: string,
  labels: Labels = {},
  annotations: Labels = {},
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels, annotations },
  };
}

export interface DeployOpts {
  labels?: Labels;
  annotations?: Labels;
  ports?: Array<number | { port: number; name?: string; protocol?: string }>;
  sa?: string;
  kind?: string;
  secrets?: string[];
}

export function deployment(ns: string, name: string, o: DeployOpts = {}): Obj {
  const labels = { app: name, ...(o.labels ?? {}) };
  const ports = (o.ports ?? [8080]).map(p =>
    typeof p === 'number'
      ? { containerPort: p }
      : { containerPort: p.port, name: p.name, protocol: p.protocol },
  );
  return {
    apiVersion: 'apps/v1',
    kind: o.kind ?? 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels, annotations: o.annotations ?? {} },
        spec: {
          serviceAccountName: o.sa ?? name,
          containers: [{ name: 'app', image: 'example/app:1', ports }],
          volumes: (o.secrets ?? []).map(s => ({
            name: s,
            secret: { secretName: s },
          })),
        },
      },
    },
  };
}

export function service(
  ns: string,
  name: string,
  selector: Labels,
  ports: Array<{
    port: number;
    targetPort?: number | string;
    name?: string;
    protocol?: string;
    appProtocol?: string;
  }>,
  annotations?: Labels,
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
    spec: { selector, ports },
  };
}

const meta = (ns: string, name: string, created?: string) => ({
  name,
  namespace: ns,
  ...(created ? { creationTimestamp: created } : {}),
});

export function peerAuthentication(
  ns: string,
  name: string,
  spec: Obj,
  created?: string,
): Obj {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: meta(ns, name, created),
    spec,
  };
}

export function authorizationPolicy(
  ns: string,
  name: string,
  spec: Obj,
  created?: string,
): Obj {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: meta(ns, name, created),
    spec,
  };
}

export function destinationRule(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: meta(ns, name),
    spec,
  };
}

export function serviceEntry(
  ns: string,
  name: string,
  spec: Obj,
  labels?: Labels,
): Obj {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { ...meta(ns, name), ...(labels ? { labels } : {}) },
    spec,
  };
}

export function networkPolicy(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(ns, name),
    spec,
  };
}

export function linkerdServer(
  ns: string,
  name: string,
  spec: Obj,
  labels: Labels = {},
): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { ...meta(ns, name), labels },
    spec,
  };
}

export function linkerdAuthorizationPolicy(
  ns: string,
  name: string,
  spec: Obj,
): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: meta(ns, name),
    spec,
  };
}

export function meshTlsAuthentication(
  ns: string,
  name: string,
  spec: Obj,
): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'MeshTLSAuthentication',
    metadata: meta(ns, name),
    spec,
  };
}

export function networkAuthentication(
  ns: string,
  name: string,
  spec: Obj,
): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'NetworkAuthentication',
    metadata: meta(ns, name),
    spec,
  };
}

export function serverAuthorization(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1beta1',
    kind: 'ServerAuthorization',
    metadata: meta(ns, name),
    spec,
  };
}

export function httpRoute(
  ns: string,
  name: string,
  spec: Obj,
  created?: string,
): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'HTTPRoute',
    metadata: meta(ns, name, created),
    spec,
  };
}

/** A Gateway API HTTPRoute (`gateway.networking.k8s.io/v1`). */
export function gatewayHttpRoute(
  ns: string,
  name: string,
  spec: Obj,
  created?: string,
): Obj {
  return {
    ...httpRoute(ns, name, spec, created),
    apiVersion: 'gateway.networking.k8s.io/v1',
  };
}

export function externalSecret(ns: string, name: string, target?: string): Obj {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: meta(ns, name),
    spec: target ? { target: { name: target } } : {},
  };
}

/** An Istio sidecar namespace `ns` with workloads `a` (client) and `b` (server) on 8080. */
export function istioPair(nsName = 'shop', extraB: DeployOpts = {}): Obj[] {
  return [
    namespace('istio-system'),
    namespace(nsName, { 'istio-injection': 'enabled' }),
    deployment(nsName, 'a'),
    deployment(nsName, 'b', extraB),
    service(nsName, 'b', { app: 'b' }, [
      { port: 80, targetPort: 8080, name: 'http' },
    ]),
  ];
}

export function adminNetworkPolicy(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec,
  };
}

/** The BaselineAdminNetworkPolicy: a singleton, always named `default`. */
export function baselineAdminNetworkPolicy(spec: Obj): Obj {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec,
  };
}

export function externalWorkload(
  ns: string,
  name: string,
  spec: Obj,
  labels: Labels = {},
): Obj {
  return {
    apiVersion: 'workload.linkerd.io/v1beta1',
    kind: 'ExternalWorkload',
    metadata: { ...meta(ns, name), labels },
    spec,
  };
}

export function egressNetwork(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'EgressNetwork',
    metadata: meta(ns, name),
    spec,
  };
}

export function ciliumNetworkPolicy(ns: string, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  };
}

export function ciliumClusterwideNetworkPolicy(name: string, spec: Obj): Obj {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name },
    spec,
  };
}

/**
 * A Gateway API Gateway of class `istio-waypoint` with istiod's HBONE listener, as
 * `istioctl waypoint generate` writes it ("Configure waypoint proxies"); `waypointFor` sets the
 * `istio.io/waypoint-for` label, `allowedRoutes` the listener's.
 */
export function waypointGateway(
  ns: string,
  name: string,
  o: {
    waypointFor?: string;
    allowedRoutes?: Obj;
    gatewayClassName?: string;
  } = {},
): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name,
      namespace: ns,
      ...(o.waypointFor
        ? { labels: { 'istio.io/waypoint-for': o.waypointFor } }
        : {}),
    },
    spec: {
      gatewayClassName: o.gatewayClassName ?? 'istio-waypoint',
      listeners: [
        {
          name: 'mesh',
          port: 15008,
          protocol: 'HBONE',
          ...(o.allowedRoutes ? { allowedRoutes: o.allowedRoutes } : {}),
        },
      ],
    },
  };
}

/**
 * A running pod of `owner`'s ReplicaSet (`<owner>-7d9f`, `pod-template-hash: 7d9f`), or a bare
 * pod without `owner`; namespace `ld` gets a Linkerd proxy for `proxy`, others Istio's.
 */
export function pod(
  ns: string,
  owner: string | undefined,
  name: string,
  o: {
    labels?: Record<string, string>;
    proxy?: boolean;
    ip?: string;
    sa?: string;
  } = {},
): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: {
        app: owner ?? name,
        ...(owner ? { 'pod-template-hash': '7d9f' } : {}),
        ...(o.labels ?? {}),
      },
      ...(owner
        ? {
            ownerReferences: [
              { kind: 'ReplicaSet', name: `${owner}-7d9f`, controller: true },
            ],
          }
        : {}),
    },
    spec: {
      serviceAccountName: o.sa ?? owner ?? name,
      containers: [
        { name: 'app', ports: [{ containerPort: 8080 }] },
        // Namespace `ld` is Linkerd's.
        ...(o.proxy
          ? [{ name: ns === 'ld' ? 'linkerd-proxy' : 'istio-proxy' }]
          : []),
      ],
    },
    status: { phase: 'Running', ...(o.ip ? { podIP: o.ip } : {}) },
  };
}
