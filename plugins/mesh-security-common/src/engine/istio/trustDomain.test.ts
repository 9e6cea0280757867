import { engineOf } from '../../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  namespace,
  service,
} from '../../__testUtils__/k8s';
import { IDENTITY_FINDINGS } from '../findings/identity';
import { expandPrincipals, expandTrustDomains } from './trustDomain';

/*
 * docs/engine.md "Trust domain". Upstream: "Global Mesh Options" `trustDomainAliases`
 * (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/), the "Trust Domain
 * Migration" task (https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/)
 * and istiod's rewrite of policy principals (istio/istio
 * pilot/pkg/security/trustdomain/bundle.go, applied by pilot/pkg/security/authz/model/model.go).
 */

describe('expandPrincipals (istio/istio pilot/pkg/security/trustdomain/bundle.go)', () => {
  it.each([
    [
      'no alias: a mesh-domain principal stays',
      ['td1'],
      ['td1/ns/foo/sa/bar'],
      ['td1/ns/foo/sa/bar'],
    ],
    [
      'an alias principal stands for every domain, the trust domain first',
      ['td2', 'td1'],
      ['td1/ns/foo/sa/bar'],
      ['td2/ns/foo/sa/bar', 'td1/ns/foo/sa/bar'],
    ],
    [
      'cluster.local points to the local trust domain, even when not an alias',
      ['td1'],
      ['cluster.local/ns/foo/sa/bar'],
      ['td1/ns/foo/sa/bar'],
    ],
    [
      'a principal of another trust domain stays as written',
      ['td1', 'td2'],
      ['some-td/ns/foo/sa/bar'],
      ['some-td/ns/foo/sa/bar'],
    ],
    [
      '`*`, a `*` trust domain and other shapes stay as written',
      ['td1', 'cluster.local'],
      ['*', '*/ns/foo/sa/bar', '*sa/zzz', 'ns/foo/sa/bar'],
      ['*', '*/ns/foo/sa/bar', '*sa/zzz', 'ns/foo/sa/bar'],
    ],
    [
      'a trailing `*` keeps its pattern under each domain',
      ['td2', 'td1'],
      ['td1/ns/foo/sa/*'],
      ['td2/ns/foo/sa/*', 'td1/ns/foo/sa/*'],
    ],
    [
      'a `*suffix` trust domain stays as written for the domains it matches',
      ['td2', 'foo-td1', 'cluster.local'],
      ['*-td1/ns/foo/sa/bar'],
      [
        'td2/ns/foo/sa/bar',
        '*-td1/ns/foo/sa/bar',
        'cluster.local/ns/foo/sa/bar',
      ],
    ],
    [
      'no duplicate when the `*suffix` matches several domains',
      ['new-td', 'old-td'],
      ['*-td/ns/some-ns/sa/some-sa'],
      ['*-td/ns/some-ns/sa/some-sa'],
    ],
  ])('%s', (_name, bundle, principals, expected) => {
    expect(expandPrincipals(principals, bundle)).toEqual(expected);
  });

  it('trustDomains values naming a bundle domain stand for all of them', () => {
    // pilot/pkg/security/trustdomain/bundle.go ExpandTrustDomainAliases: exact values only.
    expect(expandTrustDomains(['td1', 'other', 'td*'], ['td2', 'td1'])).toEqual(
      ['td2', 'td1', 'other', 'td*'],
    );
  });
});

const meshConfig = (name: string, mesh: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'istio-system' },
  data: { mesh },
});

const ALIASES = 'trustDomain: td-new\ntrustDomainAliases: [td-old]\n';

/** `shop` (sidecars): `a` (service account `a`) calls `b` on 8080, which one policy guards. */
function estate(
  mesh: string | undefined,
  source: Obj,
  extra: Obj[] = [],
  ns: Record<string, string> = { 'istio-injection': 'enabled' },
  aLabels: Record<string, string> = {},
): Obj[] {
  return [
    namespace('istio-system'),
    namespace('shop', ns),
    deployment('shop', 'a', { labels: aLabels }),
    deployment('shop', 'b', {
      labels: { 'sidecar.istio.io/inject': 'true' },
    }),
    service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    ...(mesh !== undefined ? [meshConfig('istio', mesh)] : []),
    authorizationPolicy('shop', 'b-allow', {
      selector: { matchLabels: { app: 'b' } },
      action: 'ALLOW',
      rules: [source],
    }),
    ...extra,
  ];
}

const from = (source: Obj): Obj => ({ from: [{ source }] });
const when = (key: string, values: string[]): Obj => ({
  when: [{ key, values }],
});

describe('Istio authorization under trust domain aliases', () => {
  it.each<[string, Obj[], 'ALLOW' | 'DENY']>([
    // "Global Mesh Options" trustDomainAliases; bundle.go ReplaceTrustDomainAliases.
    [
      'an alias principal matches the mesh-domain caller',
      estate(ALIASES, from({ principals: ['td-old/ns/shop/sa/a'] })),
      'ALLOW',
    ],
    [
      'without aliases the same principal does not',
      estate(
        'trustDomain: td-new\n',
        from({ principals: ['td-old/ns/shop/sa/a'] }),
      ),
      'DENY',
    ],
    [
      'a mesh-domain principal matches a caller whose identity is in the alias domain',
      estate(
        ALIASES,
        from({ principals: ['td-new/ns/shop/sa/a'] }),
        [meshConfig('istio-old', 'trustDomain: td-old\n')],
        {},
        { 'istio.io/rev': 'old' },
      ),
      'ALLOW',
    ],
    [
      'a principal of another trust domain does not match',
      estate(ALIASES, from({ principals: ['other.td/ns/shop/sa/a'] })),
      'DENY',
    ],
    [
      'notPrincipals naming the alias excludes the mesh-domain caller',
      estate(
        ALIASES,
        from({ principals: ['*'], notPrincipals: ['td-old/ns/shop/sa/a'] }),
      ),
      'DENY',
    ],
    [
      'a trailing `*` in an alias principal matches',
      estate(ALIASES, from({ principals: ['td-old/ns/shop/sa/*'] })),
      'ALLOW',
    ],
    [
      // bundle.go rewrites only `<td>/ns/<ns>/sa/<sa>` (five parts).
      'a shorter alias pattern stays as written',
      estate(ALIASES, from({ principals: ['td-old/ns/shop/*'] })),
      'DENY',
    ],
    [
      // bundle.go: "cluster.local" is "a pointer to the local trust domain and its aliases".
      'cluster.local names the local trust domain',
      estate(
        'trustDomain: td-new\n',
        from({ principals: ['cluster.local/ns/shop/sa/a'] }),
      ),
      'ALLOW',
    ],
    [
      'when source.principal naming the alias matches',
      estate(ALIASES, when('source.principal', ['td-old/ns/shop/sa/a'])),
      'ALLOW',
    ],
    [
      // model.go MigrateTrustDomain: ExpandTrustDomainAliases on source.trustDomain.
      'trustDomains naming the alias matches',
      estate(ALIASES, from({ trustDomains: ['td-old'] })),
      'ALLOW',
    ],
    [
      'when source.trustDomain naming the alias matches',
      estate(ALIASES, when('source.trustDomain', ['td-old'])),
      'ALLOW',
    ],
  ])('%s', (_name, objects, expected) => {
    const engine = engineOf(objects);
    const decision = engine.check({
      from: { namespace: 'shop', name: 'a' },
      to: { namespace: 'shop', name: 'b' },
      port: 8080,
    });
    expect(decision.decision).toBe(expected);
    expect(decision.cannotEvaluate ?? []).toEqual([]);
    // The access graph groups callers by identity prefix: it must agree with the check.
    const callers = engine
      .callersOf({ namespace: 'shop', name: 'b' }, 8080)
      .map(e => ('name' in e.peer ? e.peer.name : e.peer.kind));
    expect(callers.includes('a')).toBe(expected === 'ALLOW');
  });

  it('ztunnel applies no alias and no cluster.local rewrite', () => {
    // pilot/pkg/serviceregistry/ambient/authorization.go passes principals as written.
    const objects = [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'a'),
      deployment('shop', 'b'),
      meshConfig('istio', ALIASES),
      authorizationPolicy('shop', 'b-allow', {
        selector: { matchLabels: { app: 'b' } },
        rules: [
          from({
            principals: ['td-old/ns/shop/sa/a', 'cluster.local/ns/shop/sa/a'],
          }),
        ],
      }),
    ];
    const decision = engineOf(objects).check({
      from: { namespace: 'shop', name: 'a' },
      to: { namespace: 'shop', name: 'b' },
      port: 8080,
    });
    expect(decision.decision).toBe('DENY');
  });
});

describe('revisioned mesh ConfigMaps (istio-<revision>)', () => {
  const identityOf = (objects: Obj[], name = 'a') =>
    engineOf(objects).posture({ namespace: 'shop', name }).identity;
  const canary = meshConfig('istio-canary', 'trustDomain: canary.td\n');

  it.each<[string, Obj[], string]>([
    [
      'chosen by the pod template revision',
      estate(
        'trustDomain: td-new\n',
        {},
        [canary],
        {},
        {
          'istio.io/rev': 'canary',
        },
      ),
      'spiffe://canary.td/ns/shop/sa/a',
    ],
    [
      'chosen by the namespace revision',
      estate('trustDomain: td-new\n', {}, [canary], {
        'istio.io/rev': 'canary',
      }),
      'spiffe://canary.td/ns/shop/sa/a',
    ],
    [
      'istio-injection selects the default revision over a pod revision',
      estate('trustDomain: td-new\n', {}, [canary], undefined, {
        'istio.io/rev': 'canary',
      }),
      'spiffe://td-new/ns/shop/sa/a',
    ],
    [
      // Its verdicts are not evaluated (a revision tag?): core/unevaluated.test.ts.
      'a revision without a ConfigMap names an identity under istio',
      estate(
        'trustDomain: td-new\n',
        {},
        [canary],
        {},
        {
          'istio.io/rev': 'stable',
        },
      ),
      'spiffe://td-new/ns/shop/sa/a',
    ],
    [
      "what the revision's ConfigMap leaves unset takes Istio's defaults",
      estate(
        'trustDomain: td-new\n',
        {},
        [meshConfig('istio-canary', 'rootNamespace: istio-system\n')],
        { 'istio.io/rev': 'canary' },
      ),
      'spiffe://cluster.local/ns/shop/sa/a',
    ],
  ])('%s', (_name, objects, expected) => {
    expect(identityOf(objects)).toBe(expected);
  });

  it("a revision's aliases apply to the policies its proxies enforce", () => {
    const objects = estate(
      'trustDomain: td-new\n',
      from({ principals: ['td-old/ns/shop/sa/a'] }),
      [meshConfig('istio-canary', ALIASES)],
      { 'istio.io/rev': 'canary' },
    );
    const engine = engineOf(objects);
    expect(
      engine.check({
        from: { namespace: 'shop', name: 'a' },
        to: { namespace: 'shop', name: 'b' },
        port: 8080,
      }).decision,
    ).toBe('ALLOW');
  });

  it("a revision's outboundTrafficPolicy applies to its sidecars only", () => {
    // `b` has no Service: outside every registry.
    const inject = { 'sidecar.istio.io/inject': 'true' };
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop'),
      deployment('shop', 'a', { labels: { 'istio.io/rev': 'canary' } }),
      deployment('shop', 'c', { labels: inject }),
      deployment('shop', 'b', { labels: inject }),
      meshConfig(
        'istio-canary',
        'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n',
      ),
    ]);
    const to = { namespace: 'shop', name: 'b' };
    const decide = (name: string) =>
      engine.check({ from: { namespace: 'shop', name }, to, port: 8080 })
        .decision;
    expect(decide('a')).toBe('DENY');
    expect(decide('c')).toBe('ALLOW');
  });
});

describe('revisioned mesh ConfigMaps that could not be read', () => {
  // docs/engine.md "Unavailable inputs", `istioRevisionMeshConfigs`: whether the revision has
  // its own ConfigMap is not known, so neither is the trust domain of its workloads.
  const REASON =
    'configmaps/istio-system/istio-<revision> of cluster prod may not be read';
  const unread = { unavailable: { istioRevisionMeshConfigs: REASON } };
  const objects = (
    aLabels: Record<string, string>,
    bLabels: Record<string, string>,
  ) => [
    namespace('istio-system'),
    namespace('shop'),
    deployment('shop', 'a', {
      labels: { 'sidecar.istio.io/inject': 'true', ...aLabels },
    }),
    deployment('shop', 'b', {
      labels: { 'sidecar.istio.io/inject': 'true', ...bLabels },
    }),
    service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
    authorizationPolicy('shop', 'b-allow', {
      selector: { matchLabels: { app: 'b' } },
      action: 'ALLOW',
      rules: [from({ principals: ['cluster.local/ns/shop/sa/a'] })],
    }),
  ];
  const canary = { 'istio.io/rev': 'canary' };
  const aToB = {
    from: { namespace: 'shop', name: 'a' },
    to: { namespace: 'shop', name: 'b' },
    port: 8080,
  };

  it.each<[string, Record<string, string>, Record<string, string>]>([
    ['a client of a revision', canary, {}],
    ['a server of a revision', {}, canary],
  ])('%s: the check cannot be evaluated', (_name, aLabels, bLabels) => {
    expect(engineOf(objects(aLabels, bLabels)).check(aToB).decision).toBe(
      'ALLOW',
    );
    const decision = engineOf(objects(aLabels, bLabels), unread).check(aToB);
    expect(decision.decision).toBe('DENY');
    expect(decision.cannotEvaluate?.join(' ')).toContain(REASON);
  });

  it("makes the revision's workloads' ports UNKNOWN, others unchanged, no MS408", () => {
    const engine = engineOf(objects({}, canary), unread);
    expect(engine.posture({ namespace: 'shop', name: 'b' })).toMatchObject({
      mtls: 'UNKNOWN',
      ports: [{ mtls: 'UNKNOWN', reason: expect.stringContaining(REASON) }],
    });
    expect(engine.posture({ namespace: 'shop', name: 'a' }).mtls).not.toBe(
      'UNKNOWN',
    );
    expect(engine.evaluate().findings.map(f => f.code)).not.toContain('MS408');
  });

  it('leaves workloads of the default revision alone', () => {
    const decision = engineOf(objects({}, {}), unread).check(aToB);
    expect(decision.decision).toBe('ALLOW');
  });

  it('fails closed for an ambient workload of a revision', () => {
    const engine = engineOf(
      [
        namespace('istio-system'),
        namespace('mesh', {
          'istio.io/dataplane-mode': 'ambient',
          'istio.io/rev': 'canary',
        }),
        deployment('mesh', 'b'),
      ],
      unread,
    );
    expect(engine.posture({ namespace: 'mesh', name: 'b' }).mtls).toBe(
      'UNKNOWN',
    );
  });
});

describe('identity findings under trust domain aliases (foreign trust domain)', () => {
  const foreign = (mesh: string, principal: string) =>
    engineOf(estate(mesh, from({ principals: [principal] })))
      .evaluate()
      .findings.filter(
        f => f.code === IDENTITY_FINDINGS.foreignTrustDomain.code,
      )
      .map(f => f.message);

  it.each([
    ['an alias domain is not foreign', ALIASES, 'td-old/ns/shop/sa/a', 0],
    ['cluster.local is not foreign', ALIASES, 'cluster.local/ns/shop/sa/a', 0],
    ['another domain is', ALIASES, 'other.td/ns/shop/sa/a', 1],
    [
      'without aliases the old domain is',
      'trustDomain: td-new\n',
      'td-old/ns/shop/sa/a',
      1,
    ],
  ])('%s', (_name, mesh, principal, count) => {
    expect(foreign(mesh, principal)).toHaveLength(count);
  });
});
