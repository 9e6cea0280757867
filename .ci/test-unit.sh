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

npx backstage-cli repo test --watchAll=false "$@" \
  --json --outputFile="$results_dir/unit.json"
status=$?
node .ci/check-no-skips.js "$results_dir/unit.json" || status=1
exit $status
