import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';

/** A GitOps repository on a forge: `host/owner/name`. */
export interface GitopsRepository {
  host: string;
  owner: string;
  name: string;
}

/**
 * The parts of `meshSecurity.accessRequests` (shared with the scaffolder module, which opens the
 * pull requests) that say where access changes live.
 */
export interface AccessChangeSettings {
  /** Default repository, as configured (`host/owner/name` or `owner/name`). */
  repository?: string;
  /** `owner/name` entries; undefined when the key is absent (then any covered repository). */
  allowedRepositories?: string[];
}

/** Reads the settings; never fails startup (the keys belong to the scaffolder module too). */
export function readAccessChangeSettings(config: Config): AccessChangeSettings {
  const c = config.getOptionalConfig('meshSecurity.accessRequests');
  return {
    repository: c?.getOptionalString('repository'),
    allowedRepositories: c?.getOptionalStringArray('allowedRepositories'),
  };
}

// GitHub's own limits: hosts as in URLs (optionally with a port), owners up to 39 characters,
// repository names up to 100. Anything else — paths, queries, credentials in URLs — is refused.
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:\d{1,5})?$/;
const OWNER = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Parses `host/owner/name`, `owner/name` (host `github.com`), optionally as an `https://` URL
 * with a `.git` suffix or a trailing slash — the formats of the annotation and of
 * `meshSecurity.accessRequests.repository`.
 */
export function parseRepository(value: string): GitopsRepository | undefined {
  const trimmed = value
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '')
    .replace(/\.git$/, '');
  const parts = trimmed.split('/');
  const [host, owner, name] =
    parts.length === 2 ? ['github.com', ...parts] : parts;
  if (parts.length < 2 || parts.length > 3) return undefined;
  if (!HOST.test(host) || !OWNER.test(owner) || !NAME.test(name))
    return undefined;
  if (name === '.' || name === '..') return undefined;
  return { host: host.toLowerCase(), owner, name };
}

/** The repository's web page (GitHub and GitHub Enterprise serve it at `https://host/owner/name`). */
export const repositoryUrl = (r: GitopsRepository) =>
  `https://${r.host}/${r.owner}/${r.name}`;

/** Where an entity's access-change pull requests are, or why they cannot be listed. */
export type RepositoryResolution =
  | { status: 'ok'; repository: GitopsRepository }
  | {
      status: 'not-configured' | 'unsupported-host';
      message: string;
      repository?: GitopsRepository;
    };

/**
 * The entity's GitOps repository (annotation, else configuration), if the backend may read it.
 * An annotation is written by whoever edits the entity's catalog-info.yaml, so it is trusted no
 * further than the configuration allows: the host must be a GitHub host of `integrations.github`
 * (the backend never calls any other host) and, when `allowedRepositories` is set, the
 * repository must be listed there.
 */
export function resolveRepository(
  entity: Entity,
  settings: AccessChangeSettings,
  integrations: ScmIntegrationRegistry,
): RepositoryResolution {
  const annotated = entity.metadata.annotations?.[GITOPS_REPO_ANNOTATION];
  const value = annotated ?? settings.repository;
  const source = annotated
    ? `annotation ${GITOPS_REPO_ANNOTATION}`
    : 'meshSecurity.accessRequests.repository';
  if (!value?.trim()) {
    return {
      status: 'not-configured',
      message: `No GitOps repository: add the annotation ${GITOPS_REPO_ANNOTATION} (host/owner/name) or set meshSecurity.accessRequests.repository`,
    };
  }
  const repository = value.length <= 300 ? parseRepository(value) : undefined;
  if (!repository) {
    return {
      status: 'not-configured',
      message: `The ${source} is not a repository: use host/owner/name (e.g. github.com/acme/gitops)`,
    };
  }
  const full = `${repository.owner}/${repository.name}`;
  if (!integrations.github.byHost(repository.host)) {
    return {
      status: 'unsupported-host',
      repository,
      message: integrations.gitlab.byHost(repository.host)
        ? `${repository.host} is a GitLab host; listing merge requests is not supported yet`
        : `${repository.host} is not a GitHub host of integrations.github`,
    };
  }
  const allowed = settings.allowedRepositories;
  if (allowed && !allowed.some(a => a.toLowerCase() === full.toLowerCase())) {
    return {
      status: 'not-configured',
      repository,
      message: `${full} is not in meshSecurity.accessRequests.allowedRepositories`,
    };
  }
  return { status: 'ok', repository };
}
