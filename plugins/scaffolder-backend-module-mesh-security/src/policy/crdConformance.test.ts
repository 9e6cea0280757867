import { HTTP_METHODS } from '@mesh-security/plugin-mesh-security-common';
import { parseAllDocuments } from 'yaml';
import { loadCrdSchemas, validateAgainstCrd } from '../__testUtils__/crdSchema';
import { fixture } from '../__testUtils__/harness';
import { parsePolicyFile, stringifyPolicyFile } from './document';
import { addIstioAccess } from './istio';
import { addLinkerdAccess } from './linkerd';
import { addLinkerdRouteAccess } from './linkerdRoutes';
import { revokeIstioRequests } from './istioRevoke';
import { enforceStrictMtls } from './peerAuthentication';

/*
 * Every object the actions write satisfies the upstream CRD schema (docs/scaffolder.md
 * "Validation"): the schemas are the test data in plugins/mesh-security-common/testdata/crds.
 */

function written(): Record<string, string> {
  const istioNew = parsePolicyFile('', 'new.yaml');
  addIstioAccess(istioNew, {
    namespace: 'payments',
    targetLabels: { app: 'payments-api' },
    selectorLabels: { app: 'payments-api' },
    targetName: 'payments-api',
    principals: ['cluster.local/ns/storefront/sa/checkout'],
    operation: {
      ports: ['8080'],
      methods: ['POST'],
      paths: ['/charge', '/api/*'],
    },
    comment: 'requested by user:default/jane',
  });
  const linkerdNew = parsePolicyFile('', 'new.yaml');
  addLinkerdAccess(linkerdNew, {
    namespace: 'data',
    targetLabels: { app: 'analytics-api' },
    selectorLabels: { app: 'analytics-api' },
    targetName: 'analytics-api',
    ports: [{ port: 8080, name: 'http' }],
    callers: [{ namespace: 'ops', name: 'reporting' }],
  });
  const mtls = parsePolicyFile('', 'new.yaml');
  enforceStrictMtls(mtls, {
    namespace: 'inventory',
    name: 'inventory-strict',
    selectorLabels: { app: 'inventory' },
  });
  enforceStrictMtls(mtls, { namespace: 'inventory', name: 'default' });
  // Per-route Linkerd access: 9 methods × 2 paths = 18 matches, split into rules of 8.
  const routes = parsePolicyFile(
    fixture('linkerd-analytics-routes.before.yaml'),
    'routes.yaml',
  );
  addLinkerdRouteAccess(
    routes,
    {
      namespace: 'data',
      targetLabels: { app: 'analytics-api' },
      selectorLabels: { app: 'analytics-api' },
      targetName: 'analytics-api',
      ports: [{ port: 8080, name: 'http' }],
      callers: [{ namespace: 'ops', name: 'reporting' }],
      methods: [...HTTP_METHODS],
      paths: ['/exports/*', '/export'],
      portsExplicit: true,
      path: 'routes.yaml',
    },
    'cluster.local',
    [],
  );
  // Istio revoke: a shared rule split, notPorts on an operation granting every port.
  const revoked = parsePolicyFile(
    fixture('istio-payments-shared.yaml'),
    'shared.yaml',
  );
  revokeIstioRequests(
    revoked,
    {
      namespace: 'payments',
      targetLabels: { app: 'payments-api' },
      principals: ['cluster.local/ns/storefront/sa/checkout'],
      revocation: { ports: ['8080'], paths: ['/status'] },
    },
    [],
  );
  return {
    'istio golden': fixture('istio-payments.after.yaml'),
    'linkerd golden': fixture('linkerd-analytics.after.yaml'),
    'linkerd per-route golden': fixture('linkerd-analytics-routes.after.yaml'),
    'linkerd per-route, many matches': stringifyPolicyFile(routes),
    'istio revoke (split rule, notPorts)': stringifyPolicyFile(revoked),
    'new Istio policy': stringifyPolicyFile(istioNew),
    'new Linkerd policies': stringifyPolicyFile(linkerdNew),
    'new PeerAuthentications': stringifyPolicyFile(mtls),
  };
}

describe('written objects satisfy the upstream CRD schemas', () => {
  const schemas = loadCrdSchemas();
  const cases = written();
  it.each(Object.entries(cases))('%s', (_, text) => {
    const objects = parseAllDocuments(text).map(d => d.toJS());
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects)
      expect({
        object: `${o.kind} ${o.metadata.name}`,
        errors: validateAgainstCrd(schemas, o),
      }).toEqual({ object: `${o.kind} ${o.metadata.name}`, errors: [] });
  });

  it('the cases exercise what they are named after', () => {
    expect(cases['istio revoke (split rule, notPorts)']).toContain(
      'notPorts: ["8080"]',
    );
    const route = parseAllDocuments(cases['linkerd per-route, many matches'])
      .map(d => d.toJS())
      .find(o => o.metadata.name === 'analytics-http-route');
    expect(
      route.spec.rules.map((r: { matches: unknown[] }) => r.matches.length),
    ).toEqual([8, 8, 2]);
  });

  it('the validator rejects what the CRD rejects (unknown field, wrong type)', () => {
    expect(
      validateAgainstCrd(schemas, {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        spec: {
          action: 'ALLOW',
          rules: [{ from: [{ source: { principal: ['x'] } }] }],
        },
      }),
    ).toEqual(['spec.rules[0].from[0].source.principal: unknown field']);
    expect(
      validateAgainstCrd(schemas, {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        spec: { action: 'PERMIT' },
      })[0],
    ).toMatch(/spec.action: must be one of/);
    expect(
      validateAgainstCrd(schemas, {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'HTTPRoute',
        spec: {
          parentRefs: [{ kind: 'Server', name: 's' }],
          rules: [{ matches: [{ path: { type: 'Suffix', value: '.json' } }] }],
        },
      })[0],
    ).toMatch(
      /spec.rules\[0\].matches\[0\].path.type: must be one of Exact, PathPrefix, RegularExpression/,
    );
  });
});
