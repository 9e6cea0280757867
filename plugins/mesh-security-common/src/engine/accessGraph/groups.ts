import { Mesh, SnapshotWorkload } from '../../model';
import { workloadCaller, workloadCallers } from '../core/access';
import { CallerContext } from '../core/caller';
import { CallerContexts } from '../core/callers';
import { EngineContext, WorkloadInfo } from '../core/context';
import { ciliumRuleKey } from '../networkPolicy/ciliumNetworkPolicy';

/*
 * Caller groups (docs/engine.md, "Access graph"): workloads that every policy reading a client
 * sees alike — same mesh, namespace (hence namespace labels and the DestinationRules of the
 * client's namespace), egress NetworkPolicies, workload-scoped DestinationRules and host
 * networking. A group is asked once per target port through a representative whose service
 * account, pod labels and IPs are unknown (core/caller.ts). Groups that differ only by namespace form
 * a class, asked once with the namespace unknown as well.
 */

/** A mesh as callers see it: Istio sidecars and ambient workloads talk mTLS to each other. */
export type Family = 'istio' | 'linkerd' | 'none';

export const FAMILIES: Family[] = ['istio', 'linkerd', 'none'];

export const familyOf = (mesh: Mesh): Family => {
  if (mesh === 'istio-sidecar' || mesh === 'istio-ambient') return 'istio';
  return mesh === 'linkerd' ? 'linkerd' : 'none';
};

export interface CallerGroup {
  index: number;
  /** What sets the group apart (equal keys: the same group; see a graph's carry-over). */
  key: string;
  family: Family;
  namespace: string;
  members: SnapshotWorkload[];
  /** The representative: a member's mesh, namespace and client-side policies, nothing else. */
  contexts: CallerContexts;
  flags: NonNullable<CallerContext['group']>;
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Members of the groups other than `self`'s workload (a workload is never its own peer). */
export function memberCount(groups: CallerGroup[], self: CallerGroup): number {
  let n = 0;
  for (const g of groups) n += g.members.length - (g === self ? 1 : 0);
  return n;
}

/**
 * A workload's port numbers, each once: the layers decide per port number, so a number declared
 * for TCP and UDP, such as DNS on 53, is one entry of the graph, answered for its TCP port
 * (core/ports.ts `declaredPort`; docs/engine.md "Not modelled").
 */
export function portNumbers(info: WorkloadInfo): number[] {
  return [...new Set(info.ports.map(p => p.port))];
}

/**
 * Caller-group keys by workload evaluation. Weak: once a graph is complete its context forgets
 * the workloads' infos (`buildStep`), and the keys must not keep them.
 */
export type GroupKeys = WeakMap<WorkloadInfo, string>;

/** A sidecar client whose mesh config sets `enableAutoMtls: false` sends differently. */
const autoMtlsKey = (info: WorkloadInfo) =>
  info.membership.mesh === 'istio-sidecar' && !info.istioMesh.autoMtls
    ? 'no-auto-mtls'
    : '';

/** What sets a workload's caller group apart (equal keys: the same group). */
function groupKey(ctx: EngineContext, info: WorkloadInfo): string {
  const w = info.w;
  const egress = ctx.netpol
    .isolating(w)
    .egress.map(p => `${p.namespace}/${p.name}`)
    .join(',');
  const rules =
    info.membership.mesh === 'istio-sidecar'
      ? ctx.destinationRules.workloadRulesFor(w.namespace, w.labels).join(',')
      : '';
  const sidecar =
    info.membership.mesh === 'istio-sidecar' ? ctx.sidecars.clientKey(w) : '';
  return [
    info.membership.mesh,
    // Revisions may give workloads of one namespace different trust domains, and their
    // sidecars different auto mTLS settings.
    familyOf(info.membership.mesh) === 'istio'
      ? info.istioMesh.trustDomain
      : '',
    autoMtlsKey(info),
    w.namespace,
    w.hostNetwork ? 'host' : '',
    egress,
    adminEgress(ctx, info),
    ciliumEgress(ctx, info),
    rules,
    sidecar,
  ].join('\u0000');
}

/** The AdminNetworkPolicies and BaselineAdminNetworkPolicy that apply to a client's egress. */
function adminEgress(ctx: EngineContext, info: WorkloadInfo): string {
  const { admin, baseline } = ctx.netpol.admin.applying(
    info.w,
    info.nsLabels,
    'egress',
  );
  return [...admin, ...(baseline ? [baseline] : [])]
    .map(p => `${p.kind}/${p.name}`)
    .join(',');
}

/** The Cilium policy rules that apply to a client's egress. */
function ciliumEgress(ctx: EngineContext, info: WorkloadInfo): string {
  return ciliumRuleKey(
    ctx.netpol.cilium.applying(info.w, info.nsLabels, 'egress'),
  );
}

/**
 * Every workload's caller-group key, a step per workload (the groups of a 10,000-pod cluster
 * take milliseconds to key; see `applySteps`).
 *
 * `reuse`: the previous snapshot's keys, when only pods and pod controllers changed since (its
 * other objects are the same): a key depends on the workload's evaluation and on those objects
 * only, so a workload whose evaluation was kept (the same `WorkloadInfo`) keeps its key, and a
 * workload evaluated again gets a new one. Those keys are then extended, not copied: a copy per
 * generation, one entry per workload, lived until the next generation and was copied by
 * young-generation collections (docs/benchmarks.md). The previous graph never reads them again.
 */
export function* groupKeySteps(
  ctx: EngineContext,
  reuse?: GroupKeys,
): Generator<void, GroupKeys, void> {
  const keys: GroupKeys = reuse ?? new WeakMap();
  for (const w of ctx.snapshot.workloads) {
    const info = ctx.info(w);
    if (!keys.has(info)) keys.set(info, groupKey(ctx, info));
    yield;
  }
  return keys;
}

export class CallerGroups {
  readonly all: CallerGroup[] = [];
  readonly byFamily = new Map<Family, CallerGroup[]>();
  readonly byNamespace = new Map<string, CallerGroup[]>();
  /** Groups asked together with their namespace unknown, each with more than one group. */
  readonly classes: CallerGroup[][];
  private readonly byWorkload = new Map<SnapshotWorkload, CallerGroup>();
  private readonly classContexts = new Map<CallerGroup, CallerContexts>();
  /** Each member's key, by its evaluation (the next snapshot's {@link groupKeySteps} reuse). */
  readonly keys: GroupKeys;

  /** `keys`: those of {@link groupKeySteps} for this snapshot, taken as they are. */
  constructor(private readonly ctx: EngineContext, keys?: GroupKeys) {
    this.keys = keys ?? new WeakMap();
    const byKey = new Map<string, CallerGroup>();
    for (const w of ctx.snapshot.workloads) {
      const info = ctx.info(w);
      let key = this.keys.get(info);
      if (key === undefined) this.keys.set(info, (key = groupKey(ctx, info)));
      let group = byKey.get(key);
      if (!group) {
        group = this.newGroup(info, key);
        byKey.set(key, group);
      }
      group.members.push(w);
      this.byWorkload.set(w, group);
    }
    // Groups whose namespace has no DestinationRule of its own and that no egress policy
    // isolates differ only by namespace.
    const classes = new Map<string, CallerGroup[]>();
    for (const group of this.all) {
      const info = group.contexts.info!;
      if (
        ctx.netpol.isolating(info.w).egress.length === 0 &&
        // AdminNetworkPolicy subjects select by namespace labels.
        !adminEgress(ctx, info) &&
        !ciliumEgress(ctx, info) &&
        !ctx.destinationRules.hasRules(group.namespace) &&
        // A Sidecar's egress hosts may name the client's namespace (`./*`).
        !(
          info.membership.mesh === 'istio-sidecar' &&
          ctx.sidecars.effective(info.w).sidecar
        )
      )
        push(
          classes,
          `${info.membership.mesh}\u0000${
            info.w.hostNetwork ? 'host' : ''
          }\u0000${autoMtlsKey(info)}`,
          group,
        );
    }
    this.classes = [...classes.values()].filter(c => c.length > 1);
  }

  of(w: SnapshotWorkload): CallerGroup {
    return this.byWorkload.get(w)!;
  }

  /** A member as a client, with its full identity. */
  memberContexts(w: SnapshotWorkload): CallerContexts {
    const info = this.ctx.info(w);
    const { plain, mtls } = workloadCallers(info);
    return { info, plain, mtls };
  }

  /** A group's representative with its namespace unknown as well: it stands for its class. */
  classRepresentative(group: CallerGroup): CallerContexts {
    let contexts = this.classContexts.get(group);
    if (!contexts) {
      const flags = { consulted: false, namespaceUnknown: true };
      const { info, plain, mtls } = group.contexts;
      contexts = {
        info,
        plain: { ...plain, group: flags },
        mtls: mtls && {
          ...mtls,
          identity: mtls.identity && { ...mtls.identity },
          group: flags,
        },
      };
      this.classContexts.set(group, contexts);
    }
    return contexts;
  }

  private newGroup(info: WorkloadInfo, key: string): CallerGroup {
    const family = familyOf(info.membership.mesh);
    const { linkerdTrustDomain } = this.ctx.options;
    const { trustDomain } = info.istioMesh;
    const namespace = info.w.namespace;
    const flags: CallerGroup['flags'] = {
      consulted: false,
      ...(family === 'linkerd'
        ? {
            linkerdIdentitySuffix: `.${namespace}.serviceaccount.identity.linkerd.${linkerdTrustDomain}`,
          }
        : {}),
    };
    const plain: CallerContext = {
      ...workloadCaller(info),
      serviceAccount: undefined,
      labels: {},
      ips: undefined,
      group: flags,
    };
    const mtls: CallerContext = {
      ...plain,
      mtls: true,
      identity:
        family === 'istio'
          ? {
              ns: namespace,
              td: trustDomain,
              principalPrefix: `${trustDomain}/ns/${namespace}/sa/`,
            }
          : undefined,
    };
    const group: CallerGroup = {
      index: this.all.length,
      key,
      family,
      namespace,
      members: [],
      contexts: { info, plain, mtls },
      flags,
    };
    this.all.push(group);
    push(this.byFamily, family, group);
    push(this.byNamespace, namespace, group);
    return group;
  }
}
