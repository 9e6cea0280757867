import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialType,
  ScmIntegrations,
} from '@backstage/integration';
import {
  githubFailure,
  hasPolicyFileMarker,
  parseAccessChangeBranch,
  policyFileMarker,
} from '@mesh-security/plugin-mesh-security-common';
import { Octokit } from '@octokit/rest';
import { mapGithubFailure, rateLimitWait } from './githubErrors';
import {
  decoratePullRequest,
  OpenPull,
  PullRequestContext,
  upsertPullRequest,
} from './githubPullRequests';
import {
  PolicyFileChange,
  PublishResult,
  PullRequestPublisher,
} from './PullRequestPublisher';

/** Where to publish. */
export interface GithubTarget {
  host: string;
  owner: string;
  repo: string;
  /** Base branch; the repository's default branch when absent. */
  baseBranch?: string;
}

/** Options of {@link GithubPullRequestPublisher.create}. */
export interface GithubPublisherOptions {
  integrations: ScmIntegrations;
  target: GithubTarget;
  logger: LoggerService;
  maxRetryWaitSeconds: number;
  /** Largest policy file read, in bytes (`meshSecurity.accessRequests.maxPolicyFileBytes`). */
  maxPolicyFileBytes: number;
  /** Rebase attempts when the file or branch moved on concurrently. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Refuses bytes that are not UTF-8 rather than replacing them (and writing the damage back). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Pages of 100 open pull requests read at most when looking for one to join: 1,000 pull
 * requests. Beyond, the change opens its own pull request rather than guess (docs/scaffolder.md,
 * "The pull request").
 */
const MAX_PULL_REQUEST_PAGES = 10;

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Publishes policy changes as GitHub pull requests through the REST API, with the credentials of
 * the `integrations.github` entry for the host (token or GitHub App).
 */
export class GithubPullRequestPublisher implements PullRequestPublisher {
  /** Builds a publisher; fails clearly when no integration covers the host. */
  static async create(
    options: GithubPublisherOptions,
  ): Promise<GithubPullRequestPublisher> {
    const { integrations, target } = options;
    const integration = integrations.github.byHost(target.host);
    if (!integration) {
      throw new InputError(
        `No integrations.github entry for host ${target.host}; add one (with a token or GitHub App) to publish access changes there`,
      );
    }
    const url = `https://${target.host}/${target.owner}/${target.repo}`;
    const { token, type } =
      await DefaultGithubCredentialsProvider.fromIntegrations(
        integrations,
      ).getCredentials({ url });
    if (!token)
      throw new InputError(
        `The integrations.github entry for ${target.host} has no token or GitHub App for ${target.owner}`,
      );
    const octokit = new Octokit({
      auth: token,
      baseUrl: integration.config.apiBaseUrl ?? 'https://api.github.com',
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return new GithubPullRequestPublisher(octokit, type, options);
  }

  /** The login the credentials act as, looked up once (undefined: unknown). */
  private login?: Promise<string | undefined>;

  private constructor(
    private readonly octokit: Octokit,
    private readonly credentialType: GithubCredentialType,
    private readonly options: GithubPublisherOptions,
  ) {}

  private get repoName() {
    return `${this.options.target.owner}/${this.options.target.repo}`;
  }

  /** Runs a request, retrying rate limits within bounds and mapping failures. */
  private async call<T>(
    what: string,
    fn: () => Promise<T>,
    accept: number[] = [],
  ): Promise<T | undefined> {
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const f = githubFailure(error);
        if (!f) throw error;
        if (accept.includes(f.status)) return undefined;
        const wait = rateLimitWait(f, Date.now());
        if (
          wait !== undefined &&
          attempt < 2 &&
          wait <= this.options.maxRetryWaitSeconds
        ) {
          this.options.logger.warn(
            `GitHub rate limit while trying to ${what}; retrying in ${wait}s`,
          );
          await sleep(wait * 1000);
          continue;
        }
        throw mapGithubFailure(
          f,
          what,
          this.repoName,
          this.options.target.host,
        );
      }
    }
  }

  private repoParams() {
    return { owner: this.options.target.owner, repo: this.options.target.repo };
  }

  private async baseBranch(): Promise<string> {
    if (this.options.target.baseBranch) return this.options.target.baseBranch;
    const repo = await this.call('read the repository', () =>
      this.octokit.repos.get(this.repoParams()),
    );
    return repo!.data.default_branch;
  }

  /**
   * Reads a file with its blob sha; undefined content when it does not exist. Fails closed:
   * a file is only ever returned whole, as many bytes as GitHub says it has.
   */
  private async readWithSha(
    path: string,
    ref: string,
  ): Promise<{ content?: string; sha?: string }> {
    const res = await this.call(
      'read the policy file',
      () => this.octokit.repos.getContent({ ...this.repoParams(), path, ref }),
      [404],
    );
    if (!res) return {};
    const data = res.data as {
      type?: string;
      content?: unknown;
      encoding?: unknown;
      sha?: unknown;
      size?: unknown;
    };
    if (Array.isArray(res.data) || data.type !== 'file') {
      throw new InputError(`${path} in ${this.repoName} is not a file`);
    }
    const { sha, size } = data;
    if (typeof sha !== 'string' || !Number.isSafeInteger(size)) {
      throw new InputError(
        `GitHub did not report the sha and size of ${path} in ${this.repoName}; nothing was written`,
      );
    }
    const bytes = size as number;
    const limit = this.options.maxPolicyFileBytes;
    if (bytes > limit) {
      throw new InputError(
        `${path} in ${this.repoName} is ${bytes} bytes, more than the ${limit} the actions edit (meshSecurity.accessRequests.maxPolicyFileBytes); nothing was written: split the file, or raise the limit`,
      );
    }
    // "Get repository content": files of 1 to 100 MB come with `encoding: none` and an empty
    // `content`; the blob of the same sha ("Get a blob", always base64) carries them.
    let encoded = { encoding: data.encoding, content: data.content };
    if (data.encoding === 'none') {
      const blob = await this.call('read the policy file', () =>
        this.octokit.git.getBlob({ ...this.repoParams(), file_sha: sha }),
      );
      encoded = { encoding: blob!.data.encoding, content: blob!.data.content };
    }
    if (encoded.encoding !== 'base64' || typeof encoded.content !== 'string') {
      throw new InputError(
        `GitHub sent ${path} in ${this.repoName} with encoding ${String(
          encoded.encoding,
        )}, which the actions cannot decode; nothing was written`,
      );
    }
    const decoded = Buffer.from(encoded.content, 'base64');
    if (decoded.length !== bytes) {
      throw new InputError(
        `GitHub reported ${bytes} bytes for ${path} in ${this.repoName} but sent ${decoded.length}; nothing was written, run the task again`,
      );
    }
    try {
      return { content: UTF8.decode(decoded), sha };
    } catch {
      throw new InputError(
        `${path} in ${this.repoName} is not UTF-8 text; nothing was written`,
      );
    }
  }

  /** {@inheritDoc PullRequestPublisher.readFile} */
  async readFile(path: string, ref?: string): Promise<string | undefined> {
    return (await this.readWithSha(path, ref ?? (await this.baseBranch())))
      .content;
  }

  private async branchSha(branch: string): Promise<string | undefined> {
    const res = await this.call(
      'read a branch',
      () =>
        this.octokit.git.getRef({
          ...this.repoParams(),
          ref: `heads/${branch}`,
        }),
      [404],
    );
    return res?.data.object.sha;
  }

  /**
   * The account the integration's credentials act as: a token's user ("Get the authenticated
   * user"), or a GitHub App installation's bot, `<app-slug>[bot]`, which GraphQL's `viewer`
   * names (installation tokens may not call `GET /user`). Undefined when it cannot be told.
   */
  private actingLogin(): Promise<string | undefined> {
    this.login ??= (async () => {
      try {
        // No rate-limit retries: when the account cannot be told, nothing is joined.
        const login =
          this.credentialType === 'app'
            ? (
                await this.octokit.graphql<{ viewer?: { login?: unknown } }>(
                  'query { viewer { login } }',
                )
              ).viewer?.login
            : (await this.octokit.users.getAuthenticated()).data.login;
        if (typeof login === 'string' && login) return login;
        this.options.logger.warn(
          `GitHub named no account for the integrations.github credentials of ${this.options.target.host}; not joining open pull requests`,
        );
      } catch (error) {
        const status = githubFailure(error)?.status;
        this.options.logger.warn(
          `Could not tell which GitHub account the integrations.github credentials of ${
            this.options.target.host
          } act as (${
            status ? `HTTP ${status}` : 'no answer'
          }); not joining open pull requests`,
        );
      }
      return undefined;
    })();
    return this.login;
  }

  /**
   * Whether a change may be committed to a pull request's branch: a branch of the actions
   * (`mesh-security/<change>/<name>-<hash>`, as common's parser reads it) in this repository (not a fork: GitHub gives `head.repo` null for a
   * deleted one), opened by the account the integration acts as. Anything else could carry
   * commits nobody asked the actions for.
   */
  private async mayJoin(pull: OpenPull): Promise<boolean> {
    const login = await this.actingLogin();
    return (
      login !== undefined &&
      typeof pull.head?.ref === 'string' &&
      parseAccessChangeBranch(pull.head.ref) !== undefined &&
      typeof pull.head.repo?.full_name === 'string' &&
      pull.head.repo.full_name.toLowerCase() === this.repoName.toLowerCase() &&
      typeof pull.user?.login === 'string' &&
      pull.user.login.toLowerCase() === login.toLowerCase()
    );
  }

  /**
   * Every open pull request, up to {@link MAX_PULL_REQUEST_PAGES} pages of 100 (the `Link`
   * header names the next page: "Using pagination in the REST API"); `complete` is false when
   * there were more.
   */
  private async openPulls(): Promise<{ pulls: OpenPull[]; complete: boolean }> {
    const pulls: OpenPull[] = [];
    for (let page = 1; page <= MAX_PULL_REQUEST_PAGES; page++) {
      const res = await this.call('list open pull requests', () =>
        this.octokit.pulls.list({
          ...this.repoParams(),
          state: 'open',
          per_page: 100,
          page,
        }),
      );
      const items: unknown = res?.data;
      if (!Array.isArray(items)) {
        throw new ServiceUnavailableError(
          `GitHub did not answer a list of open pull requests of ${this.repoName}; try again later`,
        );
      }
      pulls.push(
        ...(items as OpenPull[]).filter(p => p && typeof p === 'object'),
      );
      if (!/rel="next"/.test(String(res!.headers.link ?? '')))
        return { pulls, complete: true };
    }
    return { pulls, complete: false };
  }

  /** The open pull request this change joins: its own branch's, else one for the same file. */
  private async pullToJoin(
    change: PolicyFileChange,
  ): Promise<OpenPull | undefined> {
    const { pulls, complete } = await this.openPulls();
    if (!complete) {
      this.options.logger.warn(
        `${this.repoName} has more than ${
          MAX_PULL_REQUEST_PAGES * 100
        } open pull requests; opening a new pull request instead of looking further for one to join`,
      );
      return undefined;
    }
    const candidates = [
      ...pulls.filter(p => p.head?.ref === change.branch),
      ...pulls.filter(p => hasPolicyFileMarker(p.body, change.path)),
    ];
    for (const pull of candidates) if (await this.mayJoin(pull)) return pull;
    return undefined;
  }

  /**
   * A branch for a new pull request: the change's own, unless it exists already (then it is
   * not the head of a pull request the change may join, and is never built on).
   */
  private async newBranch(change: PolicyFileChange): Promise<string> {
    if ((await this.branchSha(change.branch)) === undefined)
      return change.branch;
    this.options.logger.info(
      `Branch ${change.branch} already exists in ${this.repoName} without a pull request this integration may join; using a new branch`,
    );
    return change.freshBranch();
  }

  private pullContext(): PullRequestContext {
    return {
      octokit: this.octokit,
      params: this.repoParams(),
      call: (what, fn) => this.call(what, fn),
      logger: this.options.logger,
      mayJoin: pull => this.mayJoin(pull),
    };
  }

  /** {@inheritDoc PullRequestPublisher.publish} */
  async publish(change: PolicyFileChange): Promise<PublishResult> {
    const base = await this.baseBranch();
    const marker = policyFileMarker(change.path);
    const existing = await this.pullToJoin(change);
    let branch = existing ? existing.head.ref : await this.newBranch(change);
    // A new pull request's branch is built on only once this run created it.
    let created = false;
    const maxAttempts = this.options.maxAttempts ?? 3;
    let committed:
      | { before: string; after: string; section: string }
      | undefined;
    for (let attempt = 1; !committed; attempt++) {
      if (attempt > maxAttempts) {
        throw new ConflictError(
          `${change.path} in ${this.repoName} changed ${maxAttempts} times while this request was being applied (concurrent access changes); run the task again`,
        );
      }
      const target = branch;
      const branchExists = existing
        ? (await this.branchSha(target)) !== undefined
        : created;
      const current = await this.readWithSha(
        change.path,
        branchExists ? branch : base,
      );
      const applied = await change.apply(current.content);
      if (!applied.changed) {
        return {
          changed: false,
          before: current.content ?? '',
          after: current.content ?? '',
          joined: false,
          ...(existing && branchExists
            ? {
                pullRequestUrl: existing.html_url,
                pullRequestNumber: existing.number,
                branch,
              }
            : {}),
        };
      }
      if (!branchExists) {
        const baseSha = await this.branchSha(base);
        if (!baseSha)
          throw new InputError(
            `Base branch ${base} does not exist in ${this.repoName}; check meshSecurity.accessRequests.baseBranch`,
          );
        // 422 "Reference already exists": created concurrently by someone else; never build
        // on it, start over on another branch.
        const ref = await this.call(
          'create a branch',
          () =>
            this.octokit.git.createRef({
              ...this.repoParams(),
              ref: `refs/heads/${target}`,
              sha: baseSha,
            }),
          [422],
        );
        if (!ref) {
          if (existing)
            throw new ConflictError(
              `The branch of pull request #${existing.number} in ${this.repoName} was deleted and recreated meanwhile; run the task again`,
            );
          branch = change.freshBranch();
          continue;
        }
        created = true;
      }
      const write = await this.call(
        'commit the policy file',
        () =>
          this.octokit.repos.createOrUpdateFileContents({
            ...this.repoParams(),
            path: change.path,
            branch: target,
            message: change.commitMessage,
            content: Buffer.from(applied.content, 'utf8').toString('base64'),
            ...(current.sha ? { sha: current.sha } : {}),
          }),
        [409, 422],
      );
      if (!write) {
        this.options.logger.info(
          `${change.path} changed on ${branch} meanwhile; applying the change again on the new content`,
        );
        continue;
      }
      committed = {
        before: current.content ?? '',
        after: applied.content,
        section: applied.section,
      };
    }
    const { pull, joined } = await upsertPullRequest(
      this.pullContext(),
      change,
      existing,
      branch,
      base,
      committed.section,
      marker,
    );
    await decoratePullRequest(this.pullContext(), pull.number, change);
    return {
      changed: true,
      before: committed.before,
      after: committed.after,
      pullRequestUrl: pull.html_url,
      pullRequestNumber: pull.number,
      branch,
      joined,
    };
  }
}
