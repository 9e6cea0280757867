import { EntityPosture, EntityWorkload } from './api';
import { entityPostureSummary } from './entitySummary';

const workload = {
  cluster: 'demo',
  namespace: 'payments',
  name: 'payments-api',
  kind: 'Deployment',
  mesh: 'istio-sidecar',
  mtls: 'PARTIAL',
  mtlsReason: '8080 STRICT, 9090 DISABLED',
  ports: [{ port: 8080, mtls: 'STRICT' }],
  callers: [{ port: 8080 }],
  callees: [{ port: 8080 }],
  blockedCallers: [],
  policies: [
    {
      kind: 'AuthorizationPolicy',
      apiVersion: 'security.istio.io/v1',
      namespace: 'payments',
      name: 'allow-checkout',
      manifest: { spec: {} },
    },
  ],
  observed: {
    observations: { status: 'not-configured', ageSeconds: null },
    unmatchedCallers: [],
    unmatchedCallees: [],
  },
} as unknown as EntityWorkload;

describe('entityPostureSummary', () => {
  it('keeps the entity-wide fields and names each workload without its edges', () => {
    const posture = {
      entityRef: 'component:default/payments-api',
      mtls: 'PARTIAL',
      findings: [{ code: 'MS101' }],
      workloads: [workload, { ...workload, mtlsReason: undefined }],
    } as unknown as EntityPosture;
    const summary = entityPostureSummary(posture);
    expect(summary.entityRef).toBe(posture.entityRef);
    expect(summary.findings).toBe(posture.findings);
    expect(summary.workloads[0]).toEqual({
      cluster: 'demo',
      namespace: 'payments',
      name: 'payments-api',
      kind: 'Deployment',
      mesh: 'istio-sidecar',
      mtls: 'PARTIAL',
      mtlsReason: '8080 STRICT, 9090 DISABLED',
      ports: [{ port: 8080, mtls: 'STRICT' }],
      policies: [
        {
          kind: 'AuthorizationPolicy',
          namespace: 'payments',
          name: 'allow-checkout',
        },
      ],
      observed: {
        observations: { status: 'not-configured', ageSeconds: null },
      },
    });
    // An absent reason stays absent (the backend leaves it out alike).
    expect('mtlsReason' in summary.workloads[1]).toBe(false);
  });
});
