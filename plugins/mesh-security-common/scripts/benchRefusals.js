#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * Refusal benchmark (not a test): `npm run bench:refusals` at the repository root.
 *
 * For each hostile manifest (16 MiB, just under the per-file byte limit) and for an ordinary
 * 16 MiB file (the demo estate repeated), prints the time `parseManifests` takes to refuse (or
 * read) it and the peak memory (max RSS) of a fresh process that did only that, next to the
 * max RSS of a process that only built the same text and loaded the same code. Each case runs in its own child process.
 * Runs from the TypeScript sources through the Backstage CLI's node transform.
 */
const { fork } = require('child_process');
const fs = require('fs');
const path = require('path');

const BYTES = 16 * 1024 * 1024 - 64;
const repeatTo = (head, unit, tail = '') =>
  head +
  unit.repeat(Math.floor((BYTES - head.length - tail.length) / unit.length)) +
  tail;

function ordinary() {
  const dir = path.resolve(__dirname, '../../../catalog/demo-cluster');
  const estate = fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .map(f => fs.readFileSync(path.join(dir, f), 'utf8').trim())
    .join('\n---\n');
  return repeatTo('', `${estate}\n---\n`);
}

const CASES = {
  'empty documents (`---`)': () => repeatTo('', '---\n'),
  'list items (`- 1`)': () => repeatTo('kind: List\nitems:\n', '- 1\n'),
  'tiny objects, block (`- {}`)': () =>
    repeatTo('kind: List\nitems:\n', '- {}\n'),
  'tiny objects, JSON': () =>
    repeatTo('{"kind":"List","items":[', '{},', '{}]}'),
  'tiny documents (`{}` each)': () => repeatTo('', '{}\n---\n'),
  'deep nesting, flow': () =>
    `${'['.repeat(BYTES / 2)}${']'.repeat(BYTES / 2)}`,
  'nested sequences on one line (`- - - …`)': () => repeatTo('', '- '),
  'deep nesting, block (indented)': () => {
    const lines = [];
    for (let i = 0, bytes = 0; bytes < BYTES - i - 3; i++) {
      lines.push(`${' '.repeat(i)}a:`);
      bytes += i + 3;
    }
    return lines.join('\n');
  },
  'aliases (billion laughs, 1 KiB)': () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) {
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    }
    return text;
  },
  'ordinary manifests (demo estate repeated)': ordinary,
};

function child() {
  process.on('message', ({ name, measure }) => {
    const text = CASES[name]();
    require('@backstage/cli/config/nodeTransform.cjs');
    const { parseManifests } = require('../src/engine/manifests');
    let outcome = 'text and code loaded only';
    const started = process.hrtime.bigint();
    if (measure) {
      const parsed = parseManifests(text, 'bench.yaml');
      const limit = parsed.errors[0]?.limit;
      if (limit) outcome = `refused: ${limit.name}`;
      else if (parsed.errors.length) outcome = 'error: document 1';
      else outcome = `${parsed.objects.length} objects`;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.send({
      outcome,
      ms,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    });
  });
}

function run(name, measure) {
  return new Promise((resolve, reject) => {
    const worker = fork(__filename, ['child']);
    // The node transform also reports each file it compiles ({ type: 'watch' }).
    worker.on('message', result => {
      if (!('outcome' in result)) return;
      worker.kill();
      resolve(result);
    });
    worker.once('error', reject);
    worker.send({ name, measure });
  });
}

async function main() {
  console.log(`Node ${process.version}; each case in a fresh process.\n`);
  console.log(
    '| input (16 MiB) | outcome | time | peak RSS | without parsing |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of Object.keys(CASES)) {
    const baseline = await run(name, false);
    const result = await run(name, true);
    console.log(
      `| ${name} | ${result.outcome} | ${
        result.ms < 1000
          ? `${result.ms.toFixed(0)} ms`
          : `${(result.ms / 1000).toFixed(1)} s`
      } | ${result.maxRssMb.toFixed(0)} MB | ${baseline.maxRssMb.toFixed(
        0,
      )} MB |`,
    );
  }
}

if (process.argv[2] === 'child') child();
else main();
