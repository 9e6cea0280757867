import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { setupServer } from 'msw/node';
import { readAccessRequestsConfig } from '../config';
import { setup } from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';
import { createMtlsEnforceAction } from './mtlsEnforce';

/*
 * Where the actions may write: the annotation `mesh-security.io/policy-path` and the path
 * templates must name a relative .yaml/.yml file under meshSecurity.accessRequests.policyPathPrefix
 * (default `clusters/`), never, say, a GitHub Actions workflow.
 */

const server = setupServer();
registerMswTestHooks(server);

const checkoutStatus = {
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'Checkout shows the payment status page after an order.',
};

const SOURCE =
  '\\(annotation mesh-security\\.io/policy-path of component:default/payments-api\\)';

describe('policy paths', () => {
  it.each([
    {
      path: '.github/workflows/x.yaml',
      message:
        'must be under clusters/ \\(meshSecurity\\.accessRequests\\.policyPathPrefix\\)',
    },
    {
      path: 'clusters/../.github/workflows/x.yaml',
      message: 'must not have empty, "\\." or "\\.\\." segments',
    },
    {
      path: 'clusters/./demo/x.yaml',
      message: 'must not have empty, "\\." or "\\.\\." segments',
    },
    {
      path: '/clusters/demo/x.yaml',
      message: 'must be relative to the repository root, not absolute',
    },
    {
      path: 'clusters/demo/install.sh',
      message: 'must name a \\.yaml or \\.yml file',
    },
    {
      path: 'clusters/demo/x.yaml.txt',
      message: 'must name a \\.yaml or \\.yml file',
    },
    {
      path: 'clusters/demo/x y.yaml',
      message: 'may only contain letters, digits, "\\.", "_", "-" and "/"',
    },
  ])('refuses the annotation $path', async ({ path, message }) => {
    const { github, deps, context } = setup(server, {
      paymentsPolicyPath: path,
    });
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(new RegExp(`^Policy path .* ${SOURCE} ${message}$`));
    expect(github.requests).toHaveLength(0);
  });

  it('refuses an annotation of more than 1024 characters', async () => {
    const { github, deps, context } = setup(server, {
      paymentsPolicyPath: `clusters/${'a/'.repeat(600)}x.yaml`,
    });
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(/is longer than 1024 characters$/);
    expect(github.requests).toHaveLength(0);
  });

  it('writes under a configured prefix, and refuses the default one there', async () => {
    const path = 'gitops/payments/authorization.yml';
    const files = { [path]: 'kind: List\n' };
    const allowed = setup(server, {
      files,
      paymentsPolicyPath: path,
      accessRequests: {
        policyPathPrefix: 'gitops',
        pathTemplate: 'gitops/{cluster}/{namespace}/{name}.yaml',
        mtlsPathTemplate: 'gitops/{cluster}/{namespace}/mtls-{name}.yaml',
      },
    });
    const ctx = allowed.context(checkoutStatus, true);
    await createAccessRequestAction(allowed.deps).handler(ctx);
    expect(allowed.outputs(ctx)).toMatchObject({ policyPath: path });

    const refused = setup(server, { files, paymentsPolicyPath: path });
    await expect(
      createAccessRequestAction(refused.deps).handler(
        refused.context(checkoutStatus),
      ),
    ).rejects.toThrow(/must be under clusters\//);
  });

  it('checks the mTLS template path too', async () => {
    const { deps, context, outputs } = setup(server);
    const ctx = context(
      {
        target: 'component:default/payments-api',
        scope: 'workload',
        justification: 'Payments must only accept mutual TLS.',
      },
      true,
    );
    await createMtlsEnforceAction(deps).handler(ctx);
    expect(outputs(ctx).policyPath).toBe(
      'clusters/demo/payments/authentication/payments-api.yaml',
    );
  });

  it.each([
    [
      { policyPathPrefix: '../outside' },
      'meshSecurity.accessRequests.policyPathPrefix must be a directory of the repository such as clusters/ (relative, no "." or ".." segments), got "../outside"',
    ],
    [
      { policyPathPrefix: '/etc/' },
      'meshSecurity.accessRequests.policyPathPrefix must be a directory of the repository such as clusters/ (relative, no "." or ".." segments), got "/etc/"',
    ],
    [
      { pathTemplate: '.github/{name}.yaml' },
      'meshSecurity.accessRequests.pathTemplate (.github/{name}.yaml) must start with meshSecurity.accessRequests.policyPathPrefix (clusters/)',
    ],
    [
      { policyPathPrefix: 'policies/' },
      'meshSecurity.accessRequests.pathTemplate (clusters/{cluster}/{namespace}/authorization/{name}.yaml) must start with meshSecurity.accessRequests.policyPathPrefix (policies/)',
    ],
  ])('refuses the configuration %j', (accessRequests, message) => {
    expect(() =>
      readAccessRequestsConfig(
        new ConfigReader({ meshSecurity: { accessRequests } }),
      ),
    ).toThrow(message);
  });
});
