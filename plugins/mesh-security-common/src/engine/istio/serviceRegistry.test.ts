import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { engineOf } from '../../__testUtils__/engine';
import { expandCallers, pairwise } from '../../__testUtils__/graph';
import {
  deployment,
  destinationRule,
  namespace,
  peerAuthentication,
  serviceEntry,
} from '../../__testUtils__/k8s';
import { WorkloadRef } from '../../model';
import { readServiceEntry, serviceVisible } from './serviceRegistry';

/*
 * docs/engine.md "Istio service registry": the cases (__testUtils__/cases/serviceEntry.ts) cite
 * the DestinationRule, ServiceEntry and annotation references and istiod's push context.
 */
describe('Istio service registry', () => {
  const cases = ACCESS_CASES_BY_RULE['istio/serviceRegistry'];

  it.each(caseTable(cases))('%s', (_name, c) =>
    expect(() => expectAccessCase(c)).not.toThrow(),
  );

  // docs/engine.md "Access graph": the callers list answers as the check does, also where a
  // Service or ServiceEntry is hidden from some namespaces.
  it.each(caseTable(cases))('%s: the graph agrees with the check', (_n, c) => {
    const engine = engineOf(c.objects, c.options);
    const to = { ...(c.request.to as WorkloadRef), kind: 'Deployment' };
    const expanded = expandCallers(engine, to);
    expect(expanded).toEqual(pairwise(engine, to).callers);
  });
});

describe('exportTo of Services and ServiceEntries', () => {
  // istiod `initServiceRegistry` (pilot/pkg/model/push_context.go).
  it.each([
    ['absent: every namespace', undefined, 'other', true],
    ['"*" wins over "~"', ['~', '*'], 'other', true],
    ['"." is its own namespace', ['.'], 'shop', true],
    ['"." hides it from others', ['.'], 'other', false],
    ['"~" hides it from its own namespace', ['~'], 'shop', false],
    ['"~" wins over a namespace', ['~', 'other'], 'other', false],
    ['a named namespace', ['other'], 'other', true],
  ] as const)('%s', (_name, exportTo, client, visible) =>
    expect(
      serviceVisible(exportTo as string[] | undefined, 'shop', client),
    ).toBe(visible),
  );
});

describe('which ServiceEntries are modelled', () => {
  const entry = (spec: Record<string, unknown>, labels = {}) => ({
    kind: 'ServiceEntry',
    apiVersion: 'networking.istio.io/v1',
    namespace: 'shop',
    name: 'se',
    labels,
    annotations: {},
    spec: {
      hosts: ['db.example.com'],
      ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
      ...spec,
    },
  });
  const services = [
    { namespace: 'shop', name: 'b', selector: { app: 'b' }, ports: [] },
  ];
  it.each([
    ['an external host', {}, [], 'outside'],
    [
      'external endpoints',
      { endpoints: [{ address: '203.0.113.7' }] },
      [],
      'outside',
    ],
    [
      'an endpoint at a pod address',
      { endpoints: [{ address: '10.1.0.5' }] },
      ['10.1.0.5'],
      'unmodelled',
    ],
    [
      'addresses covering a pod',
      { addresses: ['10.1.0.0/16'] },
      ['10.1.0.5'],
      'unmodelled',
    ],
    [
      'an in-cluster host',
      { hosts: ['b.shop.svc.cluster.local'] },
      [],
      'unmodelled',
    ],
    [
      'a wildcard host covering a Service',
      { hosts: ['*.cluster.local'] },
      [],
      'unmodelled',
    ],
    [
      'MESH_INTERNAL with a workloadSelector',
      { location: 'MESH_INTERNAL', workloadSelector: { labels: { app: 'b' } } },
      [],
      'selector',
    ],
    [
      'a workloadSelector with a wildcard host',
      {
        location: 'MESH_INTERNAL',
        hosts: ['*.example.com'],
        workloadSelector: { labels: { app: 'b' } },
      },
      [],
      'unmodelled',
    ],
  ] as const)('%s', (_name, spec, podIps, kind) =>
    expect(readServiceEntry(entry(spec), services, [...podIps]).kind).toBe(
      kind,
    ),
  );

  it('keeps a waypoint ServiceEntry not evaluated', () =>
    expect(
      readServiceEntry(
        entry(
          {
            location: 'MESH_INTERNAL',
            workloadSelector: { labels: { app: 'b' } },
          },
          { 'istio.io/use-waypoint': 'waypoint' },
        ),
        services,
        [],
      ).kind,
    ).toBe('unmodelled'));

  // CONVERSION (`convertWorkloadInstanceToServiceInstance`): the pod's container port named as
  // the entry's port comes before `targetPort`.
  it('reaches the container port named as the entry port', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b', { ports: [{ port: 7000, name: 'tcp-db' }] }),
      serviceEntry('shop', 'db', {
        hosts: ['db.internal'],
        location: 'MESH_INTERNAL',
        ports: [
          { number: 5432, targetPort: 6000, name: 'tcp-db', protocol: 'TCP' },
        ],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'b' } },
      }),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: { mesh: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' },
      },
    ]);
    const check = (port: number) =>
      engine.check({
        from: { namespace: 'shop', name: 'a' },
        to: { namespace: 'shop', name: 'b' },
        port,
      }).decision;
    expect(check(7000)).toBe('ALLOW');
    expect(check(6000)).toBe('DENY');
  });

  // docs/engine.md "Findings and scorecard": STRICT verifies nobody when a DestinationRule for
  // the entry's host tells the clients to send plaintext (MS103).
  it('fails verify explicitly behind a DISABLE rule for a ServiceEntry host', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'b'),
      peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
      serviceEntry('shop', 'b-internal', {
        hosts: ['b.internal'],
        location: 'MESH_INTERNAL',
        ports: [
          { number: 9000, targetPort: 8080, name: 'tcp', protocol: 'TCP' },
        ],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'b' } },
      }),
      destinationRule('shop', 'b-internal', {
        host: 'b.internal',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    ]);
    const pillar = engine.posture({ namespace: 'shop', name: 'b' }).scorecard
      .verifyExplicitly;
    expect(pillar.status).toBe('fail');
    expect(pillar.detail).toContain('DestinationRule shop/b-internal');
  });

  // GitOps inputs often hold no Services: an external ServiceEntry changes no verdict there.
  it('leaves inputs without Services as they were', () => {
    const objects = [
      namespace('shop', { 'istio-injection': 'enabled' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
    ];
    const before = engineOf(objects).evaluate();
    const after = engineOf([
      ...objects,
      serviceEntry('shop', 'api', {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
        resolution: 'DNS',
      }),
    ]).evaluate();
    expect(after.workloads).toEqual(before.workloads);
    expect(after.findings).toEqual(before.findings);
  });
});
