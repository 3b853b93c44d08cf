#!/usr/bin/env bash
# The seeded REST fuzzer (scripts/fuzz/): starts the all-in-one (or, with FUZZ_LAYOUT=multi, the
# four daemons over the servers in TRANSPORT_URL / *_DATABASE_URL) on loopback, sends
# FUZZ_REQUESTS seeded requests per seed, audits both databases, prints every failure with its
# seed and request index. Exit 0 when every seed is clean, 1 otherwise, 2 when it could not run.
#   FUZZ_SEED=7 FUZZ_SEEDS=5 FUZZ_REQUESTS=2000 bash scripts/fuzz.sh
# Every knob: scripts/fuzz/main.ts. Needs `npm run build` (dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/scripts/fuzz/main.js ] || { echo "fuzz.sh: dist/ is missing: run npm run build first" >&2; exit 2; }
exec node dist/scripts/fuzz/main.js
