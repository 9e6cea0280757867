import path from 'node:path';
import { main } from '../index';
import { writeEstate } from '../__testUtils__/estate';

function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: t => {
      stdout += t;
    },
    stderr: t => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe('mesh-security check', () => {
  const dir = writeEstate();

  it('denies an external plaintext client at the mTLS layer (JSON contract)', () => {
    const r = run([
      'check',
      dir,
      '--from',
      'external',
      '--to',
      'shop/web',
      '--port',
      '8080',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.decision).toBe('DENY');
    expect(json.reasons[0]).toEqual({
      layer: 'mtls',
      policy: 'PeerAuthentication shop/default',
      message: expect.stringContaining('STRICT'),
    });
    expect(json.reasons.map((x: { layer: string }) => x.layer)).toEqual([
      'mtls',
      'authorization',
      'network-policy',
    ]);
  });

  it('prints the decision and a table', () => {
    const r = run([
      'check',
      dir,
      '--from',
      'shop/web',
      '--to',
      'shop/web',
      '--port',
      '8080',
      '--method',
      'get',
      '--path',
      '/',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('ALLOW');
    expect(r.stdout).toMatch(/LAYER\s+EFFECT\s+POLICY\s+MESSAGE/);
  });

  it.each<[string[], RegExp]>([
    [
      ['--from', 'shop/web', '--to', 'shop/nope', '--port', '8080'],
      /workload shop\/nope is not in the snapshot/,
    ],
    [
      ['--from', 'web', '--to', 'shop/web', '--port', '8080'],
      /--from must be <namespace>\/<workload> or external/,
    ],
    [
      ['--from', 'external', '--to', 'shop/web', '--port', 'http'],
      /--port must be a port number/,
    ],
    [
      ['--from', 'external', '--to', 'shop/web'],
      /required option '--port <n>' not specified/,
    ],
    ...['1e3', '0x1F90', ' 80', '080', '8080.0', '0', '65536', '-1'].map(
      (port): [string[], RegExp] => [
        ['--from', 'external', '--to', 'shop/web', '--port', port],
        /--port must be a port number \(1-65535, decimal\)/,
      ],
    ),
    [
      [
        '--from',
        'external',
        '--to',
        'shop/web',
        '--port',
        '80',
        '--method',
        'GE T',
      ],
      /^mesh-security: --method: method must be an upper-case HTTP method, not GE T$/,
    ],
    [
      [
        '--from',
        'external',
        '--to',
        'shop/web',
        '--port',
        '80',
        '--method',
        'G'.repeat(17),
      ],
      /--method is longer than 16 characters/,
    ],
    [
      [
        '--from',
        'external',
        '--to',
        'shop/web',
        '--port',
        '80',
        '--path',
        'charge',
      ],
      /--path: path must start with \/ and contain no spaces or control characters, not charge/,
    ],
    [
      [
        '--from',
        'external',
        '--to',
        'shop/web',
        '--port',
        '80',
        '--path',
        '/a\u001b[2J',
      ],
      /^mesh-security: --path: path must .*, not \/a\\u001b\[2J$/,
    ],
    [
      [
        '--from',
        'external',
        '--to',
        'shop/web',
        '--port',
        '80',
        '--path',
        `/${'a'.repeat(2048)}`,
      ],
      /--path is longer than 2048 characters/,
    ],
  ])('exits 2 on bad input %j', (flags, message) => {
    const r = run(['check', dir, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('accepts the largest port and upper-cases the method', () => {
    const r = run(
      ['check', dir, '--from', 'external', '--to', 'shop/web'].concat([
        '--port',
        '65535',
        '--method',
        'post',
        '--path',
        '/charge',
      ]),
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
});

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

describe('mesh-security check on the demo estate (catalog/demo-cluster)', () => {
  it('reports what it cannot evaluate and stays conservative (no method/path)', () => {
    const r = run([
      'check',
      demo,
      '--from',
      'storefront/checkout',
      '--to',
      'payments/payments-api',
      '--port',
      '8080',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('DENY');
    expect(r.stdout).toContain(
      'Cannot evaluate (the decision stays conservative):',
    );
  });
});
