import { Config } from '@backstage/config';

/**
 * Settings of the access-change actions (`meshSecurity.accessRequests`).
 *
 * @public
 */
export interface AccessRequestsConfig {
  /** Default repository: `host/owner/name` (host defaults to github.com). */
  repository?: string;
  allowedRepositories: string[];
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

/** Reads `meshSecurity.accessRequests`. */
export function readAccessRequestsConfig(config: Config): AccessRequestsConfig {
  const c = config.getOptionalConfig('meshSecurity.accessRequests');
  return {
    repository: c?.getOptionalString('repository'),
    allowedRepositories: c?.getOptionalStringArray('allowedRepositories') ?? [],
    baseBranch: c?.getOptionalString('baseBranch'),
    pathTemplate: c?.getOptionalString('pathTemplate') ?? DEFAULT_PATH_TEMPLATE,
    mtlsPathTemplate:
      c?.getOptionalString('mtlsPathTemplate') ?? DEFAULT_MTLS_PATH_TEMPLATE,
    labels: c?.getOptionalStringArray('labels') ?? [],
    reviewers: c?.getOptionalStringArray('reviewers') ?? [],
    maxRetryWaitSeconds: c?.getOptionalNumber('maxRetryWaitSeconds') ?? 60,
    maxPolicyFileBytes: readMaxPolicyFileBytes(c),
  };
}

function readMaxPolicyFileBytes(c: Config | undefined): number {
  const value = c?.getOptionalNumber('maxPolicyFileBytes');
  if (value === undefined) return DEFAULT_MAX_POLICY_FILE_BYTES;
  if (!Number.isInteger(value) || value < 1 || value > GITHUB_MAX_FILE_BYTES) {
    throw new Error(
      `meshSecurity.accessRequests.maxPolicyFileBytes must be a whole number of bytes between 1 and ${GITHUB_MAX_FILE_BYTES} (GitHub's file limit), got ${value}`,
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
