/*
 * From query answers to observed flows: one flow per receiving workload, port (where the mesh
 * reports it), protocol and source, with its counts over both windows (docs/traffic.md).
 * Label meanings: Istio "Istio Standard Metrics" (https://istio.io/latest/docs/reference/config/metrics/),
 * Linkerd "Proxy Metrics" (https://linkerd.io/2-edge/reference/proxy-metrics/).
 */
import {
  ObservedFlow,
  TrafficCounts,
  TrafficSource,
} from '@mesh-security/plugin-mesh-security-common';
import { Sample } from './PrometheusClient';
import { LINKERD_WORKLOAD_LABELS, QueryFamily, TrafficWindow } from './queries';

/** One answered query. */
export interface FamilyAnswer {
  family: QueryFamily;
  window: TrafficWindow;
  samples: Sample[];
}

const UNKNOWN_SOURCE: TrafficSource = { kind: 'unknown' };

/** Istio writes `unknown` where it cannot tell a label's value. */
const known = (value: string | undefined): value is string =>
  value !== undefined && value !== '' && value !== 'unknown';

/**
 * Whole requests or connections: `increase()` extrapolates to the window's edges, so answers
 * carry fractions; anything above zero counts as at least one.
 */
const whole = (value: number) =>
  value > 0 && value < 1 ? 1 : Math.round(value);

class FlowBuilder {
  private readonly destinations = new Map<
    string,
    { namespace: string; name: string }
  >();
  private readonly sources = new Map<string, TrafficSource>();
  private readonly byKey = new Map<string, ObservedFlow>();

  add(answer: FamilyAnswer): void {
    const linkerd = answer.family.startsWith('linkerd-');
    for (const sample of answer.samples) {
      const count = whole(sample.value);
      if (count === 0) continue;
      const labels = sample.labels;
      if (linkerd) this.addLinkerd(answer, labels, count);
      else this.addIstio(answer, labels, count);
    }
  }

  private addIstio(
    answer: FamilyAnswer,
    labels: Record<string, string>,
    count: number,
  ): void {
    const namespace = labels.destination_workload_namespace;
    const name = labels.destination_workload;
    // A series no workload received cannot be attributed (docs/traffic.md).
    if (!known(namespace) || !known(name)) return;
    const sourceNamespace = labels.source_workload_namespace;
    const sourceName = labels.source_workload;
    const principal = labels.source_principal;
    let sourceKey: string;
    let make: () => TrafficSource;
    if (known(sourceNamespace) && known(sourceName)) {
      sourceKey = `w\u0000${sourceNamespace}\u0000${sourceName}\u0000${
        known(principal) ? principal : ''
      }`;
      make = () => ({
        kind: 'workload',
        namespace: sourceNamespace,
        name: sourceName,
        ...(known(principal) ? { identity: principal } : {}),
      });
    } else if (known(principal)) {
      sourceKey = `i\u0000${principal}`;
      make = () => ({ kind: 'identity', identity: principal });
    } else {
      sourceKey = '';
      make = () => UNKNOWN_SOURCE;
    }
    const protocol =
      answer.family === 'istio-connections'
        ? ('tcp' as const)
        : ('http' as const);
    const flow = this.flow(
      'istio',
      namespace,
      name,
      undefined,
      protocol,
      sourceKey,
      make,
    );
    const counts = answer.window === 'recent' ? flow.recent : flow.evidence;
    if (answer.family === 'istio-denied-requests') {
      counts.denied += count;
    } else if (labels.connection_security_policy === 'mutual_tls') {
      counts.mtls += count;
    } else {
      // `none`, or anything not proven mutual TLS: fail closed.
      counts.plaintext += count;
    }
  }

  private addLinkerd(
    answer: FamilyAnswer,
    labels: Record<string, string>,
    count: number,
  ): void {
    const namespace = labels.namespace;
    let name: string | undefined;
    for (const label of LINKERD_WORKLOAD_LABELS) {
      if (labels[label]) {
        name = labels[label];
        break;
      }
    }
    if (!namespace || !name) return;
    const port = Number(labels.target_port);
    const validPort =
      Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
    const mtls = labels.tls === 'true';
    const clientId = labels.client_id;
    let sourceKey: string;
    let make: () => TrafficSource;
    if (mtls && clientId) {
      sourceKey = `i\u0000${clientId}`;
      make = () => ({ kind: 'identity', identity: clientId });
    } else {
      sourceKey = '';
      make = () => UNKNOWN_SOURCE;
    }
    const protocol =
      answer.family === 'linkerd-connections' ||
      answer.family === 'linkerd-denied-connections'
        ? ('tcp' as const)
        : ('http' as const);
    const flow = this.flow(
      'linkerd',
      namespace,
      name,
      validPort,
      protocol,
      sourceKey,
      make,
    );
    const counts = answer.window === 'recent' ? flow.recent : flow.evidence;
    if (
      answer.family === 'linkerd-denied-requests' ||
      answer.family === 'linkerd-denied-connections'
    ) {
      counts.denied += count;
    } else if (mtls) {
      counts.mtls += count;
    } else {
      counts.plaintext += count;
    }
  }

  private flow(
    mesh: ObservedFlow['mesh'],
    namespace: string,
    name: string,
    port: number | undefined,
    protocol: ObservedFlow['protocol'],
    sourceKey: string,
    makeSource: () => TrafficSource,
  ): ObservedFlow {
    const destinationKey = `${namespace}\u0000${name}`;
    // The protocol first: flows() finds a TCP flow's HTTP twin by swapping the prefix.
    const key = `${protocol}\u0000${mesh}\u0000${destinationKey}\u0000${
      port ?? ''
    }\u0000${sourceKey}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    let to = this.destinations.get(destinationKey);
    if (!to) {
      to = { namespace, name };
      this.destinations.set(destinationKey, to);
    }
    let from = this.sources.get(sourceKey);
    if (!from) {
      from = makeSource();
      this.sources.set(sourceKey, from);
    }
    const flow: ObservedFlow = {
      mesh,
      to,
      ...(port !== undefined ? { port } : {}),
      from,
      protocol,
      recent: zero(),
      evidence: zero(),
    };
    this.byKey.set(key, flow);
    return flow;
  }

  /**
   * The flows. Linkerd counts an HTTP port's connections in `tcp_open_total` too: a TCP flow
   * beside an HTTP flow of the same workload, port and source carries the same traffic and is
   * dropped, unless the proxy denied some of its connections (Linkerd "Proxy Metrics",
   * "Transport-Level Metrics").
   */
  flows(): ObservedFlow[] {
    const flows: ObservedFlow[] = [];
    for (const [key, flow] of this.byKey) {
      if (
        flow.mesh === 'linkerd' &&
        flow.protocol === 'tcp' &&
        flow.recent.denied === 0 &&
        flow.evidence.denied === 0 &&
        this.byKey.has(`http${key.slice('tcp'.length)}`)
      ) {
        continue;
      }
      flows.push(flow);
    }
    return flows;
  }
}

function zero(): TrafficCounts {
  return { mtls: 0, plaintext: 0, denied: 0 };
}

/**
 * Builds the flows of one cluster from its answers. Receiving workloads and sources are shared
 * between the flows that name them (one object each), which keeps memory per flow small
 * (docs/benchmarks.md "Observed traffic").
 */
export function buildFlows(answers: FamilyAnswer[]): ObservedFlow[] {
  const builder = new FlowBuilder();
  for (const answer of answers) builder.add(answer);
  return builder.flows();
}

/** The key under which flows share one source object (see `TrafficStore`). */
export function sourceKeyOf(source: TrafficSource): string {
  if (source.kind === 'workload') {
    return `w\u0000${source.namespace}\u0000${source.name}\u0000${
      source.identity ?? ''
    }`;
  }
  if (source.kind === 'identity') return `i\u0000${source.identity}`;
  return '';
}
