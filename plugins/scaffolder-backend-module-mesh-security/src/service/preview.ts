import {
  BackstageCredentials,
  HttpAuthService,
  HttpRouterService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import {
  ACCESS_CHANGE_ACTIONS,
  AccessChangePreview,
  gitopsRepositoryUrl,
} from '@mesh-security/plugin-mesh-security-common';
import { z as zod } from 'zod/v3';
import {
  accessRequestInput,
  createAccessRequestAction,
} from '../actions/accessRequest';
import {
  accessRevokeInput,
  createAccessRevokeAction,
} from '../actions/accessRevoke';
import {
  createMtlsEnforceAction,
  mtlsEnforceInput,
} from '../actions/mtlsEnforce';
import { ActionDeps, dryRunDetailsOf } from './execute';
import { NoGitopsRepositoryError } from './resolve';

/** The actions the preview runs, by id, with their input schema. */
const ACTIONS: Record<
  (typeof ACCESS_CHANGE_ACTIONS)[number],
  {
    input:
      | typeof accessRequestInput
      | typeof accessRevokeInput
      | typeof mtlsEnforceInput;
    create:
      | typeof createAccessRequestAction
      | typeof createAccessRevokeAction
      | typeof createMtlsEnforceAction;
  }
> = {
  'mesh-security:access:request': {
    input: accessRequestInput,
    create: createAccessRequestAction,
  },
  'mesh-security:access:revoke': {
    input: accessRevokeInput,
    create: createAccessRevokeAction,
  },
  'mesh-security:mtls:enforce': {
    input: mtlsEnforceInput,
    create: createMtlsEnforceAction,
  },
};

/** The justification the preview runs with when the form has none yet (it is not part of the impact). */
const PREVIEW_JUSTIFICATION = 'Impact preview from the scaffolder form';

/** Largest request body, in bytes: an action's input is far smaller. */
const MAX_BODY_BYTES = 16 * 1024;

/** What `POST /mesh-security/preview` answers (common's `AccessChangePreview`). */
export type ImpactPreview = AccessChangePreview;

const bodySchema = zod
  .object({
    action: zod.enum(ACCESS_CHANGE_ACTIONS, {
      errorMap: () => ({
        message: `must be one of ${ACCESS_CHANGE_ACTIONS.join(', ')}`,
      }),
    }),
    input: zod.record(zod.unknown()),
  })
  .strict();

function firstIssue(error: zod.ZodError, what: string): InputError {
  const issue = error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return new InputError(`invalid ${what}: ${where}${issue.message}`);
}

/**
 * The impact of an access change before it is made: the action itself, run in dry-run mode with
 * the caller's credentials (so its permission checks, validation, policy-file edit and engine
 * analysis are the ones the pull request would get), and the rows its dry run computed.
 */
export async function previewChange(
  deps: ActionDeps,
  body: unknown,
  options: {
    credentials: BackstageCredentials;
    userRef?: string;
    logger: LoggerService;
  },
): Promise<ImpactPreview> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error, 'preview request');
  const { action, input } = parsed.data;
  const schema = ACTIONS[action]
    .input(zod)
    .extend({ justification: zod.string().max(2000).optional() })
    .strict();
  const valid = schema.safeParse(input);
  if (!valid.success) throw firstIssue(valid.error, `${action} input`);
  const outputs: Record<string, unknown> = {};
  const ctx = {
    input: {
      ...input,
      justification:
        typeof input.justification === 'string' &&
        input.justification.trim().length >= 10
          ? input.justification
          : PREVIEW_JUSTIFICATION,
    },
    isDryRun: true,
    logger: options.logger,
    workspacePath: '',
    task: { id: 'mesh-security-preview' },
    user: options.userRef ? { ref: options.userRef } : undefined,
    getInitiatorCredentials: async () => options.credentials,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
    createTemporaryDirectory: async () => {
      throw new Error('the preview writes no files');
    },
  } as unknown as ActionContext<any, any>;
  try {
    await ACTIONS[action].create(deps).handler(ctx);
  } catch (error) {
    if (error instanceof NoGitopsRepositoryError) {
      return {
        status: 'not-configured',
        changed: false,
        message: `${error.message}; the pull request cannot be opened and its impact is unknown`,
        rows: [],
        findings: [],
        warnings: [],
      };
    }
    throw error;
  }
  const details = dryRunDetailsOf(ctx);
  const repository = details?.repository;
  return {
    status: 'ok',
    changed: outputs.changed === true,
    message: String(outputs.message ?? ''),
    ...(repository
      ? {
          repository: {
            host: repository.host,
            owner: repository.owner,
            name: repository.name,
            url: gitopsRepositoryUrl(repository),
          },
        }
      : {}),
    ...(typeof outputs.policyPath === 'string'
      ? { policyPath: outputs.policyPath }
      : {}),
    rows: details?.rows ?? [],
    findings: details?.findings ?? [],
    warnings: Array.isArray(outputs.warnings)
      ? outputs.warnings.map(String)
      : [],
  };
}

type Handler = Parameters<HttpRouterService['use']>[0];
type Request = Parameters<Handler>[0];

/** The JSON body, read here (the scaffolder's router parses its own routes only), bounded. */
async function jsonBody(req: Request): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new InputError('invalid preview request: expected a JSON body');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new InputError(
        `invalid preview request: the body is larger than ${MAX_BODY_BYTES} bytes`,
      );
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InputError('invalid preview request: the body is not JSON');
  }
}

/** Path of the preview route under the scaffolder's base URL (`/api/scaffolder`). */
export const PREVIEW_PATH = '/mesh-security/preview';

/**
 * `POST /api/scaffolder/mesh-security/preview`: the impact of an access change before the task
 * is created (the templates' `MeshSecurityImpactPreview` field). User credentials only: the
 * actions' permission checks are made with them (docs/scaffolder.md "Impact preview").
 */
export function createPreviewHandler(options: {
  deps: ActionDeps;
  httpAuth: HttpAuthService;
  logger: LoggerService;
}): Handler {
  return (req, res, next) => {
    if (req.path !== PREVIEW_PATH) {
      next();
      return;
    }
    (async () => {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        res.status(405).json({
          error: { name: 'MethodNotAllowed', message: 'use POST' },
        });
        return;
      }
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user'],
      });
      const body = await jsonBody(req);
      res.json(
        await previewChange(options.deps, body, {
          credentials,
          userRef: credentials.principal.userEntityRef,
          logger: options.logger,
        }),
      );
    })().catch(next);
  };
}
