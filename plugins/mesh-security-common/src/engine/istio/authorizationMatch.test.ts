import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Istio AuthorizationPolicy: sources, operations and conditions', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['istio/authorizationMatch']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
