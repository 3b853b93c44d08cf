#!/usr/bin/env bash
# The differential test of our cinder-api against the real Cinder 21: starts both (the real one
# with scripts/cinder-oracle.sh; ours as the cinder-api and cinder-volume daemons, fake driver,
# noauth2), plays test/diff/scenarios.ts (or, with --random, seeded random ones) against both and prints every difference that
# test/diff/deliberate.json does not explain (docs/differences.md), then the totals. Exit 0 when
# none is unexplained, 1 otherwise, 2 when something did not start.
#
#   bash scripts/cinder-diff.sh [--only REGEX] [--json OUT] [--random] [--trace]
#
# --random plays test/diff/random-scenarios.ts instead: DIFF_SEED (default a new one, printed)
# and DIFF_STEPS requests (default 500, at most 5000); --only '^random-<seed>-<k>$' replays one.
# --trace prints both statuses and volume states of every step.
#
# Servers: TRANSPORT_URL and CINDER_DATABASE_URL (with ATTACHD_SERVERS_DIR, e.g. `source DIR/env`
# of scripts/servers.sh), or private ones started in the work directory when unset. Each Cinder
# gets a vhost and a database of its own, both removed at the end.
# Environment:
#   CINDER_ORACLE_URL   a real Cinder already running (noauth): used instead of starting one
#   OURS_URL            our cinder-api already running (noauth2): used instead of starting ours
#   DIFF_DIR            work directory (default: a new one under /tmp, removed at the end unless KEEP=1)
#   CINDER_ORACLE_DEB_CACHE   kept .debs of the real Cinder (see scripts/cinder-oracle.sh)
#   DIFF_SEED, DIFF_STEPS     the random run's seed and length (--random)
# Needs `npm run build` (dist/) and, to start the real Cinder, root or a fetched package list.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
# shellcheck source=lib/node-flags.sh
source "$here/lib/node-flags.sh"
work=${DIFF_DIR:-$(mktemp -d /tmp/cinder-diff.XXXXXX)}
mkdir -p "$work/logs"
HOST=diffhost   # both volume services are diffhost@fake, so hosts compare equal

say() { echo "cinder-diff.sh: $*" >&2; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

[ -f "$repo/dist/test/diff/cinder-diff.js" ] || { say "dist/ is missing: run npm run build"; exit 2; }

pids=()
cleanup() {
  set +e
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -d "$work/oracle" ] && bash "$here/cinder-oracle.sh" stop "$work/oracle"
  if [ -f "$work/ours.vhost" ]; then bash "$here/servers.sh" vhost-delete "$ATTACHD_SERVERS_DIR" "$(cat "$work/ours.vhost")"; fi
  if [ -f "$work/ours.db" ]; then
    read -r user password host port db <"$work/ours.db"
    MYSQL_PWD=$password mariadb --no-defaults -h "$host" -P "$port" -u "$user" -e "DROP DATABASE IF EXISTS \`$db\`" 2>/dev/null
  fi
  [ -f "$work/servers/env" ] && bash "$here/servers.sh" stop "$work/servers"
  if [ "${KEEP:-0}" = 1 ] || [ -n "${DIFF_DIR:-}" ]; then say "logs in $work/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

if [ -z "${CINDER_ORACLE_URL:-}" ] || [ -z "${OURS_URL:-}" ]; then
  if [ -z "${TRANSPORT_URL:-}" ] || [ -z "${CINDER_DATABASE_URL:-}" ]; then
    say "starting private RabbitMQ and MariaDB in $work/servers"
    bash "$here/servers.sh" start "$work/servers" >"$work/logs/servers.log" 2>&1 || { say "servers did not start"; exit 2; }
    # shellcheck disable=SC1091
    source "$work/servers/env"
  fi
fi

if [ -z "${CINDER_ORACLE_URL:-}" ]; then
  CINDER_ORACLE_HOST=$HOST bash "$here/cinder-oracle.sh" start "$work/oracle" || exit 2
  # shellcheck disable=SC1091
  source "$work/oracle/env"
fi

if [ -z "${OURS_URL:-}" ]; then
  name=cinder_diff_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
  transport=$TRANSPORT_URL
  if [ -n "${ATTACHD_SERVERS_DIR:-}" ]; then
    bash "$here/servers.sh" vhost-add "$ATTACHD_SERVERS_DIR" "$name"
    echo "$name" >"$work/ours.vhost"
    transport=${TRANSPORT_URL%/}/$name
  fi
  /usr/bin/python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.unquote(p.username or ""), u.unquote(p.password or ""), p.hostname or "127.0.0.1", p.port or 3306, sys.argv[2])' \
    "$CINDER_DATABASE_URL" "$name" >"$work/ours.db"
  chmod 600 "$work/ours.db"
  read -r user password host port db <"$work/ours.db"
  MYSQL_PWD=$password mariadb --no-defaults -h "$host" -P "$port" -u "$user" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4"
  port=$(free_port)
  cat >"$work/cinder.conf" <<EOF
# ours, for scripts/cinder-diff.sh (transport_url and [database] come from the environment)
[DEFAULT]
host = $HOST
enabled_backends = fake
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $port
report_interval = 2

[api]
auth_strategy = noauth2

[fake]
volume_driver = fake
volume_backend_name = fake
EOF
  export TRANSPORT_URL=$transport CINDER_DATABASE_URL=${CINDER_DATABASE_URL%/*}/$db
  node "$repo/dist/bin/cinder-manage.js" --config-file "$work/cinder.conf" db sync >"$work/logs/cinder-manage.log" 2>&1 ||
    { say "cinder-manage db sync failed (see $work/logs)"; KEEP=1; exit 2; }
  for d in cinder-volume cinder-api; do
    # shellcheck disable=SC2046 # the bin's node options, one word each
    $(node_cmd "$repo/dist/bin/$d.js") "$repo/dist/bin/$d.js" --config-file "$work/cinder.conf" >"$work/logs/$d.log" 2>&1 &
    pids+=($!)
  done
  OURS_URL=http://127.0.0.1:$port
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -m 2 "$OURS_URL/" && break
    sleep 0.1
  done
  # Ready when the volume service has its heartbeat (a create would otherwise find no backend).
  for _ in $(seq 1 300); do
    [ "$(curl -s -H "X-Auth-Token: admin:00000000000000000000000000000000" "$OURS_URL/v3/00000000000000000000000000000000/os-availability-zone" | grep -c available)" != 0 ] && break
    sleep 0.1
  done
fi

say "ours $OURS_URL, real Cinder $CINDER_ORACLE_URL"
set +e
node "$repo/dist/test/diff/cinder-diff.js" --ours "$OURS_URL" --theirs "$CINDER_ORACLE_URL" "$@"
rc=$?
set -e
exit $rc
