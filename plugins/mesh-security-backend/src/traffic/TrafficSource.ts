import { ObservedFlow } from '@mesh-security/plugin-mesh-security-common';
import fs from 'node:fs/promises';
import { limitConcurrency } from '../sources/limitConcurrency';
import { FlowBuilder } from './flows';
import {
  PrometheusClient,
  TrafficQueryError,
  VectorAnswer,
  readVector,
} from './PrometheusClient';
import {
  ClusterSelector,
  FAMILIES_BY_MESH,
  LAST_SEEN_FAMILY,
  LastSeenFamily,
  QueryFamily,
  TRAFFIC_WINDOWS,
  TrafficMesh,
  TrafficWindow,
  buildLastSeenQuery,
  buildQuery,
} from './queries';

/** What one read of a cluster's traffic gives. */
export interface TrafficRead {
  flows: ObservedFlow[];
  truncated: boolean;
  windows: { recentSeconds: number; evidenceSeconds: number };
  /** Queries sent (0 for recorded data). */
  queries: number;
  /** Recorded data: when it was recorded (ISO), where its windows end. */
  recordedAt?: string;
}

/** Where one cluster's observed traffic is read from. */
export interface TrafficSource {
  readonly cluster: string;
  readonly type: 'prometheus' | 'recorded';
  /** Throws an error whose message is safe to show. */
  read(signal?: AbortSignal): Promise<TrafficRead>;
}

/** The queries a refresh sends, at most this many at once. */
const CONCURRENT_QUERIES = 4;

/**
 * The first series of a last-seen answer whose time (seconds) is outside
 * [`notBefore`, `notAfter`], or -1: a time outside the evidence window is not an answer to the
 * query, and the read fails rather than show it.
 */
function outsideWindow(
  answer: VectorAnswer,
  notBefore: number,
  notAfter: number,
): number {
  const values = answer.values;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= notBefore && values[i] <= notAfter)) return i;
  }
  return -1;
}

/**
 * A cluster's traffic read from a Prometheus HTTP API: one aggregated query per metric family
 * and window (docs/traffic.md "Queries").
 */
export class PrometheusTrafficSource implements TrafficSource {
  readonly type = 'prometheus';

  constructor(
    readonly cluster: string,
    private readonly client: PrometheusClient,
    private readonly options: {
      meshes: readonly TrafficMesh[];
      recentSeconds: number;
      evidenceSeconds: number;
      /** The step of the last-seen queries (docs/traffic.md "When traffic was last seen"). */
      lastSeenResolutionSeconds: number;
      selector?: ClusterSelector;
      now?: () => Date;
    },
  ) {}

  /** The queries of one read, in order: counts per family and window, then last seen per mesh. */
  queries(): Array<{
    family: QueryFamily | LastSeenFamily;
    window: TrafficWindow;
    query: string;
  }> {
    const queries: Array<{
      family: QueryFamily | LastSeenFamily;
      window: TrafficWindow;
      query: string;
    }> = [];
    for (const window of TRAFFIC_WINDOWS) {
      const seconds =
        window === 'recent'
          ? this.options.recentSeconds
          : this.options.evidenceSeconds;
      for (const mesh of this.options.meshes) {
        for (const family of FAMILIES_BY_MESH[mesh]) {
          queries.push({
            family,
            window,
            query: buildQuery(family, seconds, this.options.selector),
          });
        }
      }
    }
    for (const mesh of this.options.meshes) {
      queries.push({
        family: LAST_SEEN_FAMILY[mesh],
        window: 'evidence',
        query: buildLastSeenQuery(
          LAST_SEEN_FAMILY[mesh],
          this.options.evidenceSeconds,
          this.options.lastSeenResolutionSeconds,
          this.options.selector,
        ),
      });
    }
    return queries;
  }

  async read(signal?: AbortSignal): Promise<TrafficRead> {
    // Every query is evaluated at the same instant, so both windows end at the same time.
    const time = (this.options.now ?? (() => new Date()))();
    const limit = limitConcurrency(CONCURRENT_QUERIES);
    const queries = this.queries();
    let truncated = false;
    // Each answer is folded into the flows as it arrives and dropped: at most a few answers are
    // held at once, and the garbage stays young (docs/benchmarks.md "Observed traffic").
    const builder = new FlowBuilder();
    await Promise.all(
      queries.map(({ family, window, query }) =>
        limit(async () => {
          await this.client.queryWith(query, time, signal, answer => {
            if (
              family === 'istio-last-seen' ||
              family === 'linkerd-last-seen'
            ) {
              const at = time.getTime() / 1000;
              const bad = outsideWindow(
                answer,
                at -
                  this.options.evidenceSeconds -
                  this.options.lastSeenResolutionSeconds,
                at,
              );
              if (bad >= 0) {
                throw new TrafficQueryError(
                  `Prometheus ${
                    this.client.displayName
                  } answered a last-seen time outside the evidence window (series #${
                    bad + 1
                  })`,
                );
              }
            }
            truncated ||= answer.truncated;
            builder.add({ family, window, answer });
          });
        }),
      ),
    );
    return {
      flows: builder.flows(),
      truncated,
      windows: {
        recentSeconds: this.options.recentSeconds,
        evidenceSeconds: this.options.evidenceSeconds,
      },
      queries: queries.length,
    };
  }
}

/**
 * The recorded answers of one cluster, as `RecordedTrafficSource` reads them:
 * `{ recordedAt?, clusters: { <name>: { windows, answers: { "<family>/<window>": <API answer> } } } }`.
 */
interface Recording {
  windows: { recentSeconds: number; evidenceSeconds: number };
  answers: Record<string, unknown>;
}

/**
 * A cluster's traffic from recorded query answers in a file (the demo): the answers a real
 * Prometheus gave for the same queries, checked exactly as live ones (docs/traffic.md
 * "Recorded data").
 */
export class RecordedTrafficSource implements TrafficSource {
  readonly type = 'recorded';

  constructor(
    readonly cluster: string,
    private readonly path: string,
    private readonly options: { maxBytes: number; maxSeries: number },
  ) {}

  async read(): Promise<TrafficRead> {
    const fail = (what: string) =>
      new TrafficQueryError(
        `Recorded traffic of cluster ${this.cluster} ${what}`,
      );
    let text: string;
    try {
      const stat = await fs.stat(this.path);
      if (stat.size > this.options.maxBytes) {
        throw fail(
          `is larger than ${this.options.maxBytes} bytes (meshSecurity.traffic.maxBytesPerQuery)`,
        );
      }
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if (error instanceof TrafficQueryError) throw error;
      throw fail(
        `could not be read (${
          (error as NodeJS.ErrnoException).code ?? 'error'
        })`,
      );
    }
    let file: { recordedAt?: unknown; clusters?: Record<string, Recording> };
    try {
      file = JSON.parse(text);
    } catch {
      throw fail('is not JSON');
    }
    const recording = file?.clusters?.[this.cluster];
    if (!recording || typeof recording !== 'object') {
      throw fail('is not in the file');
    }
    // When it was recorded: where its windows end (absent from older files: not shown).
    let recordedAt: string | undefined;
    if (file.recordedAt !== undefined) {
      const time =
        typeof file.recordedAt === 'string' ? Date.parse(file.recordedAt) : NaN;
      if (!(time <= Date.now())) {
        throw fail('has a recordedAt that is not a past time');
      }
      recordedAt = new Date(time).toISOString();
    }
    const { recentSeconds, evidenceSeconds } = recording.windows ?? {};
    if (
      !(Number.isInteger(recentSeconds) && recentSeconds > 0) ||
      !(Number.isInteger(evidenceSeconds) && evidenceSeconds > 0)
    ) {
      throw fail('has no valid windows');
    }
    const builder = new FlowBuilder();
    let truncated = false;
    for (const [key, raw] of Object.entries(recording.answers ?? {})) {
      const [family, window] = key.split('/') as [
        QueryFamily | LastSeenFamily,
        TrafficWindow,
      ];
      const lastSeen = Object.values(LAST_SEEN_FAMILY).includes(
        family as LastSeenFamily,
      );
      if (
        !(
          lastSeen ||
          Object.values(FAMILIES_BY_MESH).some(f =>
            f.includes(family as QueryFamily),
          )
        ) ||
        !TRAFFIC_WINDOWS.includes(window) ||
        (lastSeen && window !== 'evidence')
      ) {
        throw fail(`has an answer for an unknown query "${key.slice(0, 60)}"`);
      }
      const answer = readVector(raw, this.options.maxSeries, what =>
        fail(`(${key}) ${what}`),
      );
      // Recorded last-seen times: not in the future, nor before the Unix epoch's first day.
      if (lastSeen && outsideWindow(answer, 86400, Date.now() / 1000) >= 0) {
        throw fail(`(${key}) has a last-seen time that cannot be`);
      }
      truncated ||= answer.truncated;
      builder.add({ family, window, answer });
    }
    return {
      flows: builder.flows(),
      truncated,
      windows: { recentSeconds, evidenceSeconds },
      queries: 0,
      ...(recordedAt ? { recordedAt } : {}),
    };
  }
}
