import { Config } from '@backstage/config';
import {
  GitopsRepositorySettings,
  readGitopsRepositorySettings,
  readPlatformNamespaces,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * Settings of the access-change actions (`meshSecurity.accessRequests`); where the changes may go
 * is read by common's {@link readGitopsRepositorySettings}, as the backend does.
 *
 * @public
 */
export interface AccessRequestsConfig extends GitopsRepositorySettings {
  /**
   * `meshSecurity.platformNamespaces` (common's config.d.ts): the impact analysis evaluates with
   * the same platform namespaces as the backend. Undefined: the engine's defaults.
   */
  platformNamespaces?: string[];
  baseBranch?: string;
  pathTemplate: string;
  mtlsPathTemplate: string;
  labels: string[];
  /** Users (`octocat`) or teams (`org/team`). */
  reviewers: string[];
  /** Longest wait for a rate limit's `retry-after`, in seconds. */
  maxRetryWaitSeconds: number;
  /** Largest policy file the actions read and edit, in bytes. */
  maxPolicyFileBytes: number;
  /** Directory every policy file must be in (ends with `/`). */
  policyPathPrefix: string;
}

/** Default location of a component's authorization policies in the GitOps repository. */
export const DEFAULT_PATH_TEMPLATE =
  'clusters/{cluster}/{namespace}/authorization/{name}.yaml';
/** Default location of mTLS policies. */
export const DEFAULT_MTLS_PATH_TEMPLATE =
  'clusters/{cluster}/{namespace}/authentication/{name}.yaml';

/** Default of `maxPolicyFileBytes`: 2 MiB. */
const DEFAULT_MAX_POLICY_FILE_BYTES = 2 * 1024 * 1024;
/** GitHub serves files (and blobs) up to 100 MB through its REST API. */
const GITHUB_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Default of `policyPathPrefix`. */
const DEFAULT_POLICY_PATH_PREFIX = 'clusters/';

const KEY = 'meshSecurity.accessRequests';

/** Reads `meshSecurity.accessRequests`. */
export function readAccessRequestsConfig(config: Config): AccessRequestsConfig {
  const c = config.getOptionalConfig(KEY);
  const policyPathPrefix = readPolicyPathPrefix(c);
  const template = (key: string, fallback: string) => {
    const value = c?.getOptionalString(key) ?? fallback;
    if (!value.startsWith(policyPathPrefix))
      throw new Error(
        `${KEY}.${key} (${value}) must start with ${KEY}.policyPathPrefix (${policyPathPrefix})`,
      );
    return value;
  };
  return {
    ...readGitopsRepositorySettings(config),
    platformNamespaces: readPlatformNamespaces(config),
    baseBranch: c?.getOptionalString('baseBranch'),
    pathTemplate: template('pathTemplate', DEFAULT_PATH_TEMPLATE),
    mtlsPathTemplate: template('mtlsPathTemplate', DEFAULT_MTLS_PATH_TEMPLATE),
    labels: c?.getOptionalStringArray('labels') ?? [],
    reviewers: c?.getOptionalStringArray('reviewers') ?? [],
    maxRetryWaitSeconds: c?.getOptionalNumber('maxRetryWaitSeconds') ?? 60,
    maxPolicyFileBytes: readMaxPolicyFileBytes(c),
    policyPathPrefix,
  };
}

/** A directory of the repository (`clusters/`, `gitops/policies/`), always ending with `/`. */
function readPolicyPathPrefix(c: Config | undefined): string {
  const value =
    c?.getOptionalString('policyPathPrefix') ?? DEFAULT_POLICY_PATH_PREFIX;
  const directory = value.replace(/\/$/, '');
  if (
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(directory) ||
    directory.split('/').some(s => s === '.' || s === '..')
  ) {
    throw new Error(
      `${KEY}.policyPathPrefix must be a directory of the repository such as clusters/ (relative, no "." or ".." segments), got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return `${directory}/`;
}

function readMaxPolicyFileBytes(c: Config | undefined): number {
  const value = c?.getOptionalNumber('maxPolicyFileBytes');
  if (value === undefined) return DEFAULT_MAX_POLICY_FILE_BYTES;
  if (!Number.isInteger(value) || value < 1 || value > GITHUB_MAX_FILE_BYTES) {
    throw new Error(
      `${KEY}.maxPolicyFileBytes must be a whole number of bytes between 1 and ${GITHUB_MAX_FILE_BYTES} (GitHub's file limit), got ${value}`,
    );
  }
  return value;
}

/** Fills a path template; every value is a validated DNS-1123 name. */
export function policyPath(
  template: string,
  values: { cluster: string; namespace: string; name: string },
): string {
  return template.replace(
    /\{(cluster|namespace|name)\}/g,
    (_, k: 'cluster' | 'namespace' | 'name') => values[k],
  );
}
