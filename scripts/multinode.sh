#!/usr/bin/env bash
# Multi-node layout on one machine: every service a separate process over ONE RabbitMQ and ONE
# MariaDB, as on a small real deployment. Needs the compiled tree (npm run build; run here when
# dist/ is missing) and root (each cinder-volume runs its own tgtd).
#
#   multinode.sh start DIR    write DIR/<name>.conf, db sync, start, wait for "Started <binary>"
#   multinode.sh stop DIR     SIGTERM every daemon (SIGKILL after STOP_TIMEOUT s), then any tgtd left, private servers
#   multinode.sh status DIR   each daemon's pid and whether it runs; the endpoints
#
# Processes: nova-api-1, nova-api-2 (two ports), compute1, compute2 (nova-compute), cinder-api,
# store1, store2 (cinder-volume, enabled_backends = tgt → services store1@tgt, store2@tgt).
# Logs in DIR/logs/<name>.log, pids in DIR/pids/<name>.pid.
#
# Environment:
#   TRANSPORT_URL, NOVA_DATABASE_URL, CINDER_DATABASE_URL   servers to use; when one is unset,
#       private ones are started with scripts/servers.sh in DIR/servers (stopped by `stop`)
#   NOVA_API_PORTS="P1 P2", CINDER_API_PORT, ISCSI_PORTS="P1 P2", TGT_CONTROL_PORTS="C1 C2" (<= 32767)
#       default: free loopback ports
#   SERVICE_DOWN_TIME (10), REPORT_INTERVAL (1), RPC_RESPONSE_TIMEOUT (30)
#   VOLUME_CONNECTOR (iscsi: CHAP login against tgt through libiscsi; or fake)
#   NOVA_CONF_EXTRA, CINDER_CONF_EXTRA   files appended to every generated nova / cinder config
#       (their own [section] lines; e.g. reconciler intervals, [oslo_messaging_rabbit] options)
#   START_TIMEOUT (30), STOP_TIMEOUT (20) seconds
set -euo pipefail

usage() {
  sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || usage
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/node-flags.sh
source "$root/scripts/lib/node-flags.sh"

# name:binary, in start order (stop goes the other way).
DAEMONS=(store1:cinder-volume store2:cinder-volume cinder-api:cinder-api compute1:nova-compute compute2:nova-compute
  nova-api-1:nova-api nova-api-2:nova-api)

started=0

die() { echo "multinode.sh: $*" >&2; exit 1; }

# N distinct free loopback ports (all bound at once, so they differ).
free_ports() {
  node -e '
    const net = require("net"); const n = Number(process.argv[1]); const s = [];
    const next = () => { if (s.length === n) { console.log(s.map((x) => x.address().port).join(" ")); s.forEach((x) => x.close()); return; }
      const x = net.createServer(); x.listen(0, "127.0.0.1", () => { s.push(x); next(); }); };
    next();' "$1"
}

# A tgtd control port (tgtd takes 0-32767) no running tgtd answers on.
free_control_port() {
  local n i
  for ((i = 0; i < 50; i++)); do
    n=$((2000 + RANDOM % 30000))
    if ! timeout 5 tgtadm -C "$n" --lld iscsi --op show --mode target >/dev/null 2>&1; then echo "$n"; return 0; fi
  done
  die "no free tgtd control port found"
}

pid_of() { cat "$dir/pids/$1.pid" 2>/dev/null || true; }

# Is pid $1 alive and still our binary $2 (not a recycled pid)?
is_ours() {
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "dist/bin/$2.js"
}

# Live (not zombie) tgtd processes with control port $1, orphans of SIGKILLed cinder-volumes included.
tgtd_pids() {
  local p args
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = tgtd ] || continue
    ! grep -q '^State:[[:space:]]*Z' "$p/status" 2>/dev/null || continue
    args=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    case " $args" in *" -C $1 "* | *" --control-port $1 "* | *" --control-port=$1 "*) echo "${p#/proc/}" ;; esac
  done
}

# Have all threads of these pids exited within $1 tenths of a second? A killed tgtd shows a
# zombie leader while its other threads, still holding its sockets, exit.
exited_within() { # tenths pid...
  local n=$1 i p t st busy
  shift
  for ((i = 0; i <= n; i++)); do
    busy=0
    for p in "$@"; do
      for t in /proc/"$p"/task/*/stat; do
        st=$(cat "$t" 2>/dev/null) || continue
        st=${st##*) }
        case ${st%% *} in Z | X) ;; *) busy=1 ;; esac
      done
    done
    if [ $busy = 0 ]; then return 0; fi
    if [ "$i" -lt "$n" ]; then sleep 0.1; fi
  done
  return 1
}

# tgtd's own stop (refused while targets exist), then SIGTERM (ignored then too), then SIGKILL.
stop_tgtd() { # control-port pid-file
  local pids
  pids=($(tgtd_pids "$1"))
  if [ ${#pids[@]} -gt 0 ]; then
    if ! { timeout 5 tgtadm -C "$1" --lld iscsi --op delete --mode system >/dev/null 2>&1 && exited_within 50 "${pids[@]}"; }; then
      kill -TERM "${pids[@]}" 2>/dev/null || true
      if ! exited_within 20 "${pids[@]}"; then
        kill -KILL "${pids[@]}" 2>/dev/null || true
        exited_within 50 "${pids[@]}" || echo "multinode.sh: tgtd on control port $1 (pids ${pids[*]}) survived SIGKILL" >&2
      fi
    fi
  fi
  rm -f "$2"
}

log_tail() { echo "--- last lines of $dir/logs/$1.log:" >&2; tail -n 40 "$dir/logs/$1.log" >&2 2>/dev/null || true; }

write_nova_conf() { # name [api-port]
  cat >"$dir/$1.conf" <<EOF
# $1 (generated by scripts/multinode.sh; transport_url and [database] come from the environment, see $dir/env)
[DEFAULT]
host = $1
my_ip = 127.0.0.1
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = ${2:-8774}
rpc_response_timeout = $RPC_RESPONSE_TIMEOUT
report_interval = $REPORT_INTERVAL
service_down_time = $SERVICE_DOWN_TIME

[api]
auth_strategy = noauth2

[cinder]
endpoint = http://127.0.0.1:$CINDER_API_PORT/v3/%(project_id)s
http_timeout = 60

[compute]
volume_connector = $VOLUME_CONNECTOR
initiator_name = iqn.2010-10.org.attachd:$1
EOF
}

write_cinder_conf() { # name [iscsi-port control-port]
  cat >"$dir/$1.conf" <<EOF
# $1 (generated by scripts/multinode.sh; transport_url and [database] come from the environment, see $dir/env)
[DEFAULT]
host = $1
enabled_backends = tgt
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $CINDER_API_PORT
rpc_response_timeout = $RPC_RESPONSE_TIMEOUT
report_interval = $REPORT_INTERVAL
service_down_time = $SERVICE_DOWN_TIME

[api]
auth_strategy = noauth2

[nova]
# Cinder asks Nova before it deletes an attachment Nova may use, and tells it when an attached
# volume grew: through the first nova-api.
endpoint_template = http://127.0.0.1:${np[0]}/v2.1
EOF
  [ $# -eq 3 ] || return 0
  cat >>"$dir/$1.conf" <<EOF

[tgt]
volume_driver = tgt
volume_backend_name = tgt
volumes_dir = $dir/volumes/$1
target_ip_address = 127.0.0.1
target_port = $2
tgt_control_port = $3
tgt_start_daemon = true
EOF
}

append_extra() { # file name...
  local extra=$1 n
  shift
  [ -n "$extra" ] || return 0
  [ -r "$extra" ] || die "cannot read $extra"
  for n in "$@"; do { echo; echo "# appended from $extra"; cat "$extra"; } >>"$dir/$n.conf"; done
}

endpoints() {
  local p
  # shellcheck disable=SC1091
  source "$dir/multinode.env"
  set -- $NOVA_API_PORTS
  echo "nova-api-1   http://127.0.0.1:$1/v2.1"
  echo "nova-api-2   http://127.0.0.1:$2/v2.1"
  echo "cinder-api   http://127.0.0.1:$CINDER_API_PORT/v3"
  set -- $ISCSI_PORTS
  p=($TGT_CONTROL_PORTS)
  echo "store1@tgt   iSCSI portal 127.0.0.1:$1 (tgtd control port ${p[0]})"
  echo "store2@tgt   iSCSI portal 127.0.0.1:$2 (tgtd control port ${p[1]})"
  echo "compute1, compute2: nova-compute (connector $VOLUME_CONNECTOR)"
}

do_stop() {
  local entry name bin pid pids=() deadline i ports
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    entry=${DAEMONS[$i]}; name=${entry%%:*}; bin=${entry#*:}
    pid=$(pid_of "$name")
    if is_ours "$pid" "$bin"; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid:$name"); fi
  done
  deadline=$((SECONDS + ${STOP_TIMEOUT:-20}))
  for entry in ${pids[@]+"${pids[@]}"}; do
    pid=${entry%%:*}
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "multinode.sh: ${entry#*:} (pid $pid) still running after ${STOP_TIMEOUT:-20} s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$dir"/pids/*.pid
  # A SIGKILLed cinder-volume (here or earlier) leaves its tgtd running: stop what is left.
  if [ -f "$dir/multinode.env" ]; then
    # shellcheck disable=SC1091
    source "$dir/multinode.env"
    ports=($TGT_CONTROL_PORTS)
    for i in 0 1; do
      if [ -n "${ports[$i]:-}" ]; then stop_tgtd "${ports[$i]}" "$dir/volumes/store$((i + 1))/tgtd-${ports[$i]}.pid"; fi
    done
  fi
  if [ -f "$dir/servers/env" ]; then bash "$root/scripts/servers.sh" stop "$dir/servers"; fi
}

do_status() {
  local entry name bin pid state rc=0
  [ -f "$dir/multinode.env" ] || die "$dir holds no multinode layout (run start first)"
  for entry in "${DAEMONS[@]}"; do
    name=${entry%%:*}; bin=${entry#*:}
    pid=$(pid_of "$name")
    if is_ours "$pid" "$bin"; then state=running; else state=stopped; rc=3; fi
    printf '%-11s %-14s %-8s %s\n' "$name" "$bin" "${pid:--}" "$state"
  done
  endpoints
  return $rc
}

start_one() { # name binary
  : >"$dir/logs/$1.log"
  # setsid: the daemons outlive the shell (and its terminal) that ran start.
  # shellcheck disable=SC2046 # the bin's node options, one word each
  setsid $(node_cmd "$root/dist/bin/$2.js") "$root/dist/bin/$2.js" --config-file "$dir/$1.conf" </dev/null >>"$dir/logs/$1.log" 2>&1 &
  echo $! >"$dir/pids/$1.pid"
}

wait_started() { # name binary deadline
  local pid
  pid=$(pid_of "$1")
  until grep -q "Started $2\b" "$dir/logs/$1.log"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "multinode.sh: $1 exited before it started" >&2; log_tail "$1"; return 1; fi
    if [ $SECONDS -ge "$3" ]; then echo "multinode.sh: $1 did not log 'Started $2' within ${START_TIMEOUT} s" >&2; log_tail "$1"; return 1; fi
    sleep 0.2
  done
}

do_start() {
  local entry name bin deadline p c
  [ "$(id -u)" = 0 ] || [ "${VOLUME_CONNECTOR:-iscsi}" != iscsi ] || echo "multinode.sh: warning: tgtd usually needs root" >&2
  for entry in "${DAEMONS[@]}"; do
    name=${entry%%:*}; bin=${entry#*:}
    if is_ours "$(pid_of "$name")" "$bin"; then die "$name is already running in $dir (stop it first)"; fi
  done
  # From here on a failed start leaves nothing running (daemons, private servers).
  trap '[ "$started" = 1 ] || { echo "multinode.sh: start failed; stopping what was started" >&2; do_stop; }' EXIT
  if [ ! -f "$root/dist/bin/nova-api.js" ]; then
    echo "multinode.sh: dist/ is missing, running npm run build" >&2
    (cd "$root" && npm run --silent build)
  fi
  mkdir -p "$dir/logs" "$dir/pids" "$dir/volumes"
  : "${SERVICE_DOWN_TIME:=10}" "${REPORT_INTERVAL:=1}" "${RPC_RESPONSE_TIMEOUT:=30}" "${VOLUME_CONNECTOR:=iscsi}" "${START_TIMEOUT:=30}"

  if [ -z "${TRANSPORT_URL:-}" ] || [ -z "${NOVA_DATABASE_URL:-}" ] || [ -z "${CINDER_DATABASE_URL:-}" ]; then
    local keep_t=${TRANSPORT_URL:-} keep_n=${NOVA_DATABASE_URL:-} keep_c=${CINDER_DATABASE_URL:-}
    echo "multinode.sh: starting private RabbitMQ and MariaDB in $dir/servers" >&2
    bash "$root/scripts/servers.sh" start "$dir/servers"
    # shellcheck disable=SC1091
    source "$dir/servers/env"
    TRANSPORT_URL=${keep_t:-$TRANSPORT_URL}
    NOVA_DATABASE_URL=${keep_n:-$NOVA_DATABASE_URL}
    CINDER_DATABASE_URL=${keep_c:-$CINDER_DATABASE_URL}
  fi
  export TRANSPORT_URL NOVA_DATABASE_URL CINDER_DATABASE_URL
  # The URLs carry passwords: kept out of the configs and the output, in an owner-only file.
  (umask 077 && printf 'export TRANSPORT_URL=%q\nexport NOVA_DATABASE_URL=%q\nexport CINDER_DATABASE_URL=%q\n' \
    "$TRANSPORT_URL" "$NOVA_DATABASE_URL" "$CINDER_DATABASE_URL" >"$dir/env")

  if [ -z "${NOVA_API_PORTS:-}" ] || [ -z "${CINDER_API_PORT:-}" ] || [ -z "${ISCSI_PORTS:-}" ]; then
    p=($(free_ports 5))
    : "${NOVA_API_PORTS:=${p[0]} ${p[1]}}" "${CINDER_API_PORT:=${p[2]}}" "${ISCSI_PORTS:=${p[3]} ${p[4]}}"
  fi
  NOVA_API_PORTS=${NOVA_API_PORTS//,/ } ISCSI_PORTS=${ISCSI_PORTS//,/ }
  if [ -z "${TGT_CONTROL_PORTS:-}" ]; then
    c=$(free_control_port)
    for _ in 1 2 3 4 5; do p=$(free_control_port); [ "$p" = "$c" ] || break; done
    [ "$p" != "$c" ] || die "no second free tgtd control port found"
    TGT_CONTROL_PORTS="$c $p"
  fi
  TGT_CONTROL_PORTS=${TGT_CONTROL_PORTS//,/ }
  local np=($NOVA_API_PORTS) ip=($ISCSI_PORTS) cp=($TGT_CONTROL_PORTS)
  [ ${#np[@]} -eq 2 ] && [ ${#ip[@]} -eq 2 ] && [ ${#cp[@]} -eq 2 ] || die "NOVA_API_PORTS, ISCSI_PORTS and TGT_CONTROL_PORTS take two ports each"
  for c in "${cp[@]}"; do [ "$c" -ge 1 ] && [ "$c" -le 32767 ] || die "tgtd control port $c is not in 1-32767"; done
  cat >"$dir/multinode.env" <<EOF
NOVA_API_PORTS="$NOVA_API_PORTS"
CINDER_API_PORT=$CINDER_API_PORT
ISCSI_PORTS="$ISCSI_PORTS"
TGT_CONTROL_PORTS="$TGT_CONTROL_PORTS"
SERVICE_DOWN_TIME=$SERVICE_DOWN_TIME
REPORT_INTERVAL=$REPORT_INTERVAL
VOLUME_CONNECTOR=$VOLUME_CONNECTOR
EOF

  write_nova_conf nova-api-1 "${np[0]}"
  write_nova_conf nova-api-2 "${np[1]}"
  write_nova_conf compute1
  write_nova_conf compute2
  write_cinder_conf cinder-api
  write_cinder_conf store1 "${ip[0]}" "${cp[0]}"
  write_cinder_conf store2 "${ip[1]}" "${cp[1]}"
  append_extra "${NOVA_CONF_EXTRA:-}" nova-api-1 nova-api-2 compute1 compute2
  append_extra "${CINDER_CONF_EXTRA:-}" cinder-api store1 store2

  if ! node "$root/dist/bin/nova-manage.js" --config-file "$dir/nova-api-1.conf" db sync >"$dir/logs/nova-manage.log" 2>&1; then
    log_tail nova-manage; die "nova-manage db sync failed"
  fi
  if ! node "$root/dist/bin/cinder-manage.js" --config-file "$dir/cinder-api.conf" db sync >"$dir/logs/cinder-manage.log" 2>&1; then
    log_tail cinder-manage; die "cinder-manage db sync failed"
  fi

  for entry in "${DAEMONS[@]}"; do start_one "${entry%%:*}" "${entry#*:}"; done
  deadline=$((SECONDS + START_TIMEOUT))
  for entry in "${DAEMONS[@]}"; do
    wait_started "${entry%%:*}" "${entry#*:}" "$deadline" || exit 1
  done
  started=1

  echo "multinode: all services started ($dir)"
  endpoints | sed 's/^/  /'
  echo "  logs: $dir/logs/<name>.log  pids: $dir/pids/<name>.pid  server URLs: source $dir/env"
  echo "Try (noauth2; the CLI's default token is admin:admin):"
  echo "  node $root/dist/bin/attachd.js --os-compute-url http://127.0.0.1:${np[0]}/v2.1 --os-volume-url http://127.0.0.1:$CINDER_API_PORT/v3 server-list"
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    do_start
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    do_stop
    echo "multinode: stopped ($dir)"
    ;;
  status)
    [ -d "$dir" ] || die "no such directory: $dir"
    dir=$(cd "$dir" && pwd)
    do_status
    ;;
  *)
    usage
    ;;
esac
