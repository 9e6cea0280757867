#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * `mesh-security diff` benchmark (not a test): `npm run bench:diff` at the repository root.
 *
 * Two estates of 10,000 pods in 2,000 workloads (the engine benchmark's generator,
 * plugins/mesh-security-common/scripts/bench.js), written as manifest files (one List per
 * namespace), each with a second state that differs by 1 % of its policies:
 *   - "with policies" (1,000 AuthorizationPolicies, 500 NetworkPolicies): 1 % of them changed
 *     (an ALLOW's principal widened to its namespace, a NetworkPolicy's port moved);
 *   - "allow-all" (no AuthorizationPolicy or NetworkPolicy, Istio's default and the most common
 *     estate, where every meshed workload may call every other one): a deny-all
 *     AuthorizationPolicy added to 1 % of the namespaces.
 * Prints per estate the wall time of `evaluate` on one state and of `diff` between both (the
 * CLI's own entry point, files read and parsed included), their ratio (goal: diff within 2×
 * of one evaluate) in wall time and in CPU time (user + system of the process, less sensitive
 * to other work on a shared machine), and the peak memory (max RSS) of each. Each run is a
 * fresh child process; evaluate and diff alternate, BENCH_RUNS (default 3) times each, and the
 * medians are shown (ratios: the median of each pair's).
 */
const { fork } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const RUNS = Number(process.env.BENCH_RUNS || 3);

function childRun() {
  require('@backstage/cli/config/nodeTransform.cjs');
  const { main } = require(path.resolve(__dirname, '../src/index.ts'));
  const argv = JSON.parse(process.env.MESH_SECURITY_BENCH_ARGV);
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const code = main(argv, {
    stdout: text => {
      bytes += text.length;
    },
    stderr: text => process.stderr.write(text),
  });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  process.send({
    result: {
      code,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      bytes,
    },
  });
}

function run(argv) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], {
      env: { ...process.env, MESH_SECURITY_BENCH_ARGV: JSON.stringify(argv) },
    });
    // The node transform also reports watched files over IPC; only ours has `result`.
    child.on('message', m => (m && m.result ? resolve(m.result) : undefined));
    child.on('exit', code =>
      code ? reject(new Error(`bench child exited ${code}`)) : undefined,
    );
  });
}

/** Writes one List file per namespace (cluster-scoped objects in `_cluster.json`). */
function writeEstate(dir, objects) {
  fs.mkdirSync(dir, { recursive: true });
  const byNs = new Map();
  for (const o of objects) {
    const ns =
      o.kind === 'Namespace'
        ? o.metadata.name
        : o.metadata.namespace || '_cluster';
    if (!byNs.has(ns)) byNs.set(ns, []);
    byNs.get(ns).push(o);
  }
  for (const [ns, items] of byNs) {
    fs.writeFileSync(
      path.join(dir, `${ns}.json`),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    );
  }
}

const POLICY_KINDS = new Set(['AuthorizationPolicy', 'NetworkPolicy']);

/** 1 % of the policies changed: ALLOW principals widened, NetworkPolicy ports moved. */
function changePolicies(objects) {
  let i = 0;
  let changed = 0;
  const after = objects.map(o => {
    if (!POLICY_KINDS.has(o.kind) || i++ % 100 !== 0) return o;
    const copy = JSON.parse(JSON.stringify(o));
    changed++;
    if (o.kind === 'AuthorizationPolicy' && copy.spec.rules) {
      copy.spec.rules = [
        { from: [{ source: { namespaces: [o.metadata.namespace] } }] },
        ...copy.spec.rules,
      ];
    } else if (o.kind === 'NetworkPolicy') {
      copy.spec.ingress = [
        ...(copy.spec.ingress ?? []),
        { ports: [{ port: 9090, protocol: 'TCP' }] },
      ];
    }
    return copy;
  });
  return { after, changed };
}

/** The allow-all estate's second state: a deny-all in 1 % of the namespaces. */
function denyAllInOnePercent(objects) {
  const namespaces = objects
    .filter(o => o.kind === 'Namespace' && /^ns-\d+$/.test(o.metadata.name))
    .map(o => o.metadata.name);
  const chosen = namespaces.filter((_, i) => i % 100 === 0);
  return {
    after: [
      ...objects,
      ...chosen.map(ns => ({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'deny-all', namespace: ns },
        spec: {},
      })),
    ],
    changed: chosen.length,
  };
}

const median = values => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * Runs `evaluate` and `diff` alternately, RUNS times each, so that a machine shared with other
 * work loads both alike; the ratios are the medians of each pair's.
 */
async function measure(evaluateArgv, diffArgv) {
  const pairs = [];
  for (let i = 0; i < RUNS; i++) {
    const evaluate = await run(evaluateArgv);
    const diff = await run(diffArgv);
    if (evaluate.code === 2 || diff.code === 2)
      throw new Error('mesh-security exited 2');
    pairs.push({ evaluate, diff });
  }
  const of = (side, key) => median(pairs.map(p => p[side][key]));
  return {
    evaluateMs: of('evaluate', 'ms'),
    diffMs: of('diff', 'ms'),
    wallRatio: median(pairs.map(p => p.diff.ms / p.evaluate.ms)),
    cpuRatio: median(pairs.map(p => p.diff.cpuMs / p.evaluate.cpuMs)),
    evaluateRssMb: Math.max(...pairs.map(p => p.evaluate.maxRssMb)),
    diffRssMb: Math.max(...pairs.map(p => p.diff.maxRssMb)),
  };
}

async function benchmark() {
  const { generate } = require(path.resolve(
    __dirname,
    '../../../plugins/mesh-security-common/scripts/bench.js',
  ));
  console.log(
    `mesh-security diff benchmark — node ${process.version}, ${
      os.cpus().length
    } CPUs, load ${os.loadavg()[0].toFixed(1)}, ${RUNS} runs each (median)\n`,
  );
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bench-'));
  try {
    const full = generate(1);
    const estates = [
      { name: 'with policies', before: full, ...changePolicies(full) },
      (() => {
        const bare = full.filter(o => !POLICY_KINDS.has(o.kind));
        return {
          name: 'allow-all',
          before: bare,
          ...denyAllInOnePercent(bare),
        };
      })(),
    ];
    const rows = [];
    for (const estate of estates) {
      const dir = path.join(root, estate.name.replace(/\W+/g, '-'));
      writeEstate(path.join(dir, 'before'), estate.before);
      writeEstate(path.join(dir, 'after'), estate.after);
      const pods = estate.before.filter(o => o.kind === 'Pod').length;
      const m = await measure(
        ['evaluate', path.join(dir, 'before'), '--format', 'json'],
        [
          'diff',
          '--base',
          path.join(dir, 'before'),
          '--head',
          path.join(dir, 'after'),
          '--format',
          'json',
        ],
      );
      rows.push({
        estate: estate.name,
        pods,
        'policies changed': estate.changed,
        'evaluate ms': Math.round(m.evaluateMs),
        'diff ms': Math.round(m.diffMs),
        'diff / evaluate (wall)': m.wallRatio.toFixed(2),
        'diff / evaluate (CPU)': m.cpuRatio.toFixed(2),
        'evaluate peak MB': Math.round(m.evaluateRssMb),
        'diff peak MB': Math.round(m.diffRssMb),
      });
    }
    console.table(rows);
    console.log(`load at the end ${os.loadavg()[0].toFixed(1)}`);
    console.log(
      '\nGoal: diff within 2× of one evaluate (docs/benchmarks.md "mesh-security diff").',
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.env.MESH_SECURITY_BENCH_ARGV) childRun();
else
  benchmark().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
