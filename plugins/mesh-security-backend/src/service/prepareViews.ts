import type { ClusterView } from '../snapshots/clusterView';
import { yieldEvery } from '../snapshots/slices';
import { prepareFindingIndex } from './relevantFindings';

/**
 * Once a generation's access graph is complete, lists every workload's callers, callees and
 * blocked callers (the graph keeps the lists that many workloads share) and indexes the
 * findings, in slices that yield to the event loop, so that no page view is the first to pay for
 * them (a workload's blocked callers took 0.46 ms of its first view on average:
 * docs/benchmarks.md "Observed traffic in page views"). This is what a
 * replica keeps anyway once every entity has been viewed (measured by `npm run bench:backend`,
 * within the memory per pod reported). Stops when the generation is replaced.
 *
 * A generation reached by a watched cluster's delta (the graph carried over) indexes the
 * findings only: listing every workload again would cost each generation what the first one
 * cost (about 13 ms for 10,000 pods), while a page view lists its few workloads in
 * microseconds (docs/benchmarks.md "Live watches").
 */
export async function prepareViews(
  view: ClusterView,
  sliceMs = 20,
): Promise<void> {
  const graph = view.graph;
  if (!graph?.complete) return;
  if (graph.isCarriedOver) {
    prepareFindingIndex(view);
    return;
  }
  const pause = yieldEvery(sliceMs);
  for (const w of view.workloads) {
    if (graph.isCancelled) return;
    const ref = {
      cluster: w.cluster,
      namespace: w.namespace,
      name: w.name,
      kind: w.kind,
    };
    graph.callersOf(ref);
    graph.calleesOf(ref);
    graph.blockedCallersOf(ref);
    await pause();
  }
  if (!graph.isCancelled) prepareFindingIndex(view);
}
