import { Entity } from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import {
  ClusterStatus,
  EntityPosture,
  EntityWorkload,
  Finding,
  MeshCertificate,
  MtlsMode,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';
import knexFactory, { Knex } from 'knex';
import { NotificationStateStore } from './NotificationStateStore';
import {
  notificationScope,
  RegressionNotifier,
  RegressionNotifierOptions,
} from './RegressionNotifier';

/*
 * docs/backend.md "Notifications on regressions": the notifier against the plugin's migrations
 * on SQLite, with the notification service (the notifications backend's boundary) as a mock.
 */

const ENTITY: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
};
const REF = 'component:default/payments-api';
const LINK = '/catalog/default/component/payments-api/mesh-security';
const PORT_CAUSE = 'port:demo/payments/Deployment/payments-api:8080/TCP';

interface State {
  ports?: Record<number, MtlsMode>;
  findings?: Array<[code: string, severity: Severity, object?: string]>;
  certificateDaysLeft?: number;
  partial?: boolean;
  accessGraphReady?: boolean;
}

function finding(code: string, severity: Severity, name = 'payments-api') {
  return {
    code,
    severity,
    message: `${code} on ${name}.`,
    fix: 'Fix it.',
    object: {
      kind: 'Deployment',
      namespace: 'payments',
      name,
      cluster: 'demo',
    },
  } satisfies Finding;
}

/** A complete (unless said otherwise) answer for payments-api with the given state. */
function posture(state: State): EntityPosture {
  const ports = Object.entries(state.ports ?? { 8080: 'STRICT' }).map(
    ([port, mtls]) => ({ port: Number(port), protocol: 'TCP', mtls }),
  );
  const certificates: MeshCertificate[] =
    state.certificateDaysLeft === undefined
      ? []
      : [
          {
            role: 'istio-root',
            object: {
              kind: 'ConfigMap',
              namespace: 'istio-system',
              name: 'istio-ca-root-cert',
            },
            daysLeft: state.certificateDaysLeft,
            state: 'ok',
          },
        ];
  const cluster = {
    name: 'demo',
    source: 'manifests',
    status: 'ok',
    stale: false,
    snapshotAgeSeconds: 1,
    notInstalled: [],
    forbidden: [],
    errors: [],
    networkPolicyEnforcement: { state: 'enforced', reason: '' },
    certificates,
    objectCount: 1,
    snapshotBytes: 1,
    accessGraphReady: state.accessGraphReady ?? true,
  } satisfies ClusterStatus;
  return {
    entityRef: REF,
    mtls: 'STRICT',
    meshes: ['istio-sidecar'],
    findings: (state.findings ?? []).map(([code, severity, name]) =>
      finding(code, severity, name),
    ),
    workloads: [
      {
        cluster: 'demo',
        namespace: 'payments',
        name: 'payments-api',
        kind: 'Deployment',
        mesh: 'istio-sidecar',
        ports,
      } as unknown as EntityWorkload,
    ],
    clusters: [cluster],
    partial: state.partial ?? false,
    partialReasons: [],
    generatedAt: new Date().toISOString(),
  } as unknown as EntityPosture;
}

describe('RegressionNotifier', () => {
  let db: Knex;
  let store: NotificationStateStore;
  let sent: NotificationSendOptions[];
  let notifications: NotificationService & { send: jest.Mock };
  let state: State;
  let entity: Entity;

  const notifier = (
    options: Partial<RegressionNotifierOptions> = {},
    settings: Partial<RegressionNotifierOptions['settings']> = {},
  ) =>
    new RegressionNotifier({
      store,
      components: async () => [entity],
      posture: async () => posture(state),
      notifications,
      logger: mockServices.logger.mock(),
      settings: {
        severityThreshold: 'high',
        certificateWarningDays: 30,
        ...settings,
      },
      ...options,
    });

  beforeEach(async () => {
    db = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    store = await NotificationStateStore.create(db);
    sent = [];
    notifications = {
      send: jest.fn(async (options: NotificationSendOptions) => {
        sent.push(options);
      }),
    };
    state = {};
    entity = ENTITY;
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('yields to the event loop while it reads many postures (answered from memory)', async () => {
    // Each posture is computed synchronously, as the backend answers them from its views: a
    // loop of awaits that never leaves the microtask queue would hold page views meanwhile.
    let turned = false;
    const seen: boolean[] = [];
    setImmediate(() => {
      turned = true;
    });
    await notifier({
      components: async () => Array.from({ length: 8 }, () => entity),
      posture: async () => {
        seen.push(turned);
        const until = Date.now() + 8;
        while (Date.now() < until); // about 8 ms of work each
        return posture(state);
      },
    }).run();
    expect(seen).toHaveLength(8);
    expect(seen[0]).toBe(false);
    expect(seen[seen.length - 1]).toBe(true);
  });

  it('records the first observation as the baseline and notifies nothing', async () => {
    state = {
      ports: { 8080: 'PERMISSIVE' },
      findings: [['MS201', 'high']],
      certificateDaysLeft: 3,
    };
    const run = await notifier().run();
    expect(run).toMatchObject({ baselined: 1, sent: 0 });
    expect(await notifier().run()).toMatchObject({ checked: 1, sent: 0 });
    expect(sent).toEqual([]);
  });

  it('notifies the owning group once when a port leaves STRICT, and once when it recovers', async () => {
    await notifier().run();
    state = { ports: { 8080: 'PERMISSIVE' } };
    await notifier().run();
    expect(sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: 'group:default/payments-team',
        },
        payload: {
          title: 'payments-api: port 8080 of payments/payments-api left STRICT',
          description: 'It is now PERMISSIVE (cluster demo).',
          link: LINK,
          severity: 'high',
          topic: 'Mesh Security',
          scope: notificationScope(REF, PORT_CAUSE),
        },
      },
    ]);

    // Refreshes with the same state: nothing new.
    await notifier().run();
    await notifier().run();
    expect(sent).toHaveLength(1);

    state = { ports: { 8080: 'STRICT' } };
    await notifier().run();
    expect(sent).toHaveLength(2);
    expect(sent[1].payload).toEqual({
      title:
        'Resolved: payments-api: port 8080 of payments/payments-api left STRICT',
      description: 'It is STRICT now.',
      link: LINK,
      severity: 'normal',
      topic: 'Mesh Security',
      // The same scope: the notifications backend updates the regression's notification.
      scope: sent[0].payload.scope,
    });
    await notifier().run();
    expect(sent).toHaveLength(2);
  });

  it('notifies nothing from partial or provisional answers, neither a regression nor a resolution', async () => {
    await notifier().run();
    state = { ports: { 8080: 'DISABLED' }, partial: true };
    expect(await notifier().run()).toMatchObject({ skipped: 1, sent: 0 });
    state = { ports: { 8080: 'DISABLED' }, accessGraphReady: false };
    expect(await notifier().run()).toMatchObject({ skipped: 1, sent: 0 });
    expect(sent).toEqual([]);

    state = { ports: { 8080: 'DISABLED' } };
    await notifier().run();
    expect(sent).toHaveLength(1);
    // The port is gone from a partial answer, then STRICT in a provisional one: still open.
    state = { ports: {}, partial: true };
    await notifier().run();
    state = { ports: { 8080: 'STRICT' }, accessGraphReady: false };
    await notifier().run();
    expect(sent).toHaveLength(1);
  });

  it('takes a port that turns UNKNOWN for neither a regression nor a recovery', async () => {
    await notifier().run();
    state = { ports: { 8080: 'UNKNOWN' } };
    await notifier().run();
    expect(sent).toEqual([]);
    state = { ports: { 8080: 'PERMISSIVE' } };
    await notifier().run();
    state = { ports: { 8080: 'UNKNOWN' } };
    await notifier().run();
    expect(sent).toHaveLength(1); // no resolution from UNKNOWN
  });

  it('does not notify a new port that was never STRICT', async () => {
    await notifier().run();
    state = { ports: { 8080: 'STRICT', 9090: 'PERMISSIVE' } };
    await notifier().run();
    expect(sent).toEqual([]);
  });

  it('notifies once when two replicas on the same database see the same change', async () => {
    await notifier().run();
    state = { ports: { 8080: 'PERMISSIVE' } };
    const [a, b] = await Promise.all([notifier().run(), notifier().run()]);
    expect(a.sent + b.sent).toBe(1);
    await Promise.all([notifier().run(), notifier().run()]);
    expect(sent).toHaveLength(1);

    // Each replica with its own store over the same database.
    state = { ports: { 8080: 'STRICT' } };
    const other = await NotificationStateStore.create(db, {
      skipMigrations: true,
    });
    await Promise.all([notifier().run(), notifier({ store: other }).run()]);
    expect(sent).toHaveLength(2);
    expect(sent[1].payload.title).toMatch(/^Resolved: /);
  });

  it('sends nothing for a component that opts out with mesh-security.io/notifications: disabled', async () => {
    entity = {
      ...ENTITY,
      metadata: {
        ...ENTITY.metadata,
        annotations: { 'mesh-security.io/notifications': 'disabled' },
      },
    };
    await notifier().run();
    state = {
      ports: { 8080: 'PERMISSIVE' },
      findings: [['MS102', 'high']],
    };
    expect(await notifier().run()).toMatchObject({ checked: 1, sent: 0 });
    state = {};
    await notifier().run();
    expect(sent).toEqual([]);
  });

  it('notifies new findings at or above the threshold, and allow-all rules whatever their severity', async () => {
    await notifier({}, { severityThreshold: 'critical' }).run();
    state = {
      findings: [
        ['MS102', 'high'],
        ['MS101', 'medium'],
        ['MS103', 'critical'],
        ['MS213', 'medium'],
      ],
    };
    await notifier({}, { severityThreshold: 'critical' }).run();
    expect(sent.map(s => [s.payload.title, s.payload.severity])).toEqual([
      [
        'payments-api: new critical finding MS103: STRICT server behind a DestinationRule that disables mTLS',
        'critical',
      ],
      [
        'payments-api: an allow-all rule appeared (MS213, Deployment payments/payments-api)',
        'high',
      ],
    ]);

    // At threshold medium the medium finding that was already there is no news; a new one is.
    sent = [];
    state = {
      ...state,
      findings: [...state.findings!, ['MS101', 'medium', 'other']],
    };
    await notifier({}, { severityThreshold: 'medium' }).run();
    expect(sent.map(s => s.payload.title)).toEqual([
      'payments-api: new medium finding MS101: Port accepts plaintext (PERMISSIVE)',
    ]);
    expect(sent[0].payload.description).toBe('MS101 on other. Fix: Fix it.');
  });

  it('notifies a finding that appears and resolves it when it is gone', async () => {
    await notifier().run();
    state = { findings: [['MS201', 'high']] };
    await notifier().run();
    state = {};
    await notifier().run();
    expect(sent.map(s => s.payload.title)).toEqual([
      'payments-api: an allow-all rule appeared (MS201, Deployment payments/payments-api)',
      'Resolved: payments-api: an allow-all rule appeared (MS201, Deployment payments/payments-api)',
    ]);
    expect(sent[1].payload.description).toBe('It is no longer reported.');
    expect(sent[0].payload.scope).toBe(sent[1].payload.scope);
  });

  it('notifies once when a trust root enters the warning window', async () => {
    state = { certificateDaysLeft: 31 };
    await notifier().run();
    state = { certificateDaysLeft: 29 };
    await notifier().run();
    state = { certificateDaysLeft: 28 };
    await notifier().run();
    expect(sent.map(s => s.payload.title)).toEqual([
      'payments-api: mesh trust root istio-system/istio-ca-root-cert expires in 29 day(s)',
    ]);
    state = { certificateDaysLeft: 365 };
    await notifier().run();
    expect(sent[1].payload.title).toMatch(/^Resolved: /);
  });

  it('tries a notification that could not be sent again on the next run', async () => {
    await notifier().run();
    state = { ports: { 8080: 'PERMISSIVE' } };
    notifications.send.mockRejectedValueOnce(
      new Error('Failed to send notifications: 404'),
    );
    expect(await notifier().run()).toMatchObject({ sent: 0, failed: 1 });
    expect(await notifier().run()).toMatchObject({ sent: 1, failed: 0 });
    expect(await notifier().run()).toMatchObject({ sent: 0, failed: 0 });
    expect(notifications.send).toHaveBeenCalledTimes(2);
  });
});
