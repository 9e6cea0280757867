import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Linkerd AuthorizationPolicy and ServerAuthorization', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/authorization']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
