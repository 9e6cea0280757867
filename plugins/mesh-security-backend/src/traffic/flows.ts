/*
 * From query answers to observed flows: one flow per receiving workload, port (where the mesh
 * reports it), protocol and source, with its counts over both windows (docs/traffic.md).
 * Label meanings: Istio "Istio Standard Metrics" (https://istio.io/latest/docs/reference/config/metrics/),
 * Linkerd "Proxy Metrics" (https://linkerd.io/2-edge/reference/proxy-metrics/).
 */
import {
  FlowCountFields,
  ObservedFlow,
  TrafficCounts,
  TrafficSource,
} from '@mesh-security/plugin-mesh-security-common';
import { VectorAnswer } from './PrometheusClient';
import { LastSeenFamily, QueryFamily, TrafficWindow } from './queries';

/** One answered query. */
export interface FamilyAnswer {
  /** A count family, or a last-seen family (its values are times in seconds). */
  family: QueryFamily | LastSeenFamily;
  window: TrafficWindow;
  answer: Pick<VectorAnswer, 'labels' | 'values'>;
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

/** A source, numbered so flows can be keyed by numbers (see `FlowBuilder.flow`). */
interface NumberedSource {
  id: number;
  source: TrafficSource;
}

/** One receiving workload and its flows, keyed by `FlowBuilder.keyOf`. */
interface Destination {
  to: { namespace: string; name: string };
  flows: Map<number, HeldFlow>;
  /** When traffic was last seen (seconds), keyed as flows are with protocol `http`. */
  lastSeen?: Map<number, number>;
}

const PROTOCOLS = { http: 0, tcp: 1 } as const;

/**
 * The counts of a window without traffic, one frozen object that every flow answers for such a
 * window (a flow seen only in the evidence window is common), so reading it builds nothing.
 */
export const NO_TRAFFIC: TrafficCounts = Object.freeze({
  mtls: 0,
  plaintext: 0,
  denied: 0,
});

/**
 * An observed flow as a replica holds it: both windows' counts are fields of the flow itself,
 * not two objects of their own — 120 bytes a flow on Node 20 instead of 184 (docs/benchmarks.md
 * "Observed traffic": memory per flow). `recent` and `evidence` read as {@link TrafficCounts}
 * (a window without traffic as {@link NO_TRAFFIC}; otherwise a new object per read, which
 * callers must not keep expecting updates); the engine's join reads the fields themselves
 * ({@link FlowCountFields}) and builds nothing per flow; `toJSON` gives the plain shape the
 * cache stores.
 */
export class HeldFlow implements ObservedFlow, FlowCountFields {
  readonly mesh: ObservedFlow['mesh'];
  readonly to: ObservedFlow['to'];
  readonly port: number | undefined;
  readonly from: TrafficSource;
  readonly protocol: ObservedFlow['protocol'];
  lastSeen: string | undefined;
  recentMtls: number;
  recentPlaintext: number;
  recentDenied: number;
  evidenceMtls: number;
  evidencePlaintext: number;
  evidenceDenied: number;

  // Assigned in the constructor rather than as field initializers: on Node 20 a flow is built
  // in about half the time (a micro-benchmark: 78 against 128 ns).
  constructor(
    mesh: ObservedFlow['mesh'],
    to: ObservedFlow['to'],
    port: number | undefined,
    from: TrafficSource,
    protocol: ObservedFlow['protocol'],
  ) {
    this.mesh = mesh;
    this.to = to;
    this.port = port;
    this.from = from;
    this.protocol = protocol;
    this.lastSeen = undefined;
    this.recentMtls = 0;
    this.recentPlaintext = 0;
    this.recentDenied = 0;
    this.evidenceMtls = 0;
    this.evidencePlaintext = 0;
    this.evidenceDenied = 0;
  }

  get recent(): TrafficCounts {
    return countsOf(this.recentMtls, this.recentPlaintext, this.recentDenied);
  }

  get evidence(): TrafficCounts {
    return countsOf(
      this.evidenceMtls,
      this.evidencePlaintext,
      this.evidenceDenied,
    );
  }

  /** Adds to one window's counts. */
  add(
    window: TrafficWindow,
    what: 'mtls' | 'plaintext' | 'denied',
    count: number,
  ): void {
    if (window === 'recent') {
      if (what === 'mtls') this.recentMtls += count;
      else if (what === 'plaintext') this.recentPlaintext += count;
      else this.recentDenied += count;
    } else if (what === 'mtls') this.evidenceMtls += count;
    else if (what === 'plaintext') this.evidencePlaintext += count;
    else this.evidenceDenied += count;
  }

  /** Sets one window's counts (a missing window: none). */
  set(window: TrafficWindow, counts: TrafficCounts | undefined): void {
    if (!counts) return;
    this.add(window, 'mtls', counts.mtls);
    this.add(window, 'plaintext', counts.plaintext);
    this.add(window, 'denied', counts.denied);
  }

  /** The plain flow, as the cache stores it. */
  toJSON(): ObservedFlow {
    const flow = { mesh: this.mesh, to: this.to } as ObservedFlow;
    if (this.port !== undefined) flow.port = this.port;
    flow.from = this.from;
    flow.protocol = this.protocol;
    flow.recent = this.recent;
    flow.evidence = this.evidence;
    if (this.lastSeen !== undefined) flow.lastSeen = this.lastSeen;
    return flow;
  }
}

function countsOf(
  mtls: number,
  plaintext: number,
  denied: number,
): TrafficCounts {
  return mtls === 0 && plaintext === 0 && denied === 0
    ? NO_TRAFFIC
    : { mtls, plaintext, denied };
}

/**
 * Accumulates flows from answers as they arrive (each answer can be dropped once added). Lookups
 * go through maps keyed by the label values themselves and by numbers, never by strings built
 * per series (docs/benchmarks.md "Observed traffic").
 */
export class FlowBuilder {
  private readonly destinations = new Map<string, Map<string, Destination>>();
  private readonly workloadSources = new Map<
    string,
    Map<string, Map<string, NumberedSource>>
  >();
  private readonly identitySources = new Map<string, NumberedSource>();
  private readonly unknown: NumberedSource = { id: 0, source: UNKNOWN_SOURCE };
  private nextSourceId = 1;
  /** The last destination and port label looked up: answers list a workload's series together. */
  private lastDestination: Destination | undefined;
  private lastPortLabel: string | undefined;
  private lastPort: number | undefined;

  add(answer: FamilyAnswer): void {
    const linkerd = answer.family.startsWith('linkerd-');
    const lastSeen =
      answer.family === 'istio-last-seen' ||
      answer.family === 'linkerd-last-seen';
    const { labels, values } = answer.answer;
    for (let i = 0; i < labels.length; i++) {
      // A last-seen value is a time in seconds, kept as is.
      const count = lastSeen ? values[i] : whole(values[i]);
      if (count === 0) continue;
      if (linkerd) this.addLinkerd(answer, labels[i], count, lastSeen);
      else this.addIstio(answer, labels[i], count, lastSeen);
    }
  }

  private addIstio(
    answer: FamilyAnswer,
    labels: Record<string, string>,
    count: number,
    lastSeen: boolean,
  ): void {
    const namespace = labels.destination_workload_namespace;
    const name = labels.destination_workload;
    // A series no workload received cannot be attributed (docs/traffic.md).
    if (!known(namespace) || !known(name)) return;
    const sourceNamespace = labels.source_workload_namespace;
    const sourceName = labels.source_workload;
    const principal = labels.source_principal;
    let source: NumberedSource;
    if (known(sourceNamespace) && known(sourceName)) {
      source = this.workloadSource(
        sourceNamespace,
        sourceName,
        known(principal) ? principal : '',
      );
    } else if (known(principal)) {
      source = this.identitySource(principal);
    } else {
      source = this.unknown;
    }
    if (lastSeen) {
      this.seen('istio', namespace, name, undefined, source, count);
      return;
    }
    const deniedConnections = answer.family === 'istio-denied-connections';
    const flow = this.flow(
      'istio',
      namespace,
      name,
      undefined,
      answer.family === 'istio-connections' || deniedConnections
        ? 'tcp'
        : 'http',
      source,
    );
    // `none`, or anything not proven mutual TLS: fail closed.
    const tls =
      labels.connection_security_policy === 'mutual_tls' ? 'mtls' : 'plaintext';
    if (answer.family === 'istio-denied-requests' || deniedConnections) {
      // Counted among all requests (`istio-requests`) or opened connections
      // (`istio-connections`) too: refused, not accepted. The difference is kept at zero or
      // above in `flows()`, whichever answer arrives first.
      flow.add(answer.window, 'denied', count);
      flow.add(answer.window, tls, -count);
    } else {
      flow.add(answer.window, tls, count);
    }
  }

  private addLinkerd(
    answer: FamilyAnswer,
    labels: Record<string, string>,
    count: number,
    lastSeen: boolean,
  ): void {
    const namespace = labels.namespace;
    // Named reads in LINKERD_WORKLOAD_LABELS order: the first present names the workload.
    const name =
      labels.deployment ||
      labels.statefulset ||
      labels.daemonset ||
      labels.job ||
      labels.cronjob ||
      labels.replicaset ||
      labels.replicationcontroller;
    if (!namespace || !name) return;
    const validPort = this.port(labels.target_port);
    // Mutual TLS is TLS with a client identity: the proxy also terminates TLS from a client that
    // presents no certificate (`tls="true"`, `client_id=""`), which no identity-based policy can
    // admit. That, `tls="opaque"` (TLS the proxy passes through) and every `no_identity` or
    // `disabled` is not proven mutual TLS: fail closed.
    const clientId = labels.client_id;
    const mtls = labels.tls === 'true' && !!clientId;
    const source = mtls ? this.identitySource(clientId) : this.unknown;
    if (lastSeen) {
      this.seen('linkerd', namespace, name, validPort, source, count);
      return;
    }
    const flow = this.flow(
      'linkerd',
      namespace,
      name,
      validPort,
      answer.family === 'linkerd-connections' ||
        answer.family === 'linkerd-denied-connections'
        ? 'tcp'
        : 'http',
      source,
    );
    if (
      answer.family === 'linkerd-denied-requests' ||
      answer.family === 'linkerd-denied-connections'
    ) {
      flow.add(answer.window, 'denied', count);
    } else if (mtls) {
      flow.add(answer.window, 'mtls', count);
    } else {
      flow.add(answer.window, 'plaintext', count);
    }
  }

  private workloadSource(
    namespace: string,
    name: string,
    identity: string,
  ): NumberedSource {
    let byName = this.workloadSources.get(namespace);
    if (!byName) {
      byName = new Map();
      this.workloadSources.set(namespace, byName);
    }
    let byIdentity = byName.get(name);
    if (!byIdentity) {
      byIdentity = new Map();
      byName.set(name, byIdentity);
    }
    let source = byIdentity.get(identity);
    if (!source) {
      source = {
        id: this.nextSourceId++,
        source: {
          kind: 'workload',
          namespace,
          name,
          ...(identity ? { identity } : {}),
        },
      };
      byIdentity.set(identity, source);
    }
    return source;
  }

  private identitySource(identity: string): NumberedSource {
    let source = this.identitySources.get(identity);
    if (!source) {
      source = {
        id: this.nextSourceId++,
        source: { kind: 'identity', identity },
      };
      this.identitySources.set(identity, source);
    }
    return source;
  }

  /** A flow's key within its destination: source, port, protocol and mesh as one number. */
  private static keyOf(
    sourceId: number,
    port: number | undefined,
    protocol: ObservedFlow['protocol'],
    mesh: ObservedFlow['mesh'],
  ): number {
    return (
      ((sourceId * 65536 + (port ?? 0)) * 2 + PROTOCOLS[protocol]) * 2 +
      (mesh === 'istio' ? 0 : 1)
    );
  }

  private destination(namespace: string, name: string): Destination {
    const last = this.lastDestination;
    if (last && last.to.name === name && last.to.namespace === namespace) {
      return last;
    }
    let byName = this.destinations.get(namespace);
    if (!byName) {
      byName = new Map();
      this.destinations.set(namespace, byName);
    }
    let destination = byName.get(name);
    if (!destination) {
      destination = { to: { namespace, name }, flows: new Map() };
      byName.set(name, destination);
    }
    this.lastDestination = destination;
    return destination;
  }

  /**
   * Records when traffic from `source` to a workload (and port) was last seen, for the flows of
   * either protocol: the last-seen queries count requests and connections together.
   */
  private seen(
    mesh: ObservedFlow['mesh'],
    namespace: string,
    name: string,
    port: number | undefined,
    source: NumberedSource,
    seconds: number,
  ): void {
    const destination = this.destination(namespace, name);
    const key = FlowBuilder.keyOf(source.id, port, 'http', mesh);
    const seenAt = (destination.lastSeen ??= new Map());
    const previous = seenAt.get(key);
    if (previous === undefined || seconds > previous) seenAt.set(key, seconds);
  }

  /** A `target_port` label as a port number; undefined unless 1–65535. */
  private port(label: string | undefined): number | undefined {
    if (label === this.lastPortLabel) return this.lastPort;
    const port = Number(label);
    this.lastPortLabel = label;
    this.lastPort =
      Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
    return this.lastPort;
  }

  private flow(
    mesh: ObservedFlow['mesh'],
    namespace: string,
    name: string,
    port: number | undefined,
    protocol: ObservedFlow['protocol'],
    source: NumberedSource,
  ): HeldFlow {
    const destination = this.destination(namespace, name);
    const key = FlowBuilder.keyOf(source.id, port, protocol, mesh);
    const existing = destination.flows.get(key);
    if (existing) return existing;
    const flow = new HeldFlow(
      mesh,
      destination.to,
      port,
      source.source,
      protocol,
    );
    destination.flows.set(key, flow);
    return flow;
  }

  /**
   * The flows. Linkerd counts an HTTP port's connections in `tcp_open_total` too: a TCP flow
   * beside an HTTP flow of the same workload, port and source carries the same traffic and is
   * dropped, unless the proxy denied some of its connections (Linkerd "Proxy Metrics",
   * "Transport-Level Metrics").
   */
  flows(): HeldFlow[] {
    const flows: HeldFlow[] = [];
    // One string per distinct time: flows last seen at the same step share it.
    const times = new Map<number, string>();
    for (const byName of this.destinations.values()) {
      for (const destination of byName.values()) {
        const seenAt = destination.lastSeen;
        for (const [key, flow] of destination.flows) {
          // The same key with protocol http (key - 2: the protocol bit is the second lowest).
          if (
            flow.mesh === 'linkerd' &&
            flow.protocol === 'tcp' &&
            flow.recentDenied === 0 &&
            flow.evidenceDenied === 0 &&
            destination.flows.has(key - 2)
          ) {
            continue;
          }
          if (flow.mesh === 'istio') notBelowZero(flow);
          const seconds = seenAt?.get(flow.protocol === 'tcp' ? key - 2 : key);
          if (seconds !== undefined) {
            let time = times.get(seconds);
            if (time === undefined) {
              time = new Date(seconds * 1000).toISOString();
              times.set(seconds, time);
            }
            flow.lastSeen = time;
          }
          flows.push(flow);
        }
      }
    }
    return flows;
  }
}

/**
 * An Istio flow's accepted counts less the requests and connections refused
 * (`istio-denied-requests`, `istio-denied-connections`), never below zero: `increase()`
 * extrapolates each counter on its own, so the refused can round above the total.
 */
function notBelowZero(flow: HeldFlow): void {
  flow.recentMtls = Math.max(0, flow.recentMtls);
  flow.recentPlaintext = Math.max(0, flow.recentPlaintext);
  flow.evidenceMtls = Math.max(0, flow.evidenceMtls);
  flow.evidencePlaintext = Math.max(0, flow.evidencePlaintext);
}

/**
 * Builds the flows of one cluster from its answers. Receiving workloads and sources are shared
 * between the flows that name them (one object each), which keeps memory per flow small
 * (docs/benchmarks.md "Observed traffic").
 */
export function buildFlows(answers: FamilyAnswer[]): HeldFlow[] {
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
