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

/**
 * A permissions service that denies the named permissions (all others ALLOW) and records every
 * authorize call with its credentials, so tests can tell which permission decided and for whom.
 */
export function permissionsDenying(
  denied: string[],
  calls: AuthorizeCall[] = [],
) {
  const decide = (requests: { permission: { name: string } }[]) =>
    requests.map(r => ({
      result: denied.includes(r.permission.name)
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
