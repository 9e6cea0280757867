import {
  createEngine,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { AccessGraph } from '../snapshots/AccessGraph';
import type { ClusterView } from '../snapshots/clusterView';
import { relevantFindings } from './relevantFindings';

const meta = (
  kind: string,
  apiVersion: string,
  namespace: string,
  name: string,
  rest: object,
) => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
  ...rest,
});
const deployment = (name: string) =>
  meta('Deployment', 'apps/v1', 'shop', name, {
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: name,
          containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  });
const authz = (name: string, app: string) =>
  meta('AuthorizationPolicy', 'security.istio.io/v1', 'shop', name, {
    spec: {
      selector: { matchLabels: { app } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/x'] } }] },
      ],
    },
  });

describe('relevantFindings', () => {
  // Namespace `shop` is PERMISSIVE: identity conditions on a plaintext-accepting workload (MS203)
  // for a's policy, and a policy selecting nothing (MS202).
  const { snapshot } = readObjects([
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } },
    },
    deployment('a'),
    deployment('b'),
    authz('allow-a', 'a'),
    authz('orphan', 'nothing'),
  ]);
  const engine = createEngine(snapshot, { cluster: 'c' });
  const evaluation = engine.evaluate();
  const view = (graph: AccessGraph): ClusterView =>
    ({
      state: { cluster: 'c' },
      engine,
      workloads: evaluation.workloads,
      findings: evaluation.findings.map(f => ({
        ...f,
        object: { ...f.object, cluster: 'c' },
      })),
      certificates: [],
      networkPolicyEnforcement: { state: 'unknown', reason: '' },
      memo: new Map(),
      graph,
    } as unknown as ClusterView);
  const workload = (name: string) =>
    evaluation.workloads.find(w => w.name === name)!;
  const objects = (fs: ReturnType<typeof relevantFindings>) =>
    [...new Set(fs.map(f => `${f.code} ${f.object.name}`))].sort();

  it('gives a component the findings of its own policies, its namespace and objects applying to no workload', async () => {
    const graph = new AccessGraph(engine, evaluation.workloads, 'c');
    await graph.build(0);
    const v = view(graph);
    const policiesOf = (w: { namespace: string; name: string; kind: string }) =>
      graph.policiesOf({
        cluster: 'c',
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      });
    expect(objects(relevantFindings(v, [workload('a')], policiesOf))).toEqual([
      'MS202 orphan',
      'MS203 allow-a',
      'MS302 shop',
    ]);
    // b shares the namespace (and its missing default-deny), not a's policy.
    expect(objects(relevantFindings(v, [workload('b')], policiesOf))).toEqual([
      'MS202 orphan',
      'MS302 shop',
    ]);
  });

  it('shows every finding of the namespace while the access graph is not built (more, never fewer)', () => {
    const graph = new AccessGraph(engine, evaluation.workloads, 'c');
    expect(
      objects(relevantFindings(view(graph), [workload('b')], () => [])),
    ).toEqual(['MS202 orphan', 'MS203 allow-a', 'MS302 shop']);
  });
});
