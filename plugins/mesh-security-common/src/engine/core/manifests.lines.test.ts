import { parseManifests } from './manifests';

describe('parseManifests lines', () => {
  it('gives the line where each object starts, List items included', () => {
    const text = [
      '# a comment',
      'kind: ConfigMap',
      'metadata: {name: a}',
      '---',
      'kind: List',
      'items:',
      '  - kind: Secret',
      '    metadata: {name: b}',
      '  - kind: Secret',
      '    metadata: {name: c}',
      '---',
      '',
      'kind: Service',
      'metadata: {name: d}',
    ].join('\n');
    const parsed = parseManifests(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects.map(o => (o as { kind: string }).kind)).toEqual([
      'ConfigMap',
      'Secret',
      'Secret',
      'Service',
    ]);
    expect(parsed.lines).toEqual([2, 7, 9, 13]);
  });

  it('names the line of a YAML syntax error', () => {
    const parsed = parseManifests(
      'kind: A\n---\nkind: B\nmetadata: name: c\nspec: {}\n',
      'f.yaml',
    );
    expect(parsed.errors[0].message).toMatch(
      /^f\.yaml: document 2: line 4, column \d+: /,
    );
  });
});
