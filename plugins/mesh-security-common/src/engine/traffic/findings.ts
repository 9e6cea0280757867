import {
  AccessEdge,
  EdgeTraffic,
  Finding,
  ObjectRef,
  ObservedSource,
  PortTraffic,
  TrafficObservations,
  formatTrafficWindow,
  observedSourceLabel,
  otherPortsLabel,
  peerLabel,
} from '../../model';
import { TRAFFIC_FINDINGS } from '../findings/traffic';
import { makeFinding } from '../findings/make';
import { accepted } from './counts';
import type { TrafficJoin } from './api';

/*
 * MS5xx (docs/findings.md): what the observations of one workload say against its policies.
 * Nothing is raised from observations that are not `ok` or `stale`, nor for a workload whose
 * traffic no proxy reports; a claim that rests on the absence of traffic ("ready for STRICT",
 * "unused") is not made when the metrics answered more series than the cap.
 */

/**
 * The MS5xx findings of one workload (as the receiving side): `pods` are its live pods and
 * how many of them run a proxy, `edges` its caller edges.
 */
export function trafficFindings(
  join: TrafficJoin,
  object: ObjectRef & { kind: string },
  pods: { meshed: number; total: number },
  edges: AccessEdge[],
): Finding[] {
  const traffic = join.workload(object);
  if (!traffic || !traffic.observable) return [];
  const obs = join.observations;
  const window = formatTrafficWindow(obs.windows.evidenceSeconds);
  const note = staleNote(obs);
  const out: Finding[] = [];
  const say = (def: keyof typeof TRAFFIC_FINDINGS, message: string) =>
    out.push(makeFinding(TRAFFIC_FINDINGS[def], object, `${message}${note}`));
  const name = `${object.kind} ${object.namespace}/${object.name}`;

  for (const p of traffic.ports) {
    const where = portName(p);
    const is = p.otherPorts ? 'are' : 'is';
    const plaintext = p.evidence.plaintext;
    if (p.mtls === 'STRICT' && plaintext > 0) {
      const causes: string[] = [];
      if (pods.meshed < pods.total)
        causes.push(
          `${pods.total - pods.meshed} of ${
            pods.total
          } live pods run without a proxy`,
        );
      if (p.recent.plaintext === 0)
        causes.push(
          'no plaintext in the recent window: the evidence may predate the change to STRICT',
        );
      if (obs.status === 'stale') causes.push('the observations are stale');
      causes.push('the port may bypass the proxy on some pods');
      say(
        'plaintextOnStrict',
        `${where} of ${name} ${is} STRICT, yet ${plaintext} plaintext requests or connections arrived in the last ${window} from ${sources(
          p.plaintextSources,
          p.plaintextSourceCount,
        )}; likely causes: ${causes.join('; ')}`,
      );
    } else if (p.mtls === 'PERMISSIVE' && plaintext > 0) {
      say(
        'strictWouldBreak',
        `${where} of ${name} ${is} PERMISSIVE and received ${plaintext} plaintext requests or connections in the last ${window}: enforcing STRICT now breaks: ${sources(
          p.plaintextSources,
          p.plaintextSourceCount,
        )}`,
      );
    } else if (
      p.mtls === 'PERMISSIVE' &&
      p.evidence.mtls > 0 &&
      !obs.truncated
    ) {
      say(
        'readyForStrict',
        `${where} of ${name} ${is} PERMISSIVE and ready for STRICT: ${
          p.evidence.mtls
        } mTLS requests or connections from ${p.sourceCount} source${
          p.sourceCount === 1 ? '' : 's'
        } and no plaintext in the last ${window}`,
      );
    }
  }

  const inbound = join.callers(object, edges);
  if (!inbound) return out;
  const unused = new Map<string, AccessEdge[]>();
  inbound.edges.forEach((t, i) => {
    const edge = edges[i];
    const layer = edge.decidedBy.layer;
    if (
      t.status === 'unused' &&
      (layer === 'authorization' || layer === 'network-policy')
    ) {
      const key = `${edge.decidedBy.policy ?? layer}|${edge.port}`;
      unused.set(key, [...(unused.get(key) ?? []), edge]);
    }
  });
  for (const list of unused.values()) {
    const edge = list[0];
    const peers = list.map(e => peerLabel(e.peer));
    say(
      'unusedGrant',
      `${edge.decidedBy.policy ?? 'a network policy'} allows ${listed(
        peers,
      )} on port ${
        edge.port
      } of ${name}; none sent traffic in the last ${window}`,
    );
  }

  const refused = [...inbound.edges, ...inbound.unmatched].filter(
    t => t.evidence.denied > 0,
  );
  if (refused.length > 0) {
    const count = refused.reduce((n, t) => n + t.evidence.denied, 0);
    say(
      'refusedTraffic',
      `${count} requests or connections to ${name} were refused for authorization in the last ${window}, from ${sourcesOf(
        refused,
        s => s.evidence.denied > 0,
      )}`,
    );
  }

  const denied = inbound.unmatched.filter(
    t =>
      (t.status === 'denied' || t.status === 'outside-grant') &&
      accepted(t.evidence) > 0,
  );
  if (denied.length > 0) {
    const count = denied.reduce((n, t) => n + accepted(t.evidence), 0);
    say(
      'acceptedWithoutGrant',
      `${count} requests or connections to ${name} were accepted in the last ${window} from sources no edge of its access graph allows: ${sourcesOf(
        denied,
        s => accepted(s.evidence) > 0,
      )}`,
    );
  }
  return out;
}

function portName(p: PortTraffic): string {
  if (p.otherPorts) return otherPortsLabel(p.otherPorts);
  return p.port === undefined
    ? 'Every port (the metrics do not tell ports apart)'
    : `Port ${p.port}`;
}

function sources(list: ObservedSource[], count: number): string {
  return listed(list.map(observedSourceLabel), count);
}

function sourcesOf(
  buckets: EdgeTraffic[],
  keep: (s: ObservedSource) => boolean,
): string {
  const labels = [
    ...new Set(
      buckets.flatMap(b => b.sources.filter(keep).map(observedSourceLabel)),
    ),
  ];
  return listed(labels.slice(0, 5), labels.length);
}

function listed(labels: string[], count = labels.length): string {
  const more = count > labels.length ? `, +${count - labels.length} more` : '';
  return `${labels.join(', ')}${more}`;
}

function staleNote(obs: TrafficObservations): string {
  if (obs.status !== 'stale') return '';
  return ` (observations are stale: last read ${obs.fetchedAt ?? 'never'}${
    obs.message ? `; ${obs.message}` : ''
  })`;
}
