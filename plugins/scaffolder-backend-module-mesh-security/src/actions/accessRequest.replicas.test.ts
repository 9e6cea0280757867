import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { parse } from 'yaml';
import { PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import type { createAccessRequestAction as Create } from './accessRequest';

/*
 * Two backend replicas: each has its own in-process file lock (service/fileLock.ts), so only
 * GitHub's conditional update serialises them — a contents write carries the blob sha it was
 * computed from, and a stale one is refused (409) and re-applied on the new content.
 */

const server = setupServer();
registerMswTestHooks(server);

/** The action as loaded by another backend process: its own module registry, its own lock. */
function replica(): typeof Create {
  let create: typeof Create | undefined;
  jest.isolateModules(() => {
    create = require('./accessRequest').createAccessRequestAction;
  });
  return create!;
}

const request = (principal: string, path: string) => ({
  target: 'component:default/payments-api',
  callers: [principal],
  ports: [8080],
  methods: ['GET'],
  paths: [path],
  justification: 'Two teams ask at the same moment on different replicas.',
});
const AUDITOR = 'cluster.local/ns/ops/sa/auditor';
const FRAUD = 'cluster.local/ns/payments/sa/fraud-check';

/** Principals granted in a policy file (every rule of every document). */
const granted = (text: string | undefined) =>
  (text ?? '')
    .split(/^---$/m)
    .map(d => parse(d))
    .flatMap(d => d?.spec?.rules ?? [])
    .flatMap((r: any) => r.from ?? [])
    .flatMap((f: any) => f.source?.principals ?? []);

describe('two replicas changing the same policy file', () => {
  it('both rules survive when both join the same open pull request at once (409 → re-apply)', async () => {
    const { github, deps, context } = setup(server);
    const [a, b] = [replica(), replica()];
    expect(a).not.toBe(b);
    // An open pull request for the file: both replicas will commit to its branch.
    await a(deps).handler(
      context(request('cluster.local/ns/storefront/sa/checkout', '/status')),
    );
    const branch = github.pulls[0].head.ref;
    // Hold every write until both replicas have read the branch's file: both compute their
    // change from the same blob, as two replicas racing for real do.
    const reads = () =>
      github.requests.filter(
        r => r.method === 'GET' && r.path === `/contents/${PAYMENTS_PATH}`,
      ).length;
    const readsBefore = reads();
    server.use(
      http.put(
        'https://api.github.com/repos/acme/gitops/contents/*',
        async () => {
          for (let i = 0; i < 200 && reads() < readsBefore + 2; i++)
            await new Promise(r => setTimeout(r, 5));
          return undefined; // go on to the repository mock
        },
      ),
    );
    const putsBefore = github.requests.filter(r => r.method === 'PUT').length;
    await Promise.all([
      a(deps).handler(context(request(AUDITOR, '/audit'))),
      b(deps).handler(context(request(FRAUD, '/refund'))),
    ]);

    expect(github.pulls).toHaveLength(1);
    expect(granted(github.file(branch, PAYMENTS_PATH))).toEqual(
      expect.arrayContaining([AUDITOR, FRAUD]),
    );
    // Three writes for two changes: one was refused as stale (409) and re-applied.
    expect(
      github.requests.filter(r => r.method === 'PUT').length - putsBefore,
    ).toBe(3);
    expect(github.file('main', PAYMENTS_PATH)).not.toContain(AUDITOR);
    // Each request appended its section to the body read just before (see docs: the window is
    // one round trip, not closed).
    expect(github.pulls[0].body.match(/^### allow /gm)).toHaveLength(3);
  });

  it('both rules survive when neither finds an open pull request (each opens its own)', async () => {
    const { github, deps, context } = setup(server);
    const [a, b] = [replica(), replica()];
    await Promise.all([
      a(deps).handler(context(request(AUDITOR, '/audit'))),
      b(deps).handler(context(request(FRAUD, '/refund'))),
    ]);
    const onBranches = github.pulls.flatMap(p =>
      granted(github.file(p.head.ref, PAYMENTS_PATH)),
    );
    expect(onBranches).toEqual(expect.arrayContaining([AUDITOR, FRAUD]));
    expect(github.pulls.length).toBeGreaterThanOrEqual(1);
  });
});
