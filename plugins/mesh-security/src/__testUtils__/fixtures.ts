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
      appProtocol: 'http',
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
      connection: 'mtls',
    },
    {
      peer: { kind: 'external-plaintext' },
      port: 9090,
      decidedBy: { layer: 'default' },
      portMtls: 'DISABLED',
      connection: 'plaintext',
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
      connection: 'mtls',
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
  blockedCallers: [],
  observed: {
    observations: {
      status: 'not-configured',
      message: 'no metrics source is configured for this cluster',
      windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
      truncated: false,
      ageSeconds: null,
    },
    unmatchedCallers: [],
    unmatchedCallerCount: 0,
    unmatchedCallees: [],
    unmatchedCalleeCount: 0,
  },
  policies: [
    {
      kind: 'PeerAuthentication',
      apiVersion: 'security.istio.io/v1',
      namespace: 'payments',
      name: 'default',
      manifest: {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'payments' },
        spec: { mtls: { mode: 'STRICT' } },
      },
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
  observedTraffic: {
    observations: [
      {
        cluster: 'demo',
        status: 'not-configured',
        windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
        truncated: false,
        ageSeconds: null,
      },
    ],
    total: {
      mtls: 0,
      plaintext: 0,
      mtlsShare: null,
      observedComponents: 0,
      components: 10,
    },
    byOwner: [],
    readyForStrict: [],
    readyForStrictCount: 0,
  },
  clusters: [demoCluster],
  partial: false,
  partialReasons: [],
};

const counts = (mtls: number, plaintext: number, denied = 0) => ({
  mtls,
  plaintext,
  denied,
});

/** payments-api with recorded observations: checkout uses its grant, plaintext arrives. */
export const observedPaymentsApiWorkload: EntityWorkload = {
  ...paymentsApiWorkload,
  callers: paymentsApiWorkload.callers.map(edge => ({
    ...edge,
    traffic:
      edge.peer.kind === 'Deployment'
        ? {
            status: 'used',
            recent: counts(20, 0),
            evidence: counts(120, 0),
            mtlsShare: { recent: 1, evidence: 1 },
            sources: [],
            sourceCount: 1,
          }
        : {
            status: 'unused',
            recent: counts(0, 0),
            evidence: counts(0, 0),
            mtlsShare: { recent: null, evidence: null },
            sources: [],
            sourceCount: 0,
          },
  })),
  observed: {
    observations: {
      status: 'ok',
      source: 'recorded',
      fetchedAt: '2026-11-23T01:00:00Z',
      windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
      truncated: false,
      ageSeconds: 300,
    },
    workload: {
      observable: true,
      portsTold: true,
      ports: [
        {
          port: 8080,
          mtls: 'STRICT',
          recent: counts(20, 1),
          evidence: counts(120, 4, 7),
          mtlsShare: { recent: 20 / 21, evidence: 120 / 124 },
          plaintextSources: [
            {
              from: { kind: 'unknown' },
              recent: counts(0, 1),
              evidence: counts(0, 4),
            },
          ],
          plaintextSourceCount: 1,
          sourceCount: 3,
          lastSeen: '2026-11-23T00:55:00Z',
        },
        {
          port: 9090,
          mtls: 'DISABLED',
          recent: counts(0, 0),
          evidence: counts(0, 0),
          mtlsShare: { recent: null, evidence: null },
          plaintextSources: [],
          plaintextSourceCount: 0,
          sourceCount: 0,
        },
      ],
    },
    unmatchedCallers: [
      {
        port: 8080,
        status: 'denied',
        reason: 'the receiving proxy refused its requests',
        recent: counts(0, 0, 2),
        evidence: counts(0, 0, 7),
        mtlsShare: { recent: null, evidence: null },
        sources: [
          {
            from: {
              kind: 'identity',
              identity:
                'spiffe://cluster.local/ns/storefront/sa/storefront-web',
            },
            workload: {
              namespace: 'storefront',
              name: 'storefront-web',
              kind: 'Deployment',
            },
            recent: counts(0, 0, 2),
            evidence: counts(0, 0, 7),
          },
        ],
        sourceCount: 1,
      },
    ],
    unmatchedCallerCount: 1,
    unmatchedCallees: [],
    unmatchedCalleeCount: 0,
  },
};

/**
 * fraud-check as the demo shows it: every port STRICT, but its one caller is blocked by
 * configuration (a DestinationRule sends plaintext to the STRICT port: critical MS103).
 */
export const fraudCheckPosture: EntityPosture = {
  ...paymentsApiPosture,
  entityRef: 'component:default/fraud-check',
  mtls: 'STRICT',
  scorecard: {
    verifyExplicitly: {
      status: 'fail',
      detail: '1 caller blocked by configuration (MS103)',
    },
    leastPrivilege: { status: 'pass', detail: 'explicit ALLOW policies' },
    assumeBreach: { status: 'pass', detail: 'default-deny NetworkPolicy' },
    noCredentialLeakage: { status: 'pass', detail: 'no Secret mounted' },
  },
  findings: [
    {
      code: 'MS301',
      severity: 'medium',
      message: 'namespace payments has no default-deny NetworkPolicy',
      fix: 'add a default-deny NetworkPolicy',
      object: { kind: 'Namespace', namespace: '', name: 'payments' },
    },
    {
      code: 'MS103',
      severity: 'critical',
      message:
        'DestinationRule payments/fraud-check-tls sends plaintext to fraud-check, whose port 8080 is STRICT: payments/payments-api is rejected',
      fix: 'Set `tls.mode: ISTIO_MUTUAL` in the DestinationRule.',
      object: {
        kind: 'DestinationRule',
        namespace: 'payments',
        name: 'fraud-check-tls',
        cluster: 'demo',
      },
    },
  ],
  findingCounts: { critical: 1, high: 0, medium: 1, low: 0, info: 0 },
  workloads: [
    {
      ...paymentsApiWorkload,
      name: 'fraud-check',
      mtls: 'STRICT',
      ports: [
        {
          port: 8080,
          name: 'http',
          mtls: 'STRICT',
          reason: 'PeerAuthentication payments/default',
        },
      ],
      callers: [],
      callees: [],
      blockedCallers: [
        {
          peer: {
            kind: 'Deployment',
            cluster: 'demo',
            namespace: 'payments',
            name: 'payments-api',
          },
          port: 8080,
          decidedBy: {
            layer: 'authorization',
            policy: 'AuthorizationPolicy payments/fraud-check-allow',
          },
          portMtls: 'STRICT',
          connection: 'plaintext',
          blocked: {
            layer: 'mtls',
            policy: 'DestinationRule payments/fraud-check-tls',
            reason: 'the client sends plaintext to a STRICT port',
            finding: 'MS103',
          },
        },
      ],
    },
  ],
};
