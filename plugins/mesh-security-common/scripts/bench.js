#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * Engine benchmark (not a test): `npm run bench` at the repository root.
 *
 * Generates an estate of 10,000 pods in 2,000 workloads (100 namespaces: Istio sidecar,
 * ambient, Linkerd and unmeshed), 1,000 Istio AuthorizationPolicies and 500 NetworkPolicies,
 * at 1x, 2x and 4x that size, and prints per size:
 *   (a) full evaluation (per-port mTLS, findings, scorecard for every workload) vs
 *       JSON.parse of the same snapshot, and their ratio;
 *   (b) p50/p99 of one workload's full caller set (callersOf) over 1,000 random workloads;
 *   (c) peak memory (max RSS of a fresh process per size);
 *   (d) the whole access graph (every workload's callers and callees) built from scratch, in
 *       this estate and in the same estate without any AuthorizationPolicy or NetworkPolicy
 *       (Istio's default, where every meshed workload may call every other one): build time vs
 *       JSON.parse, heap the graph keeps, p50/p99 of a callers + callees query once built;
 *   (e) then every workload's blocked callers (asked on a workload's first view): total time,
 *       p50/p99 per workload;
 *   (f) observed traffic, 15 sources per workload, joined with one snapshot generation after
 *       another (as a watched cluster's pod events make them): grouping the flows (once per
 *       observations) vs JSON.parse of the flows, and per new generation the join plus one
 *       workload's traffic view, p50/p99;
 *   (g) a port scan inside the mesh: one Linkerd workload receiving traffic on 1,000 and on
 *       20,000 ports it does not declare: a view's time, the answer's bytes, entries, findings.
 * Each size runs in its own child process so that peak memory is measured per size.
 * Runs from the TypeScript sources through the Backstage CLI's node transform (works after
 * `npm install` alone, no build needed).
 */
const { fork } = require('child_process');
const path = require('path');

const SIZES = (process.env.BENCH_SIZES || '1,2,4').split(',').map(Number);

function generate(scale) {
  const objects = [];
  const nsCount = 100 * scale;
  const workloadsPerNs = 20;
  const podsPerWorkload = 5;
  let seed = 42;
  const rand = () =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'istio-system' },
  });
  objects.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'istio-system' },
    spec: { mtls: { mode: 'PERMISSIVE' } },
  });
  for (let n = 0; n < nsCount; n++) {
    const ns = `ns-${n}`;
    // 70% sidecar, 10% ambient, 10% Linkerd, 10% unmeshed namespaces.
    const kind = [
      'sidecar',
      'sidecar',
      'sidecar',
      'sidecar',
      'sidecar',
      'sidecar',
      'sidecar',
      'ambient',
      'linkerd',
      'none',
    ][n % 10];
    const NS_LABELS = {
      sidecar: { 'istio-injection': 'enabled', team: `t${n % 7}` },
      ambient: { 'istio.io/dataplane-mode': 'ambient' },
      linkerd: { team: `t${n % 7}` },
      none: { team: `t${n % 7}` },
    };
    const labels = NS_LABELS[kind];
    const annotations =
      kind === 'linkerd' ? { 'linkerd.io/inject': 'enabled' } : {};
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels, annotations },
    });
    if (n % 3 === 0)
      objects.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: ns },
        spec: { mtls: { mode: 'STRICT' } },
      });
    for (let w = 0; w < workloadsPerNs; w++) {
      const app = `app-${w}`;
      const containers = [
        {
          name: 'app',
          ports: [
            { containerPort: 8080, name: 'http' },
            ...(w % 4 === 0 ? [{ containerPort: 9090, name: 'metrics' }] : []),
          ],
        },
      ];
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns },
        spec: {
          replicas: podsPerWorkload,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app, tier: w % 2 ? 'backend' : 'frontend' } },
            spec: {
              serviceAccountName: app,
              containers,
              volumes:
                w % 5 === 0
                  ? [{ name: 's', secret: { secretName: `${app}-db` } }]
                  : [],
            },
          },
        },
      });
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: {
          selector: { app },
          ports: [{ port: 80, targetPort: 8080, name: 'http' }],
        },
      });
      const proxy =
        {
          sidecar: [{ name: 'istio-proxy' }],
          linkerd: [{ name: 'linkerd-proxy' }],
        }[kind] || [];
      for (let p = 0; p < podsPerWorkload; p++) {
        const hash = 'abc12';
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-${hash}-${p}`,
            namespace: ns,
            labels: {
              app,
              tier: w % 2 ? 'backend' : 'frontend',
              'pod-template-hash': hash,
            },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${app}-${hash}`,
                controller: true,
                uid: 'u',
              },
            ],
          },
          spec: {
            serviceAccountName: app,
            containers: [{ name: 'app', ports: containers[0].ports }, ...proxy],
          },
          status: { phase: 'Running', podIP: `10.${n % 250}.${w}.${p + 1}` },
        });
      }
    }
    // 10 AuthorizationPolicies per namespace: deny-all, ALLOWs naming callers, a DENY.
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-all', namespace: ns },
      spec: {},
    });
    for (let a = 0; a < 8; a++) {
      const caller = `cluster.local/ns/ns-${Math.floor(
        rand() * nsCount,
      )}/sa/app-${Math.floor(rand() * workloadsPerNs)}`;
      objects.push({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: `allow-${a}`, namespace: ns },
        spec: {
          selector: { matchLabels: { app: `app-${a * 2}` } },
          rules: [
            {
              from: [
                {
                  source: {
                    principals: [caller, `cluster.local/ns/${ns}/sa/app-${a}`],
                  },
                },
              ],
              to: [
                { operation: { methods: ['GET', 'POST'], ports: ['8080'] } },
              ],
            },
            { from: [{ source: { namespaces: [ns] } }] },
          ],
        },
      });
    }
    objects.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-admin', namespace: ns },
      spec: {
        action: 'DENY',
        rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }],
      },
    });
    // 5 NetworkPolicies per namespace.
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    for (let p = 0; p < 4; p++) {
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `allow-${p}`, namespace: ns },
        spec: {
          podSelector: { matchLabels: { app: `app-${p * 3}` } },
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { tier: 'frontend' } } },
                { namespaceSelector: { matchLabels: { team: `t${p}` } } },
              ],
              ports: [{ port: 'http' }],
            },
          ],
        },
      });
    }
  }
  return objects;
}

function percentile(sorted, p) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** (d): one engine's whole access graph, built in slices as the backend does, then queried. */
function accessGraph(createEngine, snapshot) {
  const gc = global.gc ?? (() => {});
  gc();
  const engine = createEngine(snapshot);
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const graph = engine.accessGraph();
  while (!graph.buildStep(20));
  const buildMs = performance.now() - start;
  gc();
  const graphMb = (process.memoryUsage().heapUsed - before) / 1048576;
  const times = [];
  let edges = 0;
  const workloads = snapshot.workloads;
  for (let i = 0; i < 1000; i++) {
    const w = workloads[(i * 7919) % workloads.length];
    const s = performance.now();
    edges += engine.callersOf(w).length + engine.calleesOf(w).length;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  // (e) Every workload's blocked callers, once (computed on a workload's first view).
  const blocked = [];
  let blockedEdges = 0;
  const b0 = performance.now();
  for (const w of workloads) {
    const s = performance.now();
    blockedEdges += engine.blockedCallersOf(w).length;
    blocked.push(performance.now() - s);
  }
  const blockedMs = performance.now() - b0;
  blocked.sort((a, b) => a - b);
  const parse = JSON.stringify(snapshot);
  const p0 = performance.now();
  JSON.parse(parse);
  const parseMs = performance.now() - p0;
  return {
    buildMs,
    parseMs,
    graphMb,
    stats: graph.stats(),
    queryP50: percentile(times, 50),
    queryP99: percentile(times, 99),
    meanEdges: edges / 1000,
    blockedMs,
    blockedP50: percentile(blocked, 50),
    blockedP99: percentile(blocked, 99),
    blockedEdges,
  };
}

/** Observations read on the last attempt, as recorded data holds them. */
function recorded(flows) {
  return {
    cluster: 'bench',
    status: 'ok',
    source: 'recorded',
    fetchedAt: '2026-12-01T10:05:00Z',
    windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
    truncated: false,
    flows,
  };
}

/**
 * (f): observed traffic joined with successive generations. Each generation is a new engine over
 * the same workload objects (a pod event elsewhere in the cluster); a view asks one workload's
 * traffic, callers, callees and findings, its edges listed beforehand as the backend does.
 */
function trafficJoin(createEngine, snapshot) {
  const workloads = snapshot.workloads;
  const n = workloads.length;
  // As the backend holds them (TrafficStore): flows naming the same receiving workload or
  // source share one object.
  const to = workloads.map(w => ({ namespace: w.namespace, name: w.name }));
  const byName = workloads.map(w => ({
    kind: 'workload',
    namespace: w.namespace,
    name: w.name,
  }));
  const byIdentity = workloads.map(w => ({
    kind: 'identity',
    identity: `spiffe://cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`,
  }));
  const unknown = { kind: 'unknown' };
  const flows = [];
  for (let t = 0; t < n; t++) {
    const target = workloads[t];
    const port = target.ports[0]?.containerPort;
    for (let s = 0; s < 15; s++) {
      const other = (t * 7 + s * 13 + 1) % n;
      let from = byName[other];
      if (s === 14) from = unknown;
      else if (s === 13) from = byIdentity[other];
      const evidence = { mtls: 100 + s, plaintext: s === 0 ? 5 : 0, denied: 0 };
      flows.push({
        mesh: 'istio',
        to: to[t],
        ...(port === undefined ? {} : { port }),
        from,
        protocol: 'http',
        recent: evidence,
        evidence,
        lastSeen: '2026-12-01T10:00:00Z',
      });
    }
  }
  const observations = recorded(flows);
  const text = JSON.stringify(flows);
  const p0 = performance.now();
  JSON.parse(text);
  const parseMs = performance.now() - p0;
  const view = (engine, w, callers, callees) => {
    const join = engine.traffic(observations);
    return (
      join.workload(w).ports.length +
      join.callers(w, callers).unmatched.length +
      join.callees(w, callees).unmatched.length +
      join.findings(w, callers).length
    );
  };
  // The first join groups the flows (once per observations object).
  let first = createEngine(snapshot);
  const f0 = performance.now();
  let sink = view(
    first,
    workloads[0],
    first.callersOf(workloads[0]),
    first.calleesOf(workloads[0]),
  );
  const firstMs = performance.now() - f0;
  first = undefined;
  const times = [];
  for (let g = 0; g < 60; g++) {
    const engine = createEngine(snapshot);
    const w = workloads[(g * 7919 + 11) % n];
    const callers = engine.callersOf(w);
    const callees = engine.calleesOf(w);
    const s = performance.now();
    sink += view(engine, w, callers, callees);
    if (g >= 10) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return {
    flows: flows.length,
    parseMs,
    firstMs,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    sink,
  };
}

/**
 * (g): a port scan inside the mesh. Linkerd's metrics report every `target_port` a client
 * reached, so one scanner makes a flow per port probed: one Linkerd workload receives plaintext
 * from outside the mesh on `ports` ports it does not declare. A view of it on a new generation's
 * join (as in (f)): its time (median of 5), the bytes of its traffic answer and findings.
 */
function portScan(createEngine, snapshot, ports) {
  const target = snapshot.workloads.find(w => w.namespace === 'ns-8');
  const to = { namespace: target.namespace, name: target.name };
  const evidence = { mtls: 0, plaintext: 1, denied: 0 };
  const flows = [];
  for (let i = 0; i < ports; i++)
    flows.push({
      mesh: 'linkerd',
      to,
      port: 10000 + i,
      from: { kind: 'unknown' },
      protocol: 'tcp',
      recent: evidence,
      evidence,
      lastSeen: '2026-12-01T10:00:00Z',
    });
  const observations = recorded(flows);
  const times = [];
  let bytes = 0;
  let entries = 0;
  let findings = 0;
  for (let r = 0; r < 6; r++) {
    const engine = createEngine(snapshot);
    const callers = engine.callersOf(target);
    const callees = engine.calleesOf(target);
    const s = performance.now();
    const join = engine.traffic(observations);
    const traffic = join.workload(target);
    const unmatched = join.callers(target, callers).unmatched;
    join.callees(target, callees);
    const found = join.findings(target, callers);
    if (r > 0) times.push(performance.now() - s);
    bytes =
      JSON.stringify(traffic).length +
      JSON.stringify(unmatched.slice(0, 20)).length +
      JSON.stringify(found).length;
    entries = traffic.ports.length;
    findings = found.length;
  }
  return { ports, ms: percentile(times, 50), bytes, entries, findings };
}

function runOne(scale) {
  require('@backstage/cli/config/nodeTransform.cjs');
  const { readObjects, createEngine } = require(path.resolve(
    __dirname,
    '../src/index.ts',
  ));
  const objects = generate(scale);
  const t0 = performance.now();
  const { snapshot } = readObjects(objects);
  const readMs = performance.now() - t0;
  const text = JSON.stringify(snapshot);
  const counts = {
    pods: snapshot.workloads.reduce((n, w) => n + w.pods.length, 0),
    workloads: snapshot.workloads.length,
    authorizationPolicies: snapshot.istio.authorizationPolicies.length,
    networkPolicies: snapshot.networkPolicies.length,
  };
  // Steady state, as in the backend that re-evaluates on every refresh: several warm-up runs
  // (JIT), then the best of the following runs is kept (the host may be busy). Each evaluation
  // gets a freshly parsed snapshot (the engine caches per object).
  const RUNS = 10;
  const WARMUP = 4;
  const best = (prepare, fn) => {
    let min = Infinity;
    for (let i = 0; i < RUNS; i++) {
      const input = prepare();
      const s = performance.now();
      fn(input);
      const t = performance.now() - s;
      if (i >= WARMUP) min = Math.min(min, t);
    }
    return min;
  };
  const parseMs = best(
    () => text,
    t => JSON.parse(t),
  );
  let evaluation;
  const evalMs = best(
    () => JSON.parse(text),
    s => {
      evaluation = createEngine(s).evaluate();
    },
  );
  // Callers: one engine (indexes built once), 1,000 random workloads, full caller set each.
  const engine = createEngine(JSON.parse(text));
  const times = [];
  let seed = 7;
  const rand = () =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 50; i++)
    engine.callersOf(
      snapshot.workloads[Math.floor(rand() * snapshot.workloads.length)],
    );
  let edges = 0;
  for (let i = 0; i < 1000; i++) {
    const w =
      snapshot.workloads[Math.floor(rand() * snapshot.workloads.length)];
    const s = performance.now();
    edges += engine.callersOf(w).length;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const graphs = {
    estate: accessGraph(createEngine, JSON.parse(text)),
    allowAll: accessGraph(
      createEngine,
      readObjects(
        objects.filter(
          o => o.kind !== 'AuthorizationPolicy' && o.kind !== 'NetworkPolicy',
        ),
      ).snapshot,
    ),
  };
  const traffic = trafficJoin(createEngine, JSON.parse(text));
  const scans = [1000, 20000].map(ports =>
    portScan(createEngine, JSON.parse(text), ports),
  );
  return {
    scale,
    counts,
    traffic,
    scans,
    bytes: text.length,
    readMs,
    parseMs,
    evalMs,
    ratio: evalMs / parseMs,
    findings: evaluation.findings.length,
    callersP50: percentile(times, 50),
    callersP99: percentile(times, 99),
    meanEdges: edges / 1000,
    graphs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: process.memoryUsage().heapUsed / 1048576,
  };
}

module.exports = { generate, runOne };

if (process.env.MESH_SECURITY_BENCH_PROFILE) {
  // Used while optimising: `MESH_SECURITY_BENCH_PROFILE=1 node --cpu-prof scripts/bench.js`.
  console.log(
    JSON.stringify(runOne(Number(process.env.MESH_SECURITY_BENCH_PROFILE))),
  );
} else if (require.main !== module) {
  // Required as a library (generate/runOne): run nothing.
} else if (process.env.MESH_SECURITY_BENCH_CHILD) {
  const result = runOne(Number(process.env.MESH_SECURITY_BENCH_CHILD));
  process.send(result);
} else {
  (async () => {
    console.log(
      `mesh-security engine benchmark — node ${process.version}, ${
        require('os').cpus().length
      } CPUs\n`,
    );
    const rows = [];
    for (const scale of SIZES) {
      const result = await new Promise((resolve, reject) => {
        const child = fork(__filename, [], {
          env: { ...process.env, MESH_SECURITY_BENCH_CHILD: String(scale) },
          execArgv: [...process.execArgv, '--expose-gc'],
        });
        // The node transform also reports watched files over IPC; only the result has `scale`.
        child.on('message', m =>
          m && m.scale !== undefined ? resolve(m) : undefined,
        );
        child.on('exit', code =>
          code ? reject(new Error(`bench child exited ${code}`)) : undefined,
        );
      });
      rows.push(result);
      const r = result;
      console.log(
        `${r.scale}x: ${r.counts.pods} pods, ${r.counts.workloads} workloads, ${
          r.counts.authorizationPolicies
        } AuthorizationPolicies, ${
          r.counts.networkPolicies
        } NetworkPolicies; snapshot ${(r.bytes / 1048576).toFixed(1)} MB JSON`,
      );
      console.log(
        `  (a) evaluate ${r.evalMs.toFixed(
          0,
        )} ms vs JSON.parse ${r.parseMs.toFixed(
          0,
        )} ms → ratio ${r.ratio.toFixed(2)} (${
          r.findings
        } findings; readObjects from raw objects ${r.readMs.toFixed(0)} ms)`,
      );
      console.log(
        `  (b) callersOf p50 ${r.callersP50.toFixed(
          2,
        )} ms, p99 ${r.callersP99.toFixed(2)} ms (mean ${r.meanEdges.toFixed(
          0,
        )} edges)`,
      );
      for (const [name, g] of [
        ['this estate', r.graphs.estate],
        ['no AuthorizationPolicy/NetworkPolicy', r.graphs.allowAll],
      ])
        console.log(
          `  (d) access graph, ${name}: built in ${g.buildMs.toFixed(0)} ms (${(
            g.buildMs / g.parseMs
          ).toFixed(1)}× JSON.parse), keeps ${g.graphMb.toFixed(1)} MB (${
            g.stats.groups
          } caller groups, ${g.stats.vectors} answer vectors, ${
            g.stats.memberEdges
          } single-caller answers); callers+callees p50 ${g.queryP50.toFixed(
            2,
          )} ms, p99 ${g.queryP99.toFixed(2)} ms (mean ${g.meanEdges.toFixed(
            0,
          )} edges)\n  (e) blocked callers, ${name}: every workload's in ${g.blockedMs.toFixed(
            0,
          )} ms, per workload p50 ${g.blockedP50.toFixed(
            3,
          )} ms, p99 ${g.blockedP99.toFixed(3)} ms (${g.blockedEdges} edges)`,
        );
      const t = r.traffic;
      console.log(
        `  (f) observed traffic, ${
          t.flows
        } flows: the first join ${t.firstMs.toFixed(
          0,
        )} ms (grouping the flows once; JSON.parse of the flows ${t.parseMs.toFixed(
          0,
        )} ms); a new generation's join + one workload's traffic view p50 ${t.p50.toFixed(
          2,
        )} ms, p99 ${t.p99.toFixed(2)} ms (50 generations)`,
      );
      const [small, large] = r.scans;
      console.log(
        `  (g) port scan of one Linkerd workload: ${r.scans
          .map(
            g =>
              `${g.ports} ports probed: view ${g.ms.toFixed(1)} ms, answer ${(
                g.bytes / 1024
              ).toFixed(1)} KiB, ${g.entries} port entries, ${
                g.findings
              } findings`,
          )
          .join('; ')}; ${large.ports / small.ports}x the ports: view ×${(
          large.ms / small.ms
        ).toFixed(1)}, answer ×${(large.bytes / small.bytes).toFixed(2)}`,
      );
      console.log(
        `  (c) peak RSS ${r.maxRssMb.toFixed(
          0,
        )} MB (heap in use at the end ${r.heapUsedMb.toFixed(0)} MB)\n`,
      );
    }
    if (rows.length > 1) {
      const base = rows[0];
      console.log(
        `growth vs 1x: ${rows
          .slice(1)
          .map(
            r =>
              `${r.scale}x evaluate ×${(r.evalMs / base.evalMs).toFixed(
                2,
              )}, callers p99 ×${(r.callersP99 / base.callersP99).toFixed(2)}`,
          )
          .join('; ')}`,
      );
    }
  })().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
}
