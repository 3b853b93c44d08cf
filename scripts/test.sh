#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run give it:
#   - installs RabbitMQ, MariaDB, tgt, libiscsi, python3-oslo.messaging, the openstack/nova/cinder
#     clients and python3-tempest (its response schemas) with apt when missing,
#   - starts a private RabbitMQ and MariaDB on free loopback ports (data in a temp dir), unless
#     TRANSPORT_URL / NOVA_DATABASE_URL / CINDER_DATABASE_URL point at servers to use instead,
#   - starts a private real Keystone 22 (scripts/keystone.sh: Debian's packages unpacked in that
#     temp dir, nothing installed), unless KEYSTONE_URL (with KEYSTONE_ADMIN_PASSWORD) names one,
#   - builds, lints, runs mocha (unit + functional + system; the kill -9 suites beside the rest, the
#     files that stop the shared servers last), stops the servers, fails when any mocha run failed.
# Extra arguments go to mocha, e.g.: npm test -- dist/test/unit/common/config.test.js
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v /usr/lib/rabbitmq/bin/rabbitmq-server >/dev/null 2>&1 || need_pkgs+=(rabbitmq-server)
command -v /usr/sbin/mariadbd >/dev/null 2>&1 || need_pkgs+=(mariadb-server)
command -v tgtd >/dev/null 2>&1 || need_pkgs+=(tgt)
command -v iscsi-readcapacity16 >/dev/null 2>&1 || need_pkgs+=(libiscsi-bin)
/usr/bin/python3 -c 'import oslo_messaging' >/dev/null 2>&1 || need_pkgs+=(python3-oslo.messaging)
# The real clients the CLI-compatibility tests drive.
command -v openstack >/dev/null 2>&1 || need_pkgs+=(python3-openstackclient)
command -v nova >/dev/null 2>&1 || need_pkgs+=(python3-novaclient)
command -v cinder >/dev/null 2>&1 || need_pkgs+=(python3-cinderclient)
# tempest's response schemas, which the tempest-shaped tests validate our views against.
/usr/bin/python3 -c 'import tempest.lib.api_schema' >/dev/null 2>&1 || need_pkgs+=(python3-tempest)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_pkgs[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "test.sh: need root to apt-get install ${need_pkgs[*]}" >&2; exit 1; fi
  # Package scripts must not start the system services: we run private instances.
  policy_added=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
fi

state=
ks=
ks_pid=
ks_dir=
cleanup() {
  if [ -n "$ks_pid" ]; then wait "$ks_pid" 2>/dev/null || true; fi
  if [ -n "$ks" ]; then bash scripts/keystone.sh stop "$ks" >/dev/null 2>&1 || true; fi
  if [ -n "$ks_dir" ]; then rm -rf "$ks_dir"; fi
  if [ -n "$state" ]; then bash scripts/servers.sh stop "$state" || true; fi
}
trap cleanup EXIT INT TERM

# A private real Keystone 22 (scripts/keystone.sh: Debian's packages fetched with apt-get
# download and unpacked, nothing installed) starts in the background while we build.
if [ -z "${KEYSTONE_URL:-}" ]; then
  ks_dir=$(mktemp -d /tmp/attachd-keystone.XXXXXX)
  ks=$ks_dir/keystone
  bash scripts/keystone.sh start "$ks" >"$ks_dir/start.log" 2>&1 &
  ks_pid=$!
elif [ -z "${KEYSTONE_ADMIN_PASSWORD:-}" ]; then
  echo "test.sh: KEYSTONE_URL is set, so KEYSTONE_ADMIN_PASSWORD (its bootstrap admin's password) must be too" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test.sh: installing the node modules (npm ci; a minute or two the first time)" >&2
  npm ci --no-audit --no-fund
fi
echo "test.sh: building and linting (Keystone starts meanwhile)" >&2
npm run --silent build
# Lint is part of the gate: warnings fail like errors.
npm run --silent lint

if [ -z "${TRANSPORT_URL:-}" ] || [ -z "${NOVA_DATABASE_URL:-}" ] || [ -z "${CINDER_DATABASE_URL:-}" ]; then
  state=$(mktemp -d /tmp/attachd-servers.XXXXXX)
  bash scripts/servers.sh start "$state"
  # Keep any server the caller gave us; fill in the rest from the private ones.
  given_t=${TRANSPORT_URL:-} given_n=${NOVA_DATABASE_URL:-} given_c=${CINDER_DATABASE_URL:-}
  # shellcheck disable=SC1091
  source "$state/env"
  [ -n "$given_t" ] && export TRANSPORT_URL=$given_t
  [ -n "$given_n" ] && export NOVA_DATABASE_URL=$given_n
  [ -n "$given_c" ] && export CINDER_DATABASE_URL=$given_c
  echo "test.sh: private RabbitMQ and MariaDB running (state in $state)" >&2
fi

if [ -n "$ks_pid" ]; then
  if ! wait "$ks_pid"; then
    ks_pid=
    cat "$ks_dir/start.log" >&2
    echo "test.sh: the private Keystone did not start" >&2
    exit 1
  fi
  ks_pid=
  # KEYSTONE_URL, KEYSTONE_ADMIN_PASSWORD and KEYSTONE_DIR (whose packages a test's own Keystone reuses).
  # shellcheck disable=SC1091
  source "$ks/env"
  echo "test.sh: private Keystone at $KEYSTONE_URL (state in $ks)" >&2
fi

set +e
if [ $# -gt 0 ]; then
  npx mocha "$@"
  exit $?
fi
# The whole tree in three runs of mocha, to fit CI's 15 minutes on two cores:
#   - beside: the kill -9 suites, their own clusters and databases, mostly waiting on their
#     reconcilers' intervals and RPC timeouts; they run beside the next run;
#   - the rest, except the solo files;
#   - solo, last and alone: the files that stop or kill the shared MariaDB or RabbitMQ, which
#     would break whatever ran beside them.
beside=(dist/test/system/faults/kill-at-each-step.test.js)
solo=(dist/test/system/faults/outages.test.js dist/test/system/cinder/db-outage.test.js
  dist/test/system/common/servers.test.js dist/test/system/rpc/broker-restart.test.js)
for f in "${beside[@]}" "${solo[@]}"; do
  [ -f "$f" ] || { echo "test.sh: $f is gone: update the lists in scripts/test.sh" >&2; exit 1; }
done
ignore=()
for f in "${beside[@]}" "${solo[@]}"; do ignore+=(--ignore "$f"); done
beside_log=$(mktemp /tmp/attachd-beside.XXXXXX)
npx mocha "${beside[@]}" >"$beside_log" 2>&1 &
beside_pid=$!
npx mocha "dist/test/**/*.test.js" "${ignore[@]}"
rest=$?
wait "$beside_pid"
besides=$?
echo "test.sh: the kill -9 suites, run beside the rest:"
cat "$beside_log"
rm -f "$beside_log"
npx mocha "${solo[@]}"
solos=$?
set -e
echo "test.sh: mocha exit codes: rest $rest, beside $besides, solo $solos" >&2
[ "$rest" -eq 0 ] && [ "$besides" -eq 0 ] && [ "$solos" -eq 0 ]
