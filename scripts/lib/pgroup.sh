# Processes the scripts started and must see gone: process groups started with setsid
# (scripts/keystone.sh, scripts/cinder-oracle.sh), and the broker VMs (servers.sh, rabbit-cluster.sh).
# The caller sets dir (its state directory): a group counts as ours only while a live member's
# command line names it, which guards against a recycled process group id.

# Does process group $1 still have a live member started from DIR?
group_is_ours() {
  [ -n "$1" ] || return 1
  local stat line p f
  for stat in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$stat" || continue
    # What follows "(comm) ": state ppid pgrp ...
    read -r -a f <<<"${line##*) }"
    if [ "${f[2]:-}" = "$1" ] && [ "${f[0]:-}" != Z ]; then
      p=${stat#/proc/}
      tr '\0' ' ' <"/proc/${p%/stat}/cmdline" 2>/dev/null | grep -qF "$dir/" && return 0
    fi
  done
  return 1
}

# Have all threads of pid $1 exited? A killed VM shows a zombie leader while its other threads,
# still holding the listening socket, exit.
all_threads_exited() {
  local t st
  for t in /proc/"$1"/task/*/stat; do
    st=$(cat "$t" 2>/dev/null) || continue
    st=${st##*) }
    case ${st%% *} in Z | X) ;; *) return 1 ;; esac
  done
  return 0
}
