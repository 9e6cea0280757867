import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Linkerd Server and default inbound policies', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/server']))('%s', (_name, c) =>
    expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
