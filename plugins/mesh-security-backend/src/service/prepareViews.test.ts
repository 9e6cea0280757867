import path from 'node:path';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ManifestsSource } from '../sources/ManifestsSource';
import { ClusterViews } from '../snapshots/ClusterViews';
import { SnapshotRefresher } from '../snapshots/SnapshotRefresher';
import { SnapshotStore } from '../snapshots/SnapshotStore';
import { prepareViews } from './prepareViews';

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

async function demoViews() {
  const cache = CacheManager.fromConfig(
    mockServices.rootConfig({ data: {} }),
  ).forPlugin('mesh-security');
  const store = new SnapshotStore(cache);
  await new SnapshotRefresher(
    new ManifestsSource('demo', demo),
    store,
    mockServices.logger.mock(),
    {
      refreshIntervalSeconds: 60,
    },
  ).refresh();
  return new ClusterViews(store, {
    clusters: ['demo'],
    refreshIntervalSeconds: 60,
    certificateExpiryWarningDays: 30,
  });
}

describe('prepareViews', () => {
  it('indexes the findings once the access graph is complete', async () => {
    const views = await demoViews();
    const view = await views.get('demo');
    expect(view.memo.has('findings:index')).toBe(false);
    // ClusterViews starts the graph build and then prepares the views in the background.
    while (!view.graph?.complete || !view.memo.has('findings:index')) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(view.workloads.length).toBeGreaterThan(5);
  });

  it("lists every workload's callers, callees and blocked callers ahead of the views", async () => {
    const views = await demoViews();
    const view = await views.get('demo');
    while (!view.graph?.complete || !view.memo.has('findings:index'))
      await new Promise(resolve => setTimeout(resolve, 10));
    const graph = view.graph!;
    // Spies call the graph's own methods through.
    const asked = [
      jest.spyOn(graph, 'callersOf'),
      jest.spyOn(graph, 'calleesOf'),
      jest.spyOn(graph, 'blockedCallersOf'),
    ];
    await prepareViews({ ...view, memo: new Map() }, 0);
    expect(asked.map(spy => spy.mock.calls.length)).toEqual(
      Array(3).fill(view.workloads.length),
    );
  });

  it('does nothing for a generation replaced meanwhile, nor before the graph is complete', async () => {
    const views = await demoViews();
    const view = await views.get('demo');
    while (!view.graph?.complete)
      await new Promise(resolve => setTimeout(resolve, 10));
    const unprepared = { ...view, memo: new Map() };
    view.graph!.cancel();
    await prepareViews(unprepared, 0);
    expect(unprepared.memo.size).toBe(0);
    const withoutGraph = { ...view, graph: undefined, memo: new Map() };
    await prepareViews(withoutGraph);
    expect(withoutGraph.memo.size).toBe(0);
  });
});
