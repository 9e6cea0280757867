import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { parseAllDocuments } from 'yaml';
import {
  accessMatrix,
  changedDecisions,
  requestsFor,
} from '../__testUtils__/accessMatrix';
import { fixture, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createAccessRevokeAction } from './accessRevoke';

/*
 * Granular revoke on Istio: only the given ports / methods / paths of the callers go; the
 * engine's decisions before and after prove that nobody else's access moved.
 */

const server = setupServer();
registerMswTestHooks(server);

const SHARED = fixture('istio-payments-shared.yaml');
const CHECKOUT = 'storefront/checkout';
const FRAUD = 'payments/fraud-check';
const PAYMENTS = { name: 'payments-api', namespace: 'payments' };
// 9090 bypasses payments-api's sidecar in the demo (excludeInboundPorts): no policy decides it,
// so its decisions never change; it stays in the matrix to show that.
const matrix = (text: string) =>
  accessMatrix(
    PAYMENTS,
    text,
    requestsFor(
      [CHECKOUT, FRAUD],
      [8080, 9090],
      ['GET', 'POST', 'DELETE'],
      ['/status', '/health', '/charge', '/refund'],
    ),
  );
const revoke = (override: Record<string, unknown>) => ({
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  justification: 'Checkout no longer shows the payment status page.',
  ...override,
});
const rules = (text: string, policy: string) =>
  parseAllDocuments(text)
    .map(d => d.toJS())
    .find(o => o.metadata.name === policy).spec.rules;

async function run(override: Record<string, unknown>, file = SHARED) {
  const harness = setup(server, { files: { [PAYMENTS_PATH]: file } });
  const ctx = harness.context(revoke(override));
  await createAccessRevokeAction(harness.deps).handler(ctx);
  const out = harness.outputs(ctx);
  const after = out.branch
    ? harness.github.file(String(out.branch), PAYMENTS_PATH)!
    : file;
  return { ...harness, out, after };
}

describe('mesh-security:access:revoke with ports, methods, paths (Istio)', () => {
  it('splits a rule shared with another caller: only that request goes, the other caller keeps its rule', async () => {
    const { out, after, github } = await run({
      methods: ['GET'],
      paths: ['/status'],
    });
    expect(changedDecisions(matrix(SHARED), matrix(after))).toEqual([
      `${CHECKOUT} 8080 GET /status: ALLOW → DENY`,
    ]);
    expect(rules(after, 'payments-api-allow-status')).toEqual([
      {
        from: [
          {
            source: {
              principals: ['cluster.local/ns/payments/sa/fraud-check'],
            },
          },
        ],
        to: [
          { operation: { methods: ['GET'], paths: ['/status', '/health'] } },
        ],
      },
      {
        from: [
          {
            source: { principals: ['cluster.local/ns/storefront/sa/checkout'] },
          },
        ],
        to: [{ operation: { methods: ['GET'], paths: ['/health'] } }],
      },
      expect.objectContaining({
        to: [{ operation: { methods: ['POST'], paths: ['/refund'] } }],
      }),
    ]);
    expect(after).toContain(
      '# storefront/checkout: split from rule 1, without GET /status',
    );
    expect(out.removed).toEqual([
      'storefront/checkout: GET /status (AuthorizationPolicy payments/payments-api-allow-status, rule 1, shared with other callers: split, the others keep it unchanged)',
    ]);
    // GET /status on 9090, which bypasses the sidecar, stays allowed: the message says so.
    expect(out.message).toBe(
      `Opened pull request https://github.com/acme/gitops/pull/1; removed: ${
        (out.removed as string[])[0]
      }; warning: 1 of the revoked request(s) stay allowed (see warnings)`,
    );
    expect(out.warnings).toEqual([
      'storefront/checkout GET /status on port 9090: port 9090 bypasses the proxy: no authorization is enforced. This change does not take it away.',
    ]);
    expect(github.pulls[0].body).toContain('#### Removed');
    expect(github.pulls[0].body).toContain(
      '`storefront/checkout GET /status: ALLOW → DENY`',
    );
  });

  it('narrows a rule in place when every caller it names is revoked', async () => {
    const { after } = await run({
      callers: [
        'component:default/checkout',
        'cluster.local/ns/payments/sa/fraud-check',
      ],
      methods: ['GET'],
      paths: ['/status'],
    });
    expect(changedDecisions(matrix(SHARED), matrix(after))).toEqual([
      `${CHECKOUT} 8080 GET /status: ALLOW → DENY`,
      `${FRAUD} 8080 GET /status: ALLOW → DENY`,
    ]);
    expect(rules(after, 'payments-api-allow-status')[0].to).toEqual([
      { operation: { methods: ['GET'], paths: ['/health'] } },
    ]);
  });

  it('revokes one port: the rule for that port goes, other ports stay (notPorts), the other caller is untouched', async () => {
    const { after, out } = await run({ ports: [8080] });
    const changed = changedDecisions(matrix(SHARED), matrix(after));
    expect(changed).toEqual([
      `${CHECKOUT} 8080 GET /status: ALLOW → DENY`,
      `${CHECKOUT} 8080 GET /health: ALLOW → DENY`,
      `${CHECKOUT} 8080 POST /charge: ALLOW → DENY`,
    ]);
    expect(rules(after, 'payments-api-allow-checkout') ?? []).toEqual([]);
    expect(rules(after, 'payments-api-allow-status')[1].to).toEqual([
      {
        operation: {
          methods: ['GET'],
          paths: ['/status', '/health'],
          notPorts: ['8080'],
        },
      },
    ]);
    expect(out.removed).toEqual([
      'storefront/checkout: every request on port 8080 (AuthorizationPolicy payments/payments-api-allow-checkout, rule 1, rule removed: nothing else left)',
      'storefront/checkout: every request on port 8080 (AuthorizationPolicy payments/payments-api-allow-status, rule 1, shared with other callers: split, the others keep it unchanged)',
    ]);
  });

  it('keeps comments and untouched nodes when narrowing in place', async () => {
    const { after } = await run({
      methods: ['POST'],
      paths: ['/charge'],
      ports: [9090],
    });
    // POST /charge is only granted on 8080: nothing to revoke on 9090.
    expect(after).toBe(SHARED);
    const narrowed = await run({ methods: ['POST'] });
    expect(narrowed.out.changed).toBe(true);
    expect(narrowed.after).toContain(
      '# Status pages: checkout and fraud-check read them',
    );
    expect(changedDecisions(matrix(SHARED), matrix(narrowed.after))).toEqual([
      `${CHECKOUT} 8080 POST /charge: ALLOW → DENY`,
    ]);
  });

  it('opens no pull request when there is nothing to revoke, and says so', async () => {
    const { out, github } = await run({ methods: ['DELETE'] });
    expect(out).toMatchObject({
      changed: false,
      message: `No change: nothing to revoke: ${PAYMENTS_PATH} grants storefront/checkout no DELETE requests to payments/payments-api`,
    });
    expect(github.pulls).toHaveLength(0);
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('validates ports, methods and paths like the request action', async () => {
    const { deps, context, github } = setup(server);
    for (const bad of [
      { ports: [70000] },
      { methods: ['GET]'] },
      { paths: ['/x"]\n  - evil: true'] },
      { ports: [1234] },
    ]) {
      await expect(
        createAccessRevokeAction(deps).handler(context(revoke(bad))),
      ).rejects.toThrow();
    }
    expect(github.requests).toHaveLength(0);
  });
});
