# Debian packages unpacked into a private tree, installing nothing: what scripts/keystone.sh and
# scripts/cinder-oracle.sh share. The caller sets WANT (package names), SKIP (a regex of
# dependencies not to unpack), cache (where .debs are kept), root (the tree), dir (its state
# directory, with log/) and defines say(); unpack_debs then resolves WANT as apt would install
# it on this machine, downloads what the cache lacks and unpacks everything into root.

# name=version of each package to unpack, as apt would install them on this machine.
resolve_packages() {
  local out
  if ! out=$(apt-get install -s -qq --no-install-recommends "${WANT[@]}" 2>&1); then
    # A machine whose package lists were never fetched (or were cleaned) knows none of them.
    if [ "$(id -u)" -ne 0 ]; then say "apt cannot resolve ${WANT[*]} (run apt-get update as root):"; echo "$out" >&2; return 1; fi
    say "apt knows no ${WANT[*]}: running apt-get update"
    apt-get update -qq >&2
    out=$(apt-get install -s -qq --no-install-recommends "${WANT[@]}" 2>&1) || { say "apt cannot resolve ${WANT[*]}:"; echo "$out" >&2; return 1; }
  fi
  # "Inst NAME [OLD] (VERSION ARCHIVE [ARCH])": an upgrade shows the installed version in brackets.
  awk '/^Inst /{ v = $0; sub(/^[^(]*\(/, "", v); sub(/ .*/, "", v); print $2 "=" v }' <<<"$out" |
    while IFS='=' read -r name version; do
      grep -qE "$SKIP" <<<"$name" || echo "$name=$version"
    done
}

# The cached .deb of name=version, if any (dpkg spells an epoch's ':' as %3a in file names).
cached_deb() {
  local name=${1%%=*} version=${1#*=}
  compgen -G "$cache/${name%%:*}_${version//:/%3a}_*.deb" | head -n 1
}

unpack_debs() {
  local pkgs=() missing=() p deb
  mkdir -p "$cache" "$root"
  mapfile -t pkgs < <(resolve_packages)
  # A WANT package already installed here is not in apt's answer; the tree still needs it (the
  # service runs from DIR/root only): the installed version then.
  for p in "${WANT[@]}"; do
    printf '%s\n' "${pkgs[@]}" | grep -q "^$p=" && continue
    pkgs+=("$p=$(dpkg-query -W -f='${Version}' "$p")")
  done
  for p in "${pkgs[@]}"; do [ -n "$(cached_deb "$p")" ] || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "downloading ${#missing[@]} .debs into $cache"
    # As root apt drops to the _apt user to download, which may not write our directory.
    local sandbox=()
    [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
    (cd "$cache" && apt-get "${sandbox[@]}" download -qq "${missing[@]}" >"$dir/log/apt-download.log" 2>&1) ||
      { say "apt-get download failed:"; tail -n 20 "$dir/log/apt-download.log" >&2; return 1; }
  fi
  for p in "${pkgs[@]}"; do
    deb=$(cached_deb "$p")
    [ -n "$deb" ] || { say "no .deb for $p in $cache"; return 1; }
    echo "$deb"
  done | xargs -P 2 -I{} dpkg -x {} "$root"
}
