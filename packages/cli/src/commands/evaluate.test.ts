import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../index';
import { writeEstate } from '../__testUtils__/estate';

/** Runs the CLI in-process, `stdin` as standard input (bounded as the real reader is). */
function run(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: t => {
      stdout += t;
    },
    stderr: t => {
      stderr += t;
    },
    stdin: (maxBytes, tooLarge) => {
      const data = Buffer.from(stdin);
      if (data.length > maxBytes) throw tooLarge();
      return data;
    },
  });
  return { code, stdout, stderr };
}

/** Namespace shop with Deployments a and b (app=<name>, container port 8080). */
const SHOP_A_B = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
${['a', 'b']
  .map(
    name => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]
`,
  )
  .join('')}`;

/** `check` of shop/a → shop/b port 8080 in a directory (or `-` and `stdin`): the decision. */
function decisionAToB(input: string, stdin = ''): string {
  const r = run(
    [
      'check',
      input,
      '--from',
      'shop/a',
      '--to',
      'shop/b',
      '--port',
      '8080',
      '--format',
      'json',
    ],
    stdin,
  );
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).decision;
}

describe('mesh-security evaluate', () => {
  const dir = writeEstate();

  it('prints the JSON contract of docs/cli.md for a directory read recursively', () => {
    const r = run(['evaluate', dir, '--format', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(r.stdout);
    expect(json.workloads).toEqual([
      {
        cluster: 'default',
        namespace: 'legacy',
        name: 'old',
        kind: 'Deployment',
        serviceAccount: 'default',
        mesh: 'none',
        identity: null,
        mtls: 'UNKNOWN',
        ports: [{ port: 80, mtls: 'UNKNOWN' }],
      },
      {
        cluster: 'default',
        namespace: 'shop',
        name: 'web',
        kind: 'Deployment',
        serviceAccount: 'web',
        mesh: 'istio-sidecar',
        identity: 'spiffe://cluster.local/ns/shop/sa/web',
        mtls: 'STRICT',
        ports: [{ port: 8080, mtls: 'STRICT' }],
      },
    ]);
    expect(json.findings.map((f: { code: string }) => f.code)).toContain(
      'MS113',
    );
  });

  it('honours --trust-domain and --root-namespace', () => {
    const json = JSON.parse(
      run([
        'evaluate',
        dir,
        '--format',
        'json',
        '--trust-domain',
        'corp.example',
        '--root-namespace',
        'mesh-root',
      ]).stdout,
    );
    expect(json.workloads[1].identity).toBe(
      'spiffe://corp.example/ns/shop/sa/web',
    );
  });

  it('raises no membership findings for --platform-namespaces, and refuses bad names', () => {
    const codesFor = (args: string[]) =>
      JSON.parse(
        run(['evaluate', dir, '--format', 'json', ...args]).stdout,
      ).findings.filter(
        (f: { object: { namespace?: string } }) =>
          f.object.namespace === 'legacy',
      );
    expect(codesFor([])).not.toEqual([]);
    expect(codesFor(['--platform-namespaces', 'kube-system,legacy'])).toEqual(
      [],
    );
    expect(
      run(['evaluate', dir, '--platform-namespaces', 'Not_A_Namespace']),
    ).toMatchObject({
      code: 2,
      stderr:
        'mesh-security: --platform-namespaces: "Not_A_Namespace" is not a namespace name\n',
    });
  });

  it('locates findings at file and line in SARIF (a List item included) and Markdown', () => {
    const sarif = run(['evaluate', dir, '--format', 'sarif']);
    expect(sarif.code).toBe(0);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe('2.1.0');
    const ms210 = log.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'MS210',
    );
    expect(ms210.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: `${dir}/nested/shop.yaml` },
      region: { startLine: 9 },
    });
    // Namespace legacy is named by a finding but in no input: no location rather than a guess.
    expect(
      log.runs[0].results
        .filter((r: { ruleId: string }) => r.ruleId === 'MS302')
        .map((r: { locations: unknown[] }) => r.locations.length)
        .sort(),
    ).toEqual([0, 1]);
    const markdown = run(['evaluate', dir, '--format', 'markdown']);
    expect(markdown.stdout).toMatch(
      /^\*\*mesh-security evaluate\*\*: 2 workload\(s\) · 4 finding\(s\)\n/,
    );
    expect(markdown.stdout).toContain(
      `| MS210 | low | \`Deployment shop/web\` | \`${dir}/nested/shop.yaml:9\` |`,
    );
  });

  it('locates each object without a readable name at its own file, not all at the first', () => {
    // A GitOps repository's other YAML (a CI workflow, a compose file, a JSON config): no
    // `kind`, each reported MS401 with the same message.
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-other-'));
    fs.writeFileSync(path.join(repo, 'ci.yml'), 'name: ci\non: push\n');
    fs.writeFileSync(
      path.join(repo, 'compose.yml'),
      '# compose\nservices: {web: {image: nginx}}\n',
    );
    fs.writeFileSync(path.join(repo, 'renovate.json'), '{"extends": []}\n');
    fs.writeFileSync(
      path.join(repo, 'policy.yaml'),
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {namespace: shop}\nspec: {}\n',
    );
    try {
      const log = JSON.parse(
        run(['evaluate', repo, '--format', 'sarif']).stdout,
      );
      const located = log.runs[0].results
        .filter((r: { ruleId: string }) => r.ruleId === 'MS401')
        .map((r: any) => [
          r.message.text.split(':')[0],
          path.basename(r.locations[0].physicalLocation.artifactLocation.uri),
          r.locations[0].physicalLocation.region.startLine,
        ]);
      expect(located.sort()).toEqual([
        [
          'PeerAuthentication (unnamed) is malformed and was ignored',
          'policy.yaml',
          1,
        ],
        ['Unknown (unnamed) is malformed and was ignored', 'ci.yml', 1],
        ['Unknown (unnamed) is malformed and was ignored', 'compose.yml', 2],
        ['Unknown (unnamed) is malformed and was ignored', 'renovate.json', 1],
      ]);
      const markdown = run(['evaluate', repo, '--format', 'markdown']).stdout;
      for (const at of ['ci.yml:1', 'compose.yml:2', 'renovate.json:1'])
        expect(markdown).toContain(`${path.join(repo, at)}\` |`);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('prints a table by default', () => {
    const r = run(['evaluate', path.join(dir, 'nested', 'shop.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAMESPACE\s+WORKLOAD\s+KIND\s+MESH\s+MTLS/);
    expect(r.stdout).toContain(
      'shop       web       Deployment  istio-sidecar  STRICT',
    );
  });

  it.each([
    [['evaluate', '/nonexistent/path'], /cannot read \/nonexistent\/path/],
    [
      ['evaluate', 'x', '--format', 'xml'],
      /--format must be table, json, markdown, sarif/,
    ],
  ])('exits 2 with one line on stderr: %j', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on a document that does not parse', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bad-'));
    fs.writeFileSync(path.join(bad, 'bad.yaml'), 'kind: [oops\n');
    const r = run(['evaluate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mesh-security: .*bad\.yaml: document 1: /);
  });

  describe('standard input (-), e.g. a build piped in', () => {
    const names = (r: { stdout: string }) =>
      JSON.parse(r.stdout).workloads.map(
        (w: any) => `${w.namespace}/${w.name}`,
      );

    it('is read where - stands among the inputs, named stdin', () => {
      const piped = run(['evaluate', '-', '--format', 'json'], SHOP_A_B);
      expect(piped.code).toBe(0);
      expect(names(piped)).toEqual(['shop/a', 'shop/b']);
      const sarif = JSON.parse(
        run(['evaluate', '-', '--format', 'sarif'], SHOP_A_B).stdout,
      );
      expect(
        sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation,
      ).toEqual({ uri: 'stdin' });
      // Beside a directory: both read.
      expect(
        names(
          run(
            ['evaluate', dir, '-', '--format', 'json'],
            SHOP_A_B.replace(/shop/g, 'piped'),
          ),
        ),
      ).toEqual(expect.arrayContaining(['piped/a', 'piped/b']));
    });

    it('serves check too', () => {
      expect(decisionAToB('-', SHOP_A_B)).toBe('ALLOW');
    });

    it.each([
      [
        ['evaluate', '-', '-'],
        '',
        /^mesh-security: - \(standard input\) is given twice\n$/,
      ],
      [
        ['evaluate', '-'],
        '',
        /^mesh-security: no objects in standard input: nothing to evaluate \(kubectl apply refuses it too: "no objects passed to apply"\)\n$/,
      ],
      [
        ['evaluate', '-'],
        '# a build that printed only a comment\n---\n',
        /^mesh-security: no objects in standard input: /,
      ],
      [
        ['evaluate', '-', '--max-file-bytes', '10'],
        SHOP_A_B,
        /^mesh-security: stdin: larger than 10 bytes \(raise with --max-file-bytes\)\n$/,
      ],
    ])('refuses %p with %p', (args, stdin, message) => {
      const r = run(args, stdin);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  });

  it('refuses inputs that hold no object, as kubectl apply does', () => {
    const empty = fs.mkdtempSync(
      path.join(os.tmpdir(), 'mesh-security-empty-'),
    );
    fs.writeFileSync(path.join(empty, 'README.md'), '# not a manifest\n');
    try {
      expect(run(['evaluate', empty])).toEqual({
        code: 2,
        stdout: '',
        stderr: `mesh-security: no objects in ${empty}: nothing to evaluate (kubectl apply refuses it too: "no objects passed to apply")\n`,
      });
      // Many inputs (a glob): three named, the rest counted.
      const files = ['a', 'b', 'c', 'd', 'e'].map(name => {
        const file = path.join(empty, `${name}.yaml`);
        fs.writeFileSync(file, '# empty\n');
        return file;
      });
      expect(run(['evaluate', ...files]).stderr).toBe(
        `mesh-security: no objects in ${files[0]}, ${files[1]}, ${files[2]}, 2 more: nothing to evaluate (kubectl apply refuses it too: "no objects passed to apply")\n`,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  describe('a Helm chart among the inputs', () => {
    /** An authorization policy as a chart's template holds it. */
    const TEMPLATE = `{{- if .Values.authz.enabled }}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: {{ include "payments.fullname" . }}
  namespace: {{ .Release.Namespace }}
spec: {}
{{- end }}
`;
    let repo: string;
    beforeAll(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-helm-'));
      fs.mkdirSync(path.join(repo, 'apps'));
      fs.writeFileSync(path.join(repo, 'apps', 'shop.yaml'), SHOP_A_B);
      fs.mkdirSync(path.join(repo, 'charts', 'payments', 'templates'), {
        recursive: true,
      });
      fs.writeFileSync(
        path.join(repo, 'charts', 'payments', 'Chart.yaml'),
        'apiVersion: v2\nname: payments\nversion: 0.1.0\n',
      );
      fs.writeFileSync(
        path.join(repo, 'charts', 'payments', 'templates', 'authz.yaml'),
        TEMPLATE,
      );
    });
    afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

    it('is refused, named, with how to read it instead (not read as YAML, not left out)', () => {
      const r = run(['evaluate', repo]);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr: `mesh-security: ${path.join(
          repo,
          'charts',
          'payments',
        )} is a Helm chart (it holds Chart.yaml): its templates are not manifests until rendered. Give the rendered manifests instead (helm template ${path.join(
          repo,
          'charts',
          'payments',
        )}), or leave the chart out of the inputs\n`,
      });
    });

    it('leaves the inputs beside it readable', () => {
      const r = run(['evaluate', path.join(repo, 'apps'), '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).workloads.map((w: any) => w.name)).toEqual([
        'a',
        'b',
      ]);
    });

    it('says that a template given as a file looks like one', () => {
      const template = path.join(
        repo,
        'charts',
        'payments',
        'templates',
        'authz.yaml',
      );
      const r = run(['evaluate', template]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^mesh-security: .*authz\.yaml: document 1: line 1, column \d+: .* \(it looks like a template: "\{\{" at line 1; give the rendered manifests instead\)\n$/,
      );
    });
  });

  describe('a kustomization among the inputs', () => {
    /** A base and a prod overlay whose patch sets the replicas of the base's Deployment. */
    let repo: string;
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      fs.writeFileSync(path.join(repo, file), text);
    };
    beforeAll(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-kust-'));
      write('base/shop.yaml', SHOP_A_B);
      write(
        'base/kustomization.yaml',
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [shop.yaml]\n',
      );
      write(
        'overlays/prod/Kustomization',
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\npatches: [{path: replicas.yaml}]\n',
      );
      // Read as an object, this patch would replace Deployment shop/a (it has no pod template).
      write(
        'overlays/prod/replicas.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: shop}\nspec: {replicas: 3}\n',
      );
    });
    afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

    it.each([
      ['', 'base', 'kustomization.yaml'],
      ['overlays', 'overlays/prod', 'Kustomization'],
    ])(
      'is refused, named, with how to build it (%p)',
      (input, kustomization, file) => {
        const refused = path.join(repo, kustomization);
        expect(run(['evaluate', path.join(repo, input)])).toEqual({
          code: 2,
          stdout: '',
          stderr: `mesh-security: ${refused} is a kustomization (it holds ${file}): its files are not manifests until built (patches, namespace, prefixes and labels applied). Give the built manifests instead (kubectl kustomize ${refused}), or leave it out of the inputs\n`,
        });
      },
    );

    it('reads a file of it given by name, as given', () => {
      const r = run([
        'evaluate',
        path.join(repo, 'base', 'shop.yaml'),
        '--format',
        'json',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).workloads.map((w: any) => w.name)).toEqual([
        'a',
        'b',
      ]);
    });
  });

  it('reads merge keys and refuses a key set twice, as kubectl apply does', () => {
    const web = `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]
`;
    const peerAuthentication = (mtls: string) => `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  mtls: {mode: STRICT}
  portLevelMtls:
${mtls}`;
    const at = (text: string) => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-yaml-'));
      fs.writeFileSync(path.join(d, 'all.yaml'), text);
      return d;
    };
    // Port 8080 takes DISABLE from the merged map: plaintext, not the workload's STRICT.
    const merged = run([
      'evaluate',
      at(
        web +
          peerAuthentication(
            '    "9090": &off {mode: DISABLE}\n    "8080": {<<: *off}\n',
          ),
      ),
      '--format',
      'json',
    ]);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).workloads[0].ports).toEqual([
      { port: 8080, mtls: 'DISABLED' },
    ]);
    const twice = run([
      'evaluate',
      at(
        web +
          peerAuthentication(
            '    "8080": {mode: DISABLE}\n    "8080": {mode: STRICT}\n',
          ),
      ),
    ]);
    expect(twice).toMatchObject({ code: 2, stdout: '' });
    expect(twice.stderr).toMatch(
      /all\.yaml: document 3: line 23, column 5: key "8080" is set twice in one map; kubectl apply refuses such a document\n$/,
    );
  });

  it('reads yes/no/on/off as booleans, as kubectl does: a policy with one is refused', () => {
    // `trusted: yes` is a boolean label value for kubectl (YAML 1.1), so the API server refuses
    // the NetworkPolicy and b is not isolated; read as the string "yes" it would deny a -> b.
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-yaml11-'));
    const policy = (value: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-trusted, namespace: shop}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {trusted: ${value}}}
`;
    const check = (value: string) => {
      fs.writeFileSync(path.join(d, 'all.yaml'), SHOP_A_B + policy(value));
      return decisionAToB(d);
    };
    expect(check('"yes"')).toBe('DENY');
    expect(check('yes')).toBe('ALLOW');
    const r = run(['evaluate', d, '--format', 'json']);
    expect(
      JSON.parse(r.stdout).findings.find(
        (f: { code: string }) => f.code === 'MS401',
      ).message,
    ).toBe(
      'NetworkPolicy shop/only-trusted is malformed and was ignored: ' +
        'spec.ingress[0].from[0].podSelector.matchLabels.trusted: must be a string, not a ' +
        'boolean (YAML reads true/false, yes/no, on/off and y/n without quotes as booleans: ' +
        'quote the value)',
    );
  });

  it('evaluates the last definition of an object defined twice, in the order kubectl applies', () => {
    // kubectl apply -f <dir> applies the files in name order: the later one replaces the
    // earlier, so which NetworkPolicy b has depends on the file names.
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-twice-'));
    const policy = (ingress: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress: ${ingress}
`;
    fs.writeFileSync(path.join(d, 'estate.yaml'), SHOP_A_B);
    const decision = (first: string, second: string) => {
      // Byte order, as kubectl walks: `B…` before `a…` (a locale's order has them the other way).
      fs.writeFileSync(path.join(d, 'B-policy.yaml'), policy(first));
      fs.writeFileSync(path.join(d, 'a-policy.yaml'), policy(second));
      return decisionAToB(d);
    };
    expect(decision('[{}]', '[]')).toBe('DENY');
    expect(decision('[]', '[{}]')).toBe('ALLOW');
    const r = run(['evaluate', d, '--format', 'json']);
    expect(
      JSON.parse(r.stdout)
        .findings.filter((f: { code: string }) => f.code === 'MS409')
        .map((f: { message: string }) => f.message),
    ).toEqual([
      'NetworkPolicy shop/b-ingress is defined 2 times in the input: the last definition is ' +
        'evaluated, as `kubectl apply` leaves it, and this earlier one is ignored',
    ]);
  });

  describe('cluster findings (MS330, MS42x) when the input holds the objects', () => {
    const cluster = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-'));
    fs.writeFileSync(
      path.join(cluster, 'cluster.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'deny', namespace: 'shop' },
            spec: { podSelector: {}, policyTypes: ['Ingress'] },
          },
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel' },
            spec: { template: { spec: { containers: [{ name: 'flannel' }] } } },
          },
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: 'linkerd-identity-trust-roots',
              namespace: 'linkerd',
            },
            data: {
              'ca-bundle.crt':
                '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
            },
          },
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'Certificate',
            metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
            spec: { secretName: 'linkerd-identity-issuer', isCA: true },
            status: { notAfter: '2020-01-01T00:00:00Z' },
          },
        ],
      }),
    );
    const codes = (args: string[]) =>
      JSON.parse(
        run(['evaluate', cluster, '--format', 'json', ...args]).stdout,
      ).findings.map((f: { code: string }) => f.code);

    it('reports expired and unreadable trust roots', () => {
      expect(codes([])).toEqual(expect.arrayContaining(['MS421', 'MS422']));
    });

    it('reports MS330 only when told the input holds every DaemonSet', () => {
      expect(codes([])).not.toContain('MS330');
      expect(codes(['--all-daemon-sets'])).toContain('MS330');
    });
  });

  describe('names crafted to attack a terminal or a CI log', () => {
    const NAMES = {
      namespace: '::error::injected',
      name: '\u001b]0;pwned\u0007\u001b[2J##[add-mask]hunter2',
      serviceAccount: 'sa\u009b2J\u202eevil\n::add-mask::x',
    };
    const hostile = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-'));
    fs.writeFileSync(
      path.join(hostile, 'crafted.json'),
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: NAMES.name, namespace: NAMES.namespace },
        spec: {
          template: {
            metadata: { labels: { app: 'x' } },
            spec: {
              serviceAccountName: NAMES.serviceAccount,
              containers: [{ name: 'c', ports: [{ containerPort: 80 }] }],
            },
          },
        },
      }),
    );
    const RAW =
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;
    const expectInert = (text: string) => {
      expect(text).not.toMatch(RAW);
      expect(text).not.toContain('##[');
      for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::/);
    };

    it.each(['table', 'json'])('prints them inert (%s)', format => {
      const r = run(['evaluate', hostile, '--format', format]);
      expect(r.code).toBe(0);
      expectInert(r.stdout);
    });

    it('keeps them exact in JSON', () => {
      const json = JSON.parse(
        run(['evaluate', hostile, '--format', 'json']).stdout,
      );
      expect(json.workloads[0]).toMatchObject(NAMES);
    });

    it('escapes a file name in an error', () => {
      const file = path.join(hostile, '::error::\u001b[2J.yaml');
      fs.writeFileSync(file, 'kind: [oops\n');
      const r = run(['evaluate', file]);
      fs.rmSync(file);
      expect(r.code).toBe(2);
      expectInert(r.stderr);
      expect(r.stderr).toContain('::error::\\u001b[2J.yaml: document 1: ');
    });
  });
});
