import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  httpRoute,
  istioPair,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkPolicy,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { AccessEdge } from '../../model';

const peerName = (e: AccessEdge) =>
  'name' in e.peer ? `${e.peer.namespace}/${e.peer.name}` : e.peer.kind;

describe('callersOf / calleesOf', () => {
  const base = [
    ...istioPair(),
    deployment('shop', 'c'),
    namespace('legacy'),
    deployment('legacy', 'old'),
  ];

  it('without policies: every meshed workload (one summary), the unmeshed one and external clients (PERMISSIVE) may call', () => {
    const edges = engineOf(base).callersOf({ namespace: 'shop', name: 'b' });
    expect(edges.map(e => e.peer)).toEqual([
      { kind: 'any-meshed', mesh: 'istio', count: 2 },
      {
        cluster: 'default',
        namespace: 'legacy',
        name: 'old',
        kind: 'Deployment',
      },
      { kind: 'external-plaintext' },
    ]);
    expect(edges.map(e => e.connection)).toEqual([
      'mtls',
      'plaintext',
      'plaintext',
    ]);
    expect(
      edges.every(e => e.port === 8080 && e.decidedBy.layer === 'default'),
    ).toBe(true);
  });

  it('STRICT removes plaintext callers (mTLS layer)', () => {
    const edges = engineOf([
      ...base,
      peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
    ]).callersOf({ namespace: 'shop', name: 'b' });
    expect(edges.map(e => e.peer)).toEqual([
      { kind: 'any-meshed', mesh: 'istio', count: 2 },
    ]);
  });

  it('an ALLOW policy names the callers and the deciding policy; method restrictions are reported', () => {
    const ap = authorizationPolicy('shop', 'b-allow-a', {
      selector: { matchLabels: { app: 'b' } },
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }],
        },
      ],
    });
    const edges = engineOf([...base, ap]).callersOf(
      { namespace: 'shop', name: 'b' },
      8080,
    );
    expect(edges).toEqual([
      {
        peer: {
          cluster: 'default',
          namespace: 'shop',
          name: 'a',
          kind: 'Deployment',
        },
        port: 8080,
        methods: ['GET'],
        paths: ['/api/*'],
        decidedBy: {
          layer: 'authorization',
          policy: 'AuthorizationPolicy shop/b-allow-a',
        },
        portMtls: 'PERMISSIVE',
        connection: 'mtls',
        // Service port `http` (Istio's explicit protocol selection).
        protocol: 'http',
      },
    ]);
  });

  it('a client several ALLOW rules match gets their union, unrestricted when one rule is', () => {
    const fromA = [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }];
    const rule = (methods: string[], paths: string[]) => ({
      from: fromA,
      to: [{ operation: { methods, paths } }],
    });
    const sel = { matchLabels: { app: 'b' } };
    const status = authorizationPolicy('shop', 'b-status', {
      selector: sel,
      rules: [rule(['GET'], ['/status'])],
    });
    const refund = authorizationPolicy('shop', 'b-refund', {
      selector: sel,
      rules: [rule(['POST'], ['/refund'])],
    });
    const all = authorizationPolicy('shop', 'b-all', {
      selector: sel,
      rules: [{ from: fromA }],
    });
    const edgeOfA = (objects: Obj[]) =>
      engineOf([...base, ...objects])
        .callersOf({ namespace: 'shop', name: 'b' }, 8080)
        .find(e => peerName(e) === 'shop/a')!;

    expect(edgeOfA([status, refund])).toMatchObject({
      methods: ['GET', 'POST'],
      paths: ['/refund', '/status'],
      // Not GET /refund: each combination as its rule wrote it.
      operations: [
        { methods: ['POST'], paths: ['/refund'] },
        { methods: ['GET'], paths: ['/status'] },
      ],
    });
    const unrestricted = edgeOfA([status, all]);
    expect(unrestricted.methods).toBeUndefined();
    expect(unrestricted.paths).toBeUndefined();
    expect(unrestricted.operations).toBeUndefined();
    expect(unrestricted.decidedBy.policy).toBe(
      'AuthorizationPolicy shop/b-all',
    );
    // One rule with two operations: the same union.
    const twoOps = authorizationPolicy('shop', 'b-two', {
      selector: sel,
      rules: [
        {
          from: fromA,
          to: [
            { operation: { methods: ['GET'] } },
            { operation: { paths: ['/x'] } },
          ],
        },
      ],
    });
    const e = edgeOfA([twoOps]);
    expect(e.methods).toBeUndefined(); // the second operation allows any method (on /x)
    expect(e.paths).toBeUndefined(); // the first allows any path (with GET)
  });

  it('a NetworkPolicy decides when it is the only restricting layer', () => {
    const np = networkPolicy('shop', 'b-from-c', {
      podSelector: { matchLabels: { app: 'b' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }],
    });
    const edges = engineOf([...base, np]).callersOf({
      namespace: 'shop',
      name: 'b',
    });
    expect(edges.map(peerName)).toEqual(['shop/c']);
    expect(edges[0].decidedBy).toEqual({
      layer: 'network-policy',
      policy: 'NetworkPolicy shop/b-from-c',
    });
  });

  it('calleesOf lists the ports a workload may call', () => {
    const edges = engineOf([
      ...base,
      authorizationPolicy('shop', 'deny-all-c', {
        selector: { matchLabels: { app: 'c' } },
      }),
    ]).calleesOf({ namespace: 'shop', name: 'a' });
    expect(edges.map(peerName).sort()).toEqual(['legacy/old', 'shop/b']);
  });

  describe("Linkerd Server with HTTPRoutes: requests matching no route get 404, so edges carry the routes' matches", () => {
    const base2 = [
      namespace('data', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('data', 'a'),
      deployment('data', 'b'),
      deployment('data', 'c'),
      deployment('data', 'd'),
      linkerdServer('data', 'b-http', {
        podSelector: { matchLabels: { app: 'b' } },
        port: 8080,
        proxyProtocol: 'HTTP/1',
      }),
    ];
    const sa = (name: string) =>
      meshTlsAuthentication('data', `${name}-id`, {
        identityRefs: [{ kind: 'ServiceAccount', name }],
      });
    const authz = (name: string, target: Obj, caller: string) =>
      linkerdAuthorizationPolicy('data', name, {
        targetRef: target,
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: `${caller}-id`,
          },
        ],
      });
    const onServer = (caller: string) =>
      authz(
        `b-${caller}`,
        { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
        caller,
      );
    const onRoute = (route: string, caller: string) =>
      authz(
        `${route}-${caller}`,
        { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: route },
        caller,
      );
    const route = (name: string, matches: Obj[], created?: string) =>
      httpRoute(
        'data',
        name,
        {
          parentRefs: [
            { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
          ],
          rules: [{ matches }],
        },
        created,
      );
    const api = route(
      'b-api',
      [{ path: { type: 'PathPrefix', value: '/api/' }, method: 'GET' }],
      '2026-01-01T00:00:00Z',
    );
    const health = route(
      'b-health',
      [{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }],
      '2026-01-02T00:00:00Z',
    );
    const restrictions = (edges: AccessEdge[]) =>
      Object.fromEntries(
        edges.map(e => [
          peerName(e),
          { methods: e.methods, paths: e.paths, policy: e.decidedBy.policy },
        ]),
      );

    it('without routes, a Server-level caller may send any request (unchanged)', () => {
      const edges = engineOf([...base2, sa('a'), onServer('a')]).callersOf(
        { namespace: 'data', name: 'b' },
        8080,
      );
      expect(restrictions(edges)).toEqual({
        'data/a': {
          methods: undefined,
          paths: undefined,
          policy: 'AuthorizationPolicy data/b-a',
        },
      });
    });

    it("a Server-level caller may send what some route matches: the union of the routes' matches", () => {
      const edges = engineOf([
        ...base2,
        sa('a'),
        onServer('a'),
        api,
        health,
      ]).callersOf({ namespace: 'data', name: 'b' }, 8080);
      expect(restrictions(edges)).toEqual({
        'data/a': {
          methods: ['GET'],
          paths: ['/api/*', '/healthz'],
          policy: 'AuthorizationPolicy data/b-a',
        },
      });
    });

    it('routes pairing different methods and paths are listed one by one (operations)', () => {
      const post = route(
        'b-post',
        [{ path: { type: 'Exact', value: '/charge' }, method: 'POST' }],
        '2026-01-03T00:00:00Z',
      );
      const [edge] = engineOf([
        ...base2,
        sa('a'),
        onServer('a'),
        health,
        post,
      ]).callersOf({ namespace: 'data', name: 'b' }, 8080);
      expect(edge).toMatchObject({
        methods: ['GET', 'POST'],
        paths: ['/healthz', '/charge'],
      });
      expect(edge.operations).toEqual([
        { methods: ['GET'], paths: ['/healthz'] },
        { methods: ['POST'], paths: ['/charge'] },
      ]);
    });

    it("a route-level caller gets its route's matches only; a caller of no policy is absent", () => {
      const edges = engineOf([
        ...base2,
        sa('a'),
        sa('c'),
        onServer('a'),
        onRoute('b-health', 'c'),
        api,
        health,
      ]).callersOf({ namespace: 'data', name: 'b' }, 8080);
      expect(restrictions(edges)).toEqual({
        'data/a': {
          methods: ['GET'],
          paths: ['/api/*', '/healthz'],
          policy: 'AuthorizationPolicy data/b-a',
        },
        'data/c': {
          methods: ['GET'],
          paths: ['/healthz'],
          policy: 'AuthorizationPolicy data/b-health-c',
        },
      });
    });

    it('a route whose every request an older identical route serves gives its callers nothing', () => {
      const dup = route(
        'b-api-copy',
        [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }],
        '2026-03-01T00:00:00Z',
      );
      const edges = engineOf([
        ...base2,
        sa('c'),
        sa('d'),
        api,
        onRoute('b-api', 'd'),
        dup,
        onRoute('b-api-copy', 'c'),
      ]).callersOf({ namespace: 'data', name: 'b' }, 8080);
      expect(restrictions(edges)).toEqual({
        'data/d': {
          methods: ['GET'],
          paths: ['/api/*'],
          policy: 'AuthorizationPolicy data/b-api-d',
        },
      });
    });

    it('a catch-all route lifts the restriction; calleesOf agrees with callersOf', () => {
      const all = route('b-all', [
        { path: { type: 'PathPrefix', value: '/' } },
      ]);
      const engine = engineOf([...base2, sa('a'), onServer('a'), api, all]);
      expect(
        restrictions(engine.callersOf({ namespace: 'data', name: 'b' }, 8080)),
      ).toEqual({
        'data/a': {
          methods: undefined,
          paths: undefined,
          policy: 'AuthorizationPolicy data/b-a',
        },
      });
      const callee = engine
        .calleesOf({ namespace: 'data', name: 'a' })
        .filter(e => peerName(e) === 'data/b');
      expect(callee.map(e => [e.port, e.methods, e.paths])).toEqual([
        [8080, undefined, undefined],
      ]);
    });

    it('header conditions a route adds are reported as not shown', () => {
      const canary = route('b-canary', [
        {
          path: { type: 'PathPrefix', value: '/api' },
          headers: [{ name: 'x-canary', value: '1' }],
        },
      ]);
      const [edge] = engineOf([
        ...base2,
        sa('a'),
        onServer('a'),
        canary,
      ]).callersOf({ namespace: 'data', name: 'b' }, 8080);
      expect(edge.paths).toEqual(['/api/*']);
      expect(edge.cannotEvaluate).toEqual([
        "HTTPRoute data/b-canary also matches on headers (not shown in the edge's methods/paths)",
      ]);
    });
  });
});
