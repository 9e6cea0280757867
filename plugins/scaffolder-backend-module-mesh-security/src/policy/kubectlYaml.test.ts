import { parseManifests } from '@mesh-security/plugin-mesh-security-common';
import { parsePolicyFile, stringifyPolicyFile } from './document';
import { addLinkerdAccess } from './linkerd';

/*
 * kubectl reads `yes`, `no`, `on`, `off`, `y` and `n` without quotes as booleans (YAML 1.1), and
 * the API server refuses a boolean where a name or label value belongs. Namespaces, names and
 * label values may be any of them, so the actions quote such strings when they write them.
 */

/** The written file as kubectl reads it (the engine's reader follows kubectl). */
const asKubectlReads = (text: string) => {
  const parsed = parseManifests(text, 'p.yaml');
  expect(parsed.errors).toEqual([]);
  return parsed.objects;
};

const change = {
  namespace: 'no',
  targetLabels: { app: 'y', exposed: 'yes' },
  selectorLabels: { app: 'y', exposed: 'yes' },
  targetName: 'y',
  ports: [{ port: 8080 }],
};

describe('strings kubectl would read as booleans', () => {
  it('are quoted in the objects a Linkerd grant creates', () => {
    const docs = parsePolicyFile('', 'p.yaml');
    addLinkerdAccess(docs, {
      ...change,
      callers: [{ namespace: 'on', name: 'off' }],
    });
    const out = stringifyPolicyFile(docs);
    expect(out).toContain('namespace: "no"');
    const objects = asKubectlReads(out) as Array<Record<string, any>>;
    expect(objects.map(o => [o.kind, o.metadata.namespace])).toEqual([
      ['Server', 'no'],
      ['MeshTLSAuthentication', 'no'],
      ['AuthorizationPolicy', 'no'],
    ]);
    expect(objects[0].spec.podSelector.matchLabels).toEqual({
      app: 'y',
      exposed: 'yes',
    });
    expect(objects[1].spec.identityRefs).toEqual([
      { kind: 'ServiceAccount', name: 'off', namespace: 'on' },
    ]);
  });

  it('are quoted when added to existing objects, which keep their lines', () => {
    const docs = parsePolicyFile('', 'p.yaml');
    addLinkerdAccess(docs, {
      ...change,
      callers: [{ namespace: 'on', name: 'off' }],
    });
    const before = `# keep me\n${stringifyPolicyFile(docs)}`;
    const edited = parsePolicyFile(before, 'p.yaml');
    expect(
      addLinkerdAccess(edited, {
        ...change,
        callers: [{ namespace: 'y', name: 'n' }],
      }),
    ).toBe(true);
    const out = stringifyPolicyFile(edited);
    // Every line of the file is still there, in order: the edit only added lines.
    const lines = out.split('\n');
    let at = 0;
    for (const line of before.split('\n')) {
      while (at < lines.length && lines[at] !== line) at++;
      expect(lines[at++]).toBe(line);
    }
    const objects = asKubectlReads(out) as Array<Record<string, any>>;
    expect(objects[1].spec.identityRefs).toEqual([
      { kind: 'ServiceAccount', name: 'off', namespace: 'on' },
      { kind: 'ServiceAccount', name: 'n', namespace: 'y' },
    ]);
  });
});

describe('a policy file that defines an object twice', () => {
  it('is refused, naming the object and both lines: kubectl keeps the last one only', () => {
    const policy = (rules: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payments, namespace: payments}
spec:
  action: ALLOW
  rules: ${rules}
`;
    const text = [
      policy('[]'),
      policy('[{from: [{source: {principals: ["cluster.local/ns/a/sa/b"]}}]}]'),
    ].join('---\n');
    expect(() => parsePolicyFile(text, 'policies/payments.yaml')).toThrow(
      'policies/payments.yaml defines AuthorizationPolicy payments/payments twice (lines 1 and 8): ' +
        'kubectl apply keeps the last definition only, so an edit of the other would change ' +
        'nothing. Keep one definition of the object, or make this change by hand',
    );
    // Another version of the group is the same object; another kind or namespace is not.
    expect(() =>
      parsePolicyFile(
        `${policy('[]')}---\n${policy('[]').replace('/v1', '/v1beta1')}`,
        'p.yaml',
      ),
    ).toThrow('defines AuthorizationPolicy payments/payments twice');
    expect(
      parsePolicyFile(
        `${policy('[]')}---\n${policy('[]').replace(
          'namespace: payments',
          'namespace: other',
        )}---\n${policy('[]').replace(
          'security.istio.io/v1',
          'policy.linkerd.io/v1alpha1',
        )}`,
        'p.yaml',
      ),
    ).toHaveLength(3);
  });
});
