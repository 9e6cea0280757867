import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { parseAllDocuments } from 'yaml';
import {
  ANALYTICS_PATH,
  fixture,
  PAYMENTS_PATH,
  setup,
} from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

/*
 * Policy files above 1 MB: GitHub's "Get repository content" answers them in JSON with
 * `content: ""` and `encoding: "none"` (the repository mock does the same). Read as an empty
 * file, the change would be committed over every policy of the file.
 */

const server = setupServer();
registerMswTestHooks(server);

const REPOSITORY = 'https://api.github.com/repos/acme/gitops';

/** The payments fixture followed by generated policies (every tenth a DENY) up to `bytes`. */
function largePolicyFile(bytes: number): string {
  const documents = [fixture('istio-payments.before.yaml')];
  let size = documents[0].length;
  for (let i = 0; size < bytes; i++) {
    const paths = Array.from(
      { length: 12 },
      (_, p) => `"/tenants/${i}/items/${p}/*"`,
    ).join(', ');
    const document = `# tenant ${i}: generated to make the file large
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments-tenant-${i}
  namespace: payments
spec:
  selector:
    matchLabels:
      app: payments-worker
  action: ${i % 10 === 0 ? 'DENY' : 'ALLOW'}
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/tenants/sa/tenant-${i % 20}"]
      to:
        - operation:
            methods: ["GET", "POST"]
            paths: [${paths}]
`;
    documents.push(document);
    size += document.length + 4;
  }
  return documents.join('---\n');
}

/** Name and action of every AuthorizationPolicy of a file. */
const policies = (text: string) =>
  parseAllDocuments(text).map(d => ({
    name: d.getIn(['metadata', 'name']),
    action: d.getIn(['spec', 'action']) ?? 'ALLOW',
  }));

const checkoutStatus = {
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'Checkout shows the payment status page after an order.',
};

const files = (payments: string) => ({
  [PAYMENTS_PATH]: payments,
  [ANALYTICS_PATH]: fixture('linkerd-analytics.before.yaml'),
});

describe('mesh-security:access:request on a policy file above 1 MB', () => {
  it('keeps every policy of a 1.1 MB file, DENYs included, and shows a real diff', async () => {
    const large = largePolicyFile(1_150_000);
    const before = policies(large);
    expect(before.length).toBeGreaterThan(900);
    expect(before.filter(p => p.action === 'DENY').length).toBeGreaterThan(90);
    const { github, deps, context, outputs } = setup(server, {
      files: files(large),
    });
    const ctx = context(checkoutStatus);
    await createAccessRequestAction(deps).handler(ctx);

    // GitHub sent the file without its content; the blob of its sha carried it.
    expect(github.requests.some(r => r.path.startsWith('/git/blobs/'))).toBe(
      true,
    );
    const out = outputs(ctx);
    const after = github.file(String(out.branch), PAYMENTS_PATH)!;
    expect(policies(after)).toEqual(before);
    expect(after).toContain('paths: ["/status"]');
    expect(after.length).toBeGreaterThan(large.length);
    const [pull] = github.pulls;
    expect(pull.body).toContain(`--- a/${PAYMENTS_PATH}`);
    expect(pull.body).not.toContain('/dev/null');
    const changed = String(out.diff)
      .split('\n')
      .filter(l => /^[-+][^-+]/.test(l));
    expect(changed.length).toBeLessThan(10);
  }, 120_000);

  it('refuses a file above meshSecurity.accessRequests.maxPolicyFileBytes without downloading it', async () => {
    const { github, deps, context } = setup(server, {
      files: files(largePolicyFile(1_150_000)),
      accessRequests: { maxPolicyFileBytes: 1_000_000 },
    });
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(
      /payments\.yaml in acme\/gitops is \d+ bytes, more than the 1000000 the actions edit \(meshSecurity\.accessRequests\.maxPolicyFileBytes\); nothing was written/,
    );
    expect(github.requests.some(r => r.path.startsWith('/git/blobs/'))).toBe(
      false,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('refuses a 100 MB file by its reported size, before asking for its content', async () => {
    const { github, deps, context } = setup(server);
    server.use(
      http.get(`${REPOSITORY}/contents/*`, () =>
        HttpResponse.json({
          type: 'file',
          path: PAYMENTS_PATH,
          sha: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
          size: 100 * 1024 * 1024,
          encoding: 'none',
          content: '',
        }),
      ),
    );
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(/is 104857600 bytes, more than the 2097152/);
    expect(github.requests.some(r => r.path.startsWith('/git/blobs/'))).toBe(
      false,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it.each([
    [
      'a blob shorter than the size GitHub reported',
      (content: string) => ({
        encoding: 'base64',
        content: Buffer.from(content.slice(0, 1000)).toString('base64'),
      }),
      /GitHub reported \d+ bytes for .*payments\.yaml in acme\/gitops but sent 1000; nothing was written/,
    ],
    [
      'a blob in an encoding the actions cannot decode',
      (content: string) => ({ encoding: 'utf-16', content }),
      /with encoding utf-16, which the actions cannot decode; nothing was written/,
    ],
  ])('refuses %s and writes nothing', async (_, blob, message) => {
    const large = largePolicyFile(1_100_000);
    const { github, deps, context } = setup(server, { files: files(large) });
    server.use(
      http.get(`${REPOSITORY}/git/blobs/:sha`, () =>
        HttpResponse.json({ size: Buffer.byteLength(large), ...blob(large) }),
      ),
    );
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(message);
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
    expect(github.pulls).toHaveLength(0);
  });

  it.each([
    [
      'an unknown encoding',
      { encoding: 'utf-16', content: 'x' },
      /with encoding utf-16, which the actions cannot decode/,
    ],
    [
      'no size',
      { encoding: 'base64', content: 'eDogMQo=', size: undefined },
      /GitHub did not report the sha and size of .*payments\.yaml/,
    ],
    [
      'invalid UTF-8',
      { encoding: 'base64', content: '/w==', size: 1 },
      /payments\.yaml in acme\/gitops is not UTF-8 text/,
    ],
  ])('refuses a small file sent with %s', async (_, answer, message) => {
    const { github, deps, context } = setup(server);
    server.use(
      http.get(`${REPOSITORY}/contents/*`, () =>
        HttpResponse.json({
          type: 'file',
          path: PAYMENTS_PATH,
          sha: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
          size: 5,
          ...answer,
        }),
      ),
    );
    await expect(
      createAccessRequestAction(deps).handler(context(checkoutStatus)),
    ).rejects.toThrow(message);
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });
});
