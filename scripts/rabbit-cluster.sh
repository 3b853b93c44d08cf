#!/usr/bin/env bash
# A private 3-node RabbitMQ cluster (Debian's rabbitmq-server) on free loopback ports, for
# failover tests. Data, logs and the Erlang cookie live under DIR; node names carry a tag
# derived from DIR, so two clusters (or scripts/servers.sh) never collide.
#
#   rabbit-cluster.sh start DIR        boot the three nodes and cluster them; when the cluster
#                                      already runs, boot the nodes that are down (they rejoin)
#   rabbit-cluster.sh stop DIR [N]     stop node N (1-3) gracefully, data kept; without N, stop
#                                      all and remove DIR
#   rabbit-cluster.sh kill DIR N       SIGKILL node N's Erlang VM (beam.smp), as a crash would
#   rabbit-cluster.sh status DIR       each node up/down and the cluster's running nodes;
#                                      exit 3 when a node is down
#   rabbit-cluster.sh queues DIR [VHOST]  "<queue> <node 1-3>" per queue of VHOST (default /): the
#                                      node a classic queue lives on, or a quorum queue's leader
#                                      (asked on a live node)
#   rabbit-cluster.sh vhost DIR NAME   add virtual host NAME (idempotent), the private user may use
#                                      it: tests that declare the same queues with other arguments
#                                      (classic/quorum) each take their own
#
# DIR/env (mode 600) exports TRANSPORT_URL naming all three nodes with a private user whose
# random password is only in that file; the guest user is deleted.
set -euo pipefail
# shellcheck source=lib/pgroup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pgroup.sh"

cmd=${1:?usage: rabbit-cluster.sh start|stop|kill|status|queues|vhost DIR [NODE|NAME]}
dir=${2:?state directory}
node_arg=${3:-}
NODES=(1 2 3)

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "rabbit-cluster.sh: $3 did not open port $1 within $2 s" >&2
  return 1
}

check_node() {
  case "$1" in 1 | 2 | 3) ;; *) echo "rabbit-cluster.sh: NODE must be 1, 2 or 3 (got '$1')" >&2; exit 2 ;; esac
}

# The environment of node $1 (its own HOME with a copy of the cookie: the VM's -home then tells
# the three VMs apart in /proc).
node_env() {
  local i=$1 port_var="PORT_$1" dist_var="DIST_$1"
  # shellcheck disable=SC1091
  source "$dir/rabbit/cluster.env"
  export HOME="$dir/rabbit/n$i" RABBITMQ_NODENAME="$TAG-$i@localhost" RABBITMQ_NODE_PORT=${!port_var} \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=${!dist_var} RABBITMQ_MNESIA_BASE="$dir/rabbit/n$i/mnesia" \
    RABBITMQ_LOG_BASE="$dir/rabbit/n$i/log" RABBITMQ_CONFIG_FILE="$dir/rabbit/rabbitmq" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/rabbit/advanced.config" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbit/enabled_plugins" \
    RABBITMQ_PID_FILE="$dir/rabbit/n$i/pid" ERL_EPMD_PORT=$EPMD_PORT
  unset RABBITMQ_ALLOW_INPUT
}

ctl() { /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" -q "$@"; }

# Is pid $1 a live (not zombie) beam.smp whose -home is $2?
is_vm_of() {
  local args
  [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = beam.smp ] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null || return 1
  args=$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  grep -qxF "$2" <<<"$args"
}

# The pid of node $1's Erlang VM: its pid file when that still names it, else a scan of /proc.
vm_pid() {
  local home="$dir/rabbit/n$1" pid p
  pid=$(cat "$home/pid" 2>/dev/null || true)
  if is_vm_of "$pid" "$home"; then echo "$pid"; return 0; fi
  for p in /proc/[0-9]*; do
    if is_vm_of "${p#/proc/}" "$home"; then echo "${p#/proc/}"; return 0; fi
  done
  return 1
}


node_boot() {
  node_env "$1"
  /usr/lib/rabbitmq/bin/rabbitmq-server >>"$dir/rabbit/n$1/stdout.log" 2>&1 &
  echo $! >"$dir/rabbit/n$1/server.pid"
  ctl wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || ctl await_startup --timeout 120
  wait_port "$RABBITMQ_NODE_PORT" 60 "RabbitMQ node $1"
}

node_kill() {
  local pid
  node_env "$1"
  pid=$(vm_pid "$1") || { echo "rabbit-cluster.sh: node $1 in $dir is not running" >&2; return 1; }
  kill -KILL "$pid"
  for _ in $(seq 1 300); do
    if all_threads_exited "$pid"; then
      # A stale pid file would make the next boot's `rabbitmqctl wait` watch the dead VM.
      rm -f "$RABBITMQ_PID_FILE"
      return 0
    fi
    sleep 0.1
  done
  echo "rabbit-cluster.sh: node $1 (pid $pid) still there 30 s after SIGKILL" >&2
  return 1
}

node_stop() {
  local pid
  node_env "$1"
  pid=$(vm_pid "$1") || return 0
  ctl shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do all_threads_exited "$pid" && break; sleep 0.1; done
  all_threads_exited "$pid" || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RABBITMQ_PID_FILE"
}

# Definitions carry only a salted SHA-256 of the password (RabbitMQ's default hashing), so the
# password never reaches a command line; the file is private and removed after the import.
import_user() {
  local defs="$dir/rabbit/definitions.json"
  (umask 077 && node -e '
    const { createHash, randomBytes } = require("crypto");
    const fs = require("fs");
    const pass = fs.readFileSync(process.argv[1], "utf8").trim();
    const salt = randomBytes(4);
    const hash = Buffer.concat([salt, createHash("sha256").update(Buffer.concat([salt, Buffer.from(pass)])).digest()]);
    fs.writeFileSync(process.argv[2], JSON.stringify({
      users: [{ name: "attachd", password_hash: hash.toString("base64"), hashing_algorithm: "rabbit_password_hashing_sha256", tags: ["administrator"] }],
      vhosts: [{ name: "/" }],
      permissions: [{ user: "attachd", vhost: "/", configure: ".*", write: ".*", read: ".*" }],
    }));' "$dir/rabbit/password" "$defs")
  ctl import_definitions "$defs" >/dev/null
  rm -f "$defs"
  ctl delete_user guest >/dev/null 2>&1 || true
}

write_env() {
  # shellcheck disable=SC1091
  source "$dir/rabbit/cluster.env"
  local pass hosts="" i port_var
  pass=$(cat "$dir/rabbit/password")
  for i in "${NODES[@]}"; do
    port_var="PORT_$i"
    hosts+="${hosts:+,}attachd:$pass@127.0.0.1:${!port_var}"
  done
  (umask 077 && {
    echo "export TRANSPORT_URL=rabbit://$hosts/"
    echo "export ATTACHD_RABBIT_CLUSTER_DIR=$dir"
  } >"$dir/env")
}

init() {
  local i
  mkdir -p "$dir/rabbit"
  chmod 700 "$dir/rabbit"
  {
    echo "TAG=attachd-$(printf '%s' "$(realpath "$dir")" | sha256sum | cut -c1-10)"
    echo "EPMD_PORT=$(free_port)"
    for i in "${NODES[@]}"; do echo "PORT_$i=$(free_port)"; echo "DIST_$i=$(free_port)"; done
  } >"$dir/rabbit/cluster.env"
  echo '[].' >"$dir/rabbit/enabled_plugins"
  # Tight disk/memory alarms off for small machines; a node that finds its peers down at boot
  # waits for them (the default 10 x 30 s would outlast any test), then starts alone.
  printf '%s\n' 'disk_free_limit.absolute = 50MB' 'log.console = false' 'loopback_users.guest = true' \
    'mnesia_table_loading_retry_limit = 3' 'mnesia_table_loading_retry_timeout = 10000' >"$dir/rabbit/rabbitmq.conf"
  echo '[].' >"$dir/rabbit/advanced.config"
  (umask 077 && head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/rabbit/cookie" &&
    head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/rabbit/password")
  for i in "${NODES[@]}"; do
    mkdir -p "$dir/rabbit/n$i/mnesia" "$dir/rabbit/n$i/log"
    cp "$dir/rabbit/cookie" "$dir/rabbit/n$i/.erlang.cookie"
    chmod 600 "$dir/rabbit/n$i/.erlang.cookie"
  done
}

cluster_start() {
  local i pids=() first=
  if ! command -v /usr/lib/rabbitmq/bin/rabbitmq-server >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "rabbit-cluster.sh: rabbitmq-server is missing; need root to install it" >&2; exit 1; }
    # Package scripts must not start the system service: we run private nodes.
    local policy_added=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
    [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  fi
  if [ ! -f "$dir/rabbit/cluster.env" ]; then init; first=1; fi
  # Nodes boot in parallel: a fresh node boots standalone and joins below; a known node that
  # was down finds its running peers and rejoins by itself.
  for i in "${NODES[@]}"; do
    if ! vm_pid "$i" >/dev/null; then node_boot "$i" & pids+=($!); fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  if [ -n "$first" ]; then
    node_env 1
    local seed=$RABBITMQ_NODENAME
    for i in 2 3; do
      node_env "$i"
      ctl stop_app >/dev/null
      ctl join_cluster "$seed" >/dev/null
      ctl start_app >/dev/null
      wait_port "$RABBITMQ_NODE_PORT" 60 "RabbitMQ node $i"
    done
    node_env 1
    import_user
    write_env
  fi
}

status() {
  local i down=0 running=
  for i in "${NODES[@]}"; do
    node_env "$i"
    if vm_pid "$i" >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$RABBITMQ_NODE_PORT") 2>/dev/null; then
      echo "node $i $RABBITMQ_NODENAME 127.0.0.1:$RABBITMQ_NODE_PORT up"
      running=$i
    else
      echo "node $i $RABBITMQ_NODENAME 127.0.0.1:$RABBITMQ_NODE_PORT down"
      down=1
    fi
  done
  if [ -n "$running" ]; then
    node_env "$running"
    ctl eval 'io:format("running: ~s~n", [lists:join(" ", [atom_to_list(N) || N <- rabbit_nodes:all_running()])]).' 2>/dev/null |
      grep '^running' || true
  fi
  [ "$down" -eq 0 ] || exit 3
}

queues() {
  local i
  for i in "${NODES[@]}"; do
    node_env "$i"
    if vm_pid "$i" >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$RABBITMQ_NODE_PORT") 2>/dev/null; then
      # name, pid (<node.x.y.z> of a classic queue), leader (a quorum queue's node): "name N".
      ctl list_queues -p "${node_arg:-/}" name pid leader --no-table-headers |
        awk -F'\t' -v tag="$TAG-" '{ n = ($3 != "" ? $3 : $2); sub(/^</, "", n); sub(/@.*/, "", n); sub(tag, "", n); print $1, n }'
      return 0
    fi
  done
  echo "rabbit-cluster.sh: no node is up" >&2
  return 3
}

# Asked on the first live node; the definition is cluster-wide.
add_vhost() {
  local i
  [ -n "$node_arg" ] || { echo "rabbit-cluster.sh: vhost needs a NAME" >&2; exit 2; }
  for i in "${NODES[@]}"; do
    node_env "$i"
    if vm_pid "$i" >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$RABBITMQ_NODE_PORT") 2>/dev/null; then
      ctl add_vhost "$node_arg" >/dev/null 2>&1 || ctl list_vhosts name | grep -qxF -- "$node_arg"
      ctl set_permissions -p "$node_arg" attachd '.*' '.*' '.*' >/dev/null
      return 0
    fi
  done
  echo "rabbit-cluster.sh: no node is up" >&2
  return 3
}

case "$cmd" in
  start) cluster_start ;;
  vhost) add_vhost ;;
  queues) queues ;;
  stop)
    [ -f "$dir/rabbit/cluster.env" ] || exit 0
    if [ -n "$node_arg" ]; then check_node "$node_arg"; node_stop "$node_arg"; exit 0; fi
    for i in "${NODES[@]}"; do node_stop "$i" & done
    wait
    node_env 1
    /usr/lib/erlang/bin/epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  kill)
    check_node "$node_arg"
    node_kill "$node_arg"
    ;;
  status) status ;;
  *)
    echo "rabbit-cluster.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
