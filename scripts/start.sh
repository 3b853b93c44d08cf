#!/usr/bin/env bash
# The all-in-one, as README.md gives it: installs dependencies on first use, builds, and runs
# nova-api, nova-compute, cinder-api and cinder-volume in one process (fake:// transport +
# SQLite under ./data by default). Arguments go to attachd-all, e.g. `npm start -- --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "start: installing the node modules (npm ci; a minute or two the first time)…" >&2
  npm ci --no-audit --no-fund >&2
fi
echo "start: building…" >&2
npm run --silent build >&2
# shellcheck source=lib/node-flags.sh
source scripts/lib/node-flags.sh
# shellcheck disable=SC2046 # the bin's node options, one word each
exec $(node_cmd dist/bin/attachd-all.js) dist/bin/attachd-all.js "$@"
