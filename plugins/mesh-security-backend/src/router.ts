import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { EntityFilterQuery } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  ACCESS_REQUEST_RULES,
  COMPONENT_SECURITY_FACTS_VERSION,
  ComponentFactsResponse,
  componentSecurityFacts,
  MESHES,
  meshSecurityAccessCheckPermission,
  meshSecurityEntityReadPermission,
  meshSecurityOverviewReadPermission,
  MTLS_MODES,
  OVERVIEW_SORT_KEYS,
  OVERVIEW_SORT_ORDERS,
  WORKLOAD_KINDS,
  WorkloadRef,
} from '@mesh-security/plugin-mesh-security-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { Audience, PostureService } from './service/PostureService';
import { sendJson } from './service/jsonBody';
import { PullRequestService } from './pullRequests/PullRequestService';
import { HistoryService } from './history/HistoryService';
import { entityHistoryCsv, overviewHistoryCsv } from './history/csv';
import {
  ANNOTATED_COMPONENTS,
  EntityDirectory,
} from './entities/EntityDirectory';
import { ownersOf } from './entities/workloadOwners';
import { limitConcurrency } from './sources/limitConcurrency';
import { requestStarted, waitedOn, yieldEvery } from './snapshots/slices';

/** What the router needs from the rest of the plugin. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  /** What entities say (annotations, owner), read with the plugin's own credentials. */
  entities: EntityDirectory;
  posture: PostureService;
  /** Open access-change pull requests per entity. */
  pullRequests: PullRequestService;
  /** Posture over time. */
  history: HistoryService;
}

// DNS-1123-ish names, entity name characters, and bounded lengths: hostile or huge input is a
// 400 before it reaches anything else.
const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'invalid name');
const entityParams = z.object({
  kind: name.max(63),
  namespace: name.max(63),
  name,
});
const entityRefString = z
  .string()
  .max(512)
  .regex(
    /^([A-Za-z0-9._-]+:)?([A-Za-z0-9._-]+\/)?[A-Za-z0-9._-]+$/,
    'invalid entity reference',
  );
const workloadRef = z.object({
  cluster: name.max(63).optional(),
  namespace: name.max(63),
  name,
  kind: z.enum(WORKLOAD_KINDS).optional(),
});
const endpoint = z.union([
  z.object({ entityRef: entityRefString }).strict(),
  workloadRef.strict(),
]);
const checkBody = z
  .object({
    from: z.union([
      endpoint,
      z.object({ kind: z.literal('external') }).strict(),
    ]),
    to: endpoint,
    port: z
      .number()
      .int()
      .min(ACCESS_REQUEST_RULES.port.minimum)
      .max(ACCESS_REQUEST_RULES.port.maximum),
    method: z
      .string()
      .max(ACCESS_REQUEST_RULES.method.maxLength)
      .regex(
        ACCESS_REQUEST_RULES.method.pattern,
        ACCESS_REQUEST_RULES.method.message,
      )
      .optional(),
    path: z
      .string()
      .max(ACCESS_REQUEST_RULES.path.maxLength)
      .regex(
        ACCESS_REQUEST_RULES.path.pattern,
        ACCESS_REQUEST_RULES.path.message,
      )
      .optional(),
  })
  .strict();
const overviewQuery = z
  .object({
    owner: z.string().max(256).optional(),
    system: z.string().max(256).optional(),
    mesh: z.enum(MESHES).optional(),
    mode: z.enum(MTLS_MODES).optional(),
    search: z.string().max(256).optional(),
    sort: z.enum(OVERVIEW_SORT_KEYS).optional(),
    order: z.enum(OVERVIEW_SORT_ORDERS).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
const factsQuery = z
  .object({
    offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
/** `format=csv`: the same answer as a CSV file (docs/backend.md "Posture history"). */
const historyFormat = z.enum(['json', 'csv']).optional();
const historyQuery = z
  .object({
    owner: z.string().max(256).optional(),
    days: z.coerce.number().int().min(1).max(400).optional(),
    format: historyFormat,
  })
  .strict();
const entityHistoryQuery = z.object({ format: historyFormat }).strict();

/** A file name part: letters, digits, `.`, `_` and `-` only. */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100);
}

/** Sends `body` as a CSV file to save (never rendered inline, never cached). */
function sendCsv(res: express.Response, fileName: string, body: string) {
  res
    .status(200)
    .set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(body);
}

/**
 * Permission requests per authorize call. The permission backend parses `POST /authorize` with
 * express.json's default body limit of 100 kB: one call for the 1,500 components of a catalog
 * (345 kB) was answered 413. A request with an entity ref takes about 230 bytes, up to 330 with
 * the longest refs, so 200 stay below the limit.
 */
const AUTHORIZE_BATCH = 200;

/** Authorize calls under way at once for one route request. */
const AUTHORIZE_CONCURRENCY = 4;

/** The decisions on `requests`, in order, asked in calls the permission backend accepts. */
async function authorizeInBatches(
  permissions: PermissionsService,
  requests: AuthorizePermissionRequest[],
  credentials: BackstageCredentials,
): Promise<AuthorizePermissionResponse[]> {
  const run = limitConcurrency(AUTHORIZE_CONCURRENCY);
  const batches: AuthorizePermissionRequest[][] = [];
  for (let i = 0; i < requests.length; i += AUTHORIZE_BATCH)
    batches.push(requests.slice(i, i + AUTHORIZE_BATCH));
  const decisions = await Promise.all(
    batches.map(batch =>
      run(() => permissions.authorize(batch, { credentials })),
    ),
  );
  return decisions.flat();
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError(`invalid ${what}: ${where}${issue.message}`);
  }
  return result.data;
}

/**
 * The plugin's REST routes: thin — validate, authorize, call the posture service. Every route
 * requires user or service credentials (the plugin registers no unauthenticated policy), and
 * every entity is authorized with the caller's own credentials (`catalog.entity.read` and
 * `mesh-security.entity.read`), so nobody sees the posture of an entity they may not read.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, entities, posture } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));
  // Background slices wait while a request is answered (snapshots/slices.ts), so its hops
  // through the event loop (credentials, the catalog, permissions) do not wait for them; counted
  // once its body was read, so a slow upload holds nothing back.
  router.use((_req, res, next) => {
    const ended = requestStarted();
    res.once('finish', ended);
    res.once('close', ended);
    next();
  });

  const authorize = async (
    credentials: BackstageCredentials,
    permission:
      | typeof meshSecurityOverviewReadPermission
      | typeof meshSecurityAccessCheckPermission,
  ) => {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`not allowed: ${permission.name}`);
    }
  };

  const readableEntity = async (
    ref: string | CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; audience: Audience }> => {
    let refString: string;
    try {
      refString = stringifyEntityRef(
        typeof ref === 'string'
          ? parseEntityRef(ref, {
              defaultKind: 'component',
              defaultNamespace: 'default',
            })
          : ref,
      );
    } catch {
      throw new InputError('invalid entity reference');
    }
    // One call to the permission framework with the caller's credentials decides both: the
    // catalog's own read permission (conditional policies are evaluated by the catalog, so the
    // answer is the one the catalog would give) and ours. The entity's fields come from the
    // directory (service credentials, kept for seconds); nothing of them is sent before both are
    // ALLOW. An unreadable entity and a missing one look the same: 404, nothing leaked. The same
    // call asks whether the caller has the platform view (cluster errors in full).
    const [[catalogRead, meshRead, platform], entity] = await Promise.all([
      permissions.authorize(
        [
          { permission: catalogEntityReadPermission, resourceRef: refString },
          {
            permission: meshSecurityEntityReadPermission,
            resourceRef: refString,
          },
          { permission: meshSecurityOverviewReadPermission },
        ],
        { credentials },
      ),
      entities.get(refString),
    ]);
    if (!entity || catalogRead.result !== AuthorizeResult.ALLOW) {
      throw new NotFoundError(`entity ${refString} not found`);
    }
    if (meshRead.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `not allowed: ${meshSecurityEntityReadPermission.name} on ${refString}`,
      );
    }
    return {
      entity,
      audience: {
        clusterErrorDetails: platform.result === AuthorizeResult.ALLOW,
      },
    };
  };

  /**
   * Only annotated components the caller may read, fetched with the caller's credentials (the
   * catalog applies `catalog.entity.read`), and of those only the ones whose
   * `mesh-security.entity.read` is ALLOW: one call per 200 listed entities decides them.
   */
  const readableComponents = async (
    credentials: BackstageCredentials,
  ): Promise<Entity[]> => {
    const { items } = await catalog.getEntities(
      { filter: ANNOTATED_COMPONENTS },
      { credentials },
    );
    const decisions = await authorizeInBatches(
      permissions,
      items.map(entity => ({
        permission: meshSecurityEntityReadPermission,
        resourceRef: stringifyEntityRef(entity),
      })),
      credentials,
    );
    return items.filter(
      (_, i) => decisions[i].result === AuthorizeResult.ALLOW,
    );
  };

  router.get('/health', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [platform] = await permissions.authorize(
      [{ permission: meshSecurityOverviewReadPermission }],
      { credentials },
    );
    const health = await posture.health({
      clusterErrorDetails: platform.result === AuthorizeResult.ALLOW,
    });
    res.status(health.status === 'starting' ? 503 : 200).json(health);
  });

  /** An entity answer: credentials, then the entity as the caller may read it (404 / 403). */
  const entityAnswer =
    (answer: (entity: Entity, audience: Audience) => Promise<unknown>) =>
    async (req: express.Request, res: express.Response) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const ref = parse(entityParams, req.params, 'entity reference');
      const { entity, audience } = await readableEntity(ref, credentials);
      sendJson(res, await answer(entity, audience));
    };

  router.get(
    '/entity/:kind/:namespace/:name',
    entityAnswer((entity, audience) => posture.entityPosture(entity, audience)),
  );

  // The entity card's answer: the same checks, the workloads summarised.
  router.get(
    '/entity/:kind/:namespace/:name/summary',
    entityAnswer((entity, audience) => posture.entitySummary(entity, audience)),
  );

  router.get('/overview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = parse(overviewQuery, req.query, 'overview query');
    await authorize(credentials, meshSecurityOverviewReadPermission);
    const overview = await posture.overview(
      await readableComponents(credentials),
      query,
    );
    const uncoveredComponents = await countUncovered(catalog, credentials);
    sendJson(res, {
      ...overview,
      ...(uncoveredComponents === undefined ? {} : { uncoveredComponents }),
    });
  });

  // The catalog-wide history: the platform view, summed over the components the caller may
  // read (as the overview), so no one learns about components hidden from them.
  router.get('/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { format, ...query } = parse(
      historyQuery,
      req.query,
      'history query',
    );
    await authorize(credentials, meshSecurityOverviewReadPermission);
    const readable = await readableComponents(credentials);
    const history = await options.history.overview(
      readable.map(e => stringifyEntityRef(e)),
      query,
    );
    if (format !== 'csv') {
      res.json(history);
      return;
    }
    const last = history.days[history.days.length - 1]?.day ?? 'empty';
    sendCsv(
      res,
      `mesh-security-history-${
        query.owner ? `${fileNamePart(query.owner)}-` : ''
      }${last}.csv`,
      overviewHistoryCsv(history),
    );
  });

  // Every readable component's posture as flat facts (Tech Insights reads them with its
  // service credentials): the entity views the Security tab shows, no Kubernetes call.
  router.get('/facts', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { offset = 0, limit = 100 } = parse(
      factsQuery,
      req.query,
      'facts query',
    );
    await authorize(credentials, meshSecurityOverviewReadPermission);
    const readable = (await readableComponents(credentials))
      .map(entity => ({ entity, ref: stringifyEntityRef(entity) }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
    const items = [];
    const pause = yieldEvery(20);
    for (const { entity, ref } of readable.slice(offset, offset + limit)) {
      // This request's own slices: nothing is held back for it meanwhile.
      await waitedOn(pause());
      // The summary: the facts read nothing of the access lists, manifests or observed edges.
      const view = await posture.entitySummary(entity, {
        clusterErrorDetails: false,
      });
      items.push({ entityRef: ref, facts: componentSecurityFacts(view) });
    }
    const body: ComponentFactsResponse = {
      version: COMPONENT_SECURITY_FACTS_VERSION,
      items,
      totalItems: readable.length,
      offset,
      limit,
    };
    res.json(body);
  });

  router.get('/entity/:kind/:namespace/:name/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const ref = parse(entityParams, req.params, 'entity reference');
    const { format } = parse(entityHistoryQuery, req.query, 'history query');
    const { entity } = await readableEntity(ref, credentials);
    const history = await options.history.entity(stringifyEntityRef(entity));
    if (format !== 'csv') {
      res.json(history);
      return;
    }
    sendCsv(
      res,
      `mesh-security-history-${fileNamePart(history.entityRef)}.csv`,
      entityHistoryCsv(history),
    );
  });

  /**
   * The workloads that raw workload references name and the caller may see, per reference. A
   * workload belongs to the annotated components that select it (the rules of its entity view,
   * in reverse): it is visible when the caller may read one of them (`catalog.entity.read` and
   * `mesh-security.entity.read`), since that entity's view shows it anyway. A workload no entity
   * owns (a gateway, a system workload) is the platform team's: visible with
   * `mesh-security.overview.read` only. One authorize call (one per 200 requests) decides every
   * owner of both ends; a reference left with nothing is a 404 that does not tell whether the
   * workload exists (docs/backend.md "Permissions"). The same call tells whether the caller has
   * the platform view, which also decides how cluster errors are shown.
   */
  const visibleWorkloads = async (
    refs: WorkloadRef[],
    credentials: BackstageCredentials,
  ): Promise<{ workloads: WorkloadRef[][]; audience: Audience }> => {
    const found = await Promise.all(refs.map(r => posture.workloadsNamed(r)));
    let annotated: Entity[] = [];
    if (found.some(workloads => workloads.length > 0)) {
      try {
        annotated = await entities.annotated();
      } catch {
        throw new ServiceUnavailableError(
          'the catalog could not be listed to find the components that own the workloads; try again, or name the components by entity reference',
        );
      }
    }
    const owned = found.map(workloads =>
      workloads.map(workload => ({
        ref: {
          cluster: workload.cluster,
          namespace: workload.namespace,
          name: workload.name,
          kind: workload.kind,
        },
        owners: ownersOf(workload, annotated).map(e => stringifyEntityRef(e)),
      })),
    );
    const ownerRefs = [...new Set(owned.flat().flatMap(w => w.owners))];
    const decisions = await authorizeInBatches(
      permissions,
      [
        ...ownerRefs.flatMap(resourceRef => [
          { permission: catalogEntityReadPermission, resourceRef },
          { permission: meshSecurityEntityReadPermission, resourceRef },
        ]),
        { permission: meshSecurityOverviewReadPermission },
      ],
      credentials,
    );
    const allowed = (i: number) =>
      decisions[i].result === AuthorizeResult.ALLOW;
    const readable = new Set(
      ownerRefs.filter((_, i) => allowed(2 * i) && allowed(2 * i + 1)),
    );
    const platform = allowed(decisions.length - 1);
    const workloads = owned.map((named, i) => {
      const visible = named
        .filter(w =>
          w.owners.length > 0
            ? w.owners.some(owner => readable.has(owner))
            : platform,
        )
        .map(w => w.ref);
      if (visible.length === 0) {
        const ref = refs[i];
        throw new NotFoundError(
          `workload ${ref.cluster ? `${ref.cluster}/` : ''}${ref.namespace}/${
            ref.name
          } not found, or not allowed`,
        );
      }
      return visible;
    });
    return { workloads, audience: { clusterErrorDetails: platform } };
  };

  router.post('/check', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const body = parse(checkBody, req.body, 'check request');
    await authorize(credentials, meshSecurityAccessCheckPermission);
    const source =
      'kind' in body.from && body.from.kind === 'external'
        ? undefined
        : (body.from as z.infer<typeof endpoint>);
    const workloadEnds = [body.to, ...(source ? [source] : [])].filter(
      (e): e is z.infer<typeof workloadRef> => !('entityRef' in e),
    );
    const visible = await visibleWorkloads(workloadEnds, credentials);
    const resolve = async (
      e: z.infer<typeof endpoint>,
    ): Promise<WorkloadRef[]> =>
      'entityRef' in e
        ? posture.workloadRefsOf(
            (await readableEntity(e.entityRef, credentials)).entity,
          )
        : visible.workloads[workloadEnds.indexOf(e)];
    const from = source ? await resolve(source) : ('external' as const);
    const to = await resolve(body.to);
    if (to.length === 0)
      throw new NotFoundError('the target has no workload in any cluster');
    if (from !== 'external' && from.length === 0)
      throw new NotFoundError('the source has no workload in any cluster');
    const result = await posture.check(
      from,
      to,
      { port: body.port, method: body.method, path: body.path },
      visible.audience,
    );
    if (result.results.length === 0) {
      throw new NotFoundError(
        'no source and target workload found together in any cluster',
      );
    }
    res.json(result);
  });

  // Open access-change pull requests: same credentials and entity checks as GET /entity. The
  // answer is 200 with a status even when GitHub fails; only our own checks are 4xx.
  router.get(
    '/entity/:kind/:namespace/:name/pull-requests',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const ref = parse(entityParams, req.params, 'entity reference');
      const { entity } = await readableEntity(ref, credentials);
      res.json(await options.pullRequests.entityPullRequests(entity));
    },
  );

  // Open access-change pull requests across the catalog: the platform view, about the
  // components the caller may read (as the overview), each repository listed once and cached.
  router.get('/pull-requests', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    parse(z.object({}).strict(), req.query, 'pull requests query');
    await authorize(credentials, meshSecurityOverviewReadPermission);
    const readable = await readableComponents(credentials);
    res.json(await options.pullRequests.catalogPullRequests(readable));
  });

  return router;
}

/**
 * The components the caller can read that carry neither Kubernetes annotation: those without a
 * posture. Two catalog counts (all components, annotated ones); undefined when either fails
 * (the overview is served without the count rather than not at all).
 */
async function countUncovered(
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<number | undefined> {
  const count = async (filter: EntityFilterQuery) =>
    (
      await catalog.queryEntities(
        { filter, limit: 1, fields: ['kind'] },
        { credentials },
      )
    ).totalItems;
  try {
    const [all, annotated] = await Promise.all([
      count({ kind: 'component' }),
      count(ANNOTATED_COMPONENTS),
    ]);
    return Math.max(0, all - annotated);
  } catch {
    return undefined;
  }
}
