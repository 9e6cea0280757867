import {
  ACCESS_CASES_BY_RULE,
  caseTable,
  expectAccessCase,
} from '../../__testUtils__/accessCheck';
import {
  MTLS_CASES_BY_RULE,
  expectMtlsCase,
} from '../../__testUtils__/mtlsCheck';

describe('Linkerd Server and default inbound policies', () => {
  it.each(caseTable(ACCESS_CASES_BY_RULE['linkerd/server']))('%s', (_name, c) =>
    expect(() => expectAccessCase(c)).not.toThrow(),
  );
});

describe('Linkerd inbound policy: mTLS mode per port', () => {
  it.each(MTLS_CASES_BY_RULE['linkerd/server'].map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => expect(() => expectMtlsCase(c)).not.toThrow(),
  );
});
