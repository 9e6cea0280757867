#!/usr/bin/env bash
# The CLI as users install it: build and pack @mesh-security/cli and the common package it
# depends on, install both tarballs into an empty folder, then run `npx mesh-security diff`
# against a small git repository. See docs/cli.md "Installing from a tarball".
#
# The install is --offline by default (the npm cache only). A checkout whose node_modules were
# not installed by npm on this machine has no cached packuments (ENOTCACHED for `commander`), so
# `--online` lets npm fill the misses from the registry (--prefer-offline): test-all.sh runs it
# so, after `npm ci` has filled the cache with nearly everything the tarballs need.
set -euo pipefail
cd "$(dirname "$0")/.."
cache_mode=--offline
if [ "${1:-}" = --online ]; then cache_mode=--prefer-offline; fi
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/mesh-security-pack-XXXXXX")
trap 'rm -rf "$work"' EXIT

pack() {
  # backstage-cli package prepack applies publishConfig (main → dist) to package.json;
  # postpack puts the workspace's package.json back.
  (
    cd "$1"
    npx backstage-cli package build
    npx backstage-cli package prepack
    trap 'npx backstage-cli package postpack' EXIT
    npm pack --silent --pack-destination "$work" >/dev/null
  )
}
pack plugins/mesh-security-common
pack packages/cli

mkdir "$work/install"
cd "$work/install"
echo '{ "name": "mesh-security-pack-test", "private": true }' > package.json
npm install "$cache_mode" --no-audit --no-fund --ignore-scripts \
  "$work"/mesh-security-plugin-mesh-security-common-*.tgz "$work"/mesh-security-cli-*.tgz

# A repository with two commits: an AuthorizationPolicy's principal widened to a namespace.
repo="$work/repo"
mkdir -p "$repo/deploy"
cd "$repo"
git init -q -b main
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
policy() {
  cat <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers: [{name: app, image: api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {serviceAccountName: web, containers: [{name: app, image: web:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec: {serviceAccountName: worker, containers: [{name: app, image: worker:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{from: [{source: {$1}}]}]
YAML
}
policy 'principals: [cluster.local/ns/shop/sa/web]' > deploy/shop.yaml
git add -A && git commit -q -m before
policy 'namespaces: [shop]' > deploy/shop.yaml
git commit -q -am after

cli() { npx --prefix "$work/install" --no-install mesh-security "$@"; }
cli diff --base HEAD~1 --head HEAD --format markdown
set +e
cli diff --base HEAD~1 --head HEAD --fail-on widened-access --format sarif > "$work/diff.sarif"
gate=$?
cli diff --base no-such-ref --head HEAD 2> "$work/stderr"
bad=$?
set -e
test "$gate" = 1 || { echo "expected exit 1 on a gate hit, got $gate"; exit 1; }
test "$bad" = 2 || { echo "expected exit 2 on an unknown ref, got $bad"; exit 1; }
grep -q '"ruleId": "widened-access"' "$work/diff.sarif"
grep -q 'no-such-ref: neither a file or directory nor a git revision' "$work/stderr"
echo "packed CLI: diff ok (gate exit 1, bad input exit 2)"
