import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import fs from 'node:fs';
import path from 'node:path';
import { HttpHandler } from 'msw';
import {
  POLICY_PATH_ANNOTATION,
  TrafficObservations,
} from '@mesh-security/plugin-mesh-security-common';
import { readAccessRequestsConfig } from '../config';
import { ActionDeps } from '../service/execute';
import { MeshSecurityClient } from '@mesh-security/plugin-mesh-security-common';
import { EntityReader } from '../service/EntityReader';
import { backstageHandlers, demoCatalog } from './demoEstate';
import { GithubRepoMock } from './githubMock';

/** A token that must never show up in logs, outputs or pull request bodies. */
export const CANARY_TOKEN = 'ghp_canary0123456789abcdefCANARY';
/** The GitHub account the canary token acts as (the author of the actions' pull requests). */
export const INTEGRATION_ACCOUNT = {
  login: 'mesh-security-bot',
  type: 'User',
} as const;
/** Where the payments-api component keeps its policies (its annotation). */
export const PAYMENTS_PATH =
  'clusters/demo/payments/authorization/payments.yaml';
/** Default template path of analytics-api. */
export const ANALYTICS_PATH =
  'clusters/demo/data/authorization/analytics-api.yaml';

const BASE = 'http://backstage.test';

/** A fixture file of src/__fixtures__. */
export const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it. */
export function expectGolden(name: string, actual: string) {
  const file = path.join(__dirname, '..', '__fixtures__', name);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

/** Wires a GitHub repository mock, the Backstage backends and the action dependencies. */
export function setup(
  server: { use(...handlers: HttpHandler[]): void },
  options: {
    files?: Record<string, string>;
    /** `false`: every permission is denied. */
    allow?: boolean;
    /** Permissions denied (the others are allowed), for any resource or for one entity ref. */
    deny?: Array<{ permission: string; resourceRef?: string }>;
    accessRequests?: JsonObject;
    /** The `integrations.github` entry (default: github.com with the canary token). */
    integration?: JsonObject;
    /** payments-api's `mesh-security.io/policy-path` annotation (default `PAYMENTS_PATH`). */
    paymentsPolicyPath?: string;
    /** The demo cluster's observed traffic in the postures (default: not configured). */
    traffic?: { observations: TrafficObservations; ageSeconds: number };
  } = {},
) {
  const github = new GithubRepoMock(
    'https://api.github.com',
    'acme',
    'gitops',
    options.files ?? {
      [PAYMENTS_PATH]: fixture('istio-payments.before.yaml'),
      [ANALYTICS_PATH]: fixture('linkerd-analytics.before.yaml'),
    },
  );
  github.accounts.set(CANARY_TOKEN, INTEGRATION_ACCOUNT);
  /** URLs of the requests to the mesh-security backend, and the catalog's entity reads. */
  const backstageRequests: string[] = [];
  server.use(
    ...github.handlers(),
    ...backstageHandlers(BASE, backstageRequests, options.traffic),
  );
  const catalog = demoCatalog(
    {
      'payments-api': {
        [POLICY_PATH_ANNOTATION]: options.paymentsPolicyPath ?? PAYMENTS_PATH,
      },
    },
    backstageRequests,
  );
  const config = new ConfigReader({
    integrations: {
      github: [
        options.integration ?? { host: 'github.com', token: CANARY_TOKEN },
      ],
    },
    meshSecurity: {
      accessRequests: {
        repository: 'github.com/acme/gitops',
        allowedRepositories: ['acme/gitops'],
        labels: ['access-change'],
        reviewers: ['acme/platform-team'],
        ...options.accessRequests,
      },
    },
  });
  const denied = (request: { permission: { name: string } }) =>
    options.allow === false ||
    (options.deny ?? []).some(
      d =>
        d.permission === request.permission.name &&
        (d.resourceRef === undefined ||
          ('resourceRef' in request && d.resourceRef === request.resourceRef)),
    );
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(request => ({
        result: denied(request) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
      })),
  });
  const deps: ActionDeps = {
    config: readAccessRequestsConfig(config),
    integrations: ScmIntegrations.fromConfig(config),
    client: new EntityReader({
      meshSecurity: new MeshSecurityClient({
        discoveryApi: mockServices.discovery.mock({
          getBaseUrl: async id => `${BASE}/api/${id}`,
        }),
      }),
      catalog,
      auth: mockServices.auth(),
    }),
    permissions,
  };
  const logger = mockServices.logger.mock();
  const context = (input: JsonObject, dryRun = false) => {
    // `never`: the test passes raw (possibly invalid) input; the action validates it itself.
    const ctx = createMockActionContext<never>({
      input: input as never,
      user: { ref: 'user:default/jane' },
      logger: logger as never,
    });
    if (dryRun) ctx.isDryRun = true;
    return ctx;
  };
  /** Every output set on a context, as an object. */
  const outputs = (ctx: ReturnType<typeof context>) =>
    Object.fromEntries((ctx.output as jest.Mock).mock.calls) as Record<
      string,
      unknown
    >;
  return {
    github,
    backstageRequests,
    deps,
    permissions,
    logger,
    context,
    outputs,
  };
}
