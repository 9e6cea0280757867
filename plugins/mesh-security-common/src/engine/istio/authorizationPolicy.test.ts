import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Istio AuthorizationPolicy: scope, actions and precedence', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['istio/authorizationPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
