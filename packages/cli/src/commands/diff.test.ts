import { toBeValidSarifLog } from '@microsoft/jest-sarif';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../index';
import { writeGitEstate } from '../__testUtils__/gitEstate';

expect.extend({ toBeValidSarifLog });
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The SARIF 2.1.0 JSON schema of @microsoft/jest-sarif accepts the value. */
      toBeValidSarifLog(): R;
    }
  }
}

const GOLDEN = path.join(__dirname, '__fixtures__', 'diff');
const golden = (name: string) =>
  fs.readFileSync(path.join(GOLDEN, name), 'utf8');

/** Runs the CLI in-process in the fixture repository, `stdin` as standard input. */
function run(dir: string, args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  process.chdir(dir);
  try {
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
  } finally {
    process.chdir(cwd);
  }
}

const GATES = 'widened-access,mtls-downgrade,layer-change,new-finding:medium';

describe('mesh-security diff on a repository history', () => {
  let dir: string;
  beforeAll(() => {
    dir = writeGitEstate();
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const steps = [
    ['c1', 'c2', 'a rule added', ['widened-access']],
    ['c2', 'c3', 'a principal widened to a namespace', ['widened-access']],
    ['c3', 'c4', 'STRICT relaxed', ['mtls-downgrade', 'new-finding:medium']],
    ['c4', 'c5', 'a NetworkPolicy added', ['layer-change']],
  ] as const;

  describe.each(steps)('%s → %s (%s)', (base, head) => {
    it.each(['table', 'markdown', 'json', 'sarif'])(
      'prints the golden %s and exits 1 for the gates hit',
      format => {
        const r = run(dir, [
          'diff',
          '--base',
          base,
          '--head',
          head,
          '--format',
          format,
          '--fail-on',
          GATES,
        ]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(1);
        const ext = {
          table: 'txt',
          markdown: 'md',
          json: 'json',
          sarif: 'sarif',
        }[format];
        expect(r.stdout).toBe(golden(`${base}-${head}.${ext}`));
      },
    );
  });

  it.each(steps)(
    '%s → %s: JSON names the gates hit, SARIF is valid 2.1.0',
    (base, head, _what, hit) => {
      const args = ['diff', '--base', base, '--head', head, '--fail-on', GATES];
      const json = JSON.parse(run(dir, [...args, '--format', 'json']).stdout);
      expect(
        json.gates
          .filter((g: { hits: string[] }) => g.hits.length > 0)
          .map((g: { gate: string }) => g.gate),
      ).toEqual(hit);
      const sarif = run(dir, [...args, '--format', 'sarif']).stdout;
      expect(JSON.parse(sarif)).toBeValidSarifLog();
    },
  );

  it('locates SARIF results at the line of the object causing them', () => {
    const log = JSON.parse(
      run(dir, ['diff', '--base', 'c3', '--head', 'c4', '--format', 'sarif'])
        .stdout,
    );
    const located = log.runs[0].results.map(
      (r: {
        ruleId: string;
        locations: Array<{
          physicalLocation: {
            artifactLocation: { uri: string };
            region: { startLine: number };
          };
        }>;
      }) => [
        r.ruleId,
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.locations[0].physicalLocation.region.startLine,
      ],
    );
    expect(located).toEqual([
      ['mtls-downgrade', 'deploy/policies.yaml', 1],
      ['MS101', 'deploy/workloads.yaml', 8],
      ['MS203', 'deploy/policies.yaml', 10],
    ]);
  });

  it('exits 0 when no gate is hit, and without --fail-on', () => {
    expect(
      run(dir, [
        'diff',
        '--base',
        'c1',
        '--head',
        'c2',
        '--fail-on',
        'mtls-downgrade',
      ]).code,
    ).toBe(0);
    expect(run(dir, ['diff', '--base', 'c3', '--head', 'c4']).code).toBe(0);
  });

  it('reads the head from the working tree paths, and from stdin', () => {
    const tree = run(dir, [
      'diff',
      '--base',
      'c4',
      'deploy',
      '--format',
      'json',
    ]);
    expect(tree.code).toBe(0);
    expect(JSON.parse(tree.stdout).summary).toEqual(
      expect.objectContaining({ lost: 1, layerChanges: 1 }),
    );
    const rendered = ['workloads.yaml', 'policies.yaml', 'networkPolicy.yaml']
      .map(f => fs.readFileSync(path.join(dir, 'deploy', f), 'utf8'))
      .join('---\n');
    const piped = run(
      dir,
      ['diff', '--base', 'c4', '-', '--format', 'json'],
      rendered,
    );
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout).workloads).toEqual(
      JSON.parse(tree.stdout).workloads,
    );
    // The base as paths on disk: the same state on both sides changes nothing.
    const same = run(dir, ['diff', '--base', 'deploy', '--head', 'deploy']);
    expect(same.stdout).toMatch(/^0 workload\(s\) changed/);
  });
});

describe('mesh-security diff refuses bad input (exit 2, one line naming it)', () => {
  let dir: string;
  const refused = (message: RegExp) => ({
    code: 2,
    stdout: '',
    stderr: expect.stringMatching(
      new RegExp(`^mesh-security: [^\\n]*${message.source}[^\\n]*\\n$`),
    ),
  });
  const commit = (file: string, data: string | Buffer, tag: string) => {
    fs.writeFileSync(path.join(dir, file), data);
    const env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    };
    execFileSync('git', ['add', '-A'], { cwd: dir, env });
    execFileSync('git', ['commit', '-q', '-m', tag], { cwd: dir, env });
    execFileSync('git', ['tag', tag], { cwd: dir, env });
    execFileSync('git', ['rm', '-q', file], { cwd: dir, env });
    execFileSync('git', ['commit', '-q', '-m', `un-${tag}`], { cwd: dir, env });
  };

  beforeAll(() => {
    dir = writeGitEstate();
    commit(
      'deploy/bad.yaml',
      'kind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: name: b\n',
      'invalid-yaml',
    );
    commit(
      'deploy/latin1.yaml',
      Buffer.from('kind: ConfigMap\nmetadata:\n  name: caf\xe9\n', 'latin1'),
      'not-utf8',
    );
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++)
      bomb += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    commit('deploy/bomb.yaml', bomb, 'alias-bomb');
    fs.mkdirSync(path.join(dir, 'charts', 'payments'), { recursive: true });
    commit(
      'charts/payments/Chart.yaml',
      'apiVersion: v2\nname: payments\nversion: 0.1.0\n',
      'helm-chart',
    );
    commit(
      'deploy/kustomization.yml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n',
      'kustomization',
    );
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [
      ['--base', 'no-such-ref', '--head', 'c1'],
      /--base no-such-ref: neither a file or directory nor a git revision/,
    ],
    [
      ['--base', '--upload-pack=x', '--head', 'c1'],
      /--base --upload-pack=x: neither/,
    ],
    [
      ['--base', 'c1', '--head', 'invalid-yaml'],
      /deploy\/bad\.yaml: document 2: line 5, column \d+: /,
    ],
    [
      ['--base', 'c1', '--head', 'not-utf8'],
      /deploy\/latin1\.yaml: line 3: not UTF-8 text/,
    ],
    [
      ['--base', 'c1', '--head', 'alias-bomb'],
      /deploy\/bomb\.yaml: document 1: line 1: Excessive alias count/,
    ],
    [
      ['--base', 'c1', '--head', 'helm-chart'],
      /helm-chart: charts\/payments is a Helm chart \(it holds Chart\.yaml\): its templates are not manifests until rendered\. Give the rendered manifests instead \(helm template charts\/payments\), or leave the chart out of the inputs/,
    ],
    [
      ['--base', 'kustomization', '--head', 'c2'],
      /kustomization: deploy is a kustomization \(it holds kustomization\.yml\): its files are not manifests until built \(patches, namespace, prefixes and labels applied\)\. Give the built manifests instead \(kubectl kustomize deploy\), or leave it out of the inputs/,
    ],
    [
      ['--base', 'c1', '--head', 'c2', '--fail-on', 'everything'],
      /--fail-on: unknown gate everything/,
    ],
    [
      ['--base', 'c1', '--head', 'c2', '--fail-on', 'new-finding:urgent'],
      /--fail-on: unknown gate new-finding:urgent/,
    ],
    [
      ['--base', 'c1', '--head', 'c2', '--format', 'html'],
      /--format must be table, markdown, json, sarif, not html/,
    ],
    [['--base', '-', '-'], /only one of base and head can be read from stdin/],
    [['--base', 'c1'], /no head: give --head, manifest paths, or -/],
  ])('diff %p', (args, message) => {
    expect(run(dir, ['diff', ...args])).toEqual(refused(message));
  });

  it('reads the paths beside a Helm chart when given them', () => {
    const r = run(dir, [
      'diff',
      '--base',
      'c1',
      '--head',
      'helm-chart',
      'deploy',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses a path that is not a regular file', () => {
    expect(run(dir, ['diff', '--base', 'c1', '--head', '/dev/null'])).toEqual(
      refused(/\/dev\/null: not a regular file/),
    );
  });

  it('bounds a render on disk (50 MB)', () => {
    fs.writeFileSync(
      path.join(dir, 'render.yaml'),
      `# ${'x'.repeat(50 * 1024 * 1024)}\n`,
    );
    try {
      expect(
        run(dir, ['diff', '--base', 'c1', '--head', 'render.yaml']),
      ).toEqual(
        refused(
          /render\.yaml: larger than 16777216 bytes \(raise with --max-file-bytes\)/,
        ),
      );
    } finally {
      fs.rmSync(path.join(dir, 'render.yaml'));
    }
  });

  it('bounds a render on stdin (50 MB)', () => {
    const render = `# ${'x'.repeat(50 * 1024 * 1024)}\n`;
    expect(run(dir, ['diff', '--base', 'c1', '-'], render)).toEqual(
      refused(
        /stdin: larger than 16777216 bytes \(raise with --max-file-bytes\)/,
      ),
    );
  });
});

describe('mesh-security diff reports what reading the objects finds, as evaluate does', () => {
  let dir: string;
  const WORKLOAD = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: app, image: api:1, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
`;
  const BROKEN = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: typo, namespace: shop}
spec:
  action: SOMETIMES
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {namespace: shop}
spec: {mtls: {mode: STRICT}}
`;
  const OPEN = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]
`;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-diff-read-'));
    for (const [state, files] of Object.entries({
      base: { 'workloads.yaml': WORKLOAD },
      head: { 'workloads.yaml': WORKLOAD, 'broken.yaml': BROKEN },
    })) {
      fs.mkdirSync(path.join(dir, state));
      for (const [file, text] of Object.entries(files))
        fs.writeFileSync(path.join(dir, state, file), text);
    }
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const sarifLocations = (stdout: string) =>
    JSON.parse(stdout).runs[0].results.map(
      (r: {
        ruleId: string;
        message: { text: string };
        locations: Array<{
          physicalLocation: {
            artifactLocation: { uri: string };
            region: { startLine: number };
          };
        }>;
      }) => [
        r.ruleId,
        r.message.text.split(' ')[0],
        r.locations[0]?.physicalLocation.artifactLocation.uri,
        r.locations[0]?.physicalLocation.region.startLine,
      ],
    );

  it('introduces MS401 per malformed object, at its file and line, and resolves it', () => {
    const introduced = run(dir, [
      'diff',
      '--base',
      'base',
      '--head',
      'head',
      '--format',
      'sarif',
      '--fail-on',
      'new-finding:medium',
    ]);
    expect(introduced.stderr).toBe('');
    expect(introduced.code).toBe(1);
    expect(JSON.parse(introduced.stdout)).toBeValidSarifLog();
    const expected = [
      ['MS401', 'AuthorizationPolicy', 'head/broken.yaml', 1],
      ['MS401', 'PeerAuthentication', 'head/broken.yaml', 7],
    ];
    expect(sarifLocations(introduced.stdout)).toEqual(expected);
    // evaluate of the head reports and locates the same findings.
    const evaluated = run(dir, ['evaluate', 'head', '--format', 'sarif']);
    expect(
      sarifLocations(evaluated.stdout).filter(
        ([code]: string[]) => code === 'MS401',
      ),
    ).toEqual(expected);

    const resolved = JSON.parse(
      run(dir, ['diff', '--base', 'head', '--head', 'base', '--format', 'json'])
        .stdout,
    );
    expect(resolved.summary).toEqual(
      expect.objectContaining({ introduced: 0, resolved: 2 }),
    );
    expect(
      resolved.resolved.map((f: { code: string; object: { name: string } }) => [
        f.code,
        f.object.name,
      ]),
    ).toEqual([
      ['MS401', 'typo'],
      ['MS401', '(unnamed)'],
    ]);
  });

  it('counts a caller gained on two ports of a workload once', () => {
    fs.mkdirSync(path.join(dir, 'open'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'open', 'workloads.yaml'), WORKLOAD);
    fs.writeFileSync(path.join(dir, 'open', 'policy.yaml'), OPEN);
    const web = WORKLOAD.split('---\n')[1].replace(/\bapi\b/g, 'web');
    fs.writeFileSync(path.join(dir, 'open', 'web.yaml'), web);
    fs.mkdirSync(path.join(dir, 'closed'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'closed', 'workloads.yaml'), WORKLOAD);
    fs.writeFileSync(
      path.join(dir, 'closed', 'policy.yaml'),
      OPEN.replace(/rules: .*\n/, ''),
    );
    fs.writeFileSync(path.join(dir, 'closed', 'web.yaml'), web);
    const json = JSON.parse(
      run(dir, [
        'diff',
        '--base',
        'closed',
        '--head',
        'open',
        '--format',
        'json',
      ]).stdout,
    );
    expect(
      json.workloads[0].ports.map((p: { port: number; added: string[] }) => [
        p.port,
        p.added,
      ]),
    ).toEqual([
      [8080, ['shop/web']],
      [9090, ['shop/web']],
    ]);
    expect(json.summary.gained).toBe(1);
  });
});
