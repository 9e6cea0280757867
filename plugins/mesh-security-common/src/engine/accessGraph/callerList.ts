import {
  AccessEdge,
  PeerExclusion,
  SnapshotWorkload,
  SummaryPeer,
} from '../../model';
import { PortAccess } from './answers';
import { Templates, sortEdges, sortWorkloads, workloadPeer } from './edges';
import { CallerGroup, CallerGroups, Family, memberCount, push } from './groups';

/*
 * The callers of one target port, with summary peers (docs/engine.md, "Summary peers"): groups
 * that all have the same access become "every workload of the mesh", "every workload outside
 * it" or "the whole cluster" (with a few exclusions), then whole namespaces; the rest is listed
 * workload by workload.
 */

/** Above this many exclusions a summary is split into namespaces instead. */
const MAX_EXCLUSIONS = 16;

export function callerList(
  cluster: string,
  groups: CallerGroups,
  templates: Templates,
  target: SnapshotWorkload,
  access: PortAccess,
): AccessEdge[] {
  const buckets = new Map<
    number,
    { groups: Set<CallerGroup>; members: SnapshotWorkload[] }
  >();
  const bucket = (template: number) => {
    let b = buckets.get(template);
    if (!b) buckets.set(template, (b = { groups: new Set(), members: [] }));
    return b;
  };
  for (const group of groups.all) {
    const answer = access.groups[group.index];
    if (answer >= 0) bucket(answer).groups.add(group);
  }
  for (const [member, template] of access.members)
    bucket(template).members.push(member);

  const out: AccessEdge[] = [];
  for (const [template, b] of buckets) {
    const edge = (peer: AccessEdge['peer']) =>
      templates.edge(peer, access.port, template);
    const { summaries, rest } = summarize(groups, target, b.groups);
    out.push(...summaries.map(edge));
    // The target itself may be listed here; the graph drops it per query (see its cache).
    const listed = [...rest.flatMap(g => g.members), ...b.members];
    out.push(...listed.map(w => edge(workloadPeer(cluster, w))));
  }
  if (access.external >= 0)
    out.push(
      templates.edge(
        { kind: 'external-plaintext' },
        access.port,
        access.external,
      ),
    );
  for (const [peer, template] of access.networks ?? [])
    out.push(templates.edge(peer, access.port, template));
  for (const [peer, template] of access.externalWorkloads ?? [])
    out.push(templates.edge(peer, access.port, template));
  return sortEdges(out);
}

/**
 * Summary peers for fully covered groups: the whole cluster, the target's mesh or what is
 * outside it (with a few exclusions), then whole namespaces. Returns the groups left to list.
 */
function summarize(
  groups: CallerGroups,
  self: SnapshotWorkload,
  covered: Set<CallerGroup>,
): { summaries: SummaryPeer[]; rest: CallerGroup[] } {
  const selfGroup = groups.of(self);
  const family = selfGroup.family;
  const summaries: SummaryPeer[] = [];
  const left = new Set(covered);
  const scopes: Array<[SummaryPeer['kind'], CallerGroup[]]> = [
    ['any-workload', groups.all],
  ];
  if (family !== 'none')
    scopes.push(
      ['any-meshed', groups.byFamily.get(family) ?? []],
      ['outside-mesh', groups.all.filter(g => g.family !== family)],
    );
  for (const [kind, scope] of scopes) {
    const summary = scopeSummary(
      groups,
      selfGroup,
      scope,
      left,
      kind === 'any-workload',
    );
    if (!summary) continue;
    const { count, except, used } = summary;
    used.forEach(g => left.delete(g));
    const excluded = except ? { except } : {};
    if (kind === 'any-workload') summaries.push({ kind, count, ...excluded });
    else if (kind === 'any-meshed' || kind === 'outside-mesh')
      summaries.push({
        kind,
        mesh: family as Exclude<Family, 'none'>,
        count,
        ...excluded,
      });
  }
  const rest: CallerGroup[] = [];
  const byNamespace = new Map<string, CallerGroup[]>();
  for (const g of left) push(byNamespace, g.namespace, g);
  for (const [namespace, list] of byNamespace) {
    const all = groups.byNamespace.get(namespace)!;
    const count = memberCount(all, selfGroup);
    if (list.length === all.length && count >= 2)
      summaries.push({ kind: 'namespace', namespace, count });
    else rest.push(...list);
  }
  return { summaries, rest };
}

/** A summary of `scope` from the groups in `left`, when they cover it but for a few. */
function scopeSummary(
  groups: CallerGroups,
  selfGroup: CallerGroup,
  scope: CallerGroup[],
  left: Set<CallerGroup>,
  exact: boolean,
):
  | { count: number; except?: PeerExclusion[]; used: CallerGroup[] }
  | undefined {
  const used = scope.filter(g => left.has(g));
  const missing = scope.filter(g => !left.has(g));
  const count = memberCount(used, selfGroup);
  if (count < 2) return undefined;
  if (missing.length === 0) return { count, used };
  // The whole cluster is summarised only when nothing is left out (the mesh scopes say more).
  if (exact) return undefined;
  if (memberCount(missing, selfGroup) * 2 > count) return undefined;
  const except = exclusions(groups, scope, missing);
  if (except.length > MAX_EXCLUSIONS) return undefined;
  return { count, except, used };
}

/** Whole namespaces where no group of `scope` is covered, else the workloads left out. */
function exclusions(
  groups: CallerGroups,
  scope: CallerGroup[],
  missing: CallerGroup[],
): PeerExclusion[] {
  const inScope = new Set(scope);
  const byNamespace = new Map<string, CallerGroup[]>();
  for (const g of missing) push(byNamespace, g.namespace, g);
  const out: PeerExclusion[] = [];
  for (const [namespace, list] of [...byNamespace].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const scoped = groups.byNamespace
      .get(namespace)!
      .filter(g => inScope.has(g));
    if (list.length === scoped.length) out.push({ namespace });
    // The target itself is listed too when its group is left out: the list is shared by the
    // group's members, and each drops itself from it per query (see the graph's cache).
    else
      for (const w of sortWorkloads(list.flatMap(g => g.members)))
        out.push({ namespace: w.namespace, name: w.name, kind: w.kind });
    if (out.length > MAX_EXCLUSIONS) break;
  }
  return out;
}
