import { ConfigReader } from '@backstage/config';
import {
  formatGitopsRepository,
  gitopsRepositoryRefusal,
  gitopsRepositoryUrl,
  parseGitopsRepository,
  readGitopsRepositorySettings,
} from './gitopsRepository';

describe('parseGitopsRepository', () => {
  it.each([
    [
      'github.com/acme/gitops',
      { host: 'github.com', owner: 'acme', name: 'gitops' },
    ],
    ['acme/gitops', { host: 'github.com', owner: 'acme', name: 'gitops' }],
    [
      'https://GitHub.com/acme/gitops.git',
      { host: 'github.com', owner: 'acme', name: 'gitops' },
    ],
    [
      '  https://github.com/Acme/GitOps  ',
      { host: 'github.com', owner: 'Acme', name: 'GitOps' },
    ],
    [
      'http://github.com/acme/gitops',
      { host: 'github.com', owner: 'acme', name: 'gitops' },
    ],
    [
      'https://ghe.example.com/acme/gitops/',
      { host: 'ghe.example.com', owner: 'acme', name: 'gitops' },
    ],
    [
      'ghe.example.com/acme/gitops.git/',
      { host: 'ghe.example.com', owner: 'acme', name: 'gitops' },
    ],
    [
      'localhost:7790/acme/gitops',
      { host: 'localhost:7790', owner: 'acme', name: 'gitops' },
    ],
    [
      'gitlab.example.com/platform/policies',
      { host: 'gitlab.example.com', owner: 'platform', name: 'policies' },
    ],
    [
      'github.com/acme/gitops.policies',
      { host: 'github.com', owner: 'acme', name: 'gitops.policies' },
    ],
  ])('reads %s', (value, expected) => {
    expect(parseGitopsRepository(value)).toEqual(expected);
  });

  it.each([
    [''],
    ['   '],
    ['gitops'],
    ['/acme/gitops'],
    ['github.com/acme/gitops/tree/main'],
    // GitLab subgroups are not supported yet (docs/scaffolder.md).
    ['gitlab.example.com/group/subgroup/project'],
    ['https://user:pass@github.com/acme/gitops'],
    ['github.com/acme/..'],
    ['github.com/acme/.'],
    ['github.com/acme/.git'],
    ['github.com/ac me/gitops'],
    ['github.com/-acme/gitops'],
    ['evil.com?x=/acme/gitops'],
    ['github.com/acme/gitops#frag'],
    ['github.com/acme/gitops?ref=main'],
    ['ssh://git@github.com/acme/gitops'],
    ['git@github.com:acme/gitops.git'],
    ['github.com:notaport/acme/gitops'],
    ['github.com/acme/gitops\nevil'],
    ['gïthub.com/acme/gitops'],
    [`github.com/${'a'.repeat(40)}/gitops`],
    [`github.com/acme/${'x'.repeat(101)}`],
    // Longer than 300 characters in all: refused unread.
    [`github.com/acme/gitops${' '.repeat(300)}`],
  ])('refuses %j', value => {
    expect(parseGitopsRepository(value)).toBeUndefined();
  });

  it.each([
    [{ host: 'github.com', owner: 'acme', name: 'gitops' }],
    [{ host: 'ghe.example.com:8443', owner: 'Team_1', name: 'policies.v2' }],
    [{ host: 'gitlab.example.com', owner: 'platform', name: 'gitops-prod' }],
  ])('reads back what it writes: %j', repository => {
    expect(parseGitopsRepository(formatGitopsRepository(repository))).toEqual(
      repository,
    );
    expect(parseGitopsRepository(gitopsRepositoryUrl(repository))).toEqual(
      repository,
    );
  });

  it('links to the repository page', () => {
    expect(
      gitopsRepositoryUrl({ host: 'ghe.example.com', owner: 'a', name: 'b' }),
    ).toBe('https://ghe.example.com/a/b');
  });
});

describe('readGitopsRepositorySettings', () => {
  it('reads the two keys, leaving allowedRepositories undefined when absent', () => {
    expect(readGitopsRepositorySettings(new ConfigReader({}))).toEqual({
      repository: undefined,
      allowedRepositories: undefined,
    });
    expect(
      readGitopsRepositorySettings(
        new ConfigReader({
          meshSecurity: {
            accessRequests: {
              repository: 'github.com/acme/gitops',
              allowedRepositories: ['acme/gitops'],
            },
          },
        }),
      ),
    ).toEqual({
      repository: 'github.com/acme/gitops',
      allowedRepositories: ['acme/gitops'],
    });
  });

  it('names the key of a value of the wrong type', () => {
    expect(() =>
      readGitopsRepositorySettings(
        new ConfigReader({
          meshSecurity: { accessRequests: { allowedRepositories: 'a/b' } },
        }),
      ),
    ).toThrow(/meshSecurity\.accessRequests\.allowedRepositories/);
  });
});

describe('gitopsRepositoryRefusal', () => {
  const acme = { host: 'github.com', owner: 'acme', name: 'gitops' };
  const other = { host: 'github.com', owner: 'other', name: 'repo' };
  const ghe = { host: 'ghe.example.com', owner: 'acme', name: 'gitops' };

  it('allows only the listed repositories when allowedRepositories is set, case-insensitively', () => {
    const settings = {
      repository: 'github.com/acme/gitops',
      allowedRepositories: ['Acme/GitOps'],
    };
    expect(gitopsRepositoryRefusal(settings, acme)).toBeUndefined();
    expect(gitopsRepositoryRefusal(settings, ghe)).toBeUndefined();
    expect(gitopsRepositoryRefusal(settings, other)).toBe(
      'other/repo is not in meshSecurity.accessRequests.allowedRepositories',
    );
  });

  it('allows nothing, not even the default, with an empty list', () => {
    expect(
      gitopsRepositoryRefusal(
        { repository: 'github.com/acme/gitops', allowedRepositories: [] },
        acme,
      ),
    ).toBe(
      'acme/gitops is not in meshSecurity.accessRequests.allowedRepositories',
    );
  });

  it('allows only the default repository when allowedRepositories is absent', () => {
    const settings = { repository: 'https://GitHub.com/ACME/gitops.git' };
    expect(gitopsRepositoryRefusal(settings, acme)).toBeUndefined();
    expect(gitopsRepositoryRefusal(settings, other)).toBe(
      'github.com/other/repo is not meshSecurity.accessRequests.repository, the only repository allowed while meshSecurity.accessRequests.allowedRepositories is not set',
    );
    // Same owner and name on another host: another repository.
    expect(gitopsRepositoryRefusal(settings, ghe)).toMatch(
      /^ghe\.example\.com\/acme\/gitops is not/,
    );
  });

  it.each([[{}], [{ repository: '' }], [{ repository: 'not a repository' }]])(
    'allows nothing without allowedRepositories and a valid default: %j',
    settings => {
      expect(gitopsRepositoryRefusal(settings, acme)).toMatch(
        /is not meshSecurity\.accessRequests\.repository/,
      );
    },
  );
});
