import { Engine } from '../engine';
import {
  AccessEdge,
  Peer,
  WorkloadPosture,
  WorkloadRef,
  isWorkloadPeer,
} from '../model';

/*
 * Expands access lists with summary peers back into one entry per workload (and port), the way
 * their documentation defines them, so tests can hold the grouped graph to the pair-by-pair
 * evaluation (`AccessGraph.connection`).
 */

const familyOf = (mesh: string) => {
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient') return 'istio';
  return mesh === 'linkerd' ? 'linkerd' : 'none';
};

const key = (w: { namespace: string; name: string }) =>
  `${w.namespace}/${w.name}`;

/**
 * The workloads a peer stands for, seen from `self` (never `self` itself); for a callee, only
 * those listening on the edge's port (`listening`).
 */
export function peerMembers(
  peer: Peer,
  self: WorkloadPosture,
  workloads: WorkloadPosture[],
  listening?: number,
): WorkloadPosture[] {
  if (
    peer.kind === 'external-plaintext' ||
    peer.kind === 'network' ||
    peer.kind === 'external-workload'
  )
    return [];
  if (isWorkloadPeer(peer))
    return workloads.filter(
      w => w.namespace === peer.namespace && w.name === peer.name,
    );
  const others = workloads.filter(
    w =>
      w !== self &&
      (listening === undefined || w.ports.some(p => p.port === listening)),
  );
  const selfFamily = familyOf(self.mesh);
  let members: WorkloadPosture[];
  switch (peer.kind) {
    case 'any-workload':
      members = others;
      break;
    case 'any-meshed':
      members = others.filter(w => familyOf(w.mesh) === peer.mesh);
      expect(peer.mesh).toBe(selfFamily);
      break;
    case 'outside-mesh':
      members = others.filter(w => familyOf(w.mesh) !== peer.mesh);
      expect(peer.mesh).toBe(selfFamily);
      break;
    case 'namespace':
      members = others.filter(w => w.namespace === peer.namespace);
      break;
    default:
      throw new Error(`unknown peer ${JSON.stringify(peer)}`);
  }
  const except = 'except' in peer ? peer.except ?? [] : [];
  members = members.filter(
    w =>
      !except.some(
        e => e.namespace === w.namespace && (!e.name || e.name === w.name),
      ),
  );
  if (peer.count !== members.length)
    throw new Error(
      `count of ${JSON.stringify(peer)} seen from ${key(self)}: ${members
        .map(key)
        .join(', ')}`,
    );
  return members;
}

/**
 * What an edge says besides its peer and port (and, for callee lists, its port mode and
 * protocol: properties of the callee's port, which summary callee edges do not all share).
 */
type EdgeTemplate = Omit<AccessEdge, 'peer' | 'port' | 'portMtls'> &
  Partial<Pick<AccessEdge, 'portMtls'>>;

/** What an edge says besides its peer and port. */
export function template(edge: AccessEdge, withMode = true): EdgeTemplate {
  // `platform` describes the peer (tested on its own), not the connection.
  const { peer: _peer, port: _port, platform: _platform, ...rest } = edge;
  if (withMode) return rest;
  const { portMtls: _mode, protocol: _protocol, ...withoutMode } = rest;
  return withoutMode;
}

/**
 * Callers of `self` per `namespace/name:port` (and `external:port`), expanded from summaries;
 * a workload listed on its own wins over a summary (the summary's exclusions name it then).
 * `list` gives the edges (default: the allowed callers).
 */
export function expandCallers(
  engine: Engine,
  self: WorkloadRef,
  list: (ref: WorkloadRef) => AccessEdge[] = ref => engine.callersOf(ref),
): Map<string, EdgeTemplate> {
  const workloads = engine.evaluate().workloads;
  const target = workloads.find(
    w => w.namespace === self.namespace && w.name === self.name,
  )!;
  const out = new Map<string, EdgeTemplate>();
  const explicit = new Set<string>();
  for (const edge of list(self)) {
    if (edge.peer.kind === 'external-plaintext') {
      out.set(`external:${edge.port}`, template(edge));
      continue;
    }
    if (edge.peer.kind === 'external-workload') {
      const { namespace, name } = edge.peer as {
        namespace: string;
        name: string;
      };
      out.set(
        `external-workload:${namespace}/${name}:${edge.port}`,
        template(edge),
      );
      continue;
    }
    const single = isWorkloadPeer(edge.peer);
    for (const w of peerMembers(edge.peer, target, workloads)) {
      const k = `${key(w)}:${edge.port}`;
      if (!single && explicit.has(k)) continue;
      if (!single && out.has(k))
        throw new Error(`${k} is in two summaries of ${key(self)}`);
      if (single) explicit.add(k);
      out.set(k, template(edge));
    }
  }
  return out;
}

/** Callees of `self` per `namespace/name:port`, expanded from summaries (port modes aside). */
export function expandCallees(
  engine: Engine,
  self: WorkloadRef,
): Map<string, EdgeTemplate> {
  const workloads = engine.evaluate().workloads;
  const caller = workloads.find(
    w => w.namespace === self.namespace && w.name === self.name,
  )!;
  const out = new Map<string, EdgeTemplate>();
  for (const edge of engine.calleesOf(self)) {
    const members = peerMembers(edge.peer, caller, workloads, edge.port);
    for (const w of members) {
      const k = `${key(w)}:${edge.port}`;
      if (out.has(k)) throw new Error(`${k} is listed twice for ${key(self)}`);
      out.set(k, template(edge, false));
    }
  }
  return out;
}

/** The pair-by-pair answers for `self` as target and as caller, in the same shape. */
export function pairwise(
  engine: Engine,
  self: WorkloadRef,
  externalWorkloads: Array<{ namespace: string; name: string }> = [],
): {
  callers: Map<string, EdgeTemplate>;
  callees: Map<string, EdgeTemplate>;
} {
  const graph = engine.accessGraph();
  const workloads = engine.evaluate().workloads;
  const me = workloads.find(
    w => w.namespace === self.namespace && w.name === self.name,
  )!;
  const callers = new Map<string, EdgeTemplate>();
  const callees = new Map<string, EdgeTemplate>();
  const numbers = (w: WorkloadPosture) => [
    ...new Set(w.ports.map(p => p.port)),
  ];
  for (const port of numbers(me)) {
    const external = graph.connection({ kind: 'external' }, self, port);
    if (external) callers.set(`external:${port}`, template(external));
  }
  // docs/engine.md "Linkerd ExternalWorkload": callers of their own of Linkerd workloads only.
  for (const { namespace, name } of me.mesh === 'linkerd'
    ? externalWorkloads
    : [])
    for (const port of numbers(me)) {
      const from = { kind: 'external-workload' as const, namespace, name };
      const edge = graph.connection(from, self, port);
      if (edge)
        callers.set(
          `external-workload:${namespace}/${name}:${port}`,
          template(edge),
        );
    }
  for (const w of workloads) {
    if (w === me) continue;
    const ref = { namespace: w.namespace, name: w.name, kind: w.kind };
    for (const port of numbers(me)) {
      const edge = graph.connection(ref, self, port);
      if (edge) callers.set(`${key(w)}:${port}`, template(edge));
    }
    for (const port of numbers(w)) {
      const edge = graph.connection(self, ref, port);
      if (edge) callees.set(`${key(w)}:${port}`, template(edge, false));
    }
  }
  return { callers, callees };
}
