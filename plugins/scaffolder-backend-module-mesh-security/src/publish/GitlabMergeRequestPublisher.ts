import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { mapGithubFailure, rateLimitWait } from './githubErrors';
import {
  policyFileMarker,
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

interface MergeRequest {
  iid: number;
  web_url: string;
  description?: string | null;
  source_branch: string;
}

/**
 * Publishes policy changes as GitLab merge requests (REST API v4) with the token of the
 * `integrations.gitlab` entry for the host: same branch, join and rebase rules as GitHub.
 * Reviewers are not requested (GitLab needs user ids); labels are set.
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
    const sleep =
      this.options.sleep ??
      ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.projectUrl}${path}`, {
        method,
        headers: {
          'PRIVATE-TOKEN': this.token,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (res.ok) return (await res.json()) as T;
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

  /** {@inheritDoc PullRequestPublisher.publish} */
  async publish(change: PolicyFileChange): Promise<PublishResult> {
    const base = await this.base();
    const marker = policyFileMarker(change.path);
    const open =
      (await this.call<MergeRequest[]>(
        'list merge requests',
        'GET',
        '/merge_requests?state=opened&per_page=100',
      )) ?? [];
    const existing =
      open.find(m => m.source_branch === change.branch) ??
      open.find(m => (m.description ?? '').includes(marker));
    const branch = existing ? existing.source_branch : change.branch;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const exists =
        (await this.call(
          'read a branch',
          'GET',
          `/repository/branches/${encodeURIComponent(branch)}`,
          undefined,
          [404],
        )) !== undefined;
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
