import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import {
  deployment,
  gatewayHttpRoute,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
} from '../../__testUtils__/k8s';
import { createEngine } from '..';
import { readObjects } from '../core/reader';

describe('Linkerd HTTPRoute matching', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/httpRoute']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe("HTTPRoutes Linkerd's policy controller ignores", () => {
  it('ignores a route with a filter inbound routes do not support: its policy authorizes nobody (MS401)', () => {
    // The Gateway API's HTTPRoute accepts a URLRewrite filter; Linkerd's policy controller
    // does not bind such a route to the Server ("Ignoring HTTPRoute"), so the policy on it
    // authorizes nothing, and the Server keeps its default route (its accessPolicy: deny).
    const route = (filters: unknown[]) =>
      gatewayHttpRoute('data', 'b-api', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        ],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            filters,
          },
        ],
      });
    const objects = (filters: unknown[]) => [
      namespace('data', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('data', 'a'),
      deployment('data', 'b'),
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
      }),
      meshTlsAuthentication('data', 'callers', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'a' }],
      }),
      route(filters),
      linkerdAuthorizationPolicy('data', 'b-api-a', {
        targetRef: {
          group: 'gateway.networking.k8s.io',
          kind: 'HTTPRoute',
          name: 'b-api',
        },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: 'callers',
          },
        ],
      }),
    ];
    const decide = (filters: unknown[]) => {
      const { snapshot, findings } = readObjects(objects(filters));
      return {
        decision: createEngine(snapshot).check({
          from: { namespace: 'data', name: 'a' },
          to: { namespace: 'data', name: 'b' },
          port: 8080,
          method: 'GET',
          path: '/api/x',
        }).decision,
        malformed: findings.filter(f => f.code === 'MS401').map(f => f.message),
      };
    };
    const headers = {
      type: 'RequestHeaderModifier',
      requestHeaderModifier: { set: [{ name: 'x-via', value: 'mesh' }] },
    };
    expect(decide([headers])).toEqual({ decision: 'ALLOW', malformed: [] });
    expect(
      decide([
        headers,
        {
          type: 'URLRewrite',
          urlRewrite: {
            path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' },
          },
        },
      ]),
    ).toEqual({
      decision: 'DENY',
      malformed: [
        'HTTPRoute data/b-api is malformed and was ignored: spec.rules[0].filters[1]: URLRewrite ' +
          "filter is not supported on a Server's routes (Linkerd's policy controller ignores the route)",
      ],
    });
  });
});
