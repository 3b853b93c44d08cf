# node_flags FILE: the node options a bin's `#!/usr/bin/env -S node …` line gives it (the
# daemons' heap settings, docs/performance.md), for scripts that start it as `node FILE`.
node_flags() {
  sed -n '1s/^#!.*env -S node[[:space:]]*//p' "$1"
}
