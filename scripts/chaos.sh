#!/usr/bin/env bash
# The seeded chaos campaign (scripts/chaos/campaign.ts): two four-process clusters under a mixed
# load, with kills, MariaDB outages and broker stops/kills at random moments, audited after
# each round. Starts private servers (scripts/servers.sh) unless TRANSPORT_URL,
# NOVA_DATABASE_URL and CINDER_DATABASE_URL are all set, and stops them afterwards. Needs root
# (tgtd). Knobs: CHAOS_SEED, CHAOS_ROUNDS (default 10, max 500), CHAOS_SECONDS (overall
# bound), CHAOS_ROUND (replay one round of CHAOS_SEED), CHAOS_WORKERS, CHAOS_LOG_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent build
state=
cleanup() {
  if [ -n "$state" ]; then bash scripts/servers.sh stop "$state" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM
if [ -z "${TRANSPORT_URL:-}" ] || [ -z "${NOVA_DATABASE_URL:-}" ] || [ -z "${CINDER_DATABASE_URL:-}" ]; then
  state=$(mktemp -d /tmp/attachd-chaos-servers.XXXXXX)
  bash scripts/servers.sh start "$state" >"$state.start.log" 2>&1 || { cat "$state.start.log" >&2; exit 1; }
  rm -f "$state.start.log"
  # shellcheck disable=SC1091
  source "$state/env"
fi
set +e
node dist/scripts/chaos/campaign.js
status=$?
set -e
exit $status
