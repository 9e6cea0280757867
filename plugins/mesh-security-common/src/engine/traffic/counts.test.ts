import { Tally, acceptedEvidence, later, plaintextEvidence } from './counts';

describe('later', () => {
  it.each([
    // Canonical times (toISOString), compared as strings.
    ['2026-12-03T09:00:00.000Z', '2026-12-03T10:00:00.000Z', 'b'],
    ['2026-12-03T10:00:00.000Z', '2026-12-03T09:00:00.000Z', 'a'],
    ['2026-12-03T10:00:00.000Z', undefined, 'a'],
    [undefined, '2026-12-03T10:00:00.000Z', 'b'],
    // Other ISO forms are parsed: 10:00 UTC is later than 09:30 UTC written with an offset.
    ['2026-12-03T11:30:00+02:00', '2026-12-03T10:00:00.000Z', 'b'],
    ['2026-12-03T10:00:00Z', '2026-12-03T09:00:00.000Z', 'a'],
    ['2026-12-03T09:00:00.000Z', '2026-12-03T09:30:00Z', 'b'],
  ] as const)('later(%s, %s) is %s', (a, b, which) => {
    expect(later(a, b)).toBe(which === 'a' ? a : b);
  });

  it('agrees with comparing the parsed times for random canonical times', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 1000; i++) {
      const a = new Date(1.7e12 + Math.floor(random() * 1e11)).toISOString();
      const b = new Date(1.7e12 + Math.floor(random() * 1e11)).toISOString();
      const expected = Date.parse(b) > Date.parse(a) ? b : a;
      expect(later(a, b)).toBe(expected);
    }
  });
});

describe('Tally', () => {
  const source = { from: { kind: 'unknown' as const } };
  /** A flow as the backend holds it: counts in fields, objects built on every read. */
  const held = (recent: number[], evidence: number[], lastSeen?: string) => {
    const flow = {
      recentMtls: recent[0],
      recentPlaintext: recent[1],
      recentDenied: recent[2],
      evidenceMtls: evidence[0],
      evidencePlaintext: evidence[1],
      evidenceDenied: evidence[2],
      lastSeen,
      reads: 0,
      get recent() {
        this.reads++;
        return { mtls: recent[0], plaintext: recent[1], denied: recent[2] };
      },
      get evidence() {
        this.reads++;
        return {
          mtls: evidence[0],
          plaintext: evidence[1],
          denied: evidence[2],
        };
      },
    };
    return flow;
  };
  const plain = (recent: number[], evidence: number[], lastSeen?: string) => ({
    recent: { mtls: recent[0], plaintext: recent[1], denied: recent[2] },
    evidence: {
      mtls: evidence[0],
      plaintext: evidence[1],
      denied: evidence[2],
    },
    lastSeen,
  });
  const windows: Array<[number[], number[], string | undefined]> = [
    [[1, 2, 3], [10, 20, 30], '2026-12-05T04:00:00.000Z'],
    [[0, 0, 0], [5, 0, 1], undefined],
    // What the metrics may answer: NaN, negative and infinite counts count as nothing.
    [[NaN, -4, Infinity], [7, NaN, -1], '2026-12-05T05:00:00.000Z'],
  ];

  it('sums flows holding their counts as fields as it sums their windows, reading no window', () => {
    const fromFields = new Tally();
    const fromWindows = new Tally();
    const flows = windows.map(w => held(...w));
    flows.forEach((f, i) => fromFields.add(`s${i % 2}`, source, f));
    windows.forEach((w, i) =>
      fromWindows.add(`s${i % 2}`, source, plain(...w)),
    );
    expect(fromFields.recent).toEqual({ mtls: 1, plaintext: 2, denied: 3 });
    expect(fromFields.evidence).toEqual({
      mtls: 22,
      plaintext: 20,
      denied: 31,
    });
    expect(fromFields.recent).toEqual(fromWindows.recent);
    expect(fromFields.evidence).toEqual(fromWindows.evidence);
    expect(fromFields.lastSeen).toBe('2026-12-05T05:00:00.000Z');
    expect(fromFields.top(s => s.evidence.mtls)).toEqual(
      fromWindows.top(s => s.evidence.mtls),
    );
    expect(flows.map(f => f.reads)).toEqual([0, 0, 0]);
  });

  it('lists the sources kept, each with its own sums, most first, ties by label, at most five', () => {
    const tally = new Tally();
    const workload = (name: string) => ({
      from: {
        kind: 'workload' as const,
        namespace: 'shop',
        name,
      },
      workload: { namespace: 'shop', name, kind: 'Deployment' },
    });
    // Seven sources; `c` sends twice, `b` and `d` tie with `e` (label order), `g` sends nothing.
    const sent: Array<[string, number[], string?]> = [
      ['e', [0, 4, 0], '2026-12-05T01:00:00.000Z'],
      ['c', [0, 3, 0]],
      ['d', [0, 4, 0]],
      ['a', [0, 1, 0]],
      ['c', [2, 6, 1], '2026-12-05T03:00:00.000Z'],
      ['b', [9, 4, 0], '2026-12-05T02:00:00.000Z'],
      ['f', [0, 2, 0]],
      ['g', [5, 0, 0]],
    ];
    for (const [name, evidence, lastSeen] of sent)
      tally.add(name, workload(name), plain([0, 0, 0], evidence, lastSeen));
    const { list, count } = tally.top(
      s => s.evidence.plaintext,
      s => s.evidence.plaintext > 0,
    );
    expect(count).toBe(6);
    expect(list.map(s => s.workload!.name)).toEqual(['c', 'b', 'd', 'e', 'f']);
    expect(list[0]).toEqual({
      ...workload('c'),
      recent: { mtls: 0, plaintext: 0, denied: 0 },
      evidence: { mtls: 2, plaintext: 9, denied: 1 },
      lastSeen: '2026-12-05T03:00:00.000Z',
    });
    expect(list.map(s => s.lastSeen)).toEqual([
      '2026-12-05T03:00:00.000Z',
      '2026-12-05T02:00:00.000Z',
      undefined,
      '2026-12-05T01:00:00.000Z',
      undefined,
    ]);
    expect(list[2]).not.toHaveProperty('lastSeen');
    expect(tally.sourceCount).toBe(7);
    expect(tally.top(s => s.evidence.mtls, undefined, 2).list).toEqual([
      expect.objectContaining({ workload: workload('b').workload }),
      expect.objectContaining({ workload: workload('g').workload }),
    ]);
  });

  it('a tally of one source lists none and counts it once anything was added', () => {
    const tally = new Tally(false);
    expect(tally.sourceCount).toBe(0);
    tally.add('a', source, plain([1, 0, 0], [2, 0, 0]));
    tally.add('b', source, plain([1, 0, 0], [2, 0, 0]));
    expect(tally.sourceCount).toBe(1);
    expect(tally.top(s => s.evidence.mtls)).toEqual({ list: [], count: 1 });
    expect(tally.evidence).toEqual({ mtls: 4, plaintext: 0, denied: 0 });
  });

  it('lists only the keys it is given, each with all its flows, and counts the others by key', () => {
    const tally = new Tally(new Set(['p']));
    // `p`'s first flow is mTLS only: its entry still sums it. `m` and `n` are counted, not listed;
    // so is every unknown source (one key).
    tally.add('p', source, held([1, 0, 0], [3, 0, 0]));
    tally.add('m', source, held([2, 0, 0], [4, 0, 0]));
    tally.add(
      'p',
      source,
      held([0, 1, 0], [0, 2, 0], '2026-12-06T01:00:00.000Z'),
    );
    tally.add('n', source, plain([1, 0, 0], [1, 0, 0]));
    tally.add('m', source, plain([1, 0, 0], [1, 0, 0]));
    tally.add('', source, plain([1, 0, 0], [1, 0, 0]));
    expect(tally.sourceCount).toBe(4);
    expect(tally.evidence).toEqual({ mtls: 10, plaintext: 2, denied: 0 });
    expect(tally.top(s => s.evidence.plaintext)).toEqual({
      list: [
        {
          ...source,
          recent: { mtls: 1, plaintext: 1, denied: 0 },
          evidence: { mtls: 3, plaintext: 2, denied: 0 },
          lastSeen: '2026-12-06T01:00:00.000Z',
        },
      ],
      count: 1,
    });
    const none = new Tally(new Set());
    none.add('m', source, plain([1, 0, 0], [1, 0, 0]));
    expect(none.sourceCount).toBe(1);
    expect(none.top(s => s.evidence.plaintext)).toEqual({ list: [], count: 0 });
  });

  it('plaintextEvidence reads what a tally adds: the field, or the window, counted if finite', () => {
    expect(plaintextEvidence(held([0, 0, 0], [1, 5, 0]))).toBe(5);
    expect(plaintextEvidence(plain([0, 0, 0], [1, 5, 0]))).toBe(5);
    expect(plaintextEvidence(held([0, 9, 0], [1, NaN, 0]))).toBe(0);
    expect(plaintextEvidence(plain([0, 0, 0], [1, -3, 0]))).toBe(0);
  });

  it('acceptedEvidence reads the fields of a flow that has them', () => {
    const flow = held([1, 1, 1], [4, 5, 6]);
    expect(acceptedEvidence(flow)).toBe(9);
    expect(acceptedEvidence(plain([1, 1, 1], [4, 5, 6]))).toBe(9);
    expect(flow.reads).toBe(0);
  });
});
