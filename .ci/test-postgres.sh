#!/usr/bin/env bash
# Runs the backend's PostgreSQL test against a real PostgreSQL server from Debian's packages:
# a throwaway cluster in a temporary directory, listening on loopback only, removed afterwards.
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
data_dir=$(mktemp -d /tmp/mesh-security-pg.XXXXXX)
# PostgreSQL refuses to run as root: use the 'postgres' system user the package creates.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$data_dir"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data_dir/db" -m fast -w stop >/dev/null 2>&1 || true
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

export MESH_SECURITY_TEST_POSTGRES="postgresql://postgres:mesh-security@127.0.0.1:$port"
npx backstage-cli repo test --watchAll=false packages/backend/src/postgres.test.ts \
  --json --outputFile="$results_dir/postgres.json"
