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
