#!/usr/bin/env bash
# Private RabbitMQ and MariaDB for the test suite: free loopback ports, data in a temporary
# directory, never the system instances. State lives in $ATTACHD_SERVERS_DIR/env.
#
#   servers.sh start DIR        start both, write DIR/env (TRANSPORT_URL, *_DATABASE_URL, ...)
#   servers.sh stop DIR         stop both and remove DIR
#   servers.sh broker-stop|broker-start|db-stop|db-start DIR   (fault tests)
#   servers.sh broker-sync DIR    sync the broker's Mnesia log: what it committed survives a broker-kill
#   servers.sh broker-kill DIR    SIGKILL the broker's Erlang VM (beam.smp), as a crash would
#   servers.sh broker-boot DIR    start that node again on the same data: durable queues come
#                                 back, transient ones are gone
#   servers.sh queues DIR         the broker's queues (name, type, durable, auto_delete, arguments) as JSON
#   servers.sh consumers DIR      the broker's consumers (queue name, consumer arguments) as JSON
#   servers.sh vhost-add DIR NAME / vhost-delete DIR NAME   a virtual host guest may use (another
#                                 service's queues apart, e.g. scripts/cinder-oracle.sh)
set -euo pipefail
# shellcheck source=lib/pgroup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pgroup.sh"

cmd=${1:?usage: servers.sh start|stop|broker-stop|broker-start|broker-sync|broker-kill|broker-boot|queues|consumers|vhost-add|vhost-delete|db-stop|db-start DIR}
dir=${2:?state directory}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

rabbit_env() {
  # shellcheck disable=SC1091
  source "$dir/rabbit.env"
  export HOME="$dir/rabbit" RABBITMQ_NODENAME RABBITMQ_NODE_PORT RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_DIST_PORT RABBITMQ_MNESIA_BASE="$dir/rabbit/mnesia" RABBITMQ_LOG_BASE="$dir/rabbit/log" \
    RABBITMQ_CONFIG_FILE="$dir/rabbit/rabbitmq" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/rabbit/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbit/enabled_plugins" RABBITMQ_PID_FILE="$dir/rabbit/pid" \
    ERL_EPMD_PORT
  unset RABBITMQ_ALLOW_INPUT
}

ctl() { /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" -q "$@"; }

wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "servers.sh: $3 did not open port $1 within $2 s" >&2
  return 1
}

broker_start() {
  rabbit_env
  /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/rabbit/stdout.log" 2>&1 &
  echo $! >"$dir/rabbit/server.pid"
  ctl wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || ctl await_startup --timeout 90
  wait_port "$RABBITMQ_NODE_PORT" 60 RabbitMQ
}

# Is pid $1 a live (not zombie) beam.smp of our node? Its -home is our $dir/rabbit.
is_our_vm() {
  local args
  [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = beam.smp ] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null || return 1
  args=$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  grep -qxF "$dir/rabbit" <<<"$args"
}

# The pid of our node's Erlang VM: the pid file when it still names it, else a scan of /proc.
broker_vm_pid() {
  local pid p
  pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
  if is_our_vm "$pid"; then echo "$pid"; return 0; fi
  for p in /proc/[0-9]*; do
    if is_our_vm "${p#/proc/}"; then echo "${p#/proc/}"; return 0; fi
  done
  return 1
}


broker_kill() {
  local pid
  rabbit_env
  pid=$(broker_vm_pid) || { echo "servers.sh: no running RabbitMQ node in $dir" >&2; return 1; }
  kill -KILL "$pid"
  for _ in $(seq 1 300); do
    if all_threads_exited "$pid"; then
      # A stale pid file would make the next boot's `rabbitmqctl wait` watch the dead VM.
      rm -f "$RABBITMQ_PID_FILE"
      return 0
    fi
    sleep 0.1
  done
  echo "servers.sh: RabbitMQ VM (pid $pid) still there 30 s after SIGKILL" >&2
  return 1
}

db_start() {
  # shellcheck disable=SC1091
  source "$dir/db.env"
  # Already serving this datadir: a second mariadbd would only fight it for the files.
  if [ -n "$(db_pids)" ]; then wait_port "$DB_PORT" 60 MariaDB; return; fi
  /usr/sbin/mariadbd --no-defaults --datadir="$dir/db/data" --port="$DB_PORT" --bind-address=127.0.0.1 \
    --socket="$dir/db/mysqld.sock" --pid-file="$dir/db/mysqld.pid" --user=root --skip-name-resolve \
    --skip-log-bin --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --max-connections=1000 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --log-error="$dir/db/error.log" >/dev/null 2>&1 &
  echo $! >"$dir/db/server.pid"
  wait_port "$DB_PORT" 60 MariaDB
}

# Every mariadbd serving this datadir (whoever started it, whatever pid file it left).
db_pids() { pgrep -f -- "--datadir=$dir/db/data( |$)" || true; }

db_stop() {
  local pids
  pids=$(db_pids)
  [ -n "$pids" ] || return 0
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 300); do [ -z "$(db_pids)" ] && return 0; sleep 0.1; done
  kill -9 $(db_pids) 2>/dev/null || true
}

case "$cmd" in
  start)
    mkdir -p "$dir/rabbit/mnesia" "$dir/rabbit/log" "$dir/db"
    node_name="attachd$$-$RANDOM@localhost"
    cat >"$dir/rabbit.env" <<EOV
RABBITMQ_NODENAME=$node_name
RABBITMQ_NODE_PORT=$(free_port)
RABBITMQ_DIST_PORT=$(free_port)
ERL_EPMD_PORT=$(free_port)
EOV
    echo '[].' >"$dir/rabbit/enabled_plugins"
    # guest may log in over loopback only (the default); tight disk/memory alarms off for small machines.
    printf 'loopback_users.guest = true\ndisk_free_limit.absolute = 50MB\nlog.console = false\n' >"$dir/rabbit/rabbitmq.conf"
    echo '[].' >"$dir/rabbit/advanced.config"
    head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/rabbit/.erlang.cookie"
    chmod 400 "$dir/rabbit/.erlang.cookie"
    printf 'DB_PORT=%s\nDB_PASSWORD=%s\n' "$(free_port)" "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$dir/db.env"
    /usr/bin/mariadb-install-db --no-defaults --datadir="$dir/db/data" --user=root \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/db/install.log" 2>&1
    broker_start &
    b=$!
    db_start
    # shellcheck disable=SC1091
    source "$dir/db.env"
    mariadb --no-defaults --socket="$dir/db/mysqld.sock" -uroot <<EOSQL
CREATE USER 'attachd'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'attachd'@'%' WITH GRANT OPTION;
CREATE DATABASE nova CHARACTER SET utf8mb4;
CREATE DATABASE cinder CHARACTER SET utf8mb4;
EOSQL
    wait "$b"
    rabbit_env
    {
      echo "export TRANSPORT_URL=rabbit://guest:guest@127.0.0.1:$RABBITMQ_NODE_PORT/"
      echo "export NOVA_DATABASE_URL=mysql://attachd:$DB_PASSWORD@127.0.0.1:$DB_PORT/nova"
      echo "export CINDER_DATABASE_URL=mysql://attachd:$DB_PASSWORD@127.0.0.1:$DB_PORT/cinder"
      echo "export ATTACHD_SERVERS_DIR=$dir"
    } >"$dir/env"
    ;;
  broker-stop)
    rabbit_env
    ctl stop_app
    ;;
  broker-start)
    rabbit_env
    ctl start_app
    wait_port "$RABBITMQ_NODE_PORT" 60 RabbitMQ
    ;;
  broker-sync)
    # What the broker has committed (durable queues, bindings) is on disk before a broker-kill:
    # Mnesia syncs its transaction log at its own pace, so a crash just after a declare may lose it.
    rabbit_env
    ctl eval 'mnesia:sync_log().' >/dev/null
    ;;
  broker-kill)
    broker_kill
    ;;
  broker-boot)
    rabbit_env
    if broker_vm_pid >/dev/null; then echo "servers.sh: the RabbitMQ node in $dir is still running" >&2; exit 1; fi
    broker_start
    ;;
  queues)
    # What the broker has (the management plugin is off here): one JSON array.
    rabbit_env
    ctl list_queues name type durable auto_delete arguments --formatter json
    ;;
  vhost-add)
    rabbit_env
    ctl add_vhost "${3:?vhost name}" >/dev/null
    ctl set_permissions -p "$3" guest '.*' '.*' '.*' >/dev/null
    ;;
  vhost-delete)
    rabbit_env
    ctl delete_vhost "${3:?vhost name}" >/dev/null 2>&1 || true
    ;;
  consumers)
    # Each consumer's queue and consumer arguments: one JSON array.
    rabbit_env
    ctl list_consumers queue_name arguments --formatter json
    ;;
  db-stop)
    db_stop
    ;;
  db-start)
    db_start
    ;;
  stop)
    if [ -f "$dir/rabbit.env" ]; then
      rabbit_env
      ctl shutdown >/dev/null 2>&1 || kill "$(cat "$dir/rabbit/server.pid" 2>/dev/null)" 2>/dev/null || true
      /usr/lib/erlang/bin/epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
    db_stop
    rm -rf "$dir"
    ;;
  *)
    echo "servers.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
