import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
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
 * The permission backend parses `POST /authorize` with express.json's default body limit
 * (100 kB): a larger call is answered 413, which the permissions service throws as it is.
 */
const PERMISSION_BACKEND_BODY_LIMIT = 102_400;

async function refuseOversized(requests: unknown[]): Promise<void> {
  const body = JSON.stringify({
    items: requests.map(r => ({ id: crypto.randomUUID(), ...(r as object) })),
  });
  if (Buffer.byteLength(body) <= PERMISSION_BACKEND_BODY_LIMIT) return;
  throw await ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: {
          name: 'PayloadTooLargeError',
          message: 'request entity too large',
        },
        request: { method: 'POST', url: '/authorize' },
        response: { statusCode: 413 },
      }),
      {
        status: 413,
        statusText: 'Payload Too Large',
        headers: { 'content-type': 'application/json' },
      },
    ),
  );
}

/**
 * A permissions service that denies the given permissions (all others ALLOW) and records every
 * authorize call with its credentials, so tests can tell which permission decided and for whom.
 * Like the real one, it refuses a call larger than the permission backend accepts.
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
      await refuseOversized(requests);
      calls.push({
        requests: requests as AuthorizePermissionRequest[],
        credentials: options.credentials,
      });
      return decide(requests) as any;
    },
    authorizeConditional: async requests => {
      await refuseOversized(requests);
      return decide(requests) as any;
    },
  }).factory;
}
