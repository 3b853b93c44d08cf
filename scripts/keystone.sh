#!/usr/bin/env bash
# A private, REAL OpenStack Keystone 22 (Zed: Debian bookworm's keystone + python3-keystone) on a
# free loopback port, so tests can check tokens against the real thing. Nothing is installed on
# the system: the .debs Keystone needs beyond what the machine already has (python deps, uWSGI
# and its python3 plugin) are fetched with `apt-get download`, unpacked with `dpkg -x` under
# DIR/root and run from there; no system service is started or touched.
#
#   keystone.sh start DIR    unpack, configure (fernet tokens, SQLite in DIR), bootstrap, serve the
#                            public API under uWSGI; write DIR/env (mode 600):
#                              export KEYSTONE_URL=http://127.0.0.1:<port>
#                              export KEYSTONE_ADMIN_PASSWORD=<random>
#                              export KEYSTONE_DIR=DIR
#   keystone.sh stop DIR     stop what start started (its process group) and remove DIR
#
# The bootstrap admin is user `admin` in project `admin` (domain Default) with role `admin`
# (Keystone adds `member` and `reader`); region RegionOne; the identity endpoint is KEYSTONE_URL/v3.
#
# Environment:
#   KEYSTONE_DEB_CACHE          where the .debs are kept between runs (default DIR/debs, removed by stop)
#   KEYSTONE_TOKEN_EXPIRATION   token lifetime in seconds ([token] expiration; default 3600)
#   KEYSTONE_PROCESSES / KEYSTONE_THREADS   uWSGI workers and threads per worker (2 / 4)
#   KEYSTONE_START_TIMEOUT      seconds uWSGI gets to answer GET /v3 with 200 (default 60)
#   KEYSTONE_SHARE_DIR          DIR of a running instance whose unpacked packages to use instead of
#                               fetching and unpacking them again (e.g. a test's second Keystone;
#                               stop that one first). DIR/root is then a link to them.
# Logs: DIR/log/keystone.log (the app), DIR/log/uwsgi.log, DIR/log/<step>.log (keystone-manage).
set -euo pipefail

cmd=${1:?usage: keystone.sh start|stop DIR}
dir=${2:?state directory}
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac
dir=${dir%/}

PY=/usr/bin/python3                        # Debian's interpreter: uWSGI's plugin embeds its libpython
MARK=.attachd-keystone                     # marks DIR as ours, so stop never removes anything else
root=$dir/root
cache=${KEYSTONE_DEB_CACHE:-$dir/debs}
expiration=${KEYSTONE_TOKEN_EXPIRATION:-3600}
processes=${KEYSTONE_PROCESSES:-2}
threads=${KEYSTONE_THREADS:-4}
start_timeout=${KEYSTONE_START_TIMEOUT:-60}
for knob in expiration processes threads start_timeout; do
  [[ ${!knob} =~ ^[1-9][0-9]*$ ]] || { echo "keystone.sh: $knob must be a positive integer, not '${!knob}'" >&2; exit 2; }
done

# What we ask apt to resolve; it answers with these plus every dependency the machine lacks.
WANT=(keystone python3-keystone uwsgi-core uwsgi-plugin-python3)
# Never unpacked: packaging and service plumbing (users, debconf, databases set up for a system
# keystone, AppArmor profiles, systemd) and the C library, which must stay the system's own.
SKIP='^(adduser|debconf|dbconfig-common|dbconfig-.*|uwsgi-plugin-apparmor|libapparmor1|systemd|systemd-.*|libsystemd.*|libpam-systemd|libnss-systemd|udev|libudev1|sudo|init-system-helpers|libc6|libc-bin|libc-l10n|locales)(:.*)?$'

say() { echo "keystone.sh: $*" >&2; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The environment every Keystone process runs in: the unpacked tree first, the system's after.
keystone_env() {
  local multiarch
  multiarch=$("$PY" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')
  export PYTHONPATH=$root/usr/lib/python3/dist-packages
  export LD_LIBRARY_PATH=$root/usr/lib/$multiarch:$root/lib/$multiarch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export OS_KEYSTONE_CONFIG_FILES=$dir/etc/keystone.conf  # read by the WSGI app (keystone.server.flask.core)
  # Debian compiles the .pyc files at install time (py3compile), which dpkg -x does not run: let
  # the first process write them into the tree, so the next ones (bootstrap, the workers) start
  # about a second sooner each.
  unset PYTHONDONTWRITEBYTECODE PYTHONHOME
}

# ---- packages -------------------------------------------------------------------------------

# shellcheck source=lib/debs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/debs.sh"

fetch_and_unpack() {
  unpack_debs || return 1
  if [ ! -x "$root/usr/bin/keystone-manage" ] || [ ! -x "$root/usr/bin/uwsgi-core" ]; then
    say "unpacked tree lacks keystone-manage or uwsgi-core"
    return 1
  fi
}

# ---- configuration --------------------------------------------------------------------------

write_config() {
  mkdir -p "$dir/etc" "$dir/log"
  mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
  chmod 700 "$dir/fernet-keys" "$dir/credential-keys"
  # check_same_thread=0: Keystone lets the garbage collector close some connections, possibly on
  # another uWSGI thread than the one that opened them, which sqlite3 refuses by default.
  cat >"$dir/etc/keystone.conf" <<EOF
[DEFAULT]
log_dir = $dir/log
log_file = keystone.log
use_stderr = false
debug = false

[database]
connection = sqlite:///$dir/keystone.sqlite?check_same_thread=0

[token]
provider = fernet
expiration = $expiration

[fernet_tokens]
key_repository = $dir/fernet-keys

[fernet_receipts]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys

[oslo_policy]
# An empty file of our own: Keystone's in-code default rules, whatever /etc/keystone holds.
policy_file = $dir/etc/policy.yaml

[oslo_messaging_notifications]
driver = noop
EOF
  : >"$dir/etc/policy.yaml"

  # The WSGI app of /usr/bin/keystone-wsgi-public. oslo.policy reads its rules lazily, on the
  # first request that needs them; threads serving the first requests concurrently can see a
  # half-read rule set and answer a spurious 403. So each worker reads them before serving.
  cat >"$dir/etc/keystone_wsgi.py" <<'EOF'
from keystone.common.rbac_enforcer.enforcer import RBACEnforcer
from keystone.server.wsgi import initialize_public_application

application = initialize_public_application()
RBACEnforcer()._enforcer.load_rules()
EOF
}

write_uwsgi_ini() { # port
  local plugin
  plugin=$(compgen -G "$root/usr/lib/uwsgi/plugins/python3*_plugin.so" | head -n 1)
  [ -n "$plugin" ] || { say "no python3 plugin under $root/usr/lib/uwsgi/plugins"; return 1; }
  plugin=$(basename "$plugin" _plugin.so)
  # http-socket answers one request per connection and then closes it; clients that keep
  # connections alive (Node's fetch, keystoneauth) would send the next request on a closed socket
  # and see "connection reset" unless the response says so: hence the Connection: close header.
  cat >"$dir/etc/uwsgi.ini" <<EOF
[uwsgi]
plugins-dir = $root/usr/lib/uwsgi/plugins
plugin = $plugin
http-socket = 127.0.0.1:$1
add-header = Connection: close
master = true
processes = $processes
threads = $threads
enable-threads = true
single-interpreter = true
lazy-apps = true
need-app = true
thunder-lock = true
die-on-term = true
no-orphans = true
worker-reload-mercy = 5
skip-atexit-teardown = true
buffer-size = 65535
chdir = $dir
wsgi-file = $dir/etc/keystone_wsgi.py
logto = $dir/log/uwsgi.log
EOF
}

# keystone-manage STEP-NAME ARGS...: output in DIR/log/STEP-NAME.log
manage() {
  local step=$1
  shift
  if ! (cd "$dir" && "$PY" "$root/usr/bin/keystone-manage" --config-file "$dir/etc/keystone.conf" "$@") \
      >"$dir/log/$step.log" 2>&1; then
    say "keystone-manage $step failed:"
    tail -n 20 "$dir/log/$step.log" >&2
    return 1
  fi
}

# ---- processes ------------------------------------------------------------------------------

# uWSGI runs in a session (and process group) of its own, whose id DIR/uwsgi.pgid records.
serve() { # port
  write_uwsgi_ini "$1"
  setsid "$root/usr/bin/uwsgi-core" --ini "$dir/etc/uwsgi.ini" >>"$dir/log/uwsgi.out" 2>&1 </dev/null &
  echo $! >"$dir/uwsgi.pgid"
}

# shellcheck source=lib/pgroup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pgroup.sh"

stop_server() {
  local pg
  pg=$(cat "$dir/uwsgi.pgid" 2>/dev/null) || return 0
  group_is_ours "$pg" || return 0
  # TERM to the master (the group leader) stops its workers too (die-on-term) in about 3 s; a
  # TERM to every worker at once can take longer. Whatever is left after 10 s is killed.
  kill -TERM "$pg" 2>/dev/null || true
  for _ in $(seq 1 100); do
    group_is_ours "$pg" || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

show_logs() {
  local f
  for f in "$dir/log/uwsgi.out" "$dir/log/uwsgi.log" "$dir/log/keystone.log"; do
    [ -s "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 25 "$f" >&2
  done
}

remove_dir() {
  [ -d "$dir" ] || return 0
  if [ ! -e "$dir/$MARK" ]; then say "$dir is not a keystone.sh state directory: left alone"; return 1; fi
  rm -rf "$dir"
}

# Status of GET URL/v3 ("000" when nothing answers).
v3_status() {
  curl -s -o /dev/null -m 5 -w '%{http_code}' "$1/v3" 2>/dev/null || true
}

# On any failure of start: say so, show the logs, stop what runs, remove DIR.
abort_start() {
  set +e
  say "Keystone did not start"
  show_logs
  local job
  for job in $(jobs -p); do kill "$job" 2>/dev/null; done
  wait
  stop_server
  remove_dir
  exit 1
}

start() {
  local t0=$SECONDS t_serve port url password pg code
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then say "$dir exists and is not empty"; exit 1; fi
  mkdir -p "$dir/log"
  : >"$dir/$MARK"
  # From here on, any failure (or an interrupt) stops what was started and removes DIR.
  trap abort_start EXIT
  trap 'exit 1' INT TERM

  if [ -n "${KEYSTONE_SHARE_DIR:-}" ]; then
    local shared
    shared=$(cd "$KEYSTONE_SHARE_DIR" && pwd)/root
    [ -x "$shared/usr/bin/keystone-manage" ] || { say "KEYSTONE_SHARE_DIR=$KEYSTONE_SHARE_DIR has no unpacked Keystone"; exit 1; }
    ln -s "$shared" "$root"
  else
    fetch_and_unpack
    say "unpacked $(du -sh "$root" | cut -f1) in $((SECONDS - t0)) s"
  fi
  write_config
  keystone_env

  # Two rounds of keystone-manage, two processes at a time (the machine may have 2 cores). The
  # first round compiles the .pyc files the later processes reuse. The workers need the token
  # keys (fernet_setup) to load the app but no database row (GET /v3 reads none): they start
  # while bootstrap fills the database and credential_setup makes the credential keys.
  local me group failed=0 job
  me=$(id -un)
  group=$(id -gn)
  manage db_sync db_sync &
  job=$!
  manage fernet_setup fernet_setup --keystone-user "$me" --keystone-group "$group" || failed=1
  wait "$job" || failed=1
  [ "$failed" = 0 ]
  # WAL journal (it stays set in the file): readers never wait for a writer.
  "$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$dir/keystone.sqlite" >/dev/null

  port=$(free_port)
  url=http://127.0.0.1:$port
  serve "$port"
  t_serve=$SECONDS
  manage credential_setup credential_setup --keystone-user "$me" --keystone-group "$group" &
  job=$!
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
  # The password goes through the environment (keystone-manage reads OS_BOOTSTRAP_PASSWORD),
  # never on a command line, where ps would show it.
  OS_BOOTSTRAP_PASSWORD=$password manage bootstrap bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$url/v3" --bootstrap-internal-url "$url/v3" --bootstrap-public-url "$url/v3" || failed=1
  wait "$job" || failed=1
  [ "$failed" = 0 ]

  pg=$(cat "$dir/uwsgi.pgid")
  while :; do
    code=$(v3_status "$url")
    [ "$code" = 200 ] && break
    if ! kill -0 "$pg" 2>/dev/null; then say "uWSGI exited before answering on port $port"; exit 1; fi
    if [ $((SECONDS - t_serve)) -ge "$start_timeout" ]; then
      say "GET $url/v3 still answers ${code} after ${start_timeout} s"
      exit 1
    fi
    sleep 0.2
  done

  (
    umask 077
    printf 'export KEYSTONE_URL=%s\nexport KEYSTONE_ADMIN_PASSWORD=%s\nexport KEYSTONE_DIR=%s\n' "$url" "$password" "$dir" >"$dir/env"
  )
  chmod 600 "$dir/env"
  trap - EXIT
  say "Keystone ready at $url in $((SECONDS - t0)) s (state in $dir)"
}

case "$cmd" in
  start)
    start
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    [ -e "$dir/$MARK" ] || { say "$dir is not a keystone.sh state directory: left alone"; exit 1; }
    stop_server
    remove_dir
    ;;
  *)
    say "unknown command $cmd"
    exit 2
    ;;
esac
