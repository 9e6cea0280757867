import { LoggerService } from '@backstage/backend-plugin-api';
import { Octokit } from '@octokit/rest';
import { PolicyFileChange } from './PullRequestPublisher';

/** An open pull request, as listed by GitHub. */
export interface OpenPull {
  number: number;
  html_url: string;
  body?: string | null;
  head: { ref: string };
}

/** What the pull request helpers need from the publisher. */
export interface PullRequestContext {
  octokit: Octokit;
  params: { owner: string; repo: string };
  /** Runs a request with the publisher's rate-limit retries and error mapping. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined>;
  logger: LoggerService;
}

/** Opens the pull request, or appends this request's section to the one being joined. */
export async function upsertPullRequest(
  ctx: PullRequestContext,
  change: PolicyFileChange,
  existing: OpenPull | undefined,
  branch: string,
  base: string,
  section: string,
  marker: string,
): Promise<OpenPull> {
  if (existing) {
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
    return existing;
  }
  const body = `${marker}\n${change.header}\n\n${section}`;
  const created = await ctx.call('open the pull request', () =>
    ctx.octokit.pulls.create({
      ...ctx.params,
      title: change.title,
      head: branch,
      base,
      body,
    }),
  );
  return created!.data as OpenPull;
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
