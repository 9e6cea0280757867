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
}

/** Default location of a component's authorization policies in the GitOps repository. */
export const DEFAULT_PATH_TEMPLATE =
  'clusters/{cluster}/{namespace}/authorization/{name}.yaml';
/** Default location of mTLS policies. */
export const DEFAULT_MTLS_PATH_TEMPLATE =
  'clusters/{cluster}/{namespace}/authentication/{name}.yaml';

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
  };
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
