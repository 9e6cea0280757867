#!/usr/bin/env bash
# Unit tests of every package (jest), then a check that every test ran: the suites read only files
# inside the repository and need no service, so a skipped suite or test fails this stage
# (.ci/check-no-skips.js lists them). Suites that need PostgreSQL or Redis are named
# *.services.test.ts; the root package.json leaves them to .ci/test-services.sh.
# Arguments go to jest (e.g. a path to run some suites).
set -uo pipefail
cd "$(dirname "$0")/.."
results_dir="${MESH_SECURITY_RESULTS_DIR:-$PWD/e2e/test-results}"
mkdir -p "$results_dir"
rm -f "$results_dir/unit.json"

# Workers are recycled at 384 MB of idle heap (the Backstage CLI's default is 1000M). When the
# run ends each worker exits, and Node tears its heap down first: 0.24 s for 230 MB, 0.48 s for
# 708 MB here. Jest kills a worker still there after 500 ms and prints "A worker process has
# failed to exit gracefully … tests leaking", so a worker near 1000M made that line appear though
# nothing leaked. At 512M the workers ended with 388 and 463 MB of heap (2,538 tests), and a
# fresh clone printed the line once; at 384M they end with 169 and 204 MB, the stage taking
# 353–370 s against 351–352 s.
npx backstage-cli repo test --watchAll=false --workerIdleMemoryLimit=384M "$@" \
  --json --outputFile="$results_dir/unit.json"
status=$?
node .ci/check-no-skips.js "$results_dir/unit.json" || status=1
exit $status
