import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import {
  deployment,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
} from '../../__testUtils__/k8s';
import { createEngine } from '..';
import { readObjects } from '../core/reader';

describe('Linkerd AuthorizationPolicy and ServerAuthorization', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/authorization']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe("AuthorizationPolicies Linkerd's admission refuses", () => {
  /**
   * Reads a/web (Server web-http on 8080) and b/cli with the objects; the MS401 messages and
   * whether b/cli may call a/web.
   */
  const webFromCli = (...objects: unknown[]) => {
    const { snapshot, findings } = readObjects([
      namespace('a', {}, { 'linkerd.io/inject': 'enabled' }),
      namespace('b', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('a', 'web', { ports: [{ port: 8080, name: 'http' }] }),
      deployment('b', 'cli'),
      linkerdServer('a', 'web-http', {
        podSelector: { matchLabels: { app: 'web' } },
        port: 'http',
      }),
      ...objects,
    ]);
    return {
      malformed: findings.filter(f => f.code === 'MS401').map(f => f.message),
      decision: createEngine(snapshot).check({
        from: { namespace: 'b', name: 'cli' },
        to: { namespace: 'a', name: 'web' },
        port: 8080,
      }).decision,
    };
  };
  const mtlsRef = (name: string) => ({
    group: 'policy.linkerd.io',
    kind: 'MeshTLSAuthentication',
    name,
  });
  const nsB = meshTlsAuthentication('a', 'ns-b', {
    identityRefs: [{ kind: 'Namespace', name: 'b' }],
  });

  it('ignores a policy requiring two MeshTLSAuthentications: the Server denies (MS401)', () => {
    // Read as written, b/cli satisfies both (its namespace, and any identity) and is
    // authorized; the policy controller refuses the policy, and a Server with no authorization
    // denies every client.
    expect(
      webFromCli(
        linkerdAuthorizationPolicy('a', 'web-from-b', {
          targetRef: {
            group: 'policy.linkerd.io',
            kind: 'Server',
            name: 'web-http',
          },
          requiredAuthenticationRefs: [mtlsRef('ns-b'), mtlsRef('any')],
        }),
        nsB,
        meshTlsAuthentication('a', 'any', { identities: ['*'] }),
      ),
    ).toEqual({
      malformed: [
        'AuthorizationPolicy a/web-from-b is malformed and was ignored: ' +
          'spec.requiredAuthenticationRefs: only a single MeshTLSAuthentication may be set ' +
          "(Linkerd's admission refuses the object)",
      ],
      decision: 'DENY',
    });
  });

  it('ignores a policy whose targetRef names a Server without its group: the Server denies', () => {
    // `targets_kind`: no group is the core API group, whose "Server" does not exist. Read as
    // written, the policy would authorize b/cli.
    expect(
      webFromCli(
        linkerdAuthorizationPolicy('a', 'web-from-b', {
          targetRef: { kind: 'Server', name: 'web-http' },
          requiredAuthenticationRefs: [mtlsRef('ns-b')],
        }),
        nsB,
      ),
    ).toEqual({
      malformed: [
        'AuthorizationPolicy a/web-from-b is malformed and was ignored: ' +
          'spec.targetRef: unsupported authorization target type: Server (without a group the ' +
          'reference names the core API group: set group: policy.linkerd.io) ' +
          "(Linkerd's admission refuses the object)",
      ],
      decision: 'DENY',
    });
  });
});
