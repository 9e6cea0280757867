import { componentSecurityFacts } from './facts';
import { EntityPosture } from './api';

const pillar = (status: string) => ({ status, reason: '' });

function posture(overrides: Partial<EntityPosture> = {}): EntityPosture {
  return {
    entityRef: 'component:default/payments',
    mtls: 'STRICT',
    meshes: ['istio-sidecar'],
    scorecard: {
      verifyExplicitly: pillar('pass'),
      leastPrivilege: pillar('warn'),
      assumeBreach: pillar('fail'),
      noCredentialLeakage: pillar('unknown'),
    },
    findings: [
      { code: 'MS201', severity: 'high' },
      { code: 'MS201', severity: 'high' },
      { code: 'MS301', severity: 'medium' },
      { code: 'MS501', severity: 'critical' },
    ],
    findingCounts: { critical: 1, high: 2, medium: 1, low: 0, info: 0 },
    workloads: [
      {
        cluster: 'prod',
        namespace: 'pay',
        name: 'payments',
        ports: [
          { port: 8080, mtls: 'STRICT' },
          { port: 9090, mtls: 'STRICT' },
        ],
        observed: {
          workload: {
            observable: true,
            ports: [
              { evidence: { mtls: 90, plaintext: 10 } },
              { evidence: { mtls: 0, plaintext: 0 } },
            ],
          },
        },
      },
    ],
    clusters: [
      {
        name: 'prod',
        certificates: [
          {
            role: 'istio-root',
            object: { namespace: 'istio-system' },
            daysLeft: 40,
          },
          {
            role: 'linkerd-trust-anchor',
            object: { namespace: 'linkerd' },
            daysLeft: 3,
          },
          {
            role: 'cert-manager',
            object: { namespace: 'istio-system' },
            daysLeft: 12,
          },
          { role: 'cert-manager', object: { namespace: 'istio-system' } },
        ],
      },
      {
        name: 'other',
        certificates: [
          {
            role: 'istio-root',
            object: { namespace: 'istio-system' },
            daysLeft: 1,
          },
        ],
      },
    ],
    partial: false,
    ...overrides,
  } as unknown as EntityPosture;
}

describe('componentSecurityFacts', () => {
  it('flattens the entity view into facts', () => {
    expect(componentSecurityFacts(posture())).toEqual({
      mtlsMode: 'STRICT',
      portModes: {
        'prod/pay/payments:8080': 'STRICT',
        'prod/pay/payments:9090': 'STRICT',
      },
      strictPorts: 2,
      totalPorts: 2,
      strictPortShare: 1,
      allPortsStrict: true,
      meshes: ['istio-sidecar'],
      findingCounts: { critical: 1, high: 2, medium: 1, low: 0, info: 0 },
      findingFamilies: { MS1: 0, MS2: 2, MS3: 1, MS4: 0, MS5: 1 },
      highOrCriticalFindings: 3,
      allowAllRules: 2,
      pillarVerifyExplicitly: 'pass',
      pillarLeastPrivilege: 'warn',
      pillarAssumeBreach: 'fail',
      pillarNoCredentialLeakage: 'unknown',
      // Its mesh's certificates in its own cluster only: not Linkerd's, not another cluster's.
      certificateDaysLeft: 12,
      observedMtlsShare: 0.9,
      partial: false,
    });
  });

  it('never says STRICT on every port from partial data or without ports', () => {
    expect(
      componentSecurityFacts(posture({ partial: true })).allPortsStrict,
    ).toBe(false);
    const none = componentSecurityFacts(posture({ workloads: [] }));
    expect(none.allPortsStrict).toBe(false);
    expect(none.strictPortShare).toBeUndefined();
    expect(none.certificateDaysLeft).toBeUndefined();
    expect(none.observedMtlsShare).toBeUndefined();
  });

  it('leaves the observed share out when nothing was accepted', () => {
    const quiet = posture();
    (quiet.workloads[0].observed.workload!.ports as any) = [
      { evidence: { mtls: 0, plaintext: 0 } },
    ];
    expect(componentSecurityFacts(quiet).observedMtlsShare).toBeUndefined();
  });

  it('counts a PERMISSIVE port against the share', () => {
    const mixed = posture();
    (mixed.workloads[0].ports[1] as any).mtls = 'PERMISSIVE';
    const facts = componentSecurityFacts(mixed);
    expect(facts.strictPortShare).toBe(0.5);
    expect(facts.allPortsStrict).toBe(false);
  });
});
