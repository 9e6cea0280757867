import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { parseAllDocuments } from 'yaml';
import { ANALYTICS_PATH, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { paymentsAllowPolicy } from '../__testUtils__/policies';
import { createAccessRevokeAction } from './accessRevoke';

const server = setupServer();
registerMswTestHooks(server);

const docs = (text: string) => parseAllDocuments(text).map(d => d.toJS());

describe('mesh-security:access:revoke', () => {
  it('removes the Istio rule of the caller without leaving a rule that allows everyone', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      target: 'component:default/payments-api',
      callers: ['component:default/checkout'],
      justification: 'Checkout moved to the payments gateway.',
    });
    await createAccessRevokeAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out).toMatchObject({ changed: true, pullRequestNumber: 1 });
    const content = github.file(String(out.branch), PAYMENTS_PATH)!;
    expect(content).not.toContain('storefront/sa/checkout');
    expect(content).toContain('# DENY wins over ALLOW');
    const allow = docs(content).find(
      d => d.metadata.name === 'payments-api-allow-checkout',
    );
    expect(allow.spec.rules ?? []).toEqual([]);
    expect(github.pulls[0].body).toContain(
      '| 8080 | `storefront/checkout (POST /charge)` | — | — | `storefront/checkout (POST /charge)` |',
    );
  });

  it('removes a Linkerd identity and deletes the emptied MeshTLSAuthentication with its policy', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      target: 'component:default/analytics-api',
      callers: ['component:default/etl-worker'],
      justification: 'The loader reads from the warehouse now.',
    });
    await createAccessRevokeAction(deps).handler(ctx);
    const content = github.file(String(outputs(ctx).branch), ANALYTICS_PATH)!;
    expect(docs(content).map(d => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Server/analytics-http',
    ]);
  });

  it('refuses a policy file with a YAML merge key, naming its line', async () => {
    const merged = paymentsAllowPolicy(`    - &charge
      from:
        - source:
            principals: ["cluster.local/ns/storefront/sa/checkout"]
      to:
        - operation: {methods: ["POST"], paths: ["/charge"]}
    - <<: *charge
      to:
        - operation: {methods: ["POST"], paths: ["/refund"]}
`);
    const { github, deps, context } = setup(server, {
      files: { [PAYMENTS_PATH]: merged },
    });
    await expect(
      createAccessRevokeAction(deps).handler(
        context({
          target: 'component:default/payments-api',
          callers: ['component:default/checkout'],
          justification: 'Checkout moved to the payments gateway.',
        }),
      ),
    ).rejects.toThrow(
      `${PAYMENTS_PATH}, line 18, uses a YAML merge key (<<): the action edits plain YAML only`,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('does nothing when the caller has no access in the file', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      target: 'component:default/payments-api',
      callers: ['cluster.local/ns/ops/sa/auditor'],
      justification: 'Clean-up after the audit.',
    });
    await createAccessRevokeAction(deps).handler(ctx);
    expect(outputs(ctx).changed).toBe(false);
    expect(github.pulls).toHaveLength(0);
  });
});
