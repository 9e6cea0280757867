#!/usr/bin/env bash
# Every check, in the order a reviewer would want them: format, lint, type check, unit tests, the
# CLI as users install it (packed tarballs), the backend against real PostgreSQL, Redis and
# Prometheus, then the end-to-end suite in headless Chromium.
# Each stage runs even if an earlier one failed, so one run shows everything; the exit status
# is non-zero if any stage failed. The last line totals the test runners' counts.
set -uo pipefail
cd "$(dirname "$0")/.."
results_dir="${MESH_SECURITY_RESULTS_DIR:-$PWD/e2e/test-results}"
mkdir -p "$results_dir"
rm -f "$results_dir"/*.json

declare -a summary=()
status=0

stage() {
  local name="$1"
  shift
  local started=$SECONDS
  echo
  echo "=== $name ==="
  if "$@"; then
    summary+=("ok     $name ($((SECONDS - started))s)")
  else
    summary+=("FAILED $name ($((SECONDS - started))s)")
    status=1
  fi
}

stage "format (prettier --check)" npx prettier --check --loglevel warn .
stage "lint" npx backstage-cli repo lint
stage "type check (tsc) and API reports" npm run -s test:api-reports
stage "knip reports (unused exports and dependencies)" npm run -s test:knip-reports
stage "unit tests (jest, none skipped)" bash .ci/test-unit.sh
stage "CLI installed from its packed tarballs" bash .ci/test-cli-pack.sh --online
stage "backend on PostgreSQL and Redis" bash .ci/test-services.sh
stage "end-to-end (Playwright, Chromium)" bash .ci/test-e2e.sh

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
node .ci/count-results.js "$results_dir"
exit $status
