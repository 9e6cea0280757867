import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Linkerd MeshTLSAuthentication and NetworkAuthentication', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/authentication']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
