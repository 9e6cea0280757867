import { ConfigReader } from '@backstage/config';
import { readAccessRequestsConfig } from './config';

describe('readAccessRequestsConfig', () => {
  it('reads meshSecurity.platformNamespaces as the backend does (common reader)', () => {
    expect(
      readAccessRequestsConfig(new ConfigReader({})).platformNamespaces,
    ).toBeUndefined();
    expect(
      readAccessRequestsConfig(
        new ConfigReader({ meshSecurity: { platformNamespaces: ['infra'] } }),
      ).platformNamespaces,
    ).toEqual(['infra']);
    expect(() =>
      readAccessRequestsConfig(
        new ConfigReader({ meshSecurity: { platformNamespaces: ['Bad!'] } }),
      ),
    ).toThrow(
      'meshSecurity.platformNamespaces: "Bad!" is not a namespace name',
    );
  });
});
