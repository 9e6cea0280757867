import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';

describe('Kubernetes NetworkPolicy', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['networkPolicy/networkPolicy']))(
    '%s',
    (_name, c) => expect(() => expectAccessCase(c)).not.toThrow(),
  );
});
