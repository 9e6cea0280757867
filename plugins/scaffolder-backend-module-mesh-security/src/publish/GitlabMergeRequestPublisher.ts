import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import {
  hasPolicyFileMarker,
  parseAccessChangeBranch,
  policyFileMarker,
} from '@mesh-security/plugin-mesh-security-common';
import { mapGithubFailure, rateLimitWait } from './githubErrors';
import {
  PolicyFileChange,
  PublishResult,
  PullRequestPublisher,
} from './PullRequestPublisher';

/** Where to publish on GitLab. */
export interface GitlabTarget {
  host: string;
  /** Project path, `group/project` (subgroups allowed). */
  project: string;
  baseBranch?: string;
}

/** The fields of GitLab's "List project merge requests" items that are read. */
interface MergeRequest {
  iid: number;
  web_url: string;
  description?: string | null;
  source_branch: string;
  source_project_id?: number;
  target_project_id?: number;
  author?: { username?: string } | null;
}

/** Pages of 100 open merge requests read at most when looking for one to join. */
const MAX_MERGE_REQUEST_PAGES = 10;

/**
 * Publishes policy changes as GitLab merge requests (REST API v4) with the token of the
 * `integrations.gitlab` entry for the host: same branch, join and rebase rules as GitHub (only
 * the token user's merge requests from the project itself are joined). Reviewers are not
 * requested (GitLab needs user ids); labels are set.
 */
export class GitlabMergeRequestPublisher implements PullRequestPublisher {
  /** Builds a publisher; fails clearly when no integration covers the host. */
  static create(options: {
    integrations: ScmIntegrations;
    target: GitlabTarget;
    logger: LoggerService;
    maxRetryWaitSeconds: number;
    sleep?: (ms: number) => Promise<void>;
  }) {
    const integration = options.integrations.gitlab.byHost(options.target.host);
    if (!integration?.config.token)
      throw new InputError(
        `No integrations.gitlab entry with a token for host ${options.target.host}`,
      );
    return new GitlabMergeRequestPublisher(
      integration.config.apiBaseUrl,
      integration.config.token,
      options,
    );
  }

  private constructor(
    private readonly apiBaseUrl: string,
    private readonly token: string,
    private readonly options: {
      target: GitlabTarget;
      logger: LoggerService;
      maxRetryWaitSeconds: number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  /** The token user's username, looked up once (undefined: unknown). */
  private username?: Promise<string | undefined>;

  private get projectUrl() {
    return `${this.apiBaseUrl}/projects/${encodeURIComponent(
      this.options.target.project,
    )}`;
  }

  private async call<T>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<T | undefined> {
    return (await this.send<T>(what, method, path, body, accept))?.data;
  }

  /** A request to the project (`/…` paths) or to the API root (`api:…` paths). */
  private async send<T>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<{ data: T; headers: Headers } | undefined> {
    const sleep =
      this.options.sleep ??
      ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));
    const url = path.startsWith('api:')
      ? `${this.apiBaseUrl}/${path.slice('api:'.length)}`
      : `${this.projectUrl}${path}`;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method,
        headers: {
          'PRIVATE-TOKEN': this.token,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (res.ok)
        return { data: (await res.json()) as T, headers: res.headers };
      if (accept.includes(res.status)) return undefined;
      const failure = {
        status: res.status,
        headers: Object.fromEntries(res.headers.entries()),
        message: '',
      };
      const wait = rateLimitWait(failure, Date.now());
      if (
        wait !== undefined &&
        attempt < 2 &&
        wait <= this.options.maxRetryWaitSeconds
      ) {
        await sleep(wait * 1000);
        continue;
      }
      throw mapGithubFailure(
        failure,
        what,
        this.options.target.project,
        this.options.target.host,
        'GitLab',
      );
    }
  }

  private async base(): Promise<string> {
    if (this.options.target.baseBranch) return this.options.target.baseBranch;
    return (await this.call<{ default_branch: string }>(
      'read the project',
      'GET',
      '',
    ))!.default_branch;
  }

  private async read(
    path: string,
    ref: string,
  ): Promise<{ content?: string; lastCommitId?: string }> {
    const file = await this.call<{ content: string; last_commit_id: string }>(
      'read the policy file',
      'GET',
      `/repository/files/${encodeURIComponent(path)}?ref=${encodeURIComponent(
        ref,
      )}`,
      undefined,
      [404],
    );
    return file
      ? {
          content: Buffer.from(file.content, 'base64').toString('utf8'),
          lastCommitId: file.last_commit_id,
        }
      : {};
  }

  /** {@inheritDoc PullRequestPublisher.readFile} */
  async readFile(path: string, ref?: string): Promise<string | undefined> {
    return (await this.read(path, ref ?? (await this.base()))).content;
  }

  /** The token user's username ("Get the current user"); undefined when it cannot be told. */
  private currentUser(): Promise<string | undefined> {
    this.username ??= this.call<{ username?: unknown }>(
      'identify the token user',
      'GET',
      'api:user',
    ).then(
      user =>
        typeof user?.username === 'string' && user.username
          ? user.username
          : undefined,
      () => undefined,
    );
    return this.username;
  }

  /**
   * Whether a change may be committed to a merge request's source branch: a branch of the
   * actions in the project itself (not a fork), opened by the token's user.
   */
  private async mayJoin(mr: MergeRequest): Promise<boolean> {
    const username = await this.currentUser();
    return (
      username !== undefined &&
      typeof mr.source_branch === 'string' &&
      parseAccessChangeBranch(mr.source_branch) !== undefined &&
      typeof mr.source_project_id === 'number' &&
      mr.source_project_id === mr.target_project_id &&
      mr.author?.username?.toLowerCase() === username.toLowerCase()
    );
  }

  /** The open merge request this change joins, reading every page (`x-next-page`), bounded. */
  private async mergeRequestToJoin(
    change: PolicyFileChange,
  ): Promise<MergeRequest | undefined> {
    const open: MergeRequest[] = [];
    for (let page = 1; ; page++) {
      if (page > MAX_MERGE_REQUEST_PAGES) {
        this.options.logger.warn(
          `${this.options.target.project} has more than ${
            MAX_MERGE_REQUEST_PAGES * 100
          } open merge requests; opening a new merge request instead of looking further for one to join`,
        );
        return undefined;
      }
      const res = await this.send<unknown>(
        'list merge requests',
        'GET',
        `/merge_requests?state=opened&per_page=100&page=${page}`,
      );
      if (!Array.isArray(res?.data))
        throw new ServiceUnavailableError(
          `GitLab did not answer a list of open merge requests of ${this.options.target.project}; try again later`,
        );
      open.push(
        ...(res!.data as MergeRequest[]).filter(
          m => m && typeof m === 'object',
        ),
      );
      if (!res!.headers.get('x-next-page')) break;
    }
    const candidates = [
      ...open.filter(m => m.source_branch === change.branch),
      ...open.filter(m => hasPolicyFileMarker(m.description, change.path)),
    ];
    for (const mr of candidates) if (await this.mayJoin(mr)) return mr;
    return undefined;
  }

  private async branchExists(branch: string): Promise<boolean> {
    return (
      (await this.call(
        'read a branch',
        'GET',
        `/repository/branches/${encodeURIComponent(branch)}`,
        undefined,
        [404],
      )) !== undefined
    );
  }

  /** {@inheritDoc PullRequestPublisher.publish} */
  async publish(change: PolicyFileChange): Promise<PublishResult> {
    const base = await this.base();
    const marker = policyFileMarker(change.path);
    const existing = await this.mergeRequestToJoin(change);
    let branch = existing ? existing.source_branch : change.branch;
    for (let attempt = 1; attempt <= 3; attempt++) {
      let exists = await this.branchExists(branch);
      if (!existing && exists) {
        // Not the source of a merge request this change may join (a leftover, someone else's
        // push, or created meanwhile): never built on; the commit creates a new branch.
        this.options.logger.info(
          `Branch ${branch} already exists in ${this.options.target.project} without a merge request this integration may join; using a new branch`,
        );
        branch = change.freshBranch();
        exists = false;
      }
      const current = await this.read(change.path, exists ? branch : base);
      const applied = await change.apply(current.content);
      if (!applied.changed) {
        return {
          changed: false,
          before: current.content ?? '',
          after: current.content ?? '',
          joined: false,
          ...(existing
            ? {
                pullRequestUrl: existing.web_url,
                pullRequestNumber: existing.iid,
                branch,
              }
            : {}),
        };
      }
      const commit = await this.call(
        'commit the policy file',
        'POST',
        '/repository/commits',
        {
          branch,
          ...(exists ? {} : { start_branch: base }),
          commit_message: change.commitMessage,
          actions: [
            {
              action: current.content === undefined ? 'create' : 'update',
              file_path: change.path,
              content: applied.content,
              ...(current.lastCommitId
                ? { last_commit_id: current.lastCommitId }
                : {}),
            },
          ],
        },
        [400, 409],
      );
      // 400/409: the file (or branch) moved on since we read it: apply again on the new content.
      if (!commit) continue;
      let mr: MergeRequest;
      if (existing) {
        // Re-read the description right before appending (another replica may have appended
        // since the list); GitLab has no conditional update for it either.
        const latest = await this.call<MergeRequest>(
          'read the merge request',
          'GET',
          `/merge_requests/${existing.iid}`,
        );
        await this.call(
          'update the merge request',
          'PUT',
          `/merge_requests/${existing.iid}`,
          {
            description: `${
              latest?.description ?? existing.description ?? ''
            }\n\n---\n\n${applied.section}`,
          },
        );
        mr = existing;
      } else {
        mr = (await this.call<MergeRequest>(
          'open the merge request',
          'POST',
          '/merge_requests',
          {
            source_branch: branch,
            target_branch: base,
            title: change.title,
            description: `${marker}\n${change.header}\n\n${applied.section}`,
            ...(change.labels.length
              ? { labels: change.labels.join(',') }
              : {}),
          },
        ))!;
      }
      return {
        changed: true,
        before: current.content ?? '',
        after: applied.content,
        pullRequestUrl: mr.web_url,
        pullRequestNumber: mr.iid,
        branch,
        joined: Boolean(existing),
      };
    }
    throw new ConflictError(
      `${change.path} in ${this.options.target.project} changed 3 times while this request was being applied (concurrent access changes); run the task again`,
    );
  }
}
