import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Octokit } from '@octokit/rest';
import { githubFailure } from '@mesh-security/plugin-mesh-security-common';
import { PolicyFileChange } from './PullRequestPublisher';

/** An open pull request, as listed by GitHub ("List pull requests"). */
export interface OpenPull {
  number: number;
  html_url: string;
  body?: string | null;
  /** Who opened it. */
  user?: { login?: string } | null;
  /** `repo` is null when the head was a fork that has been deleted since. */
  head: { ref: string; repo?: { full_name?: string } | null };
}

/** What the pull request helpers need from the publisher. */
export interface PullRequestContext {
  octokit: Octokit;
  params: { owner: string; repo: string };
  /** Runs a request with the publisher's rate-limit retries and error mapping. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined>;
  logger: LoggerService;
  /** Whether the change may be committed to this pull request's branch (see the publisher). */
  mayJoin(pull: OpenPull): Promise<boolean>;
}

/** Appends this request's section to the body of the pull request being joined. */
async function appendSection(
  ctx: PullRequestContext,
  existing: OpenPull,
  section: string,
) {
  // Re-read the body right before appending: another replica may have appended its section
  // since the pull request was listed (GitHub has no conditional update for a PR body, so
  // this narrows the window to one round trip; the commits record every request regardless).
  const current = await ctx.call('read the pull request', () =>
    ctx.octokit.pulls.get({ ...ctx.params, pull_number: existing.number }),
  );
  const body = `${
    current?.data.body ?? existing.body ?? ''
  }\n\n---\n\n${section}`;
  await ctx.call('update the pull request', () =>
    ctx.octokit.pulls.update({
      ...ctx.params,
      pull_number: existing.number,
      body,
    }),
  );
}

/**
 * Opens the pull request, or appends this request's section to the one being joined. When
 * GitHub answers that a pull request from the branch already exists (422, the race its "Create
 * a pull request" documents), that pull request is joined if the change may join it.
 */
export async function upsertPullRequest(
  ctx: PullRequestContext,
  change: PolicyFileChange,
  existing: OpenPull | undefined,
  branch: string,
  base: string,
  section: string,
  marker: string,
): Promise<{ pull: OpenPull; joined: boolean }> {
  if (existing) {
    await appendSection(ctx, existing, section);
    return { pull: existing, joined: true };
  }
  const body = `${marker}\n${change.header}\n\n${section}`;
  let duplicate = false;
  const created = await ctx.call('open the pull request', async () => {
    try {
      return await ctx.octokit.pulls.create({
        ...ctx.params,
        title: change.title,
        head: branch,
        base,
        body,
      });
    } catch (error) {
      const failure = githubFailure(error);
      if (
        failure?.status === 422 &&
        /a pull request already exists/i.test(failure.message)
      ) {
        duplicate = true;
        return undefined;
      }
      throw error;
    }
  });
  if (!duplicate) return { pull: created!.data as OpenPull, joined: false };
  const listed = await ctx.call('list the pull requests of the branch', () =>
    ctx.octokit.pulls.list({
      ...ctx.params,
      state: 'open',
      head: `${ctx.params.owner}:${branch}`,
    }),
  );
  for (const pull of (listed?.data ?? []) as OpenPull[]) {
    if (await ctx.mayJoin(pull)) {
      await appendSection(ctx, pull, section);
      return { pull, joined: true };
    }
  }
  throw new ConflictError(
    `A pull request that this integration may not join was opened from ${branch} in ${ctx.params.owner}/${ctx.params.repo} meanwhile; run the task again to open a new one`,
  );
}

/** Adds the configured labels and requests the configured reviewers (users, or `org/team`). */
export async function decoratePullRequest(
  ctx: PullRequestContext,
  number: number,
  change: PolicyFileChange,
) {
  if (change.labels.length > 0) {
    await ctx.call('label the pull request', () =>
      ctx.octokit.issues.addLabels({
        ...ctx.params,
        issue_number: number,
        labels: change.labels,
      }),
    );
  }
  const teams = change.reviewers
    .filter(r => r.includes('/'))
    .map(r => r.split('/')[1]);
  const users = change.reviewers.filter(r => !r.includes('/'));
  if (teams.length + users.length === 0) return;
  try {
    await ctx.call('request reviewers', () =>
      ctx.octokit.pulls.requestReviewers({
        ...ctx.params,
        pull_number: number,
        reviewers: users,
        team_reviewers: teams,
      }),
    );
  } catch (error) {
    // Reviewers are a convenience (e.g. the requester cannot review their own PR): warn, go on.
    ctx.logger.warn(
      `Could not request reviewers on pull request #${number}: ${
        (error as Error).message
      }`,
    );
  }
}
