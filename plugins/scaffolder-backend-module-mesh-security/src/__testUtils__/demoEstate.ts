import {
  createEngine,
  EntityPosture,
  parseManifests,
  TrafficObservations,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import { http, HttpResponse, HttpHandler } from 'msw';

/** Where the demo catalog lives (the repository's `catalog/`). */
export const catalogDir = path.resolve(__dirname, '../../../../catalog');

/** The demo cluster's engine, built from catalog/demo-cluster the way the backend builds it. */
function demoEngine() {
  const dir = path.join(catalogDir, 'demo-cluster');
  const objects = fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(
      f =>
        parseManifests(fs.readFileSync(path.join(dir, f), 'utf8'), f).objects,
    );
  return createEngine(readObjects(objects, { cluster: 'demo' }).snapshot, {
    cluster: 'demo',
  });
}

/** The EntityPosture the backend would answer for a demo component (one workload). */
export function demoPosture(
  name: string,
  namespace: string,
  traffic?: { observations: TrafficObservations; ageSeconds: number },
): EntityPosture {
  const engine = demoEngine();
  const ref = { namespace, name };
  const p = engine.posture(ref);
  const callers = engine.callersOf(ref);
  const callees = engine.calleesOf(ref);
  const join = traffic ? engine.traffic(traffic.observations) : undefined;
  const inbound = join?.callers(ref, callers);
  const outbound = join?.callees(ref, callees);
  const workload = {
    ...p,
    callers: callers.map((e, i) => ({ ...e, traffic: inbound?.edges[i] })),
    callees: callees.map((e, i) => ({ ...e, traffic: outbound?.edges[i] })),
    blockedCallers: engine.blockedCallersOf(ref),
    observed: {
      observations: traffic
        ? {
            status: traffic.observations.status,
            ...(traffic.observations.source
              ? { source: traffic.observations.source }
              : {}),
            ...(traffic.observations.fetchedAt
              ? { fetchedAt: traffic.observations.fetchedAt }
              : {}),
            ...(traffic.observations.recordedAt
              ? { recordedAt: traffic.observations.recordedAt }
              : {}),
            ...(traffic.observations.message
              ? { message: traffic.observations.message }
              : {}),
            windows: traffic.observations.windows,
            truncated: traffic.observations.truncated,
            ageSeconds: traffic.ageSeconds,
          }
        : {
            status: 'not-configured' as const,
            windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
            truncated: false,
            ageSeconds: null,
          },
      workload: join?.workload(ref),
      unmatchedCallers: inbound?.unmatched ?? [],
      unmatchedCallerCount: inbound?.unmatched.length ?? 0,
      unmatchedCallees: outbound?.unmatched ?? [],
      unmatchedCalleeCount: outbound?.unmatched.length ?? 0,
    },
    policies: engine.policiesFor(ref).map(o => ({
      kind: o.kind,
      apiVersion: o.apiVersion,
      namespace: o.namespace,
      name: o.name,
      manifest: {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.name, namespace: o.namespace },
        spec: o.spec,
      },
    })),
  };
  return {
    entityRef: `component:default/${name}`,
    mtls: p.mtls,
    meshes: [p.mesh],
    scorecard: p.scorecard,
    findings: p.findings,
    findingCounts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    workloads: [workload],
    clusters: [],
    partial: false,
    partialReasons: [],
    generatedAt: '2026-11-23T00:00:00Z',
  };
}

/** The demo components: name → namespace. */
export const DEMO = {
  'payments-api': 'payments',
  'payments-ledger': 'payments',
  checkout: 'storefront',
  'analytics-api': 'data',
  'etl-worker': 'data',
  inventory: 'inventory',
  'storefront-web': 'storefront',
} as const;

/**
 * msw handlers for the mesh-security backend at `base`; each request's URL is added to
 * `requests`. With `traffic`, the postures carry those observations joined by the engine, as the
 * backend joins them.
 */
export function backstageHandlers(
  base: string,
  requests: string[] = [],
  traffic?: { observations: TrafficObservations; ageSeconds: number },
): HttpHandler[] {
  return [
    http.get(
      `${base}/api/mesh-security/entity/component/default/:name`,
      ({ params, request }) => {
        requests.push(request.url);
        const ns = DEMO[params.name as keyof typeof DEMO];
        return ns
          ? HttpResponse.json(demoPosture(String(params.name), ns, traffic))
          : HttpResponse.json(
              { error: { name: 'NotFoundError' } },
              { status: 404 },
            );
      },
    ),
  ];
}

/**
 * The catalog service with the demo components, with `annotations` by component name; each
 * entity read is added to `requests` (as `catalog:<ref>`).
 */
export function demoCatalog(
  annotations: Record<string, Record<string, string>> = {},
  requests: string[] = [],
): CatalogService {
  const catalog = catalogServiceMock({
    entities: Object.keys(DEMO).map(name => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        namespace: 'default',
        annotations: annotations[name] ?? {},
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    })),
  });
  const read = catalog.getEntityByRef.bind(catalog);
  catalog.getEntityByRef = async (ref, options) => {
    requests.push(
      `catalog:${typeof ref === 'string' ? ref : stringifyEntityRef(ref)}`,
    );
    return read(ref, options);
  };
  return catalog;
}
