import {
  EdgeTraffic,
  EntityWorkload,
  formatTrafficWindow,
  isWorkloadPeer,
  observedSourceLabel,
  otherPortsLabel,
  TrafficCounts,
  TrafficObservationState,
} from '@mesh-security/plugin-mesh-security-common';
import { ResolvedCaller } from './resolve';

/*
 * What the traffic the mesh observed (docs/traffic.md) tells a reviewer of an access change. The
 * actions read it from the entity posture the backend already joined; nothing is queried here.
 */

/** The observed traffic a change rests on, as Markdown list lines for the pull request. */
export interface TrafficEvidence {
  /** Lines for the pull request body and the impact output (our own text). */
  lines: string[];
  /** Plaintext requests or connections accepted in the evidence window (0 without evidence). */
  plaintext: number;
  /** The plaintext sources, as named in the lines (at most 5 per port). */
  plaintextSources: string[];
}

/** An age as people say it, rounded down: `3 d`, `5 h`, `12 min`, `40 s`. */
function formatAge(seconds: number): string {
  if (seconds >= 86400) return `${Math.floor(seconds / 86400)} d`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${seconds} s`;
}

/**
 * A name read from the metrics (an identity, a workload name), safe inside our Markdown: on one
 * line, without HTML comment or table delimiters, bounded.
 */
const safe = (text: string) => text.replace(/[\r\n<>`|]/g, '?').slice(0, 200);

const counts = (c: TrafficCounts) =>
  `${c.mtls} mTLS, ${c.plaintext} plaintext, ${c.denied} denied`;

/**
 * Why there is no evidence (not configured, unavailable), or undefined when the observations
 * are usable; and the caveats of usable ones (stale with their age, recorded, truncated).
 */
function stateLines(state: TrafficObservationState): {
  missing?: string;
  caveats: string[];
} {
  if (state.status !== 'ok' && state.status !== 'stale') {
    return {
      missing: `No traffic evidence was available (observations ${
        state.status
      }${
        state.message ? `: ${state.message}` : ''
      }); this rests on the policies alone.`,
      caveats: [],
    };
  }
  const caveats: string[] = [];
  if (state.status === 'stale')
    caveats.push(
      `The observations are stale: read ${
        state.ageSeconds === null
          ? 'at an unknown time'
          : `${formatAge(state.ageSeconds)} ago`
      }${state.message ? ` (the last read failed: ${state.message})` : ''}.`,
    );
  if (state.source === 'recorded')
    caveats.push(
      `The observations are recorded data${
        state.recordedAt
          ? ` (windows ending ${state.recordedAt
              .slice(0, 16)
              .replace('T', ' ')} UTC)`
          : ''
      }, not a live Prometheus.`,
    );
  if (state.truncated)
    caveats.push(
      'A metrics query answered more series than the cap: some flows are missing.',
    );
  return { caveats };
}

/**
 * The plaintext the target workload accepted in the evidence window, per port (the ports given,
 * or all), with its sources: what enforcing STRICT mTLS would refuse.
 */
export function plaintextEvidence(
  workload: EntityWorkload,
  ports?: number[],
): TrafficEvidence {
  const state = workload.observed.observations;
  const { missing, caveats } = stateLines(state);
  if (missing) return { lines: [missing], plaintext: 0, plaintextSources: [] };
  const traffic = workload.observed.workload;
  if (!traffic || !traffic.observable) {
    return {
      lines: [
        `No traffic evidence was available: the traffic of ${
          workload.namespace
        }/${workload.name} is not observable${
          traffic?.reason ? ` (${traffic.reason})` : ''
        }; this rests on the policies alone.`,
        ...caveats,
      ],
      plaintext: 0,
      plaintextSources: [],
    };
  }
  const window = formatTrafficWindow(state.windows.evidenceSeconds);
  const lines: string[] = [];
  const sources = new Set<string>();
  let plaintext = 0;
  for (const port of traffic.ports) {
    if (port.port !== undefined && ports && !ports.includes(port.port))
      continue;
    plaintext += port.evidence.plaintext;
    let where = `Port ${port.port}`;
    if (port.otherPorts) where = otherPortsLabel(port.otherPorts);
    else if (port.port === undefined)
      where = 'Every port (the metrics do not tell ports apart)';
    const named = port.plaintextSources.map(s => {
      const label = safe(observedSourceLabel(s));
      sources.add(label);
      return `${label} (${s.evidence.plaintext})`;
    });
    const more = port.plaintextSourceCount - port.plaintextSources.length;
    lines.push(
      `${where} (${port.mtls}): ${counts(port.evidence)} in the last ${window}${
        named.length
          ? `; plaintext from ${named.join(', ')}${
              more > 0 ? ` and ${more} more` : ''
            }`
          : ''
      }.`,
    );
  }
  if (lines.length === 0)
    lines.push(`Nothing was observed in the last ${window}.`);
  return {
    lines: [...lines, ...caveats],
    plaintext,
    plaintextSources: [...sources],
  };
}

/** Whether a traffic source is the caller (by workload, or by the identity it presented). */
function sourceIsCaller(
  source: EdgeTraffic['sources'][number],
  caller: ResolvedCaller,
): boolean {
  if (source.workload && caller.workloadName)
    return (
      source.workload.namespace === caller.namespace &&
      source.workload.name === caller.workloadName
    );
  const identity =
    source.from.kind === 'unknown' ? undefined : source.from.identity;
  return identity !== undefined && identity.endsWith(caller.principal);
}

/**
 * Whether each revoked caller used its grant in the evidence window: the traffic along its
 * edges to the target on the given ports.
 */
export function grantUsageEvidence(
  workload: EntityWorkload,
  callers: ResolvedCaller[],
  ports: number[],
): TrafficEvidence {
  const { missing, caveats } = stateLines(workload.observed.observations);
  if (missing) return { lines: [missing], plaintext: 0, plaintextSources: [] };
  const window = formatTrafficWindow(
    workload.observed.observations.windows.evidenceSeconds,
  );
  const lines = callers.map(caller => {
    const name = caller.workloadName
      ? `${caller.namespace}/${caller.workloadName}`
      : safe(caller.input);
    const edges = workload.callers.filter(
      e =>
        ports.includes(e.port) &&
        e.traffic !== undefined &&
        (isWorkloadPeer(e.peer)
          ? caller.workloadName !== undefined &&
            e.peer.namespace === caller.namespace &&
            e.peer.name === caller.workloadName
          : e.traffic.sources.some(s => sourceIsCaller(s, caller))),
    );
    if (edges.length === 0)
      return `${name}: usage unknown, no edge of the access graph with observed traffic names this caller.`;
    // Without ports in the metrics every edge of the peer carries the same counts: count once.
    const counted = edges[0].traffic!.portsTold === false ? [edges[0]] : edges;
    const total = counted.reduce(
      (sum, e) => ({
        mtls: sum.mtls + e.traffic!.evidence.mtls,
        plaintext: sum.plaintext + e.traffic!.evidence.plaintext,
        denied: sum.denied + e.traffic!.evidence.denied,
      }),
      { mtls: 0, plaintext: 0, denied: 0 },
    );
    const statuses = [...new Set(edges.map(e => e.traffic!.status))];
    const lastSeen = edges
      .map(e => e.traffic!.lastSeen)
      .filter((s): s is string => Boolean(s))
      .sort()
      .pop();
    if (statuses.includes('used'))
      return `${name}: **used** in the last ${window} (${counts(total)}${
        lastSeen ? `; last seen ${lastSeen}` : ''
      }): revoking it breaks traffic that is flowing.`;
    if (statuses.every(s => s === 'unused'))
      return `${name}: not used in the last ${window}: an unused grant.`;
    const reasons = edges
      .map(e => e.traffic!.reason)
      .filter((r): r is string => Boolean(r));
    return `${name}: ${statuses.join(', ')} in the last ${window} (${counts(
      total,
    )})${reasons.length ? `: ${safe([...new Set(reasons)].join('; '))}` : ''}.`;
  });
  return { lines: [...lines, ...caveats], plaintext: 0, plaintextSources: [] };
}
