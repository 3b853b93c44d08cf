#!/usr/bin/env bash
# Failover tests on real clusters, outside the default suite (they take ~1-2 min and kill
# nodes): starts a 3-node RabbitMQ (scripts/rabbit-cluster.sh) and a 3-node Galera
# (scripts/galera.sh) in a temporary directory, builds, runs test/cluster/*.cluster.ts with
# mocha, stops both clusters, exits with mocha's status. Needs root (Galera runs as mysql).
# Extra arguments go to mocha. The figures the tests measure are printed as "figure:" lines.
set -euo pipefail
cd "$(dirname "$0")/.."

state=$(mktemp -d /tmp/attachd-clusters.XXXXXX)
# Galera's nodes run as the mysql user, which must traverse this directory (not list it).
chmod 711 "$state"
cleanup() {
  # CLUSTER_KEEP_LOGS=1 keeps Galera's error logs (they say when a node left the primary
  # component), as it keeps the layout's logs; `galera.sh stop` removes the nodes' directories.
  if [ -n "${CLUSTER_KEEP_LOGS:-}" ]; then
    for f in "$state"/galera/*/n*/error.log "$state"/galera/n*/error.log; do
      [ -f "$f" ] && cp "$f" "$state/galera-$(basename "$(dirname "$f")").log"
    done
  fi
  bash scripts/rabbit-cluster.sh stop "$state/rabbit" >/dev/null 2>&1 || true
  bash scripts/galera.sh stop "$state/galera" >/dev/null 2>&1 || true
  if [ -n "${CLUSTER_KEEP_LOGS:-}" ]; then echo "cluster-test.sh: Galera's logs kept in $state" >&2; else rm -rf "$state"; fi
}
trap cleanup EXIT INT TERM

npm run --silent build
mkdir -p "$state/rabbit" "$state/galera"
t0=$(date +%s%N)
bash scripts/rabbit-cluster.sh start "$state/rabbit" >"$state/rabbit-start.log" 2>&1 &
r=$!
bash scripts/galera.sh start "$state/galera" >"$state/galera-start.log" 2>&1 &
gpid=$!
ok=1
wait "$gpid" || { ok=; cat "$state/galera-start.log" >&2; }
echo "cluster-test.sh: galera.sh start (3 nodes Synced): $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
wait "$r" || { ok=; cat "$state/rabbit-start.log" >&2; }
echo "cluster-test.sh: rabbit-cluster.sh start (3 nodes clustered): $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
[ -n "$ok" ] || exit 1

# shellcheck disable=SC1091
source "$state/rabbit/env"
# shellcheck disable=SC1091
source "$state/galera/env"
set +e
if [ $# -eq 0 ]; then set -- dist/test/cluster/*.cluster.js; fi
# --exit: the cluster tests have not been checked for leaked handles the way npm test's tiers
# are (docs/testing.md), so mocha still ends them when the last test has run.
npx mocha --exit "$@"
status=$?
set -e
exit $status
