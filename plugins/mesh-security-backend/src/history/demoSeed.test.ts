import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DemoSeed, demoSeedRows, readDemoSeed } from './demoSeed';

const seed: DemoSeed = {
  components: [
    {
      entityRef: 'component:default/payments-api',
      owner: 'payments-team',
      events: [
        {
          daysAgo: 5,
          mtls: 'PERMISSIVE',
          ports: { strict: 0, total: 2 },
          findings: { high: 2, low: 1 },
          pillars: {
            verifyExplicitly: 'warn',
            leastPrivilege: 'fail',
            assumeBreach: 'pass',
            noCredentialLeakage: 'pass',
          },
        },
        {
          daysAgo: 3,
          findings: { low: 1 },
          pillars: { leastPrivilege: 'pass' },
        },
        {
          daysAgo: 2,
          mtls: 'STRICT',
          ports: { strict: 2, total: 2 },
          pillars: { verifyExplicitly: 'pass' },
        },
      ],
    },
  ],
};

/** A complete first event, in YAML's flow style. */
const FIRST =
  '{ daysAgo: 3, mtls: STRICT, ports: { strict: 1, total: 1 }, findings: {}, pillars: { verifyExplicitly: pass, leastPrivilege: pass, assumeBreach: pass, noCredentialLeakage: pass } }';

describe('demo history seed', () => {
  const now = new Date('2026-12-02T18:30:00Z');

  it('derives one row per day up to yesterday, each with the latest event’s state', () => {
    const { days, changes } = demoSeedRows(seed, now, 400);
    expect(days.map(d => [d.posture.day, d.posture.mtls])).toEqual([
      ['2026-11-27', 'PERMISSIVE'],
      ['2026-11-28', 'PERMISSIVE'],
      ['2026-11-29', 'PERMISSIVE'],
      ['2026-11-30', 'STRICT'],
      ['2026-12-01', 'STRICT'],
    ]);
    expect(days[0]).toEqual({
      entityRef: 'component:default/payments-api',
      owner: 'payments-team',
      posture: {
        day: '2026-11-27',
        mtls: 'PERMISSIVE',
        strictPorts: 0,
        totalPorts: 2,
        findingCounts: { critical: 0, high: 2, medium: 0, low: 1, info: 0 },
        pillars: {
          verifyExplicitly: 'warn',
          leastPrivilege: 'fail',
          assumeBreach: 'pass',
          noCredentialLeakage: 'pass',
        },
      },
    });
    // Findings are replaced as a whole, pillars merged, the rest carried forward.
    expect(days[2].posture.findingCounts.high).toBe(0);
    expect(days[2].posture.pillars.leastPrivilege).toBe('pass');
    expect(days[4].posture).toMatchObject({
      strictPorts: 2,
      findingCounts: { high: 0, low: 1 },
      pillars: { verifyExplicitly: 'pass', leastPrivilege: 'pass' },
    });
    // A change only where the mode changes, at noon of the event's day.
    expect(changes).toEqual([
      {
        entityRef: 'component:default/payments-api',
        at: '2026-11-27T12:00:00.000Z',
        to: 'PERMISSIVE',
      },
      {
        entityRef: 'component:default/payments-api',
        at: '2026-11-30T12:00:00.000Z',
        from: 'PERMISSIVE',
        to: 'STRICT',
      },
    ]);
  });

  it('is the same at any time of the same day, and moves with the day', () => {
    const morning = demoSeedRows(seed, new Date('2026-12-02T00:00:01Z'), 400);
    expect(morning).toEqual(demoSeedRows(seed, now, 400));
    const next = demoSeedRows(seed, new Date('2026-12-03T09:00:00Z'), 400);
    expect(next.days[0].posture.day).toBe('2026-11-28');
  });

  it('seeds nothing beyond the retention', () => {
    const { days } = demoSeedRows(seed, now, 3);
    expect(days.map(d => d.posture.day)).toEqual(['2026-11-30', '2026-12-01']);
  });

  describe('reading the file', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-seed-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, text);
      return p;
    };

    it('reads the demo’s own events', () => {
      const demo = readDemoSeed(
        path.resolve(__dirname, '../../../../catalog/demo-history/events.yaml'),
      );
      expect(demo.components.length).toBeGreaterThan(5);
    });

    it.each([
      [
        'not YAML',
        'components: [',
        /meshSecurity\.history\.demoSeed \(.*\) is not valid YAML/,
      ],
      [
        'an unknown key',
        `components: [{ entityRef: "component:default/a", events: [${FIRST}] }]\ncolour: red`,
        /is invalid: \(top\): Unrecognized key\(s\) in object: 'colour'/,
      ],
      [
        'a first event that says too little',
        'components: [{ entityRef: "component:default/a", events: [{ daysAgo: 3, mtls: STRICT }] }]',
        /components\.0\.events\.0\.ports: the first event must give ports/,
      ],
      [
        'events out of order',
        `components:
  - entityRef: component:default/a
    events:
      - ${FIRST}
      - { daysAgo: 4, mtls: PERMISSIVE }`,
        /components\.0\.events\.1\.daysAgo: events must be oldest first/,
      ],
      [
        'today (recorded, never seeded)',
        'components: [{ entityRef: "component:default/a", events: [{ daysAgo: 0 }] }]',
        /components\.0\.events\.0\.daysAgo: Number must be greater than or equal to 1/,
      ],
      [
        'more STRICT ports than ports',
        'components: [{ entityRef: "component:default/a", events: [{ daysAgo: 2, ports: { strict: 3, total: 2 } }] }]',
        /strict must not exceed total/,
      ],
      [
        'a mode that does not exist',
        'components: [{ entityRef: "component:default/a", events: [{ daysAgo: 2, mtls: MAYBE }] }]',
        /components\.0\.events\.0\.mtls: Invalid enum value/,
      ],
      [
        'a short entity reference',
        'components: [{ entityRef: "payments-api", events: [{ daysAgo: 2 }] }]',
        /components\.0\.entityRef: a full entity reference/,
      ],
    ])('refuses %s, naming the key and the problem', (name, text, message) => {
      expect(() =>
        readDemoSeed(file(`${name.replace(/\W+/g, '-')}.yaml`, text)),
      ).toThrow(message);
    });

    it('refuses a missing file', () => {
      expect(() => readDemoSeed(path.join(dir, 'missing.yaml'))).toThrow(
        /meshSecurity\.history\.demoSeed \(.*missing\.yaml\) cannot be read/,
      );
    });
  });
});
