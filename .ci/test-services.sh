#!/usr/bin/env bash
# Backend tests against real services from Debian's packages: the backend on PostgreSQL, two
# backend replicas sharing a Redis cache, and observed traffic read from Prometheus (the suite
# builds its history with promtool and starts its own `prometheus`). Every server is a throwaway
# instance in a temporary directory, listening on loopback only, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
results_dir="${MESH_SECURITY_RESULTS_DIR:-$PWD/e2e/test-results}"
mkdir -p "$results_dir"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  echo "PostgreSQL server binaries not found: install Debian's 'postgresql' package." >&2
  exit 1
fi

port="${MESH_SECURITY_PG_PORT:-55432}"
redis_port="${MESH_SECURITY_REDIS_PORT:-56379}"
if ! command -v redis-server >/dev/null; then
  echo "redis-server not found: install Debian's 'redis-server' package." >&2
  exit 1
fi
for binary in prometheus promtool; do
  if ! command -v "$binary" >/dev/null; then
    echo "$binary not found: install Debian's 'prometheus' package." >&2
    exit 1
  fi
done
data_dir=$(mktemp -d /tmp/mesh-security-pg.XXXXXX)
# PostgreSQL refuses to run as root: use the 'postgres' system user the package creates.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$data_dir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data_dir/db" -m fast -w stop >/dev/null 2>&1 || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

echo "mesh-security" > "$data_dir/pw"
chmod 644 "$data_dir/pw"
"${as_pg[@]}" "$pg_bin/initdb" -D "$data_dir/db" -U postgres --pwfile="$data_dir/pw" \
  --auth=scram-sha-256 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data_dir/db" -l "$data_dir/server.log" -w \
  -o "-p $port -k $data_dir -c listen_addresses=127.0.0.1" start >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$port"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$data_dir" --daemonize yes --logfile "$data_dir/redis.log"
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "Redis $(redis-server --version | awk '{print $3}') listening on 127.0.0.1:$redis_port"

export MESH_SECURITY_TEST_POSTGRES="postgresql://postgres:mesh-security@127.0.0.1:$port"
export MESH_SECURITY_TEST_REDIS="redis://127.0.0.1:$redis_port"
# Every *.services.test.ts (the root package.json's jest testPathIgnorePatterns leave them out
# of the unit run; this overrides them), in band: two suites gain little from worker processes,
# and a worker holding a backend's heap can take longer than the 500 ms Jest allows it to exit
# (then Jest kills it and prints "A worker process has failed to exit gracefully").
npx backstage-cli repo test --watchAll=false --runInBand '\.services\.test\.ts$' \
  --json --outputFile="$results_dir/services.json" \
  --testPathIgnorePatterns=/node_modules/
node .ci/check-no-skips.js "$results_dir/services.json"
