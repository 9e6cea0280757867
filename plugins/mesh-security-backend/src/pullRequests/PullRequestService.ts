import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { JsonValue } from '@backstage/types';
import {
  CatalogAccessChangePullRequest,
  CatalogPullRequests,
  EntityPullRequests,
  formatGitopsRepository,
  GITOPS_REPO_ANNOTATION,
  GitopsRepository,
  gitopsRepositoryUrl,
  GitopsRepositorySettings,
  isAccessChangeOf,
} from '@mesh-security/plugin-mesh-security-common';
import { PullRequestListing } from './GithubPullRequestLister';
import { resolveRepository } from './repository';
import { limitConcurrency } from '../sources/limitConcurrency';

/** Options of {@link PullRequestService}. */
export interface PullRequestServiceOptions {
  settings: GitopsRepositorySettings;
  integrations: ScmIntegrationRegistry;
  cache: CacheService;
  logger: LoggerService;
  lister: { list(repo: GitopsRepository): Promise<PullRequestListing> };
  /** How long a repository's listing is reused, in milliseconds. Default 60 000. */
  ttlMs?: number;
  /** How long a failure is remembered (not to hammer a rate-limited forge). Default 30 000. */
  errorTtlMs?: number;
}

/**
 * A component's open access-change pull requests. One listing per repository serves every
 * component in it and is kept in the Backstage cache for about a minute — shared by the replicas
 * when the cache is Redis or Memcache, like the cluster snapshots — so page views do not each
 * call GitHub, and concurrent views of the same repository on one replica share one request.
 */
export class PullRequestService {
  private readonly inFlight = new Map<string, Promise<PullRequestListing>>();

  constructor(private readonly options: PullRequestServiceOptions) {}

  async entityPullRequests(entity: Entity): Promise<EntityPullRequests> {
    const resolution = resolveRepository(
      entity,
      this.options.settings,
      this.options.integrations,
    );
    const repository = resolution.repository && {
      host: resolution.repository.host,
      owner: resolution.repository.owner,
      name: resolution.repository.name,
      url: gitopsRepositoryUrl(resolution.repository),
    };
    if (resolution.status !== 'ok') {
      return {
        status: resolution.status,
        message: resolution.message,
        ...(repository ? { repository } : {}),
        pullRequests: [],
      };
    }
    const listing = await this.listing(resolution.repository);
    if (listing.status === 'error') {
      return {
        status: 'error',
        message: listing.message,
        repository,
        pullRequests: [],
        fetchedAt: listing.fetchedAt,
      };
    }
    return {
      status: 'ok',
      repository,
      // A pull request names its components in markers; older ones only by branch name.
      pullRequests: listing.pullRequests.filter(p =>
        p.targets
          ? p.targets.includes(stringifyEntityRef(entity).toLowerCase())
          : isAccessChangeOf(p.branch, entity.metadata.name),
      ),
      truncated: listing.truncated,
      fetchedAt: listing.fetchedAt,
    };
  }

  /**
   * The open access-change pull requests about the given components (those the caller may
   * read), across their repositories: each repository is listed once (the same cached listing
   * as {@link PullRequestService.entityPullRequests}), and a pull request is kept when it
   * changes one of the components, naming only those. A repository that cannot be read makes
   * the answer `partial`, with its message; the others are still listed. Oldest first.
   */
  async catalogPullRequests(entities: Entity[]): Promise<CatalogPullRequests> {
    const groups = new Map<
      string,
      { repository: GitopsRepository; entities: Entity[] }
    >();
    for (const entity of entities) {
      const resolution = resolveRepository(
        entity,
        this.options.settings,
        this.options.integrations,
      );
      if (resolution.status !== 'ok') continue;
      const key = formatGitopsRepository(resolution.repository).toLowerCase();
      const group = groups.get(key) ?? {
        repository: resolution.repository,
        entities: [],
      };
      group.entities.push(entity);
      groups.set(key, group);
    }
    if (groups.size === 0) {
      return {
        status: 'not-configured',
        message: `No GitOps repository the backend may read is configured for the components you can see: set meshSecurity.accessRequests.repository, or annotate components with ${GITOPS_REPO_ANNOTATION}`,
        pullRequests: [],
        failures: [],
        truncated: false,
      };
    }
    const run = limitConcurrency(4);
    const results = await Promise.all(
      [...groups.values()].map(group =>
        run(async () => ({
          group,
          listing: await this.listing(group.repository),
        })),
      ),
    );
    const pullRequests: CatalogAccessChangePullRequest[] = [];
    const failures: CatalogPullRequests['failures'] = [];
    let truncated = false;
    for (const { group, listing } of results) {
      const repository = {
        host: group.repository.host,
        owner: group.repository.owner,
        name: group.repository.name,
        url: gitopsRepositoryUrl(group.repository),
      };
      if (listing.status === 'error') {
        failures.push({ repository, message: listing.message });
        continue;
      }
      truncated ||= listing.truncated;
      const refs = group.entities.map(e => ({
        entity: e,
        ref: stringifyEntityRef(e).toLowerCase(),
      }));
      for (const pr of listing.pullRequests) {
        const components = refs
          .filter(({ entity, ref }) =>
            pr.targets
              ? pr.targets.includes(ref)
              : isAccessChangeOf(pr.branch, entity.metadata.name),
          )
          .map(({ ref }) => ref);
        if (components.length > 0)
          pullRequests.push({ ...pr, repository, components });
      }
    }
    pullRequests.sort(
      (a, b) =>
        (Date.parse(a.createdAt) || 0) - (Date.parse(b.createdAt) || 0) ||
        a.url.localeCompare(b.url),
    );
    return {
      status: failures.length > 0 ? 'partial' : 'ok',
      pullRequests,
      failures,
      truncated,
    };
  }

  private async listing(repo: GitopsRepository): Promise<PullRequestListing> {
    const { cache, logger } = this.options;
    const key = `pull-requests:${formatGitopsRepository(repo)}`.toLowerCase();
    try {
      const cached = await cache.get(key);
      if (cached) return cached as unknown as PullRequestListing;
    } catch (error) {
      logger.warn(
        `Mesh Security could not read the pull request cache: ${
          (error as Error).name
        }`,
      );
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        const listing = await this.options.lister.list(repo);
        const ttl =
          listing.status === 'ok'
            ? this.options.ttlMs ?? 60_000
            : this.options.errorTtlMs ?? 30_000;
        try {
          await cache.set(key, listing as unknown as JsonValue, { ttl });
        } catch (error) {
          logger.warn(
            `Mesh Security could not cache the pull requests of ${formatGitopsRepository(
              repo,
            )}: ${(error as Error).name}`,
          );
        }
        return listing;
      })().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }
}
