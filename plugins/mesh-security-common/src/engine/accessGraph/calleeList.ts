import { AccessEdge, MtlsMode, SnapshotWorkload } from '../../model';
import { EngineContext } from '../core/context';
import { PortAccess } from './answers';
import { Templates, sortEdges, workloadPeer } from './edges';
import { CallerGroups, FAMILIES, Family, portNumbers } from './groups';

/*
 * The callees of one workload, with summary peers (docs/engine.md, "Summary peers"). Target
 * ports that answer alike share an answer vector, so a callee list adds up vectors — counted per
 * port and scope — instead of visiting every target; targets are only listed one by one where a
 * namespace is partly covered. Targets whose ports differ only in mode share one edge, whose
 * mode is then PARTIAL.
 */

/** The target ports that share one answer vector, counted per port and scope. */
export interface VectorTargets {
  groups: Int32Array;
  /**
   * The target ports that answer alike: `targets[i]` on port `ports[i]`. Two arrays, not a pair
   * per port: the index is built anew for each generation and lives as long, so each of its
   * objects is copied by young collections (docs/benchmarks.md).
   */
  targets: SnapshotWorkload[];
  ports: number[];
  counts: Map<number, Map<string, number>>;
}

/** A template without its port mode (`id`), the template itself and the mode. */
export interface CalleeKey {
  id: number;
  template: number;
  mode: MtlsMode;
}

interface Bucket {
  port: number;
  template: number;
  /** How many target ports of each mode the bucket holds. */
  modes: Map<MtlsMode, number>;
  counts: Map<string, number>;
  vectors: VectorTargets[];
  listed: SnapshotWorkload[];
}

function countMode(b: Bucket, key: CalleeKey, n: number) {
  b.modes.set(key.mode, (b.modes.get(key.mode) ?? 0) + n);
}

/** Whether the edge names this very workload (a workload is never its own callee). */
export function isSelf(edge: AccessEdge, self: SnapshotWorkload): boolean {
  const p = edge.peer as { namespace?: string; name?: string; kind: string };
  return (
    p.name === self.name &&
    p.namespace === self.namespace &&
    p.kind === self.kind
  );
}

function namespacesOf(b: Bucket): string[] {
  return [...b.counts.keys()]
    .filter(k => k.startsWith('ns:') && (b.counts.get(k) ?? 0) > 0)
    .map(k => k.slice(3))
    .sort();
}

function targetsIn(b: Bucket, namespaces: Set<string>): SnapshotWorkload[] {
  return [
    ...b.listed.filter(t => namespaces.has(t.namespace)),
    ...b.vectors.flatMap(v =>
      v.targets.filter(
        (t, i) => v.ports[i] === b.port && namespaces.has(t.namespace),
      ),
    ),
  ];
}

/**
 * The callees of one workload, bucketed by port and answer, counted per scope: `*` (the
 * cluster), `family:<mesh>`, `ns:<namespace>` and `nsf:<namespace>:<mesh>`.
 */
export class CalleeBuckets {
  private readonly buckets = new Map<string, Bucket>();

  addVector(vector: VectorTargets, key: CalleeKey): void {
    for (const [port, counts] of vector.counts) {
      const b = this.bucket(port, key);
      for (const [scope, n] of counts)
        b.counts.set(scope, (b.counts.get(scope) ?? 0) + n);
      countMode(b, key, counts.get('*') ?? 0);
      b.vectors.push(vector);
    }
  }

  addTarget(
    target: SnapshotWorkload,
    port: number,
    key: CalleeKey,
    scopes: readonly string[],
  ): void {
    const b = this.bucket(port, key);
    for (const scope of scopes)
      b.counts.set(scope, (b.counts.get(scope) ?? 0) + 1);
    countMode(b, key, 1);
    b.listed.push(target);
  }

  remove(port: number, key: CalleeKey, scopes: readonly string[]): void {
    const b = this.buckets.get(`${port}:${key.id}`);
    if (!b) return;
    for (const scope of scopes)
      b.counts.set(scope, (b.counts.get(scope) ?? 0) - 1);
    countMode(b, key, -1);
  }

  all(): Bucket[] {
    return [...this.buckets.values()].filter(b => (b.counts.get('*') ?? 0) > 0);
  }

  private bucket(port: number, key: CalleeKey): Bucket {
    const id = `${port}:${key.id}`;
    let b = this.buckets.get(id);
    if (!b)
      this.buckets.set(
        id,
        (b = {
          port,
          template: key.template,
          modes: new Map(),
          counts: new Map(),
          vectors: [],
          listed: [],
        }),
      );
    return b;
  }
}

/** What callee lists read about the whole graph: scopes, totals, vectors, merged templates. */
export class CalleeIndex {
  private readonly keys: CalleeKey[] = [];
  private readonly keyIds = new Map<string, number>();
  private portTotals?: Map<number, Map<string, number>>;
  private byVector?: VectorTargets[];

  constructor(
    private readonly ctx: EngineContext,
    private readonly groups: CallerGroups,
    private readonly templates: Templates,
  ) {}

  /** Scope lists by namespace and family (the same list for every workload of both). */
  private readonly scopeLists = new Map<string, Map<string, string[]>>();

  /** The summary scopes a workload belongs to (see {@link CalleeBuckets}); not to be changed. */
  scopesOf(w: SnapshotWorkload): readonly string[] {
    const family = this.groups.of(w).family;
    let byFamily = this.scopeLists.get(w.namespace);
    if (!byFamily) this.scopeLists.set(w.namespace, (byFamily = new Map()));
    let scopes = byFamily.get(family);
    if (!scopes)
      byFamily.set(
        family,
        (scopes = [
          '*',
          `family:${family}`,
          `ns:${w.namespace}`,
          `nsf:${w.namespace}:${family}`,
        ]),
      );
    return scopes;
  }

  /** A template as callee lists merge it (its port mode aside). */
  key(template: number): CalleeKey {
    let key = this.keys[template];
    if (!key) {
      const { portMtls, ...rest } = this.templates.get(template);
      const text = JSON.stringify(rest);
      let id = this.keyIds.get(text);
      if (id === undefined) this.keyIds.set(text, (id = this.keyIds.size));
      key = { id, template, mode: portMtls };
      this.keys[template] = key;
    }
    return key;
  }

  /** Target ports per shared answer vector (the graph must be complete). */
  vectors(access: Map<SnapshotWorkload, PortAccess[]>): VectorTargets[] {
    if (!this.byVector) {
      const byVector = new Map<Int32Array, VectorTargets>();
      for (const [target, ports] of access) {
        const scopes = this.scopesOf(target);
        for (const p of ports) {
          let entry = byVector.get(p.groups);
          if (!entry)
            byVector.set(
              p.groups,
              (entry = {
                groups: p.groups,
                targets: [],
                ports: [],
                counts: new Map(),
              }),
            );
          entry.targets.push(target);
          entry.ports.push(p.port);
          let counts = entry.counts.get(p.port);
          if (!counts) entry.counts.set(p.port, (counts = new Map()));
          for (const scope of scopes)
            counts.set(scope, (counts.get(scope) ?? 0) + 1);
        }
      }
      this.byVector = [...byVector.values()];
    }
    return this.byVector;
  }

  /** Workloads listening on each port, per scope (from the evaluated targets when given). */
  totals(
    access?: Map<SnapshotWorkload, PortAccess[]>,
  ): Map<number, Map<string, number>> {
    if (!this.portTotals) {
      this.portTotals = new Map();
      for (const w of this.ctx.snapshot.workloads) {
        const ports =
          access?.get(w)?.map(p => p.port) ?? portNumbers(this.ctx.info(w));
        for (const port of ports) {
          let scopes = this.portTotals.get(port);
          if (!scopes) this.portTotals.set(port, (scopes = new Map()));
          for (const scope of this.scopesOf(w))
            scopes.set(scope, (scopes.get(scope) ?? 0) + 1);
        }
      }
    }
    return this.portTotals;
  }

  /** The callee list of `caller` from its buckets. */
  list(
    caller: SnapshotWorkload,
    callerPorts: number[],
    callees: CalleeBuckets,
  ): AccessEdge[] {
    const edges = this.listFor(caller, callerPorts, callees);
    return edges.filter(e => !isSelf(e, caller));
  }

  /**
   * {@link CalleeIndex.list} as every member of the caller's group sees it whose own ports
   * answer alike (see the graph's callee cache): the caller itself may be listed (as a callee of
   * another member); the graph filters it out per query.
   */
  listFor(
    caller: SnapshotWorkload,
    callerPorts: number[],
    callees: CalleeBuckets,
  ): AccessEdge[] {
    const family = this.groups.of(caller).family;
    const totals = this.totals();
    const callerScopes = new Set(this.scopesOf(caller));
    const out: AccessEdge[] = [];
    for (const b of callees.all()) {
      const modes = [...b.modes].filter(([, n]) => n > 0).map(([m]) => m);
      const portMtls: MtlsMode = modes.length === 1 ? modes[0] : 'PARTIAL';
      const edge = (peer: AccessEdge['peer']): AccessEdge => {
        const e = this.templates.edge(peer, b.port, b.template);
        e.portMtls = portMtls;
        return e;
      };
      const perPort = totals.get(b.port)!;
      // The caller is never its own callee: its own scopes count one workload fewer.
      const total = (scope: string) =>
        (perPort.get(scope) ?? 0) -
        (callerScopes.has(scope) && callerPorts.includes(b.port) ? 1 : 0);
      const count = (scope: string) => b.counts.get(scope) ?? 0;
      const covers = (scope: string) => count(scope) === total(scope);
      if (count('*') >= 2 && covers('*')) {
        out.push(edge({ kind: 'any-workload', count: count('*') }));
        continue;
      }
      const done = new Set<Family>();
      if (family !== 'none') {
        const inside = `family:${family}`;
        if (count(inside) >= 2 && covers(inside)) {
          out.push(
            edge({ kind: 'any-meshed', mesh: family, count: count(inside) }),
          );
          done.add(family);
        }
        const others = FAMILIES.filter(f => f !== family);
        const outside = others.reduce((n, f) => n + count(`family:${f}`), 0);
        if (outside >= 2 && others.every(f => covers(`family:${f}`))) {
          out.push(
            edge({ kind: 'outside-mesh', mesh: family, count: outside }),
          );
          others.forEach(f => done.add(f));
        }
      }
      const partial = new Set<string>();
      for (const namespace of namespacesOf(b)) {
        const remaining = FAMILIES.filter(f => !done.has(f)).reduce(
          (n, f) => n + count(`nsf:${namespace}:${f}`),
          0,
        );
        if (remaining === 0) continue;
        if (
          remaining >= 2 &&
          remaining === count(`ns:${namespace}`) &&
          covers(`ns:${namespace}`)
        )
          out.push(edge({ kind: 'namespace', namespace, count: remaining }));
        else partial.add(namespace);
      }
      for (const target of targetsIn(b, partial))
        if (!done.has(this.groups.of(target).family))
          out.push(edge(workloadPeer(this.ctx.options.cluster, target)));
    }
    return sortEdges(out);
  }
}
