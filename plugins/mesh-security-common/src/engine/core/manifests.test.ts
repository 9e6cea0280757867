import {
  DEFAULT_MANIFEST_LIMITS,
  ManifestLimits,
  parseManifests,
} from './manifests';

describe('parseManifests', () => {
  it('reads multi-document YAML and skips empty documents', () => {
    const r = parseManifests('a: 1\nkind: X\n---\n---\nkind: Z\n', 'f.yaml');
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([{ a: 1, kind: 'X' }, { kind: 'Z' }]);
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

  it('applies merge keys as kubectl does, keys of the map itself first', () => {
    const r = parseManifests(
      [
        'kind: PeerAuthentication',
        'spec:',
        '  mtls: {mode: STRICT}',
        '  portLevelMtls:',
        '    "9090": &off {mode: DISABLE}',
        '    "8080":',
        '      <<: *off',
        '    "8443":',
        '      mode: PERMISSIVE',
        '      <<: [*off, {extra: 1}]',
        '',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        kind: 'PeerAuthentication',
        spec: {
          mtls: { mode: 'STRICT' },
          portLevelMtls: {
            '9090': { mode: 'DISABLE' },
            '8080': { mode: 'DISABLE' },
            '8443': { mode: 'PERMISSIVE', extra: 1 },
          },
        },
      },
    ]);
  });

  it('reads yes/no/on/off/y/n as booleans, as kubectl does (YAML 1.1), unless quoted', () => {
    // kubectl reads YAML with sigs.k8s.io/yaml (YAML 1.1 booleans): `trusted: yes` is a boolean
    // label value, refused by the API server; YAML 1.2 alone would read the string "yes".
    const r = parseManifests(
      [
        'kind: NetworkPolicy',
        'metadata: {labels: {a: yes, b: "yes", c: No, d: OFF, e: y, f: true, g: oN}}',
        'spec:',
        "  values: [on, Off, n, Y, YES, !!str no, 'on', 2026-12-07]",
        '  yes: key',
        '',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        kind: 'NetworkPolicy',
        metadata: {
          labels: {
            a: true,
            b: 'yes',
            c: false,
            d: false,
            e: true,
            f: true,
            g: 'oN',
          },
        },
        spec: {
          values: [true, false, false, true, true, 'no', 'on', '2026-12-07'],
          // A key kubectl reads as a boolean becomes the JSON key "true".
          true: 'key',
        },
      },
    ]);
    // `on` and `true` are the same key for kubectl: set twice.
    expect(parseManifests('on: 1\ntrue: 2\n').errors[0].message).toContain(
      'is set twice in one map',
    );
  });

  it('reads numbers as kubectl does (Go): leading zero octal, underscores dropped', () => {
    const r = parseManifests(
      [
        'ports: [0443, 08080, 8_080, 0x1F, 0X1f, 0o17, 0b101, -0b11, +12, 1e3, 1_000.5, 0]',
        'strings: [1:30, 0b, "0443", 12-34, 0xFFFFFFFFFFFFFFFFFF, .5, +.inf, 2026-12-07]',
        '0755: octal key',
        '',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.objects).toEqual([
      {
        ports: [291, 8080, 8080, 31, 31, 15, 5, -3, 12, 1000, 1000.5, 0],
        strings: [
          '1:30',
          '0b',
          '0443',
          '12-34',
          '0xFFFFFFFFFFFFFFFFFF',
          0.5,
          Infinity,
          '2026-12-07',
        ],
        '493': 'octal key',
      },
    ]);
  });

  it('refuses a document that sets a key twice, naming the key, and keeps the others', () => {
    // kubectl apply refuses it; reading its last value would evaluate what the cluster lacks.
    const r = parseManifests(
      [
        'kind: A',
        '---',
        'kind: PeerAuthentication',
        'spec:',
        '  mtls: {mode: STRICT}',
        '  mtls: {mode: DISABLE}',
        '',
      ].join('\n'),
      'pa.yaml',
    );
    expect(r.objects).toEqual([{ kind: 'A' }]);
    expect(r.errors.map(e => e.message)).toEqual([
      'pa.yaml: document 2: line 6, column 3: key "mtls" is set twice in one map; ' +
        'kubectl apply refuses such a document',
    ]);
    const json = parseManifests('{"kind":"A","kind":"B"}', 'a.json');
    expect(json.objects).toEqual([]);
    expect(json.errors[0].message).toContain('key "kind" is set twice');
  });

  it('prints nothing itself: a map used as a key (an unrendered template) is read quietly', () => {
    const warnings = jest.spyOn(process, 'emitWarning');
    const warn = jest.spyOn(console, 'warn');
    try {
      const r = parseManifests(
        'kind: AuthorizationPolicy\nmetadata:\n  name: {{ .Values.name }}\n',
        'authz.yaml',
      );
      expect(r.errors).toEqual([]);
      // Read as the YAML says (a map whose one key is a map, stringified); the object's
      // validation then reports it malformed (MS401).
      expect(r.objects).toEqual([
        {
          kind: 'AuthorizationPolicy',
          metadata: { name: { '{ .Values.name }': null } },
        },
      ]);
      expect(warnings).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
      warn.mockRestore();
    }
  });
});

describe('parseManifests limits', () => {
  const refusedBy = (text: string, limits?: Partial<ManifestLimits>) => {
    const r = parseManifests(text, 'dir/hostile.yaml', limits);
    expect(r.objects).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).not.toContain('\n');
    expect(r.errors[0].message).toMatch(/^dir\/hostile\.yaml: more than \d+ /);
    return r.errors[0].limit?.name;
  };

  it('refuses a bomb of empty documents, whichever separator it uses', () => {
    const over = 50_001; // DEFAULT_MANIFEST_LIMITS.maxDocuments + 1
    expect(refusedBy('---\n'.repeat(over))).toBe('maxDocuments');
    expect(refusedBy('...\n'.repeat(over))).toBe('maxDocuments');
    expect(refusedBy('a\n...\n'.repeat(over))).toBe('maxDocuments');
  });

  it('refuses one document with too many nodes: a huge list', () => {
    const items = 125_001; // two nodes each: maxDocumentNodes / 2 + 1
    expect(refusedBy(`kind: List\nitems:\n${'- {}\n'.repeat(items)}`)).toBe(
      'maxDocumentNodes',
    );
    expect(refusedBy(`[${'1,'.repeat(items * 2)}1]`)).toBe('maxDocumentNodes');
  });

  it('refuses a text whose documents hold too many nodes together', () => {
    expect(refusedBy('- 1\n---\n'.repeat(30), { maxNodes: 50 })).toBe(
      'maxNodes',
    );
    expect(
      parseManifests('- 1\n---\n'.repeat(30), 'f', { maxNodes: 60 }).errors,
    ).toEqual([]);
  });

  it('refuses too many objects, counted after lists are flattened', () => {
    const list = `kind: List\nitems:\n${'- {}\n'.repeat(30_000)}`;
    expect(refusedBy(`${list}---\n${list}`)).toBe('maxObjects');
    expect(refusedBy('{kind: A}\n---\n'.repeat(11), { maxObjects: 10 })).toBe(
      'maxObjects',
    );
  });

  it('refuses deep nesting in flow and in block style', () => {
    const depth = 201; // DEFAULT_MANIFEST_LIMITS.maxDepth + 1
    expect(refusedBy(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toBe(
      'maxDepth',
    );
    expect(refusedBy(`${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`)).toBe(
      'maxDepth',
    );
    expect(refusedBy(`${'- '.repeat(depth)}1\n`)).toBe('maxDepth');
    expect(
      refusedBy(
        Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}a:`).join(
          '\n',
        ),
      ),
    ).toBe('maxDepth');
  });

  it('reports an alias bomb as a broken document', () => {
    let laughs = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) {
      laughs += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    }
    const r = parseManifests(`kind: A\n---\n${laughs}`, 'laughs.yaml');
    expect(r.objects).toEqual([{ kind: 'A' }]);
    expect(r.errors).toEqual([
      expect.objectContaining({
        document: 2,
        message: expect.stringMatching(/^laughs\.yaml: document 2: .*alias/i),
      }),
    ]);
  });

  it('has the documented defaults', () => {
    // docs/backend.md "Manifest limits" and docs/cli.md "Input limits" list these values.
    expect(DEFAULT_MANIFEST_LIMITS).toEqual({
      maxDocuments: 50_000,
      maxNodes: 2_000_000,
      maxDocumentNodes: 250_000,
      maxDepth: 200,
      maxObjects: 50_000,
    });
  });

  it('counts what it read', () => {
    expect(
      parseManifests('# c\n---\nkind: A\n---\nkind: List\nitems: [{}, {}]\n')
        .counts,
    ).toEqual({ documents: 2, nodes: 11, objects: 3 });
  });
});
