/**
 * The result of applying a change to the current content of the policy file.
 *
 * @public
 */
export interface AppliedChange {
  content: string;
  changed: boolean;
  /** The Markdown section describing this request in the pull request body. */
  section: string;
}

/**
 * One change of one policy file, to publish as (part of) a pull request.
 *
 * @public
 */
export interface PolicyFileChange {
  path: string;
  /** Deterministic branch for (target, change): a rerun finds and updates the same pull request. */
  branch: string;
  /**
   * Another branch of the same form (random), for when `branch` exists but is not the head of
   * a pull request the change may join (a leftover, or someone else's): it is never built on.
   */
  freshBranch(): string;
  title: string;
  commitMessage: string;
  /** Text at the top of a new pull request body. */
  header: string;
  /**
   * Applies the change to the file's current content (undefined: the file does not exist). Called
   * again with the new content when the file moved on underneath us (rebase).
   */
  apply(current: string | undefined): Promise<AppliedChange>;
  labels: string[];
  /** Users, or teams as `org/team`. */
  reviewers: string[];
}

/**
 * What {@link PullRequestPublisher.publish} did.
 *
 * @public
 */
export interface PublishResult {
  changed: boolean;
  /** Content before and after, as committed (or as found when unchanged). */
  before: string;
  after: string;
  pullRequestUrl?: string;
  pullRequestNumber?: number;
  branch?: string;
  /** The change joined an open pull request for the same policy file. */
  joined: boolean;
}

/**
 * Publishes policy changes as pull (or merge) requests. GitHub is implemented; a GitLab merge
 * request publisher implements the same interface.
 *
 * @public
 */
export interface PullRequestPublisher {
  /** Reads a file from the base branch (or `ref`); undefined when absent. */
  readFile(path: string, ref?: string): Promise<string | undefined>;
  /**
   * Commits the change on its branch and opens the pull request, or: adds a commit to an open
   * pull request for the same file (join), or reports that nothing changed.
   */
  publish(change: PolicyFileChange): Promise<PublishResult>;
}
