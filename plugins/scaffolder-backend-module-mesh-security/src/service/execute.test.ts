import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { Document, YAMLMap, YAMLSeq } from 'yaml';
import { addIstioAccess } from '../policy/istio';
import { removeIstioAccess } from '../policy/istioRevoke';
import { PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { demoPosture } from '../__testUtils__/demoEstate';
import { ChangePlan, executePlan } from './execute';

const server = setupServer();
registerMswTestHooks(server);

const workload = demoPosture('payments-api', 'payments').workloads[0];

const plan = (edit: (docs: Document[]) => boolean): ChangePlan => ({
  kind: 'request',
  target: {
    ref: 'component:default/payments-api',
    name: 'payments-api',
    cluster: 'demo',
    workload,
    trustDomain: 'cluster.local',
  },
  repository: { host: 'github.com', owner: 'acme', name: 'gitops' },
  path: PAYMENTS_PATH,
  identity: [String(edit)],
  title: 'a change that must never be opened',
  callers: [],
  ports: [8080],
  justification: 'Proves that blocking findings stop a change.',
  edit,
});

describe('executePlan validation (engine findings)', () => {
  it.each<[string, (docs: Document[]) => boolean, RegExp]>([
    [
      'a wildcard principal',
      docs =>
        addIstioAccess(docs, {
          namespace: 'payments',
          targetLabels: workload.labels,
          selectorLabels: { app: 'payments-api' },
          targetName: 'payments-api',
          principals: ['*'],
        }),
      /blocking findings: MS209/,
    ],
    [
      'an allow-all rule',
      docs => {
        (docs[1].getIn(['spec', 'rules'], true) as YAMLSeq).add(new YAMLMap());
        return true;
      },
      /blocking findings: MS201/,
    ],
  ])('refuses %s and writes nothing', async (_, edit, message) => {
    const { github, deps, context } = setup(server);
    await expect(executePlan(context({}), deps, plan(edit))).rejects.toThrow(
      message,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });
});

describe('executePlan: edits that must keep every caller', () => {
  const dropCheckout = (docs: Document[]) =>
    removeIstioAccess(docs, {
      namespace: 'payments',
      targetLabels: workload.labels,
      principals: ['cluster.local/ns/storefront/sa/checkout'],
    });

  it('refuses a change the engine shows taking access away, and writes nothing', async () => {
    const { github, deps, context } = setup(server);
    await expect(
      executePlan(context({}), deps, {
        ...plan(dropCheckout),
        mustKeepCallers: true,
      }),
    ).rejects.toThrow(
      'The change would take access away from existing callers (port 8080: storefront/checkout (POST /charge)); nothing was written',
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
  });

  it('lets the same edit through when losing callers is the point (revoke)', async () => {
    const { deps, context } = setup(server);
    const out = await executePlan(context({}, true), deps, {
      ...plan(dropCheckout),
      kind: 'revoke',
    });
    expect(out.impact).toContain(
      '| — | `storefront/checkout (POST /charge)` |',
    );
  });
});
