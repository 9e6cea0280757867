import { parseManifests } from './manifests';

describe('parseManifests', () => {
  it('reads multi-document YAML and skips empty documents', () => {
    const r = parseManifests('a: 1\nkind: X\n---\n---\nkind: Y\n', 'f.yaml');
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([{ a: 1, kind: 'X' }, { kind: 'Y' }]);
  });

  it('flattens kind: List and typed lists', () => {
    const r = parseManifests(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { kind: 'Pod' },
          { kind: 'PodList', items: [{ kind: 'Pod', n: 2 }] },
        ],
      }),
    );
    expect(r.objects).toEqual([{ kind: 'Pod' }, { kind: 'Pod', n: 2 }]);
  });

  it('reads JSON', () => {
    expect(
      parseManifests('{"kind":"Namespace","metadata":{"name":"x"}}').objects,
    ).toHaveLength(1);
  });

  it('reports a broken document with source and number, keeping the others', () => {
    const r = parseManifests(
      'kind: A\n---\nkind: [unclosed\n---\nkind: C\n',
      'dir/bad.yaml',
    );
    expect(r.objects).toEqual([{ kind: 'A' }, { kind: 'C' }]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toMatch(/^dir\/bad\.yaml: document 2: /);
    expect(r.errors[0].message).not.toContain('\n');
  });
});
