import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Linkerd HTTPRoute matching', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/httpRoute']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
