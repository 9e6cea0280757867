import { registerMswTestHooks } from '@backstage/backend-test-utils';
import {
  ObservedFlow,
  TrafficObservations,
} from '@mesh-security/plugin-mesh-security-common';
import { setupServer } from 'msw/node';
import { demoPosture } from '../__testUtils__/demoEstate';
import { fixture, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { grantUsageEvidence } from '../service/trafficEvidence';
import { createAccessRevokeAction } from './accessRevoke';
import { createMtlsEnforceAction } from './mtlsEnforce';

/*
 * The actions read the observed traffic from the entity posture the backend joined
 * (docs/traffic.md "In the scaffolder"): the mesh-security backend is mocked at the network
 * edge and answers postures joined by the engine with the observations below.
 */

const server = setupServer();
registerMswTestHooks(server);

const counts = (mtls: number, plaintext: number, denied = 0) => ({
  mtls,
  plaintext,
  denied,
});

function flow(
  to: string,
  from: ObservedFlow['from'],
  evidence: ObservedFlow['evidence'],
  port?: number,
): ObservedFlow {
  const [namespace, name] = to.split('/');
  return {
    mesh: 'istio',
    to: { namespace, name },
    ...(port ? { port } : {}),
    from,
    protocol: 'http',
    recent: counts(0, 0),
    evidence,
    lastSeen: '2026-11-22T10:00:00Z',
  };
}

const storefrontWeb = {
  kind: 'workload' as const,
  namespace: 'storefront',
  name: 'storefront-web',
  identity: 'spiffe://cluster.local/ns/storefront/sa/storefront-web',
};
const checkoutSource = {
  kind: 'workload' as const,
  namespace: 'storefront',
  name: 'checkout',
  identity: 'spiffe://cluster.local/ns/storefront/sa/checkout',
};

function observations(
  status: TrafficObservations['status'] = 'ok',
): TrafficObservations {
  return {
    cluster: 'demo',
    status,
    source: 'recorded',
    fetchedAt: '2026-11-23T12:00:00Z',
    recordedAt: '2026-11-23T12:00:00.000Z',
    ...(status === 'stale' ? { message: 'Prometheus timed out' } : {}),
    windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
    truncated: false,
    flows: [
      flow('storefront/checkout', storefrontWeb, counts(13440, 0)),
      flow('storefront/checkout', { kind: 'unknown' }, counts(0, 576, 576)),
      flow('inventory/inventory', storefrontWeb, counts(3360, 0)),
      flow('payments/payments-api', checkoutSource, counts(6720, 0)),
    ],
  };
}

const enforce = (input: Record<string, unknown> = {}) => ({
  target: 'component:default/checkout',
  justification: 'Checkout must only be called through the mesh.',
  ...input,
});

describe('observed traffic in mesh-security:mtls:enforce', () => {
  it('refuses when plaintext was observed, naming the sources and the override', async () => {
    const { deps, context, github } = setup(server, {
      files: {},
      traffic: { observations: observations(), ageSeconds: 30 },
    });
    const run = createMtlsEnforceAction(deps).handler(context(enforce()));
    await expect(run).rejects.toThrow(
      /storefront\/checkout accepted 576 plaintext request\(s\) or connection\(s\) in the last 7 d \(from outside the mesh \/ unknown\).*allowObservedPlaintext: true/,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('with allowObservedPlaintext opens the pull request listing the evidence', async () => {
    const { deps, context, github, outputs } = setup(server, {
      files: {},
      traffic: { observations: observations(), ageSeconds: 30 },
    });
    const ctx = context(enforce({ allowObservedPlaintext: true }));
    await createMtlsEnforceAction(deps).handler(ctx);
    const body = github.pulls[0].body;
    expect(body).toContain('#### Observed traffic (evidence window');
    expect(body).toMatch(
      /Every port \(the metrics do not tell ports apart\) \(PERMISSIVE\): 13440 mTLS, 576 plaintext, 576 denied in the last 7 d; plaintext from outside the mesh \/ unknown \(576\)/,
    );
    expect(body).toContain('**Enforced despite observed plaintext**');
    expect(body).toContain(
      'The observations are recorded data (windows ending 2026-11-23 12:00 UTC), not a live Prometheus.',
    );
    expect(String(outputs(ctx).impact)).toContain('576 plaintext');
  });

  it('counts the plaintext of ports beyond the listed ones: no port scan hides it', async () => {
    // Traffic to checkout's 8080 and to 25 ports it does not declare; the only plaintext is on
    // 9025, the port with the least traffic, which is summed with 9021…9024 into one entry.
    const scanned = observations();
    scanned.flows = [
      flow('storefront/checkout', storefrontWeb, counts(13440, 0), 8080),
      ...Array.from({ length: 25 }, (_, i) =>
        flow('storefront/checkout', storefrontWeb, counts(99 - i, 0), 9001 + i),
      ),
      flow('storefront/checkout', { kind: 'unknown' }, counts(0, 3), 9025),
    ];
    const { deps, context, github } = setup(server, {
      files: {},
      traffic: { observations: scanned, ageSeconds: 30 },
    });
    await expect(
      createMtlsEnforceAction(deps).handler(context(enforce())),
    ).rejects.toThrow(/accepted 3 plaintext request\(s\) or connection\(s\)/);
    await createMtlsEnforceAction(deps).handler(
      context(enforce({ allowObservedPlaintext: true })),
    );
    const body = github.pulls[0].body;
    expect(body).toContain(
      '5 other ports (9021–9025) not declared (PERMISSIVE): 385 mTLS, 3 plaintext, 0 denied in the last 7 d; plaintext from outside the mesh / unknown (3)',
    );
    expect(body).toContain('Port 9020 (PERMISSIVE): 80 mTLS');
    expect(body).not.toContain('Port 9021');
  });

  it('enforces without the override when only mTLS was observed', async () => {
    const { deps, context, github } = setup(server, {
      files: {},
      traffic: { observations: observations(), ageSeconds: 30 },
    });
    await createMtlsEnforceAction(deps).handler(
      context(enforce({ target: 'component:default/inventory' })),
    );
    expect(github.pulls[0].body).toMatch(/3360 mTLS, 0 plaintext/);
    expect(github.pulls[0].body).not.toContain('despite');
  });

  it('says the observations are stale, with their age, and still refuses on their plaintext', async () => {
    const { deps, context } = setup(server, {
      files: {},
      traffic: { observations: observations('stale'), ageSeconds: 7500 },
    });
    const ctx = context(enforce({ allowObservedPlaintext: true }), true);
    await createMtlsEnforceAction(deps).handler(ctx);
    const impact = (ctx.output as jest.Mock).mock.calls.find(
      ([k]) => k === 'impact',
    )![1];
    expect(impact).toContain(
      'The observations are stale: read 2 h ago (the last read failed: Prometheus timed out).',
    );
    await expect(
      createMtlsEnforceAction(deps).handler(context(enforce(), true)),
    ).rejects.toThrow(/576 plaintext/);
  });

  it('without observations behaves as before and says no evidence was available', async () => {
    const { deps, context, github } = setup(server, { files: {} });
    await createMtlsEnforceAction(deps).handler(context(enforce()));
    expect(github.pulls[0].body).toContain(
      'No traffic evidence was available (observations not-configured); this rests on the policies alone.',
    );
  });
});

describe('observed traffic in mesh-security:access:revoke', () => {
  const revoke = (target: string) => ({
    target,
    callers: ['component:default/checkout'],
    justification: 'Checkout moved to the new API.',
  });

  it('says the revoked grant was used in the evidence window', async () => {
    const { deps, context, github } = setup(server, {
      files: { [PAYMENTS_PATH]: fixture('istio-payments.before.yaml') },
      traffic: { observations: observations(), ageSeconds: 30 },
    });
    await createAccessRevokeAction(deps).handler(
      context(revoke('component:default/payments-api')),
    );
    expect(github.pulls[0].body).toMatch(
      /storefront\/checkout: \*\*used\*\* in the last 7 d \(6720 mTLS, 0 plaintext, 0 denied; last seen 2026-11-22T10:00:00Z\)/,
    );
  });

  it('says a grant nobody used is unused', () => {
    const posture = demoPosture('inventory', 'inventory', {
      observations: observations(),
      ageSeconds: 30,
    });
    const workload = posture.workloads[0];
    const evidence = grantUsageEvidence(
      workload,
      [
        {
          input: 'component:default/checkout',
          namespace: 'storefront',
          serviceAccount: 'checkout',
          workloadName: 'checkout',
          principal: 'cluster.local/ns/storefront/sa/checkout',
        },
      ],
      workload.ports.map(p => p.port),
    );
    expect(evidence.lines[0]).toBe(
      'storefront/checkout: not used in the last 7 d: an unused grant.',
    );
  });

  it('without observations says no evidence was available', async () => {
    const { deps, context, github } = setup(server, {
      files: { [PAYMENTS_PATH]: fixture('istio-payments.before.yaml') },
    });
    await createAccessRevokeAction(deps).handler(
      context(revoke('component:default/payments-api')),
    );
    expect(github.pulls[0].body).toContain(
      'No traffic evidence was available (observations not-configured)',
    );
  });
});
