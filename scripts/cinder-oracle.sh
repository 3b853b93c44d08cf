#!/usr/bin/env bash
# A private, REAL OpenStack Cinder 21 (Zed: Debian bookworm's python3-cinder, cinder-api,
# cinder-scheduler, cinder-volume) on a free loopback port: the reference scripts/cinder-diff.sh
# compares our cinder-api with. Nothing is installed on the system: the .debs Cinder needs beyond
# what the machine already has are fetched with `apt-get download`, unpacked with `dpkg -x` under
# DIR/root and run from there, as scripts/keystone.sh does for Keystone.
#
#   cinder-oracle.sh start DIR   unpack, configure, `cinder-manage db sync`, start cinder-api,
#                                cinder-scheduler and cinder-volume (fake driver), wait until the
#                                volume service is up; write DIR/env (mode 600):
#                                  export CINDER_ORACLE_URL=http://127.0.0.1:<port>
#                                  export CINDER_ORACLE_DIR=DIR
#   cinder-oracle.sh stop DIR    stop what start started, drop its vhost and database, remove DIR
#
# cinder-api runs with `auth_strategy = noauth`: the token `user:project` is believed and every
# caller is an admin. Project ids in URLs must be 32 hex characters (Cinder's URL rule).
#
# Servers: its own RabbitMQ virtual host and MariaDB database, so it never sees our services'
# queues or tables. Either given:
#   ORACLE_TRANSPORT_URL     rabbit://… of a vhost of its own (used as is, never deleted)
#   ORACLE_DATABASE_URL      mysql://user:password@host:port/database (created if absent, dropped by stop)
# or derived from scripts/servers.sh's (source DIR/env of `servers.sh start`): TRANSPORT_URL's
# broker with a new vhost (`servers.sh vhost-add $ATTACHD_SERVERS_DIR`), CINDER_DATABASE_URL's
# server with a new database.
#
# Environment:
#   CINDER_ORACLE_DEB_CACHE   where the .debs are kept between runs (default DIR/debs, removed by stop)
#   CINDER_ORACLE_START_TIMEOUT   seconds the services get to come up (default 120)
#   CINDER_ORACLE_DEBUG       true: debug logging
#   CINDER_ORACLE_HOST        [DEFAULT] host (default oracle): the volume service is <host>@fake
#   CINDER_ORACLE_API_WORKERS osapi_volume_workers (default 1: one API process, as ours runs one;
#                             Cinder's own default is the number of CPUs)
#   ORACLE_DB_SOCKET          the database server's local socket: Cinder connects through it
#                             (PyMySQL's ?unix_socket=) instead of TCP
# Logs: DIR/log/<service>.log (Cinder's own), DIR/log/<service>.out, DIR/log/db-sync.log.
#
# The volume backend is Cinder's own fake driver (cinder.tests.fake_driver) with one change: its
# extend_volume, inherited from the LVM driver, calls a method the fake LVM lacks, so every extend
# would end in `error_extending`. DIR/py/attachd_extendable_fake.py overrides it to succeed.
set -euo pipefail

cmd=${1:?usage: cinder-oracle.sh start|stop DIR}
dir=${2:?state directory}
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
dir=${dir%/}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PY=/usr/bin/python3
MARK=.attachd-cinder-oracle
root=$dir/root
cache=${CINDER_ORACLE_DEB_CACHE:-$dir/debs}
start_timeout=${CINDER_ORACLE_START_TIMEOUT:-120}
debug=${CINDER_ORACLE_DEBUG:-false}
host=${CINDER_ORACLE_HOST:-oracle}
[[ $start_timeout =~ ^[1-9][0-9]*$ ]] || { echo "cinder-oracle.sh: CINDER_ORACLE_START_TIMEOUT must be a positive integer" >&2; exit 2; }

WANT=(python3-cinder cinder-common cinder-api cinder-scheduler cinder-volume)
# Never unpacked: init, device and privilege plumbing the fake driver never touches, debconf
# helpers, and the C library, which must stay the system's own.
SKIP='^(adduser|debconf|dbconfig-common|dbconfig-.*|systemd|systemd-.*|libsystemd.*|libpam-systemd|libnss-systemd|udev|libudev1|sudo|open-iscsi|libisns0|libopeniscsiusr|init-system-helpers|libc6|libc-bin)(:.*)?$'
SERVICES=(cinder-scheduler cinder-volume cinder-api)

say() { echo "cinder-oracle.sh: $*" >&2; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# ---- packages (scripts/lib/debs.sh) ---------------------------------------------------------

# shellcheck source=lib/debs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debs.sh"

fetch_and_unpack() {
  unpack_debs || return 1
  [ -f "$root/usr/lib/python3/dist-packages/cinder/tests/fake_driver.py" ] || { say "unpacked tree lacks cinder's fake driver"; return 1; }
}

cinder_env() {
  local multiarch
  multiarch=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')
  export PYTHONPATH=$dir/py:$root/usr/lib/python3/dist-packages
  export LD_LIBRARY_PATH=$root/usr/lib/$multiarch:$root/lib/$multiarch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  unset PYTHONDONTWRITEBYTECODE PYTHONHOME
}

# ---- servers --------------------------------------------------------------------------------

# "user password host port database" of mysql://user:password@host:port/database
split_db_url() {
  "$PY" -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.unquote(p.username or ""), u.unquote(p.password or ""), p.hostname or "127.0.0.1", p.port or 3306, p.path.lstrip("/").split("?")[0])' "$1"
}

# mariadb SQL on the oracle's database server; the password goes through the environment.
db_sql() {
  local user password host port _db
  read -r user password host port _db < <(split_db_url "$(cat "$dir/db.url")")
  MYSQL_PWD=$password mariadb --no-defaults -h "$host" -P "$port" -u "$user" -e "$1"
}

setup_servers() {
  local name
  name=cinder_oracle_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
  if [ -n "${ORACLE_TRANSPORT_URL:-}" ]; then
    echo "$ORACLE_TRANSPORT_URL" >"$dir/transport.url"
  else
    [ -n "${TRANSPORT_URL:-}" ] && [ -n "${ATTACHD_SERVERS_DIR:-}" ] ||
      { say "set ORACLE_TRANSPORT_URL, or source the env of scripts/servers.sh start"; return 1; }
    bash "$here/servers.sh" vhost-add "$ATTACHD_SERVERS_DIR" "$name"
    echo "$ATTACHD_SERVERS_DIR $name" >"$dir/vhost"
    echo "${TRANSPORT_URL%/}/$name" >"$dir/transport.url"
  fi
  if [ -n "${ORACLE_DATABASE_URL:-}" ]; then
    echo "$ORACLE_DATABASE_URL" >"$dir/db.url"
  else
    [ -n "${CINDER_DATABASE_URL:-}" ] || { say "set ORACLE_DATABASE_URL or CINDER_DATABASE_URL"; return 1; }
    echo "${CINDER_DATABASE_URL%/*}/$name" >"$dir/db.url"
  fi
  local _u _p _h _port db
  read -r _u _p _h _port db < <(split_db_url "$(cat "$dir/db.url")")
  db_sql "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4"
}

teardown_servers() {
  if [ -f "$dir/vhost" ]; then
    local sdir vhost
    read -r sdir vhost <"$dir/vhost"
    [ -d "$sdir" ] && bash "$here/servers.sh" vhost-delete "$sdir" "$vhost" || true
  fi
  if [ -f "$dir/db.url" ]; then
    local _u _p _h _port db
    read -r _u _p _h _port db < <(split_db_url "$(cat "$dir/db.url")")
    db_sql "DROP DATABASE IF EXISTS \`$db\`" 2>/dev/null || true
  fi
}

# ---- configuration --------------------------------------------------------------------------

write_config() { # port
  local etc=$dir/etc db_url
  mkdir -p "$etc" "$dir/state" "$dir/lock" "$dir/py"
  db_url=$(cat "$dir/db.url")
  db_url=mysql+pymysql://${db_url#*://}
  [ -z "${ORACLE_DB_SOCKET:-}" ] || db_url="${db_url}?unix_socket=${ORACLE_DB_SOCKET}"
  # Cinder's paste pipeline as shipped, with the healthcheck's disable file moved into DIR.
  sed "s#^disable_by_file_path = .*#disable_by_file_path = $dir/state/healthcheck_disable#" \
    "$root/usr/share/cinder-common/api-paste.ini" >"$etc/api-paste.ini"
  (
    umask 077
    cat >"$etc/cinder.conf" <<EOF
[DEFAULT]
debug = $debug
auth_strategy = noauth
transport_url = $(cat "$dir/transport.url")
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $1
osapi_volume_workers = ${CINDER_ORACLE_API_WORKERS:-1}
api_paste_config = $etc/api-paste.ini
state_path = $dir/state
log_dir = $dir/log
use_stderr = false
host = $host
my_ip = 127.0.0.1
enabled_backends = fake
default_volume_type = __DEFAULT__
rootwrap_config = $root/etc/cinder/rootwrap.conf
resource_query_filters_file = $root/etc/cinder/resource_filters.json
report_interval = 2
service_down_time = 60

[fake]
volume_driver = attachd_extendable_fake.ExtendableFakeDriver
volume_backend_name = fake

[database]
connection = $db_url

[oslo_concurrency]
lock_path = $dir/lock

[coordination]
backend_url = file://$dir/state

[oslo_policy]
policy_file = $etc/policy.yaml

[oslo_messaging_notifications]
driver = noop
EOF
  )
  : >"$etc/policy.yaml"
  cat >"$dir/py/attachd_extendable_fake.py" <<'EOF'
"""Cinder's logging fake driver whose extend succeeds (the inherited LVM extend cannot)."""
from cinder.tests import fake_driver


class ExtendableFakeDriver(fake_driver.FakeLoggingVolumeDriver):
    def extend_volume(self, volume, new_size):
        return None  # nothing to grow: the fake keeps no data
EOF
}

# ---- processes ------------------------------------------------------------------------------

# Each service in a session (and process group) of its own; DIR/pgids lists "name pgid".
serve() { # name
  setsid "$PY" "$root/usr/bin/$1" --config-file "$dir/etc/cinder.conf" >"$dir/log/$1.out" 2>&1 </dev/null &
  echo "$1 $!" >>"$dir/pgids"
}

# shellcheck source=lib/pgroup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pgroup.sh"

stop_services() {
  [ -f "$dir/pgids" ] || return 0
  local name pg left
  while read -r name pg; do group_is_ours "$pg" && kill -TERM -- "-$pg" 2>/dev/null || true; done <"$dir/pgids"
  for _ in $(seq 1 100); do
    left=0
    while read -r name pg; do group_is_ours "$pg" && left=1; done <"$dir/pgids"
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  while read -r name pg; do group_is_ours "$pg" && kill -KILL -- "-$pg" 2>/dev/null || true; done <"$dir/pgids"
}

# Exit 0 once cinder-volume and cinder-scheduler report up in os-services.
services_up() { # url
  curl -s -m 5 -H 'X-Auth-Token: admin:00000000000000000000000000000000' \
    "$1/v3/00000000000000000000000000000000/os-services" 2>/dev/null | "$PY" -c '
import json, sys
up = {s["binary"] for s in json.load(sys.stdin)["services"] if s["state"] == "up"}
sys.exit(0 if {"cinder-volume", "cinder-scheduler"} <= up else 1)' 2>/dev/null
}

# Exit 0 once the scheduler places a volume: "up" services do not yet mean that the scheduler
# has the volume service's capabilities, and a create before that ends in error (no valid host).
volume_placed() { # url
  "$PY" - "$1" <<'EOPY'
import json, sys, time, urllib.request
base = sys.argv[1] + "/v3/00000000000000000000000000000000"
H = {"X-Auth-Token": "admin:00000000000000000000000000000000", "Content-Type": "application/json"}
def req(method, path, body=None):
    r = urllib.request.Request(base + path, method=method, headers=H, data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(r, timeout=10) as f:
        raw = f.read()
        return json.loads(raw) if raw else None
vid = req("POST", "/volumes", {"volume": {"size": 1, "name": "oracle-probe"}})["volume"]["id"]
status = "creating"
for _ in range(100):
    status = req("GET", "/volumes/" + vid)["volume"]["status"]
    if status in ("available", "error"):
        break
    time.sleep(0.1)
try:
    req("DELETE", "/volumes/" + vid)
except Exception:
    pass
sys.exit(0 if status == "available" else 1)
EOPY
}

show_logs() {
  local f
  for f in "$dir"/log/*.out "$dir"/log/*.log; do
    [ -s "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 15 "$f" >&2
  done
}

remove_dir() {
  [ -d "$dir" ] || return 0
  if [ ! -e "$dir/$MARK" ]; then say "$dir is not a cinder-oracle.sh state directory: left alone"; return 1; fi
  rm -rf "$dir"
}

abort_start() {
  set +e
  say "Cinder did not start"
  show_logs
  stop_services
  teardown_servers
  remove_dir
  exit 1
}

start() {
  local t0=$SECONDS port url name pg
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then say "$dir exists and is not empty"; exit 1; fi
  mkdir -p "$dir/log"
  : >"$dir/$MARK"
  trap abort_start EXIT
  trap 'exit 1' INT TERM

  fetch_and_unpack
  say "unpacked $(du -sh "$root" | cut -f1) in $((SECONDS - t0)) s"
  setup_servers
  port=$(free_port)
  url=http://127.0.0.1:$port
  write_config "$port"
  cinder_env
  if ! (cd "$dir" && "$PY" "$root/usr/bin/cinder-manage" --config-file "$dir/etc/cinder.conf" db sync) >"$dir/log/db-sync.log" 2>&1; then
    say "cinder-manage db sync failed:"
    tail -n 20 "$dir/log/db-sync.log" >&2
    exit 1
  fi
  for name in "${SERVICES[@]}"; do serve "$name"; done
  local t_serve=$SECONDS
  until services_up "$url"; do
    while read -r name pg; do
      group_is_ours "$pg" || { say "$name exited"; exit 1; }
    done <"$dir/pgids"
    [ $((SECONDS - t_serve)) -lt "$start_timeout" ] || { say "services not up after $start_timeout s"; exit 1; }
    sleep 0.5
  done
  until volume_placed "$url" 2>/dev/null; do
    [ $((SECONDS - t_serve)) -lt "$start_timeout" ] || { say "the scheduler placed no volume within $start_timeout s"; exit 1; }
    sleep 1
  done
  (
    umask 077
    printf 'export CINDER_ORACLE_URL=%s\nexport CINDER_ORACLE_DIR=%s\n' "$url" "$dir" >"$dir/env"
  )
  trap - EXIT
  say "Cinder 21 ready at $url in $((SECONDS - t0)) s (state in $dir)"
}

case "$cmd" in
  start)
    start
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    [ -e "$dir/$MARK" ] || { say "$dir is not a cinder-oracle.sh state directory: left alone"; exit 1; }
    stop_services
    teardown_servers
    remove_dir
    ;;
  *)
    say "unknown command $cmd"
    exit 2
    ;;
esac
