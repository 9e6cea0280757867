import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import { HeldFlow, sourceKeyOf } from './flows';
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
 * Holds the decoded flows as the reader built them: as {@link HeldFlow}s (counts in the flow),
 * flows that name the same receiving workload or source sharing one object, equal last-seen
 * times one string (docs/benchmarks.md "Observed traffic": memory per flow).
 */
function share(observations: TrafficObservations): TrafficObservations {
  const destinations = new Map<string, { namespace: string; name: string }>();
  const sources = new Map<string, TrafficSource>();
  const times = new Map<string, string>();
  const flows = observations.flows ?? [];
  for (let i = 0; i < flows.length; i++) {
    const flow = flows[i];
    const to = `${flow.to.namespace}\u0000${flow.to.name}`;
    let sharedTo = destinations.get(to);
    if (!sharedTo) destinations.set(to, (sharedTo = flow.to));
    const key = sourceKeyOf(flow.from);
    let sharedFrom = sources.get(key);
    if (!sharedFrom) sources.set(key, (sharedFrom = flow.from));
    const held = new HeldFlow(
      flow.mesh,
      sharedTo,
      flow.port,
      sharedFrom,
      flow.protocol,
    );
    held.set('recent', flow.recent);
    held.set('evidence', flow.evidence);
    if (flow.lastSeen) {
      const time = times.get(flow.lastSeen);
      if (time) held.lastSeen = time;
      else times.set(flow.lastSeen, (held.lastSeen = flow.lastSeen));
    }
    flows[i] = held;
  }
  return observations;
}
