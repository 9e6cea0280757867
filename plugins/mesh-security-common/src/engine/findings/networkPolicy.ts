import {
  Finding,
  JsonObject,
  LabelSelector,
  SnapshotPolicy,
  FindingDefinition,
} from '../../model';
import { EngineContext } from '../core/context';
import { POLICIES_PER_STEP } from '../core/steps';
import { cidrIsAll, selectorIsEmpty, selectorMatches } from '../core/match';
import { npSelector, policyTypes } from '../networkPolicy/networkPolicy';
import { isObject } from '../validate/check';
import { makeFinding } from './make';

/** MS3xx: Kubernetes NetworkPolicy. */
export const NETPOL_FINDINGS = {
  selectsNothing: {
    code: 'MS301',
    severity: 'low',
    title: 'NetworkPolicy selects no pod',
    description:
      'The podSelector of the NetworkPolicy matches no workload in its namespace, so it isolates nothing.',
    fix: 'Fix the podSelector labels or delete the policy.',
  },
  noDefaultDeny: {
    code: 'MS302',
    severity: 'medium',
    title: 'Namespace without default-deny ingress',
    description:
      'No NetworkPolicy with an empty podSelector and no ingress rules isolates every pod of the namespace: pods not selected by any policy accept traffic from anywhere.',
    fix: 'Add `kind: NetworkPolicy` with `podSelector: {}` and `policyTypes: [Ingress]` (and no ingress rules), then allow the needed flows explicitly.',
  },
  allowsAllSources: {
    code: 'MS303',
    severity: 'medium',
    title: 'Ingress rule allows every source',
    description:
      'An ingress rule without `from` allows traffic from every pod and every external address on its ports.',
    fix: 'Add `from` peers (podSelector/namespaceSelector) naming the clients.',
  },
  unknownNamedPort: {
    code: 'MS304',
    severity: 'medium',
    title: 'Named port not found on selected pods',
    description:
      'A rule names a port that no selected pod declares, so the rule matches nothing for them.',
    fix: 'Use the container port name as declared in the pod template, or a number.',
  },
  namespaceSelectorNothing: {
    code: 'MS305',
    severity: 'low',
    title: 'namespaceSelector matches no namespace',
    description:
      'A namespaceSelector matches none of the namespaces in the input.',
    fix: 'Select by `kubernetes.io/metadata.name` or fix the labels.',
  },
  internetIngress: {
    code: 'MS306',
    severity: 'high',
    title: 'Ingress from the whole internet',
    description:
      'An ingress rule allows `ipBlock` 0.0.0.0/0 (or ::/0) without exceptions.',
    fix: 'Narrow the CIDR to the load balancer or client ranges.',
  },
} satisfies Record<string, FindingDefinition>;

type P = SnapshotPolicy<JsonObject>;

/**
 * Findings about NetworkPolicies (object-level), a step per {@link POLICIES_PER_STEP} policies
 * (a delta's apply takes them between requests).
 */
export function* networkPolicyFindingSteps(
  ctx: EngineContext,
): Generator<void, Finding[], void> {
  const out: Finding[] = [];
  const cluster = ctx.options.cluster;
  const obj = (p: P) => ({
    kind: 'NetworkPolicy',
    namespace: p.namespace,
    name: p.name,
    cluster,
  });
  let taken = 0;
  for (const p of ctx.snapshot.networkPolicies) {
    if (++taken % POLICIES_PER_STEP === 0) yield;
    const selected = (ctx.byNamespace.get(p.namespace) ?? []).filter(w =>
      selectorMatches(npSelector(p), w.labels),
    );
    if (
      selected.length === 0 &&
      (ctx.byNamespace.get(p.namespace) ?? []).length > 0
    )
      out.push(
        makeFinding(
          NETPOL_FINDINGS.selectsNothing,
          obj(p),
          `selects no workload in ${p.namespace}`,
        ),
      );
    for (const dir of ['ingress', 'egress'] as const) {
      for (const rule of Array.isArray(p.spec[dir])
        ? (p.spec[dir] as unknown[])
        : []) {
        const r = isObject(rule) ? rule : {};
        const peers = Array.isArray(r[dir === 'ingress' ? 'from' : 'to'])
          ? (r[dir === 'ingress' ? 'from' : 'to'] as unknown[]).filter(isObject)
          : [];
        if (dir === 'ingress' && peers.length === 0)
          out.push(
            makeFinding(
              NETPOL_FINDINGS.allowsAllSources,
              obj(p),
              `has an ingress rule without from: every source is allowed`,
            ),
          );
        for (const peer of peers) {
          if (
            dir === 'ingress' &&
            isObject(peer.ipBlock) &&
            typeof peer.ipBlock.cidr === 'string' &&
            cidrIsAll(peer.ipBlock.cidr) &&
            !(
              Array.isArray(peer.ipBlock.except) &&
              peer.ipBlock.except.length > 0
            )
          ) {
            out.push(
              makeFinding(
                NETPOL_FINDINGS.internetIngress,
                obj(p),
                `allows ingress from ${peer.ipBlock.cidr}`,
              ),
            );
          }
          if (
            isObject(peer.namespaceSelector) &&
            ctx.snapshot.namespaces.length > 0 &&
            !selectorIsEmpty(peer.namespaceSelector as LabelSelector) &&
            !ctx.snapshot.namespaces.some(n =>
              selectorMatches(
                peer.namespaceSelector as LabelSelector,
                n.labels,
              ),
            )
          ) {
            out.push(
              makeFinding(
                NETPOL_FINDINGS.namespaceSelectorNothing,
                obj(p),
                `has a namespaceSelector that matches no namespace in the input`,
              ),
            );
          }
        }
        if (dir === 'ingress' && selected.length > 0) {
          for (const port of Array.isArray(r.ports)
            ? r.ports.filter(isObject)
            : []) {
            if (
              typeof port.port === 'string' &&
              !selected.some(w => w.ports.some(cp => cp.name === port.port))
            ) {
              out.push(
                makeFinding(
                  NETPOL_FINDINGS.unknownNamedPort,
                  obj(p),
                  `names port ${port.port}, which no selected workload declares`,
                ),
              );
            }
          }
        }
      }
    }
  }
  for (const [ns, workloads] of ctx.byNamespace) {
    if (workloads.length === 0) continue;
    if (!hasDefaultDenyIngress(ctx, ns)) {
      const object = { kind: 'Namespace', namespace: '', name: ns, cluster };
      out.push(
        makeFinding(
          NETPOL_FINDINGS.noDefaultDeny,
          object,
          `namespace ${ns} has no default-deny ingress NetworkPolicy`,
        ),
      );
    }
  }
  return out;
}

const defaultDenyCache = new WeakMap<EngineContext, Map<string, boolean>>();

/** Whether a namespace has a default-deny ingress policy (assume-breach pillar; cached). */
export function hasDefaultDenyIngress(
  ctx: EngineContext,
  namespace: string,
): boolean {
  let cache = defaultDenyCache.get(ctx);
  if (!cache) defaultDenyCache.set(ctx, (cache = new Map()));
  let hit = cache.get(namespace);
  if (hit === undefined) {
    hit = ctx.netpol
      .inNamespace(namespace)
      .some(
        p =>
          selectorIsEmpty(npSelector(p)) &&
          policyTypes(p).ingress &&
          (!Array.isArray(p.spec.ingress) || p.spec.ingress.length === 0),
      );
    cache.set(namespace, hit);
  }
  return hit;
}
