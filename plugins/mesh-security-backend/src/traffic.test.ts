import request from 'supertest';
import {
  EntityPosture,
  entityPostureSummary,
  ObservedFlow,
  TrafficObservations,
  findingDefinitions,
} from '@mesh-security/plugin-mesh-security-common';
import { asUser, startDemoBackend } from './__testUtils__/demoBackend';
import { timeless } from './__testUtils__/timeless';
import { TrafficObservationsReader } from './traffic/types';

/*
 * Observed traffic in the entity posture (docs/traffic.md): the backend only reads the reader
 * (one call per cluster per view, never a metrics query) and joins what it hands out.
 */

const PAYMENTS_API = '/api/mesh-security/entity/component/default/payments-api';
const CHECKOUT = '/api/mesh-security/entity/component/default/checkout';
const trafficCodes = new Set(
  findingDefinitions.filter(d => d.code.startsWith('MS5')).map(d => d.code),
);

const flow = (
  to: string,
  from: ObservedFlow['from'],
  evidence: ObservedFlow['evidence'],
  port?: number,
): ObservedFlow => {
  const [namespace, name] = to.split('/');
  return {
    mesh: 'istio',
    to: { namespace, name },
    ...(port ? { port } : {}),
    from,
    protocol: 'http',
    recent: evidence,
    evidence,
    lastSeen: '2026-11-23T00:50:00Z',
  };
};

/** A reader handing out fixed observations, counting the calls. */
class FixedReader implements TrafficObservationsReader {
  calls: string[] = [];
  constructor(
    private readonly answer: Omit<TrafficObservations, 'cluster'> | Error,
  ) {}
  async observations(cluster: string): Promise<TrafficObservations> {
    this.calls.push(cluster);
    if (this.answer instanceof Error) throw this.answer;
    return { cluster, ...this.answer };
  }
}

const recorded = (
  flows: ObservedFlow[],
  o: Partial<TrafficObservations> = {},
): Omit<TrafficObservations, 'cluster'> => ({
  status: 'ok',
  source: 'recorded',
  fetchedAt: '2026-11-23T01:00:00Z',
  windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
  truncated: false,
  flows,
  ...o,
});

const webToCheckout = flow(
  'storefront/checkout',
  { kind: 'workload', namespace: 'storefront', name: 'storefront-web' },
  { mtls: 50, plaintext: 0, denied: 0 },
  8080,
);
const checkoutToPayments = flow(
  'payments/payments-api',
  { kind: 'workload', namespace: 'storefront', name: 'checkout' },
  { mtls: 120, plaintext: 0, denied: 0 },
  8080,
);

/** That an entity's summary says what its full answer says, summarised. */
const expectSummaryOf = (summary: unknown, full: EntityPosture) =>
  expect(timeless(summary)).toEqual(timeless(entityPostureSummary(full)));

describe('observed traffic in the entity posture', () => {
  jest.setTimeout(30_000);

  it('without a metrics source every workload says not-configured, with no traffic finding', async () => {
    const server = await startDemoBackend();
    const res = await asUser(request(server).get(PAYMENTS_API));
    expect(res.status).toBe(200);
    const [workload] = res.body.workloads;
    expect(workload.observed).toEqual({
      observations: expect.objectContaining({
        status: 'not-configured',
        ageSeconds: null,
      }),
      unmatchedCallers: [],
      unmatchedCallerCount: 0,
      unmatchedCallees: [],
      unmatchedCalleeCount: 0,
    });
    expect(workload.callers.every((e: any) => e.traffic === undefined)).toBe(
      true,
    );
    expect(
      res.body.findings.filter((f: any) => trafficCodes.has(f.code)),
    ).toEqual([]);
  });

  it('joins the observations: per port, per edge and MS5xx findings, from one reader call', async () => {
    const reader = new FixedReader(
      recorded([
        checkoutToPayments,
        flow(
          'payments/payments-api',
          { kind: 'unknown' },
          { mtls: 0, plaintext: 4, denied: 0 },
          8080,
        ),
        flow(
          'payments/payments-api',
          {
            kind: 'identity',
            identity: 'spiffe://cluster.local/ns/storefront/sa/storefront-web',
          },
          { mtls: 0, plaintext: 0, denied: 7 },
          8080,
        ),
      ]),
    );
    const server = await startDemoBackend({ traffic: reader });
    reader.calls = [];
    const res = await asUser(request(server).get(PAYMENTS_API));
    expect(res.status).toBe(200);
    expect(reader.calls).toEqual(['demo']);
    const [workload] = res.body.workloads;
    expect(workload.observed.observations).toMatchObject({
      status: 'ok',
      source: 'recorded',
      fetchedAt: '2026-11-23T01:00:00Z',
    });
    const port8080 = workload.observed.workload.ports.find(
      (p: any) => p.port === 8080,
    );
    expect(port8080).toMatchObject({
      mtls: 'STRICT',
      evidence: { mtls: 120, plaintext: 4, denied: 7 },
      plaintextSourceCount: 1,
    });
    const checkout = workload.callers.find(
      (e: any) => e.peer.name === 'checkout' && e.port === 8080,
    );
    expect(checkout.traffic).toMatchObject({
      status: 'used',
      evidence: { mtls: 120, plaintext: 0, denied: 0 },
    });
    expect(
      workload.observed.unmatchedCallers.map((u: any) => u.status).sort(),
    ).toEqual(['denied', 'outside-grant']);
    const codes = res.body.findings
      .filter((f: any) => trafficCodes.has(f.code))
      .map((f: any) => f.code)
      .sort();
    expect(codes).toEqual(['MS501', 'MS505', 'MS506']);
    expect(res.body.findingCounts.high).toBeGreaterThanOrEqual(2);
  });

  it('a PERMISSIVE port with only mTLS is ready for STRICT; the callee edge of the caller is used', async () => {
    const reader = new FixedReader(
      recorded([webToCheckout, checkoutToPayments]),
    );
    const server = await startDemoBackend({ traffic: reader });
    const res = await asUser(request(server).get(CHECKOUT));
    const [workload] = res.body.workloads;
    expect(
      res.body.findings
        .filter((f: any) => f.code === 'MS503')
        .map((f: any) => f.message),
    ).toEqual([expect.stringContaining('ready for STRICT: 50 mTLS')]);
    const callee = workload.callees.find(
      (e: any) => e.peer.name === 'payments-api' && e.port === 8080,
    );
    expect(callee.traffic.status).toBe('used');
  });

  it('lists traffic no edge covers most traffic first, however few groups there are', async () => {
    // Three ports checkout called payments-api on without a grant, the most on the last.
    const reader = new FixedReader(
      recorded(
        [5, 1, 9].map((n, i) =>
          flow(
            'payments/payments-api',
            { kind: 'workload', namespace: 'storefront', name: 'checkout' },
            { mtls: n, plaintext: 0, denied: 0 },
            9001 + i,
          ),
        ),
      ),
    );
    const server = await startDemoBackend({ traffic: reader });
    const res = await asUser(request(server).get(CHECKOUT));
    const [caller] = res.body.workloads;
    expect(caller.observed.unmatchedCallees.map((u: any) => u.port)).toEqual([
      9003, 9001, 9002,
    ]);
    expect(caller.observed.unmatchedCalleeCount).toBe(3);
  });

  it('lists the 20 groups of traffic no edge covers with the most traffic, and how many there are', async () => {
    // checkout called payments-api on 25 ports it does not declare: 25 groups on each side,
    // port 9000 + n with n requests.
    const reader = new FixedReader(
      recorded(
        Array.from({ length: 25 }, (_, i) =>
          flow(
            'payments/payments-api',
            { kind: 'workload', namespace: 'storefront', name: 'checkout' },
            { mtls: i + 1, plaintext: 0, denied: 0 },
            9001 + i,
          ),
        ),
      ),
    );
    const server = await startDemoBackend({ traffic: reader });
    const mostFirst = Array.from({ length: 20 }, (_, i) => 9025 - i);

    const payments = await asUser(request(server).get(PAYMENTS_API));
    const [target] = payments.body.workloads;
    expect(target.observed.unmatchedCallerCount).toBe(25);
    expect(target.observed.unmatchedCallers.map((u: any) => u.port)).toEqual(
      mostFirst,
    );
    expect(target.observed.unmatchedCallers[0]).toMatchObject({
      status: 'unknown',
      evidence: { mtls: 25, plaintext: 0, denied: 0 },
    });
    // Its ports: the declared ones, the 20 undeclared with the most traffic, and the other 5
    // (9001…9005, 15 requests) summed in one entry of their mode; the card's summary alike.
    const ports = target.observed.workload.ports;
    expect(ports.map((p: any) => p.port ?? p.otherPorts)).toEqual([
      8080,
      ...mostFirst.slice().sort((a, b) => a - b),
      9090,
      { count: 5, lowest: 9001, highest: 9005, withPlaintext: 0 },
    ]);
    expect(ports[22].evidence).toEqual({ mtls: 15, plaintext: 0, denied: 0 });
    const summary = await asUser(
      request(server).get(`${PAYMENTS_API}/summary`),
    );
    expect(summary.body.workloads[0].observed.workload.ports).toEqual(ports);

    const checkout = await asUser(request(server).get(CHECKOUT));
    const [caller] = checkout.body.workloads;
    expect(caller.observed.unmatchedCalleeCount).toBe(25);
    expect(caller.observed.unmatchedCallees.map((u: any) => u.port)).toEqual(
      mostFirst,
    );
    expect(caller.observed.unmatchedCallees[19]).toMatchObject({
      peer: { namespace: 'payments', name: 'payments-api' },
      evidence: { mtls: 6, plaintext: 0, denied: 0 },
    });
  });

  it('joins what the reader hands out now: the same observations alike, new ones afresh', async () => {
    // As TrafficObservationsService does: the same object until the record changes (the join
    // is kept per observations, docs/traffic.md).
    let current: TrafficObservations = {
      cluster: 'demo',
      ...recorded([checkoutToPayments]),
    };
    const reader: TrafficObservationsReader = {
      observations: async () => current,
    };
    const server = await startDemoBackend({ traffic: reader });
    const evidenceOf = async () => {
      const res = await asUser(request(server).get(PAYMENTS_API));
      expect(res.status).toBe(200);
      const [workload] = res.body.workloads;
      return {
        port: workload.observed.workload.ports.find((p: any) => p.port === 8080)
          .evidence,
        edge: workload.callers.find(
          (e: any) => e.peer.name === 'checkout' && e.port === 8080,
        ).traffic.evidence,
        observed: workload.observed,
      };
    };
    const first = await evidenceOf();
    expect(first.edge).toEqual({ mtls: 120, plaintext: 0, denied: 0 });
    // The same observations again: the same answer (its age aside: a second may pass between
    // the two requests), the state given afresh.
    const again = await evidenceOf();
    expect(timeless(again)).toEqual(timeless(first));
    expect(again.observed.observations.ageSeconds).toEqual(expect.any(Number));
    // New observations (a refresh): the next view shows them, nothing kept from before.
    current = {
      cluster: 'demo',
      ...recorded([
        flow(
          'payments/payments-api',
          { kind: 'workload', namespace: 'storefront', name: 'checkout' },
          { mtls: 300, plaintext: 2, denied: 0 },
          8080,
        ),
      ]),
    };
    const after = await evidenceOf();
    expect(after.edge).toEqual({ mtls: 300, plaintext: 2, denied: 0 });
    expect(after.port).toEqual({ mtls: 300, plaintext: 2, denied: 0 });
  });

  it('stale observations are used and say so; their age is given', async () => {
    const reader = new FixedReader(
      recorded([webToCheckout], {
        status: 'stale',
        message: 'Prometheus answered 503',
      }),
    );
    const server = await startDemoBackend({ traffic: reader });
    const res = await asUser(request(server).get(CHECKOUT));
    const [workload] = res.body.workloads;
    expect(workload.observed.observations).toMatchObject({
      status: 'stale',
      message: 'Prometheus answered 503',
      ageSeconds: expect.any(Number),
    });
    expect(
      res.body.findings.find((f: any) => f.code === 'MS503').message,
    ).toContain('observations are stale');
  });

  it.each([
    ['with observations', true],
    ['without a metrics source', false],
  ])(
    "the entity's summary says what its full answer says, without the edges (%s)",
    async (_what, withTraffic) => {
      const reader = new FixedReader(
        recorded([
          checkoutToPayments,
          webToCheckout,
          flow(
            'payments/payments-api',
            { kind: 'unknown' },
            { mtls: 0, plaintext: 4, denied: 0 },
            8080,
          ),
        ]),
      );
      const server = await startDemoBackend(
        withTraffic ? { traffic: reader } : {},
      );
      for (const url of [PAYMENTS_API, CHECKOUT]) {
        const full = await asUser(request(server).get(url));
        reader.calls = [];
        const summary = await asUser(request(server).get(`${url}/summary`));
        expect(summary.status).toBe(200);
        expectSummaryOf(summary.body, full.body);
        // The traffic's findings (MS505 reads the callers) are the full answer's.
        const codes = summary.body.findings
          .filter((f: any) => trafficCodes.has(f.code))
          .map((f: any) => f.code);
        expect(codes.length > 0).toBe(withTraffic);
        // One reader call per cluster, as for the full answer (none without a source).
        expect(reader.calls).toEqual(withTraffic ? ['demo'] : []);
        expect(summary.text.length).toBeLessThan(full.text.length);
      }
    },
  );

  it.each([
    [
      'unavailable observations',
      recorded([checkoutToPayments], {
        status: 'unavailable',
        message: 'never read',
      }),
    ],
    ['a reader that throws', new Error('boom: token=secret')],
    [
      'flows the join cannot index (a flow naming no receiver)',
      recorded([
        checkoutToPayments,
        { ...checkoutToPayments, to: undefined as any },
      ]),
    ],
  ] as const)(
    '%s: the policy view is served as before, nothing guessed',
    async (_what, answer) => {
      const reader = new FixedReader(answer);
      const server = await startDemoBackend({ traffic: reader });
      const res = await asUser(request(server).get(PAYMENTS_API));
      expect(res.status).toBe(200);
      const [workload] = res.body.workloads;
      expect(workload.observed.observations.status).toBe('unavailable');
      expect(workload.observed.workload).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain('secret');
      expect(
        workload.callers.some((e: any) => e.peer.name === 'checkout'),
      ).toBe(true);
      expect(
        res.body.findings.filter((f: any) => trafficCodes.has(f.code)),
      ).toEqual([]);
      const summary = await asUser(
        request(server).get(`${PAYMENTS_API}/summary`),
      );
      expect(summary.status).toBe(200);
      expectSummaryOf(summary.body, res.body);
    },
  );
});
