import {
  ACCESS_CASES_BY_RULE,
  ALL_ACCESS_CASES,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import { engineOf } from '../../__testUtils__/engine';
import { WorkloadNotFoundError } from './access';

describe('access check', () => {
  describe('mTLS layer', () => {
    it.each(caseTable(ACCESS_CASES_BY_RULE['core/access']))('%s', (_n, c) =>
      expect(() => expectAccessCase(c)).not.toThrow(),
    );
  });

  it('runs every table case beside exactly one rule file', () => {
    const claimed = Object.values(ACCESS_CASES_BY_RULE).flat();
    expect(claimed.map(c => c.name).sort()).toEqual(
      ALL_ACCESS_CASES.map(c => c.name).sort(),
    );
  });

  it('throws WorkloadNotFoundError for a workload not in the snapshot', () => {
    const engine = engineOf(ALL_ACCESS_CASES[0].objects);
    expect(() =>
      engine.check({
        from: { kind: 'external' },
        to: { namespace: 'shop', name: 'nope' },
        port: 80,
      }),
    ).toThrow(WorkloadNotFoundError);
  });
});
