import fs from 'node:fs';
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

  it.each([
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
  ])('exits 2 on bad input %j', (flags, message) => {
    const r = run(['check', dir, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

(fs.existsSync(demo) ? describe : describe.skip)(
  'mesh-security check on the demo estate (catalog/demo-cluster)',
  () => {
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
  },
);
