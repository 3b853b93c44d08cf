#!/usr/bin/env bash
# A private 3-node MariaDB Galera cluster (Debian's mariadb-server + galera-4) on free loopback
# ports, for failover tests. Data under DIR; rsync state transfer (mariabackup is not needed).
#
#   galera.sh start DIR        bootstrap node 1, join 2 and 3; when the cluster already runs,
#                              start the nodes that are down (they rejoin by IST/SST)
#   galera.sh stop DIR [N]     stop node N (1-3) cleanly, data kept; without N, stop all and
#                              remove DIR
#   galera.sh kill DIR N       SIGKILL node N's mariadbd, as a crash would
#   galera.sh status DIR       each node's port and wsrep state; exit 3 when one is not Synced
#
# DIR/env (mode 600) exports NOVA_DATABASE_URL / CINDER_DATABASE_URL naming all three nodes
# (mysql://attachd:PASS@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/nova). The root and attachd
# passwords are random and only in mode-600 files (DIR/galera/root.cnf, DIR/env).
# mariadbd runs as the mysql user: as root, the rsync that feeds a joiner cannot write its
# datadir. So DIR itself is made traversable (711) for that user.
set -euo pipefail

cmd=${1:?usage: galera.sh start|stop|kill|status DIR [NODE]}
dir=${2:?state directory}
node_arg=${3:-}
NODES=(1 2 3)
g=$dir/galera

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

check_node() {
  case "$1" in 1 | 2 | 3) ;; *) echo "galera.sh: NODE must be 1, 2 or 3 (got '$1')" >&2; exit 2 ;; esac
}

load_env() {
  # shellcheck disable=SC1091
  source "$g/cluster.env"
}

port_of() { local v="PORT_$1"; echo "${!v}"; }

# Every mariadbd serving node $1's datadir (whoever started it; not its SST helpers).
node_pids() {
  local p
  for p in $(pgrep -f -- "--datadir=$g/n$1/data( |$)" || true); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mariadbd ] && echo "$p"
  done
  return 0
}

sql() { # node, then SQL on stdin; as root over the node's socket, password from root.cnf
  mariadb --defaults-file="$g/root.cnf" --socket="$g/n$1/mysqld.sock" -N -B
}

wsrep_state() {
  echo "SHOW STATUS LIKE 'wsrep_local_state_comment'" | sql "$1" 2>/dev/null | cut -f2
}

wait_synced() { # node seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    [ "$(wsrep_state "$1")" = Synced ] && return 0
    if [ -z "$(node_pids "$1")" ]; then
      echo "galera.sh: node $1 exited; see $g/n$1/error.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "galera.sh: node $1 not Synced within $2 s; see $g/n$1/error.log" >&2
  return 1
}

write_cnf() { # node
  local i=$1 gv="GCOMM_$1" iv="IST_$1" sv="SST_$1" peers="" j gj
  load_env
  for j in "${NODES[@]}"; do gj="GCOMM_$j"; peers+="${peers:+,}127.0.0.1:${!gj}"; done
  # Short EVS timeouts: a SIGKILLed peer is dropped from the view in ~2 s instead of the
  # default ~5-15 s during which writes stall.
  cat >"$g/n$i/my.cnf" <<EOC
[mysqld]
datadir=$g/n$i/data
port=$(port_of "$i")
bind-address=127.0.0.1
socket=$g/n$i/mysqld.sock
pid-file=$g/n$i/mysqld.pid
log-error=$g/n$i/error.log
skip-name-resolve
max-connections=500
innodb-buffer-pool-size=64M
innodb-flush-log-at-trx-commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=$TAG
wsrep_cluster_address=gcomm://$peers
wsrep_node_name=$TAG-$i
wsrep_node_address=127.0.0.1:${!gv}
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${!sv}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${!gv};ist.recv_addr=127.0.0.1:${!iv};gcache.size=64M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S"
EOC
  chmod 644 "$g/n$i/my.cnf"
}

node_start() { # node [--wsrep-new-cluster]
  local i=$1
  shift
  if [ -n "$(node_pids "$i")" ]; then return 0; fi
  # Each start writes the file again, so an older DIR picks up changes to the settings.
  write_cnf "$i"
  local pos
  pos=$(recover_position "$i")
  /usr/sbin/mariadbd --defaults-file="$g/n$i/my.cnf" --datadir="$g/n$i/data" --user=mysql ${pos:+"--wsrep-start-position=$pos"} \
    "$@" >/dev/null 2>&1 &
}

# After a crash grastate.dat says seqno -1, and the node would ask for a full state transfer.
# As Debian's galera_recovery does: recover the last committed position from InnoDB first, so
# the node only needs the write sets it missed (IST from a donor's gcache).
recover_position() {
  local i=$1 log
  grep -q '^seqno:[[:space:]]*-1' "$g/n$i/data/grastate.dat" 2>/dev/null || return 0
  [ -e "$g/n$i/data/ibdata1" ] || return 0
  log=$g/n$i/recover.log
  rm -f "$log"
  /usr/sbin/mariadbd --defaults-file="$g/n$i/my.cnf" --datadir="$g/n$i/data" --user=mysql --wsrep-recover \
    --log-error="$log" >/dev/null 2>&1 || return 0
  sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:[0-9-]*\).*/\1/p' "$log" | tail -1
}

node_kill() {
  local pids
  pids=$(node_pids "$1")
  [ -n "$pids" ] || { echo "galera.sh: node $1 in $dir is not running" >&2; return 1; }
  kill -KILL $pids
  for _ in $(seq 1 300); do [ -z "$(node_pids "$1")" ] && return 0; sleep 0.1; done
  echo "galera.sh: node $1 still there 30 s after SIGKILL" >&2
  return 1
}

node_stop() {
  local pids
  pids=$(node_pids "$1")
  [ -n "$pids" ] || return 0
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 600); do [ -z "$(node_pids "$1")" ] && return 0; sleep 0.1; done
  kill -9 $(node_pids "$1") 2>/dev/null || true
}

rand() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

init() {
  local i
  mkdir -p "$g"
  chmod 711 "$dir"
  chmod 711 "$g"
  {
    echo "TAG=attachd-$(printf '%s' "$(realpath "$dir")" | sha256sum | cut -c1-10)"
    for i in "${NODES[@]}"; do
      echo "PORT_$i=$(free_port)"; echo "GCOMM_$i=$(free_port)"; echo "IST_$i=$(free_port)"; echo "SST_$i=$(free_port)"
    done
  } >"$g/cluster.env"
  (umask 077 && printf '[client]\nuser=root\npassword=%s\n' "$(rand 12)" >"$g/root.cnf" && rand 12 >"$g/password")
  for i in "${NODES[@]}"; do
    mkdir -p "$g/n$i/data"
    chown -R mysql:mysql "$g/n$i"
    # The gcache holds recent write sets, CREATE USER ... IDENTIFIED BY among them: mysql's only.
    chmod 700 "$g/n$i"
  done
  if ! runuser -u mysql -- test -w "$g/n1/data"; then
    echo "galera.sh: the mysql user cannot reach $g/n1/data: make each directory above it traversable (chmod o+x)" >&2
    exit 1
  fi
  /usr/bin/mariadb-install-db --no-defaults --datadir="$g/n1/data" --user=mysql \
    --auth-root-authentication-method=normal --skip-test-db >"$g/install.log" 2>&1
}

# Root's password, the attachd user and the databases, once, on the bootstrapped node; the
# joiners receive them with their state transfer. SQL goes on stdin, never on a command line.
provision() {
  local root_pw pw
  root_pw=$(sed -n 's/^password=//p' "$g/root.cnf")
  pw=$(cat "$g/password")
  mariadb --no-defaults --socket="$g/n1/mysqld.sock" -uroot <<EOSQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_pw';
CREATE USER 'attachd'@'%' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'attachd'@'%' WITH GRANT OPTION;
CREATE DATABASE nova CHARACTER SET utf8mb4;
CREATE DATABASE cinder CHARACTER SET utf8mb4;
EOSQL
}

write_env() {
  local pw hosts="" i
  load_env
  pw=$(cat "$g/password")
  for i in "${NODES[@]}"; do hosts+="${hosts:+,}127.0.0.1:$(port_of "$i")"; done
  (umask 077 && {
    echo "export NOVA_DATABASE_URL=mysql://attachd:$pw@$hosts/nova"
    echo "export CINDER_DATABASE_URL=mysql://attachd:$pw@$hosts/cinder"
    echo "export ATTACHD_GALERA_DIR=$dir"
  } >"$dir/env")
}

install_missing() {
  local need=()
  command -v /usr/sbin/mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
  [ -e /usr/lib/galera/libgalera_smm.so ] || need+=(galera-4)
  command -v rsync >/dev/null 2>&1 || need+=(rsync)
  [ ${#need[@]} -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || { echo "galera.sh: need root to install ${need[*]}" >&2; exit 1; }
  # Package scripts must not start the system service: we run private nodes.
  local policy_added=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
}

cluster_start() {
  local i up=() down=()
  install_missing
  if [ ! -f "$g/cluster.env" ]; then
    init
    node_start 1 --wsrep-new-cluster
    # Root has no password yet: wait for the socket with a plain client.
    for _ in $(seq 1 300); do
      echo 'SELECT 1' | mariadb --no-defaults --socket="$g/n1/mysqld.sock" -uroot -N >/dev/null 2>&1 && break
      sleep 0.2
    done
    provision
    wait_synced 1 60
    write_env
  fi
  for i in "${NODES[@]}"; do if [ -n "$(node_pids "$i")" ]; then up+=("$i"); else down+=("$i"); fi; done
  if [ ${#up[@]} -eq 0 ]; then
    # The whole cluster is down (all stopped or crashed): node 1 bootstraps again from its data.
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$g/n1/data/grastate.dat" 2>/dev/null || true
    node_start 1 --wsrep-new-cluster
    wait_synced 1 60
    down=("${down[@]:1}")
  fi
  for i in "${down[@]}"; do node_start "$i"; done
  for i in "${down[@]}"; do wait_synced "$i" 120; done
}

status() {
  local i st bad=0
  load_env
  for i in "${NODES[@]}"; do
    if [ -n "$(node_pids "$i")" ]; then st=$(wsrep_state "$i"); st=${st:-starting}; else st=down; fi
    echo "node $i 127.0.0.1:$(port_of "$i") $st"
    [ "$st" = Synced ] || bad=1
  done
  [ "$bad" -eq 0 ] || exit 3
}

case "$cmd" in
  start) cluster_start ;;
  stop)
    [ -f "$g/cluster.env" ] || exit 0
    if [ -n "$node_arg" ]; then check_node "$node_arg"; node_stop "$node_arg"; exit 0; fi
    for i in "${NODES[@]}"; do node_stop "$i" & done
    wait
    rm -rf "$dir"
    ;;
  kill)
    check_node "$node_arg"
    node_kill "$node_arg"
    ;;
  status) status ;;
  *)
    echo "galera.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
