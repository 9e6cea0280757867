import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { writeEstate } from './__testUtils__/estate';

describe('bin/mesh-security', () => {
  it('runs from source through the node transform and sets the exit status', () => {
    const bin = path.resolve(__dirname, '../bin/mesh-security');
    const dir = writeEstate();
    const ok = spawnSync(
      process.execPath,
      [bin, 'evaluate', dir, '--format', 'json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).workloads).toHaveLength(2);
    const bad = spawnSync(
      process.execPath,
      [bin, 'check', dir, '--from', 'nope', '--to', 'shop/web', '--port', '1'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);
});
