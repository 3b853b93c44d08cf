# Process groups a script started with setsid (scripts/keystone.sh, scripts/cinder-oracle.sh).
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
