import {
  AccessDecision,
  AccessEdge,
  AccessRequest,
  Finding,
  JsonObject,
  PortMtls,
  Snapshot,
  SnapshotPolicy,
  TrafficObservations,
  WorkloadPosture,
  WorkloadRef,
} from '../model';
import {
  WorkloadNotFoundError,
  bypassesProxy,
  checkAccess,
} from './core/access';
import { AccessGraph, createAccessGraph } from './accessGraph';
import { EngineContext, WorkloadInfo } from './core/context';
import { serviceAccountKey } from './core/identities';
import {
  istioAuthzFindingSteps,
  workloadAuthzFindings,
} from './findings/authorization';
import {
  policyIdentityFindings,
  workloadIdentityFindings,
} from './findings/identityChecks';
import { linkerdFindings } from './findings/linkerd';
import { unevaluatedFindings } from './findings/unevaluated';
import { policyMtlsFindings, workloadMtlsFindings } from './findings/mtls';
import { networkPolicyFindingSteps } from './findings/networkPolicy';
import { EngineOptions } from './core/options';
import { policiesFor } from './core/policies';
import { portProtocol } from './core/protocol';
import { finish } from './core/steps';
import { workloadScorecard } from './core/posture';
import type { TrafficJoin } from './traffic/api';
import { ObservedTraffic } from './traffic/join';

/**
 * The result of {@link Engine.evaluate}.
 *
 * @public
 */
export interface Evaluation {
  /** The posture of every workload of the snapshot, sorted by namespace, name and kind. */
  workloads: WorkloadPosture[];
  /** Every finding: workload findings (also listed per workload) and policy findings. */
  findings: Finding[];
}

/**
 * The engine over one snapshot. Indexes are built once; queries are pure.
 *
 * @public
 */
export interface Engine {
  /** Posture of every workload and all findings. */
  evaluate(): Evaluation;
  /** Posture of one workload; throws {@link WorkloadNotFoundError} when absent. */
  posture(ref: WorkloadRef): WorkloadPosture;
  /** Access decision for one request; throws {@link WorkloadNotFoundError} for unknown workloads. */
  check(request: AccessRequest): AccessDecision;
  /** Who may call the workload, per port (all ports, or one): `accessGraph().callersOf`. */
  callersOf(ref: WorkloadRef, port?: number): AccessEdge[];
  /** Whom the workload may call: `accessGraph().calleesOf`. */
  calleesOf(ref: WorkloadRef): AccessEdge[];
  /** Who is meant to call the workload but is rejected: `accessGraph().blockedCallersOf`. */
  blockedCallersOf(ref: WorkloadRef): AccessEdge[];
  /** The access graph of the snapshot (one per engine), to build ahead of queries. */
  accessGraph(): AccessGraph;
  /** The policies that apply to the workload as a server (mTLS, authorization, segmentation). */
  policiesFor(ref: WorkloadRef): Array<SnapshotPolicy<JsonObject>>;
  /**
   * Joins one read of the cluster's observed traffic with the policy view (docs/traffic.md):
   * O(flows) to index, then each question costs the flows and edges of one workload.
   */
  traffic(observations: TrafficObservations): TrafficJoin;
}

/** The posture of one workload (internal: the incremental evaluator reuses it). */
export function postureOf(
  context: EngineContext,
  info: WorkloadInfo,
  saUsers: Map<string, number>,
): WorkloadPosture {
  const workload = info.w;
  return {
    cluster: context.options.cluster,
    namespace: workload.namespace,
    name: workload.name,
    kind: workload.kind,
    serviceAccount: workload.serviceAccount,
    mesh: info.membership.mesh,
    ...(context.options.platformNamespaces.has(workload.namespace)
      ? { platform: true as const }
      : {}),
    identity: info.identity,
    mtls: info.mtls,
    ...(info.mtlsReason ? { mtlsReason: info.mtlsReason } : {}),
    ports: info.ports.map(p => portPosture(context, info, p)),
    ...notEvaluatedOf(info),
    pods: { ...info.membership.pods },
    labels: workload.labels,
    findings: [
      ...workloadMtlsFindings(context, info),
      ...workloadAuthzFindings(context, workload),
      ...workloadIdentityFindings(context, info, saUsers),
    ],
    scorecard: workloadScorecard(context, info),
  };
}

/** The transports {@link portProtocol} answers when no application protocol is declared. */
const TRANSPORTS = new Set(['TCP', 'UDP', 'SCTP']);

/**
 * A port of the posture, with the application protocol its edges carry when one is declared, and
 * whether its TCP traffic bypasses the proxy.
 */
function portPosture(
  context: EngineContext,
  info: WorkloadInfo,
  port: PortMtls,
): PortMtls {
  const mesh = info.membership.mesh;
  const bypass =
    (mesh === 'istio-sidecar' || mesh === 'linkerd') &&
    (port.protocol === undefined || port.protocol === 'TCP') &&
    bypassesProxy(info, port.port);
  const appProtocol = portProtocol(
    info.w,
    port.port,
    context.snapshot.services,
    info.ns,
    mesh === 'linkerd' ? context.linkerd.defaultOpaquePorts : undefined,
  );
  return {
    ...port,
    ...(TRANSPORTS.has(appProtocol) ? {} : { appProtocol }),
    ...(bypass ? { bypassesProxy: true as const } : {}),
  };
}

function notEvaluatedOf(info: WorkloadInfo): { notEvaluated?: string[] } {
  const { inbound, outbound } = info.notEvaluated;
  if (inbound.length + outbound.length === 0) return {};
  return {
    notEvaluated: [
      ...new Set([...inbound, ...outbound].map(n => n.reason)),
    ].sort(),
  };
}

/** How many workloads run as each `namespace/serviceAccount` (MS403). */
export function serviceAccountUsers(snapshot: Snapshot): Map<string, number> {
  const out = new Map<string, number>();
  for (const workload of snapshot.workloads) {
    const key = serviceAccountKey(workload);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * Builds the engine over a snapshot. Options win over the snapshot's mesh configuration, which
 * wins over the defaults (see {@link EngineOptions}).
 *
 * @public
 */
export function createEngine(
  snapshot: Snapshot,
  options: EngineOptions = {},
): Engine {
  return engineOver(new EngineContext(snapshot, options));
}

/** A family of policy findings, taken a step at a time (or at once). */
type FindingSteps = (
  context: EngineContext,
) => Generator<void, Finding[], void>;

/** A family that is quick enough to take in one step. */
const inOneStep = (
  family: (context: EngineContext) => Finding[],
): FindingSteps =>
  function* oneStep(context) {
    return family(context);
  };

/**
 * The families of findings about policies and other objects, in their order. Those that read
 * every policy of a large kind take a few dozen of them per step (`POLICIES_PER_STEP`).
 */
const POLICY_FINDINGS: FindingSteps[] = [
  inOneStep(policyMtlsFindings),
  istioAuthzFindingSteps,
  inOneStep(linkerdFindings),
  networkPolicyFindingSteps,
  inOneStep(policyIdentityFindings),
  inOneStep(unevaluatedFindings),
];

/** The findings about policies and other objects, after the workloads' own (internal). */
export function policyFindings(context: EngineContext): Finding[] {
  return finish(policyFindingSteps(context));
}

/**
 * {@link policyFindings}, a step per family, and per `POLICIES_PER_STEP` policies in those that read
 * many (internal: a delta's apply, `applySteps`).
 */
export function* policyFindingSteps(
  context: EngineContext,
): Generator<void, Finding[], void> {
  const findings: Finding[] = [];
  for (const family of POLICY_FINDINGS) {
    for (const finding of yield* family(context)) findings.push(finding);
    yield;
  }
  return findings;
}

/**
 * The engine over a context already built (internal: the incremental evaluator builds the
 * context itself and may know the service-account users).
 */
export function engineOver(
  context: EngineContext,
  serviceAccounts?: Map<string, number>,
  graphOfContext?: AccessGraph,
): Engine {
  const snapshot = context.snapshot;
  // The incremental evaluator may give the graph, carried over from the previous snapshot's.
  let graph = graphOfContext;
  const accessGraph = () => (graph ??= createAccessGraph(context));
  let saUsers = serviceAccounts;
  const users = () => (saUsers ??= serviceAccountUsers(snapshot));
  const find = (ref: WorkloadRef) => {
    const w = context.find(ref);
    if (!w)
      throw new WorkloadNotFoundError(
        `workload ${ref.namespace}/${ref.name} is not in the snapshot`,
      );
    return w;
  };
  return {
    evaluate() {
      const workloads = snapshot.workloads.map(w =>
        postureOf(context, context.info(w), users()),
      );
      const findings = [
        ...workloads.flatMap(w => w.findings),
        ...policyFindings(context),
      ];
      return { workloads, findings };
    },
    posture: ref => postureOf(context, context.info(find(ref)), users()),
    check: request => checkAccess(context, request),
    callersOf: (ref, port) => accessGraph().callersOf(ref, port),
    calleesOf: ref => accessGraph().calleesOf(ref),
    blockedCallersOf: ref => accessGraph().blockedCallersOf(ref),
    accessGraph,
    policiesFor: ref => policiesFor(context, ref),
    traffic: observations =>
      new ObservedTraffic(context, accessGraph, observations),
  };
}

export type { EngineInput, EngineOptions } from './core/options';
export type { AccessGraph, AccessGraphStats } from './accessGraph';
export type { TrafficJoin } from './traffic/api';
export { WorkloadNotFoundError } from './core/access';
export { combineScorecards } from './core/posture';
