import {
  MTLS_CASES_BY_RULE,
  expectMtlsCase,
} from '../../__testUtils__/mtlsCheck';

describe('mesh membership: sidecar injection, ambient enrolment, Linkerd injection', () => {
  it.each(MTLS_CASES_BY_RULE['core/mesh'].map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => expect(() => expectMtlsCase(c)).not.toThrow(),
  );
});
