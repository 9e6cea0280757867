#!/usr/bin/env node
/*
 * Fails when a jest JSON report (`--json --outputFile=…`) shows that nothing ran, or that a test
 * suite or test was skipped, pending or todo. Every suite reads only what the repository holds
 * (the upstream CRDs are test data in plugins/mesh-security-common/testdata/crds), and suites
 * that need PostgreSQL or Redis are named *.services.test.ts and run by .ci/test-services.sh: a
 * skip is a test that silently stopped running, so the stage lists and refuses it.
 *
 * usage: node .ci/check-no-skips.js e2e/test-results/unit.json
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * Skips that are allowed, as "<test file relative to the repository> › <full test name>". None
 * is: add one only with the reason beside it.
 */
const ALLOWED_SKIPS = new Set([]);

const root = path.resolve(__dirname, '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node .ci/check-no-skips.js <jest JSON report>');
  process.exit(2);
}

let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`No readable jest report at ${file}: ${error.message}`);
  process.exit(1);
}

const problems = [];
if (!report.numTotalTestSuites) {
  problems.push('no test suite ran');
}
for (const suite of report.testResults ?? []) {
  const name = path.relative(root, suite.name);
  const tests = suite.assertionResults ?? [];
  // jest marks a test it did not run as skipped, pending, todo, disabled or focused.
  const notRun = tests.filter(
    test =>
      test.status !== 'passed' &&
      test.status !== 'failed' &&
      !ALLOWED_SKIPS.has(`${name} › ${test.fullName}`),
  );
  if (suite.status === 'skipped' && (notRun.length > 0 || tests.length === 0)) {
    problems.push(`${name}: the whole suite was skipped`);
  }
  for (const test of notRun) {
    problems.push(`${name} › ${test.fullName} (${test.status})`);
  }
}

if (problems.length > 0) {
  console.error(
    `${path.basename(file)}: tests that did not run. Every test must run: ` +
      'remove the skip (a missing fixture is a failure, not a skip), or ' +
      'give a suite that needs PostgreSQL or Redis the .services.test.ts ' +
      'suffix so that .ci/test-services.sh runs it.',
  );
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(
  `${path.basename(file)}: ${report.numTotalTestSuites} suites, ` +
    `${report.numTotalTests} tests, none skipped`,
);
