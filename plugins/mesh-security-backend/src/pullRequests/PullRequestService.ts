import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { JsonValue } from '@backstage/types';
import {
  EntityPullRequests,
  formatGitopsRepository,
  GitopsRepository,
  gitopsRepositoryUrl,
  GitopsRepositorySettings,
  isAccessChangeOf,
} from '@mesh-security/plugin-mesh-security-common';
import { PullRequestListing } from './GithubPullRequestLister';
import { resolveRepository } from './repository';

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
