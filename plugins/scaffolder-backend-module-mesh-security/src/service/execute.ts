import {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import {
  AccessChangeKind,
  createEngine,
  Engine,
  formatAccessChangeBranch,
  formatGitopsRepository,
  GitopsRepository,
  meshSecurityAccessRequestPermission,
  meshSecurityEntityReadPermission,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';
import { createHash, randomUUID } from 'node:crypto';
import { Document } from 'yaml';
import {
  analyseChange,
  ImpactRow,
  impactTable,
  networkWarningsNow,
  Probe,
} from '../analysis/impact';
import { unifiedDiff } from '../analysis/diff';
import { buildSnapshot, CallerAccount } from '../analysis/snapshot';
import { AccessRequestsConfig } from '../config';
import {
  inStyleOf,
  parsePolicyFile,
  stringifyPolicyFile,
} from '../policy/document';
import { GithubPullRequestPublisher } from '../publish/GithubPullRequestPublisher';
import { GitlabMergeRequestPublisher } from '../publish/GitlabMergeRequestPublisher';
import { PullRequestPublisher } from '../publish/PullRequestPublisher';
import { withFileLock } from './fileLock';
import { safeRequester } from '../validation';
import { EntityReader } from './EntityReader';
import {
  evidenceHeading,
  pullRequestHeader,
  requestSection,
} from './pullRequestBody';
import { ResolvedTarget } from './resolve';

/** What the actions need, injected by the module. */
export interface ActionDeps {
  config: AccessRequestsConfig;
  integrations: ScmIntegrations;
  /** Reads postures from the mesh-security backend and entities from the catalog. */
  client: EntityReader;
  permissions: PermissionsService;
  /** Builds the publisher for a repository (GitHub by default; tests and GitLab swap it). */
  publisherFor?: (
    repo: GitopsRepository,
    logger: LoggerService,
  ) => Promise<PullRequestPublisher>;
}

/** What an edit tells the pull request besides the diff. */
export interface EditReport {
  /** Explanations for the reviewers (e.g. Linkerd route semantics). */
  notes: string[];
  /** What a revoke removed, one line per grant. */
  removed: string[];
}

/** One change, described by an action. */
export interface ChangePlan {
  kind: AccessChangeKind;
  target: ResolvedTarget;
  repository: GitopsRepository;
  path: string;
  /** Parts of the change that make the branch name (besides kind and target). */
  identity: unknown;
  title: string;
  callers: CallerAccount[];
  ports: number[];
  justification: string;
  expiry?: string;
  /** Edits the documents in place; returns whether anything changed. */
  edit(docs: Document[], report: EditReport): boolean;
  /** The requests the change is about, probed before and after for the impact. */
  probe?: Probe;
  /** Whether the change is already in effect (then nothing is published). */
  alreadyInEffect?(engine: Engine): boolean;
  /** Why nothing changed when the edit changes nothing (default: already in the file). */
  unchangedReason?: string;
  /**
   * Refuse the change when the engine shows a caller losing access on a port (for edits that
   * must only ever add access, e.g. a Linkerd HTTPRoute grant).
   */
  mustKeepCallers?: boolean;
  /** What the observed traffic says about the change, one line each (pull request, impact). */
  evidence?: string[];
}

/** Outputs of every action. */
export type ChangeOutput = {
  changed: boolean;
  pullRequestUrl?: string;
  pullRequestNumber?: number;
  branch?: string;
  policyPath: string;
  diff: string;
  impact: string;
  message: string;
  /** Revoke: what was removed. */
  removed?: string[];
  /**
   * Request: requests the mesh allows that a NetworkPolicy still blocks. Revoke: revoked requests
   * that stay allowed after the change. Enforce: ports that stay without STRICT mTLS.
   */
  warnings?: string[];
};

/**
 * What a dry run found besides its outputs: the impact rows and new findings the pull request's
 * body would show, and the repository it would go to. Kept per action context, for the preview
 * route (previewRoute.ts), which runs the actions in dry-run mode.
 */
export interface DryRunDetails {
  repository: GitopsRepository;
  rows: ImpactRow[];
  findings: Array<{ code: string; severity: string; message: string }>;
}

const dryRuns = new WeakMap<object, DryRunDetails>();

/** The details of the dry run made with `ctx`, if one was made. */
export function dryRunDetailsOf(ctx: object): DryRunDetails | undefined {
  return dryRuns.get(ctx);
}

/** GitLab when an `integrations.gitlab` entry covers the host, GitHub otherwise. */
async function defaultPublisher(
  deps: ActionDeps,
  repo: GitopsRepository,
  logger: LoggerService,
): Promise<PullRequestPublisher> {
  const common = {
    integrations: deps.integrations,
    logger,
    maxRetryWaitSeconds: deps.config.maxRetryWaitSeconds,
  };
  if (deps.integrations.gitlab.byHost(repo.host)) {
    return GitlabMergeRequestPublisher.create({
      ...common,
      target: {
        host: repo.host,
        project: `${repo.owner}/${repo.name}`,
        baseBranch: deps.config.baseBranch,
      },
    });
  }
  return GithubPullRequestPublisher.create({
    ...common,
    target: {
      host: repo.host,
      owner: repo.owner,
      repo: repo.name,
      baseBranch: deps.config.baseBranch,
    },
    maxPolicyFileBytes: deps.config.maxPolicyFileBytes,
  });
}

/**
 * Checks, in one call with the credentials of the user who started the task, that the user may
 * request access changes (`mesh-security.access.request`) and may read every entity the change
 * is about (`catalog.entity.read` and `mesh-security.entity.read` of the target and of each
 * caller given as an entity ref). The module reads postures and the catalog with its own
 * service credentials, so nothing about an entity may be read before this passes
 * (docs/scaffolder.md "Permissions"). An entity the user may not read and one that does not
 * exist are refused with the same message.
 */
export async function authorizeRequest(
  ctx: ActionContext<any, any>,
  permissions: PermissionsService,
  entities: string[],
): Promise<void> {
  const credentials = await ctx.getInitiatorCredentials();
  const refs = [
    ...new Set(
      entities.map(ref =>
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'component',
            defaultNamespace: 'default',
          }),
        ),
      ),
    ),
  ];
  const [request, ...reads] = await permissions.authorize(
    [
      { permission: meshSecurityAccessRequestPermission },
      ...refs.flatMap(resourceRef => [
        { permission: catalogEntityReadPermission, resourceRef },
        { permission: meshSecurityEntityReadPermission, resourceRef },
      ]),
    ],
    { credentials },
  );
  if (request.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `You may not request access changes (permission ${meshSecurityAccessRequestPermission.name})`,
    );
  }
  const unreadable = refs.find(
    (_, i) =>
      reads[2 * i].result !== AuthorizeResult.ALLOW ||
      reads[2 * i + 1].result !== AuthorizeResult.ALLOW,
  );
  if (unreadable !== undefined) {
    throw new NotAllowedError(
      `You are not allowed to read ${unreadable}, or it does not exist`,
    );
  }
}

/**
 * Deterministic branch for (kind, target, change): reruns find the same pull request. With a
 * `salt`, another branch of the same form (the backend lists pull requests by this form).
 */
export function branchName(
  plan: Pick<ChangePlan, 'kind' | 'target' | 'identity'>,
  salt?: string,
): string {
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        plan.kind,
        plan.target.ref,
        plan.target.cluster,
        plan.identity,
        ...(salt ? [salt] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 12);
  return formatAccessChangeBranch({
    change: plan.kind,
    targetName: plan.target.name,
    hash,
  });
}

/** The sentence above a kind's warnings in the pull request (the request's is the default). */
const WARNINGS_HEADING: Partial<Record<AccessChangeKind, string>> = {
  revoke: 'Some of what this change revokes stays allowed after it:',
  enforce: 'Some ports stay without STRICT mTLS after this change:',
};

/**
 * The target's ports that are not STRICT after an enforcement, each with why: a port that
 * bypasses the proxy, a UDP port, a mode the analysis cannot settle.
 */
function notStrictAfter(
  after: Engine,
  target: { namespace: string; name: string },
): string[] {
  return after
    .posture({ namespace: target.namespace, name: target.name })
    .ports.filter(p => p.mtls !== 'STRICT')
    .map(
      p =>
        `port ${p.port}${
          p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : ''
        } stays ${p.mtls}: ${p.reason ?? 'no reason given'}`,
    );
}

/**
 * What the message adds to "Opened pull request …": what was removed, and the warnings (a
 * NetworkPolicy still blocking requested requests; revoked requests still allowed; ports that
 * stay without STRICT).
 */
function summary(
  kind: AccessChangeKind,
  last: { removed?: string[]; warnings?: string[] },
): string {
  const removed = last.removed?.length
    ? `; removed: ${last.removed.join('; ')}`
    : '';
  const n = last.warnings?.length ?? 0;
  let warned = '';
  if (n > 0 && kind === 'revoke')
    warned = `; warning: ${n} of the revoked request(s) stay allowed (see warnings)`;
  else if (n > 0 && kind === 'enforce')
    warned = `; warning: ${n} port(s) stay without STRICT mTLS (see warnings)`;
  else if (n > 0)
    warned = `; warning: a NetworkPolicy still blocks ${n} of the requested request(s) (see warnings)`;
  return `${removed}${warned}`;
}

/** Runs a plan: edit, validate, impact; dry-run reports, otherwise publishes. Sets the outputs. */
export async function executePlan(
  ctx: ActionContext<any, ChangeOutput>,
  deps: ActionDeps,
  plan: ChangePlan,
): Promise<ChangeOutput> {
  const publisher = deps.publisherFor
    ? await deps.publisherFor(plan.repository, ctx.logger)
    : await defaultPublisher(deps, plan.repository, ctx.logger);
  const snapshotCtx = {
    cluster: plan.target.cluster,
    platformNamespaces: deps.config.platformNamespaces,
    target: plan.target.workload,
    callers: plan.callers,
  };
  let unchangedReason =
    plan.unchangedReason ?? 'the policy file already contains this change';
  let last: {
    diff: string;
    impact: string;
    removed?: string[];
    warnings?: string[];
  } = { diff: '', impact: '' };
  let details: Pick<DryRunDetails, 'rows' | 'findings'> = {
    rows: [],
    findings: [],
  };

  const apply = async (current: string | undefined) => {
    const before = current ?? '';
    last = { diff: '', impact: '' };
    details = { rows: [], findings: [] };
    if (
      plan.alreadyInEffect &&
      plan.alreadyInEffect(
        createEngine(buildSnapshot(snapshotCtx, before).snapshot, {
          cluster: plan.target.cluster,
          platformNamespaces: deps.config.platformNamespaces,
        }),
      )
    ) {
      unchangedReason = 'the requested access is already allowed';
      const warnings = plan.probe
        ? networkWarningsNow(snapshotCtx, before, plan.probe, plan.ports)
        : [];
      if (warnings.length > 0) {
        unchangedReason += ` by the mesh, but a NetworkPolicy blocks it (${warnings.length} request(s), see warnings)`;
        last = { ...last, warnings };
      }
      return { content: before, changed: false, section: '' };
    }
    const docs = parsePolicyFile(before, plan.path);
    const report: EditReport = { notes: [], removed: [] };
    if (!plan.edit(docs, report))
      return { content: before, changed: false, section: '' };
    const after = inStyleOf(before, stringifyPolicyFile(docs));
    const analysis = analyseChange(
      snapshotCtx,
      before,
      after,
      plan.ports,
      plan.probe,
    );
    if (analysis.blocking.length > 0) {
      throw new InputError(
        `The change would introduce blocking findings: ${analysis.blocking
          .map(f => `${f.code} ${f.message}`)
          .join('; ')}`,
      );
    }
    if (plan.kind === 'request' && analysis.notGranted.length > 0) {
      throw new InputError(
        `The change would not grant the requested access; the mesh would still refuse ${analysis.notGranted.join(
          '; ',
        )}. Ask the platform team about what refuses it; no pull request was opened.`,
      );
    }
    const lost = analysis.impact.filter(r => r.removed.length > 0);
    if (plan.mustKeepCallers && lost.length > 0) {
      throw new InputError(
        keptCallersRefusal(lost, port =>
          analysis.after
            .callersOf(
              {
                namespace: snapshotCtx.target.namespace,
                name: snapshotCtx.target.name,
              },
              port,
            )
            .map(e => peerLabel(e.peer)),
        ),
      );
    }
    let warnings: string[] = [];
    if (plan.kind === 'request') warnings = analysis.warnings;
    else if (plan.kind === 'revoke')
      warnings = analysis.stillAllowed.map(
        s => `${s}. This change does not take it away.`,
      );
    else if (plan.kind === 'enforce')
      warnings = notStrictAfter(analysis.after, snapshotCtx.target);
    const diff = unifiedDiff(plan.path, before, after);
    details = {
      rows: analysis.impact,
      findings: analysis.newFindings.map(f => ({
        code: f.code,
        severity: f.severity,
        message: f.message,
      })),
    };
    last = {
      diff,
      impact: [
        impactTable(analysis.impact),
        ...(plan.evidence?.length
          ? ['', evidenceHeading, '', ...plan.evidence.map(l => `- ${l}`)]
          : []),
      ].join('\n'),
      ...(plan.kind === 'revoke' ? { removed: report.removed } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
    const section = requestSection({
      target: plan.target.ref,
      title: plan.title,
      requester: safeRequester(ctx.user?.ref),
      justification: plan.justification,
      expiry: plan.expiry,
      diff,
      impact: analysis.impact,
      findings: analysis.newFindings,
      notes: report.notes,
      removed: plan.kind === 'revoke' ? report.removed : undefined,
      warnings,
      ...(WARNINGS_HEADING[plan.kind]
        ? { warningsHeading: WARNINGS_HEADING[plan.kind] }
        : {}),
      evidence: plan.evidence,
    });
    return { content: after, changed: true, section };
  };

  const branch = branchName(plan);
  let out: ChangeOutput;
  if (ctx.isDryRun) {
    const applied = await apply(await publisher.readFile(plan.path));
    out = {
      changed: applied.changed,
      policyPath: plan.path,
      ...last,
      message: applied.changed
        ? `Dry run: would open a pull request on ${branch}${summary(
            plan.kind,
            last,
          )}`
        : `No change: ${unchangedReason}`,
    };
    dryRuns.set(ctx, { repository: plan.repository, ...details });
  } else {
    const lockKey = `${formatGitopsRepository(plan.repository)}:${plan.path}`;
    const result = await withFileLock(lockKey, () =>
      publisher.publish({
        path: plan.path,
        branch,
        freshBranch: () => branchName(plan, randomUUID()),
        title: `Mesh Security: ${plan.title}`,
        commitMessage: `${plan.title}\n\nRequested by ${safeRequester(
          ctx.user?.ref,
        )} through Backstage.`,
        header: pullRequestHeader(plan.path),
        apply,
        labels: deps.config.labels,
        reviewers: deps.config.reviewers,
      }),
    );
    const pr = result.pullRequestUrl
      ? {
          pullRequestUrl: result.pullRequestUrl,
          pullRequestNumber: result.pullRequestNumber,
          branch: result.branch,
        }
      : {};
    out = {
      changed: result.changed,
      policyPath: plan.path,
      ...last,
      ...pr,
      message: result.changed
        ? `${result.joined ? 'Added to the open' : 'Opened'} pull request ${
            result.pullRequestUrl
          }${summary(plan.kind, last)}`
        : `No change: ${unchangedReason}${
            result.pullRequestUrl
              ? ` (open pull request ${result.pullRequestUrl})`
              : ''
          }`,
    };
  }
  for (const [k, v] of Object.entries(out))
    if (v !== undefined) ctx.output(k as keyof ChangeOutput, v);
  ctx.logger.info(out.message);
  return out;
}

/**
 * Why an edit that must keep every caller is refused. An impact row's `removed` lists the
 * labels of callers before the change that are not there after; a caller still there with
 * other HTTP limits was not cut off but changed — e.g. a Linkerd caller authorized on the
 * whole Server, whose requests a new HTTPRoute widens (the Server's authorizations apply to
 * each of its routes) — and is said so, with both labels.
 */
function keptCallersRefusal(
  rows: ImpactRow[],
  peersAfter: (port: number) => string[],
): string {
  const gone: string[] = [];
  const changed: string[] = [];
  for (const row of rows) {
    const peers = peersAfter(row.port);
    const afterOf = (label: string) => {
      const peer = peers.find(p => label.startsWith(`${p} (`) || label === p);
      return peer === undefined
        ? undefined
        : row.after.find(a => a === peer || a.startsWith(`${peer} (`));
    };
    const g: string[] = [];
    const c: string[] = [];
    for (const label of row.removed) {
      const after = afterOf(label);
      if (after) c.push(`${label} → ${after}`);
      else g.push(label);
    }
    if (g.length > 0) gone.push(`port ${row.port}: ${g.join(', ')}`);
    if (c.length > 0) changed.push(`port ${row.port}: ${c.join(', ')}`);
  }
  const parts = [
    ...(gone.length > 0
      ? [`take access away from existing callers (${gone.join('; ')})`]
      : []),
    ...(changed.length > 0
      ? [`alter the requests existing callers may make (${changed.join('; ')})`]
      : []),
  ];
  return `The change would ${parts.join(' and ')}; nothing was written`;
}
