#!/usr/bin/env bash
# The trace page in a real browser: runs the all-in-one trace-page test (the seed's attach, an
# attach rolled back at initialize_connection, a detach) with its pages written out, opens each
# in headless Chromium (Debian's `chromium`, installed with apt when missing), checks the
# lifelines and arrows in the DOM Chromium built, and screenshots the seed's attach.
#   bash scripts/trace-browser-test.sh [--update-screenshot]   (writes docs/img/trace-attach.png)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "chromium is missing and installing it needs root (apt-get install chromium)" >&2; exit 1; }
  echo "installing chromium..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

out=$(mktemp -d /tmp/attachd-trace-browser.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "building and recording the three requests..."
npx tsc -p tsconfig.json
TRACE_PAGES_DIR="$out" npx mocha dist/test/functional/all-in-one/trace-page.test.js

# Chromium refuses to run as root without --no-sandbox; the pages are local files we wrote.
chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/profile")
fail=0
check() { # page, then patterns the DOM must contain
  local page=$1; shift
  timeout 60 "${chrome[@]}" --dump-dom "file://$out/$page.html" > "$out/$page.dom" 2>/dev/null
  for p in "$@"; do
    if grep -qF -- "$p" "$out/$page.dom"; then echo "  ok   $page: $p"; else echo "  FAIL $page: $p" >&2; fail=1; fi
  done
}
echo "checking the DOM Chromium built..."
check attach 'data-lifeline="nova-api"' 'data-lifeline="nova-compute"' 'data-lifeline="cinder-api"' 'data-lifeline="cinder-volume"' \
  'data-lifeline="database"' 'data-lifeline="broker"' 'data-lifeline="target"' \
  'data-kind="rest" data-from="client" data-to="nova-api"' 'data-kind="rpc" data-from="broker" data-to="nova-compute"' \
  'data-kind="rest" data-from="nova-compute" data-to="cinder-api"' 'data-kind="rpc" data-from="broker" data-to="cinder-volume"' \
  'os-initialize_connection' 'cast attach_volume'
check attach-rollback 'data-kind="driver" data-from="cinder-volume" data-to="target" data-status="error"' \
  'data-rollback="true"' '↺ rollback attach' 'os-unreserve' 'stroke="#c62828"'
check detach 'cast detach_volume' 'os-terminate_connection' 'os-detach'

# The seed's attach as an image (the page's SVG at its size).
width=$(grep -o '<svg [^>]*width="[0-9]*"' "$out/attach.dom" | head -1 | grep -o 'width="[0-9]*"' | grep -o '[0-9]*')
height=$(grep -o '<svg [^>]*height="[0-9]*"' "$out/attach.dom" | head -1 | grep -o 'height="[0-9]*"' | grep -o '[0-9]*')
timeout 60 "${chrome[@]}" --window-size="$((width + 40)),$((height + 160))" --screenshot="$out/attach.png" "file://$out/attach.html" 2>/dev/null
[ -s "$out/attach.png" ] || { echo "FAIL: no screenshot" >&2; fail=1; }
if [ "${1:-}" = "--update-screenshot" ] && [ -s "$out/attach.png" ]; then
  mkdir -p docs/img && cp "$out/attach.png" docs/img/trace-attach.png && echo "wrote docs/img/trace-attach.png"
fi
[ "$fail" = 0 ] && echo "trace browser test: passed" || { echo "trace browser test: FAILED" >&2; exit 1; }
