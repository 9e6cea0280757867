import {
  ClusterStatus,
  EntityPosture,
  EntityWorkload,
  OverviewResponse,
  Scorecard,
} from '@mesh-security/plugin-mesh-security-common';

/** Test data shaped like the backend's answers for the demo cluster. */
export const scorecard: Scorecard = {
  verifyExplicitly: { status: 'warn', detail: 'port 9090 DISABLED' },
  leastPrivilege: { status: 'pass', detail: 'explicit ALLOW policies' },
  assumeBreach: { status: 'pass', detail: 'default-deny NetworkPolicy' },
  noCredentialLeakage: { status: 'unknown', detail: 'no Secret mounted' },
};

export const demoCluster: ClusterStatus = {
  name: 'demo',
  source: 'manifests',
  status: 'ok',
  stale: false,
  snapshotAgeSeconds: 42,
  fetchedAt: '2026-11-23T01:00:00Z',
  notInstalled: [],
  forbidden: [],
  errors: [],
  networkPolicyEnforcement: {
    state: 'enforced',
    enforcer: 'cilium',
    reason: 'Cilium',
  },
  certificates: [
    {
      role: 'linkerd-trust-anchor',
      object: {
        kind: 'ConfigMap',
        namespace: 'linkerd',
        name: 'linkerd-identity-trust-roots',
      },
      subject: 'CN=root.linkerd.cluster.local',
      notAfter: '2026-12-13T00:00:00Z',
      daysLeft: 20,
      state: 'expiring',
    },
    {
      role: 'istio-root',
      object: {
        kind: 'ConfigMap',
        namespace: 'istio-system',
        name: 'istio-ca-root-cert',
      },
      subject: 'O=cluster.local',
      notAfter: '2036-11-20T00:00:00Z',
      daysLeft: 3650,
      state: 'ok',
    },
  ],
  objectCount: 120,
  snapshotBytes: 40000,
};

export const paymentsApiWorkload: EntityWorkload = {
  cluster: 'demo',
  namespace: 'payments',
  name: 'payments-api',
  kind: 'Deployment',
  serviceAccount: 'payments-api',
  mesh: 'istio-sidecar',
  identity: 'spiffe://cluster.local/ns/payments/sa/payments-api',
  mtls: 'PARTIAL',
  ports: [
    {
      port: 8080,
      name: 'http',
      mtls: 'STRICT',
      reason: 'PeerAuthentication payments/default',
    },
    {
      port: 9090,
      name: 'metrics',
      mtls: 'DISABLED',
      reason: 'excludeInboundPorts',
    },
  ],
  pods: { meshed: 2, total: 3 },
  labels: { app: 'payments-api' },
  findings: [],
  scorecard,
  callers: [
    {
      peer: {
        kind: 'Deployment',
        cluster: 'demo',
        namespace: 'storefront',
        name: 'checkout',
      },
      port: 8080,
      methods: ['POST'],
      paths: ['/charge'],
      decidedBy: {
        layer: 'authorization',
        policy: 'AuthorizationPolicy payments/payments-api-allow-checkout',
      },
      portMtls: 'STRICT',
    },
    {
      peer: { kind: 'external-plaintext' },
      port: 9090,
      decidedBy: { layer: 'default' },
      portMtls: 'DISABLED',
    },
    {
      peer: { kind: 'any-meshed', mesh: 'istio', count: 12 },
      port: 8080,
      methods: ['GET'],
      decidedBy: {
        layer: 'authorization',
        policy: 'AuthorizationPolicy payments/allow-health',
      },
      portMtls: 'STRICT',
    },
  ],
  callees: [
    {
      peer: {
        kind: 'StatefulSet',
        cluster: 'demo',
        namespace: 'payments',
        name: 'payments-ledger',
      },
      port: 5432,
      decidedBy: {
        layer: 'network-policy',
        policy: 'NetworkPolicy payments/payments-ledger-allow-payments-api',
      },
      portMtls: 'UNKNOWN',
    },
  ],
  policies: [
    {
      kind: 'PeerAuthentication',
      apiVersion: 'security.istio.io/v1',
      namespace: 'payments',
      name: 'default',
      yaml: 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\nspec:\n  mtls:\n    mode: STRICT\n',
    },
  ],
};

export const paymentsApiPosture: EntityPosture = {
  entityRef: 'component:default/payments-api',
  mtls: 'PARTIAL',
  meshes: ['istio-sidecar'],
  scorecard,
  findings: [
    {
      code: 'MS102',
      severity: 'high',
      message: 'port 9090 bypasses the sidecar in a STRICT namespace',
      fix: 'remove 9090 from traffic.sidecar.istio.io/excludeInboundPorts',
      object: {
        kind: 'Deployment',
        namespace: 'payments',
        name: 'payments-api',
        cluster: 'demo',
      },
    },
  ],
  findingCounts: { critical: 0, high: 1, medium: 2, low: 0, info: 3 },
  workloads: [paymentsApiWorkload],
  clusters: [demoCluster],
  partial: false,
  partialReasons: [],
  generatedAt: '2026-11-23T01:00:42Z',
};

const modes = { STRICT: 2, PERMISSIVE: 2, DISABLED: 2, PARTIAL: 4, UNKNOWN: 0 };

export const overviewResponse: OverviewResponse = {
  items: [
    {
      entityRef: 'component:default/payments-api',
      name: 'payments-api',
      owner: 'group:default/payments-team',
      system: 'payments',
      meshes: ['istio-sidecar'],
      mtls: 'PARTIAL',
      scorecard,
      findingCounts: { critical: 0, high: 1, medium: 2, low: 0, info: 0 },
      workloadCount: 1,
      clusters: ['demo'],
    },
    {
      entityRef: 'component:default/fraud-check',
      name: 'fraud-check',
      owner: 'payments-team',
      system: 'payments',
      meshes: ['istio-sidecar'],
      mtls: 'STRICT',
      scorecard,
      findingCounts: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
      workloadCount: 1,
      clusters: ['demo'],
    },
  ],
  totalItems: 10,
  offset: 0,
  limit: 2,
  distribution: {
    byMode: modes,
    byOwner: [
      {
        owner: 'group:default/payments-team',
        byMode: { ...modes, PERMISSIVE: 0, DISABLED: 0, PARTIAL: 2, STRICT: 1 },
      },
    ],
  },
  facets: {
    owners: ['group:default/payments-team', 'group:default/storefront-team'],
    systems: ['payments', 'storefront'],
  },
  clusters: [demoCluster],
  partial: false,
  partialReasons: [],
};
