import { AccessEdge, SnapshotWorkload } from '../../model';

/** An edge without its peer and port: what the answers of many callers share. */
export type EdgeTemplate = Omit<AccessEdge, 'peer' | 'port'>;

/** Identifies a template (cheaper than JSON.stringify, which the build would call per answer). */
function templateKey(t: EdgeTemplate): string {
  return [
    t.decidedBy.layer,
    t.decidedBy.policy ?? '',
    t.methods?.join(',') ?? '',
    t.paths?.join('\u0002') ?? '',
    t.operations ? JSON.stringify(t.operations) : '',
    t.cannotEvaluate?.join('\u0002') ?? '',
    t.portMtls ?? '',
    t.connection ?? '',
    t.blocked
      ? [t.blocked.layer, t.blocked.policy, t.blocked.reason, t.blocked.finding]
          .map(x => x ?? '')
          .join('\u0002')
      : '',
  ].join('\u0001');
}

/** Every distinct edge template of a graph, by id. */
export class Templates {
  private readonly list: EdgeTemplate[] = [];
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.list.length;
  }

  get(id: number): EdgeTemplate {
    return this.list[id];
  }

  /** The id of the edge's template (its peer and port dropped). */
  id(edge: AccessEdge): number {
    const { peer: _peer, port: _port, ...template } = edge;
    return this.idOf(template);
  }

  /** The id of a template (of another graph's {@link Templates}, when carried over). */
  idOf(template: EdgeTemplate): number {
    const key = templateKey(template);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(template);
      this.ids.set(key, id);
    }
    return id;
  }

  edge(peer: AccessEdge['peer'], port: number, id: number): AccessEdge {
    return { peer, port, ...this.list[id] };
  }
}

export function workloadPeer(
  cluster: string,
  w: SnapshotWorkload,
): AccessEdge['peer'] {
  return { cluster, namespace: w.namespace, name: w.name, kind: w.kind };
}

const PEER_ORDER: Record<string, string> = {
  'any-workload': '0',
  'any-meshed': '1',
  'outside-mesh': '2',
  namespace: '3',
  'external-workload': '7',
  network: '8',
  'external-plaintext': '9',
};

/** A canonical order (port, then summaries, workloads, external), the same on every replica. */
export function sortEdges(edges: AccessEdge[]): AccessEdge[] {
  const key = (e: AccessEdge) => {
    const p = e.peer as {
      kind: string;
      namespace?: string;
      name?: string;
      cidrs?: string[];
    };
    return `${PEER_ORDER[p.kind] ?? '4'}\u0000${p.namespace ?? ''}\u0000${
      p.name ?? p.cidrs?.join(',') ?? ''
    }\u0000${p.kind}`;
  };
  const byKey = (x: string, y: string) => {
    if (x === y) return 0;
    return x < y ? -1 : 1;
  };
  return edges
    .map(e => [e, key(e)] as const)
    .sort(([a, x], [b, y]) => a.port - b.port || byKey(x, y))
    .map(([e]) => e);
}

export function sortWorkloads(list: SnapshotWorkload[]): SnapshotWorkload[] {
  return [...list].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name) ||
      a.kind.localeCompare(b.kind),
  );
}
