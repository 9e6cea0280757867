#!/usr/bin/env bash
# End-to-end suite: builds the frontend, then Playwright starts the real backend (which serves
# the built app on :7007), drives Debian's Chromium headless, and stops the backend afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
results_dir="${MESH_SECURITY_RESULTS_DIR:-$PWD/e2e/test-results}"
mkdir -p "$results_dir"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "Debian's chromium is not installed (apt-get install chromium)." >&2
  exit 1
fi
echo "Building the frontend (log: $results_dir/app-build.log)…"
if ! npm run build -w app > "$results_dir/app-build.log" 2>&1; then
  tail -n 40 "$results_dir/app-build.log" >&2
  exit 1
fi
export PLAYWRIGHT_JSON_OUTPUT_FILE="$results_dir/e2e.json"
npx playwright test --config e2e/playwright.config.ts "$@"
