import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { parse } from 'yaml';
import { setup } from '../__testUtils__/harness';
import { createMtlsEnforceAction } from './mtlsEnforce';

const server = setupServer();
registerMswTestHooks(server);

describe('mesh-security:mtls:enforce', () => {
  it('creates a workload PeerAuthentication STRICT and lists the plaintext callers that break', async () => {
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context({
      target: 'component:default/inventory',
      justification: 'All inventory callers are meshed now.',
    });
    await createMtlsEnforceAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out.policyPath).toBe(
      'clusters/demo/inventory/authentication/inventory.yaml',
    );
    const written = parse(
      github.file(String(out.branch), String(out.policyPath))!,
    );
    expect(written).toMatchObject({
      kind: 'PeerAuthentication',
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(written.spec.selector.matchLabels).toBeDefined();
    expect(String(out.impact)).toContain('| port |');
  });

  it('says which ports stay without STRICT: a port that bypasses the sidecar', async () => {
    // payments-api's 9090 is excluded from its sidecar in the demo (excludeInboundPorts): no
    // PeerAuthentication reaches it, and the pull request must not let it look enforced.
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context({
      target: 'component:default/payments-api',
      justification: 'Payments must only be called through the mesh.',
    });
    await createMtlsEnforceAction(deps).handler(ctx);
    const out = outputs(ctx);
    const warning =
      'port 9090 stays DISABLED: port 9090 is excluded from the sidecar (traffic.sidecar.istio.io/excludeInboundPorts)';
    expect(out.warnings).toEqual([warning]);
    expect(String(out.message)).toMatch(
      /; warning: 1 port\(s\) stay without STRICT mTLS \(see warnings\)$/,
    );
    const body = github.pulls[0].body;
    expect(body).toContain(
      '> Some ports stay without STRICT mTLS after this change:',
    );
    expect(body).toContain(`> - ${warning}`);
  });

  it('refuses Linkerd targets with guidance', async () => {
    const { deps, context } = setup(server);
    await expect(
      createMtlsEnforceAction(deps).handler(
        context({
          target: 'component:default/analytics-api',
          justification: 'Enforce on the data namespace.',
        }),
      ),
    ).rejects.toThrow(/writes Istio PeerAuthentications/);
  });

  it('lists the plaintext callers that would break', async () => {
    const { deps, context, outputs } = setup(server, { files: {} });
    const ctx = context(
      {
        target: 'component:default/storefront-web',
        justification: 'The web tier is only called through the mesh gateway.',
      },
      true,
    );
    await createMtlsEnforceAction(deps).handler(ctx);
    const row = String(outputs(ctx).impact)
      .split('\n')
      .find(l => l.startsWith('| 8080 |'))!;
    const [, before, after, , removed] = row.split(' | ');
    expect(before).toContain('External (plaintext)');
    expect(after).not.toContain('External (plaintext)');
    expect(removed).toContain('External (plaintext)');
  });

  it('dry-run writes nothing', async () => {
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context(
      {
        target: 'component:default/inventory',
        scope: 'namespace',
        justification: 'All inventory callers are meshed now.',
      },
      true,
    );
    await createMtlsEnforceAction(deps).handler(ctx);
    expect(outputs(ctx).diff).toContain('+kind: PeerAuthentication');
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });
});
