import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';

/** One authorize call as the permission framework received it. */
export interface AuthorizeCall {
  requests: AuthorizePermissionRequest[];
  credentials: BackstageCredentials;
}

/** A permission denied everywhere (its name), or only for one entity ref. */
export type Denial = string | { permission: string; resourceRef: string };

/**
 * A permissions service that denies the given permissions (all others ALLOW) and records every
 * authorize call with its credentials, so tests can tell which permission decided and for whom.
 */
export function permissionsDenying(
  denied: Denial[],
  calls: AuthorizeCall[] = [],
) {
  const decide = (
    requests: { permission: { name: string }; resourceRef?: string }[],
  ) =>
    requests.map(r => ({
      result: denied.some(d =>
        typeof d === 'string'
          ? d === r.permission.name
          : d.permission === r.permission.name &&
            d.resourceRef === r.resourceRef,
      )
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    }));
  return mockServices.permissions.mock({
    authorize: async (requests, options) => {
      calls.push({
        requests: requests as AuthorizePermissionRequest[],
        credentials: options.credentials,
      });
      return decide(requests) as any;
    },
    authorizeConditional: async requests => decide(requests) as any,
  }).factory;
}
