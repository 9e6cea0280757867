/*
 * The GitOps repository an access change goes to: one format for the annotation
 * `mesh-security.io/gitops-repo`, the key `meshSecurity.accessRequests.repository` and the
 * actions' `repository` input, and one meaning of `meshSecurity.accessRequests.allowedRepositories`
 * for the backend (which lists pull requests) and the scaffolder module (which opens them).
 * docs/backend.md "Access-change pull requests", docs/scaffolder.md "Configuration".
 */

/**
 * A GitOps repository on a forge: `host/owner/name` (host in lower case).
 *
 * @public
 */
export interface GitopsRepository {
  /** The forge's host, optionally with a port (`github.com`, `ghe.example.com:8443`). */
  host: string;
  /** Owner (user, organisation, or GitLab group). */
  owner: string;
  /** Repository (or GitLab project) name. */
  name: string;
}

/** Longest repository string read; anything longer is refused unread. */
const MAX_REPOSITORY_LENGTH = 300;

// GitHub's own limits: hosts as in URLs (optionally with a port), owners up to 39 characters,
// repository names up to 100. Anything else — paths, queries, credentials in URLs, GitLab
// subgroups (`group/subgroup/project`, not supported yet) — is refused.
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:\d{1,5})?$/;
const OWNER = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Parses `host/owner/name` or `owner/name` (host `github.com`), optionally as an `http(s)://`
 * URL, with a `.git` suffix or a trailing slash; undefined for anything else.
 *
 * @public
 */
export function parseGitopsRepository(
  value: string,
): GitopsRepository | undefined {
  if (value.length > MAX_REPOSITORY_LENGTH) return undefined;
  const trimmed = value
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '')
    .replace(/\.git$/, '');
  const parts = trimmed.split('/');
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [host, owner, name] =
    parts.length === 2 ? ['github.com', ...parts] : parts;
  if (!HOST.test(host) || !OWNER.test(owner) || !NAME.test(name))
    return undefined;
  if (name === '.' || name === '..') return undefined;
  return { host: host.toLowerCase(), owner, name };
}

/**
 * `host/owner/name`, the form {@link parseGitopsRepository} reads back.
 *
 * @public
 */
export const formatGitopsRepository = (repository: GitopsRepository) =>
  `${repository.host}/${repository.owner}/${repository.name}`;

/**
 * The repository's web page (GitHub, GitHub Enterprise and GitLab serve it at
 * `https://host/owner/name`).
 *
 * @public
 */
export const gitopsRepositoryUrl = (repository: GitopsRepository) =>
  `https://${formatGitopsRepository(repository)}`;

/**
 * The methods of `@backstage/config`'s `Config` that {@link readGitopsRepositorySettings}
 * calls, so that this browser-safe package does not depend on it.
 *
 * @public
 */
export interface ConfigLike {
  /** The string at a dotted key, undefined when absent; throws for another type. */
  getOptionalString(key: string): string | undefined;
  /** The string array at a dotted key, undefined when absent; throws for another type. */
  getOptionalStringArray(key: string): string[] | undefined;
}

/**
 * Where access changes may go: the keys of `meshSecurity.accessRequests` the backend and the
 * scaffolder module share (declared in this package's `config.d.ts`).
 *
 * @public
 */
export interface GitopsRepositorySettings {
  /** `repository`, as configured: the default repository. */
  repository?: string;
  /** `allowedRepositories` (`owner/name` entries); undefined when the key is absent. */
  allowedRepositories?: string[];
}

const KEY = 'meshSecurity.accessRequests';

/**
 * Reads `meshSecurity.accessRequests.repository` and `.allowedRepositories`.
 *
 * @public
 */
export function readGitopsRepositorySettings(
  config: ConfigLike,
): GitopsRepositorySettings {
  return {
    repository: config.getOptionalString(`${KEY}.repository`),
    allowedRepositories: config.getOptionalStringArray(
      `${KEY}.allowedRepositories`,
    ),
  };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Why access changes may not go to `repository`, or undefined when they may. With
 * `allowedRepositories` set, the repository's `owner/name` must be listed (case-insensitively,
 * as GitHub and GitLab compare them); without it, only the default `repository` itself is
 * allowed (same host, owner and name), so an annotation never widens what is used (fail closed).
 *
 * @public
 */
export function gitopsRepositoryRefusal(
  settings: GitopsRepositorySettings,
  repository: GitopsRepository,
): string | undefined {
  const full = `${repository.owner}/${repository.name}`;
  const allowed = settings.allowedRepositories;
  if (allowed) {
    return allowed.some(entry => sameName(entry, full))
      ? undefined
      : `${full} is not in ${KEY}.allowedRepositories`;
  }
  const fallback = settings.repository
    ? parseGitopsRepository(settings.repository)
    : undefined;
  if (
    fallback &&
    sameName(
      formatGitopsRepository(fallback),
      formatGitopsRepository(repository),
    )
  )
    return undefined;
  return `${formatGitopsRepository(
    repository,
  )} is not ${KEY}.repository, the only repository allowed while ${KEY}.allowedRepositories is not set`;
}
