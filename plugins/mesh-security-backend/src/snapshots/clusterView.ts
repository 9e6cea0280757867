import {
  ClusterStatus,
  Finding,
  IncrementalEvaluator,
  MeshCertificate,
  WorkloadPosture,
  createEngine,
} from '@mesh-security/plugin-mesh-security-common';
import type { AccessGraph } from './AccessGraph';
import type { ClusterState } from './types';

type Engine = ReturnType<typeof createEngine>;

/** One cluster's evaluated snapshot, held in memory by every replica. */
export interface ClusterView {
  state: ClusterState;
  /** Absent until the first good read. */
  engine?: Engine;
  workloads: WorkloadPosture[];
  /** Findings about objects (malformed, policies selecting nothing, ...). */
  findings: Finding[];
  certificates: MeshCertificate[];
  networkPolicyEnforcement: ClusterStatus['networkPolicyEnforcement'];
  /** Per-workload results computed on first request, valid for this generation only. */
  memo: Map<string, unknown>;
  /** Who may call whom, built in the background for this generation. */
  graph?: AccessGraph;
  /** Watch mode: the evaluation the next generation's delta is applied to. */
  incremental?: IncrementalState;
}

/**
 * What a watched cluster's view keeps to apply the next delta (docs/backend.md "Watches"): the
 * evaluator (it holds the objects), the inputs it was created with, and the compacted copies of
 * its postures and findings. Not a compactor: its table of every value it has seen cost more
 * than five times the memory its sharing saved (docs/benchmarks.md "A smaller heap");
 * each delta is compacted by a compactor of its own.
 */
export interface IncrementalState {
  evaluator: IncrementalEvaluator;
  /** The engine inputs unavailable when the evaluator was created: a change rebuilds. */
  unavailable: string;
  /** Each evaluator posture's compacted copy, so that unchanged ones are not compacted again. */
  compacted: WeakMap<WorkloadPosture, WorkloadPosture>;
  /** Each evaluator finding's copy (with the cluster, compacted), likewise. */
  findings: WeakMap<Finding, Finding>;
  /** The objects the cluster-wide checks read (ConfigMaps, Certificates, DaemonSets). */
  checked: Map<string, unknown>;
}
