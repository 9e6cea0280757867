import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { NO_TRAFFIC, isZero, sourceKeyOf } from './flows';
import {
  TrafficObservations,
  TrafficSource,
} from '@mesh-security/plugin-mesh-security-common';

const recordKey = (cluster: string) => `traffic-observations:${cluster}`;
const revisionKey = (cluster: string) => `traffic-revision:${cluster}`;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What the cache holds per cluster: the observations' JSON, gzipped, in base64. */
interface StoredObservations {
  revision: string;
  encoding: 'json+gzip+base64';
  data: string;
}

/**
 * Where each cluster's latest observations live: the Backstage cache (shared between replicas in
 * production), one record per cluster, so every replica serves the same answer whichever replica
 * read the metrics. Like `SnapshotStore`, a small revision string says whether the record changed;
 * each replica keeps only the last record it decoded per cluster, and returns that same object to
 * every caller until the revision changes (callers must not modify it).
 */
export class TrafficStore {
  /** Observations outlive many refreshes, so a stalled reader degrades to `stale`. */
  private static readonly TTL_MS = 7 * 24 * 60 * 60 * 1000;

  private readonly lastRead = new Map<
    string,
    { revision: string; observations: TrafficObservations }
  >();

  constructor(private readonly cache: CacheService) {}

  async get(cluster: string): Promise<TrafficObservations | undefined> {
    const revision = await this.cache.get(revisionKey(cluster));
    const last = this.lastRead.get(cluster);
    if (last && typeof revision === 'string' && last.revision === revision) {
      return last.observations;
    }
    const stored = (await this.cache.get(recordKey(cluster))) as
      | StoredObservations
      | undefined;
    if (!stored || stored.encoding !== 'json+gzip+base64') return undefined;
    const json = await gunzipAsync(Buffer.from(stored.data, 'base64'));
    const observations = share(
      JSON.parse(json.toString('utf8')) as TrafficObservations,
    );
    this.lastRead.set(cluster, { revision: stored.revision, observations });
    return observations;
  }

  /** Replaces a cluster's observations (record first, then the revision readers compare). */
  async put(observations: TrafficObservations): Promise<void> {
    const revision = randomUUID();
    const data = (
      await gzipAsync(Buffer.from(JSON.stringify(observations), 'utf8'))
    ).toString('base64');
    const stored: StoredObservations = {
      revision,
      encoding: 'json+gzip+base64',
      data,
    };
    await this.cache.set(
      recordKey(observations.cluster),
      stored as unknown as JsonValue,
      {
        ttl: TrafficStore.TTL_MS,
      },
    );
    await this.cache.set(revisionKey(observations.cluster), revision, {
      ttl: TrafficStore.TTL_MS,
    });
    // This replica serves what it wrote without decoding it again.
    this.lastRead.set(observations.cluster, { revision, observations });
  }
}

/**
 * Makes flows that name the same receiving workload or source share one object, windows
 * without traffic share {@link NO_TRAFFIC} and equal last-seen times one string, as the reader
 * built them (docs/benchmarks.md "Observed traffic": memory per flow).
 */
function share(observations: TrafficObservations): TrafficObservations {
  const destinations = new Map<string, { namespace: string; name: string }>();
  const sources = new Map<string, TrafficSource>();
  const times = new Map<string, string>();
  for (const flow of observations.flows ?? []) {
    const to = `${flow.to.namespace}\u0000${flow.to.name}`;
    const sharedTo = destinations.get(to);
    if (sharedTo) flow.to = sharedTo;
    else destinations.set(to, flow.to);
    const from = flow.from;
    const key = sourceKeyOf(from);
    const sharedFrom = sources.get(key);
    if (sharedFrom) flow.from = sharedFrom;
    else sources.set(key, from);
    if (flow.recent && isZero(flow.recent)) flow.recent = NO_TRAFFIC;
    if (flow.evidence && isZero(flow.evidence)) flow.evidence = NO_TRAFFIC;
    if (flow.lastSeen) {
      const time = times.get(flow.lastSeen);
      if (time) flow.lastSeen = time;
      else times.set(flow.lastSeen, flow.lastSeen);
    }
  }
  return observations;
}
