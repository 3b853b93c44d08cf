# node_cmd FILE: the command a bin's `#!/usr/bin/env -S [VAR=VALUE…] node …` line runs it with
# (the daemons' memory settings, docs/performance.md), for scripts that start it by path:
# `$(node_cmd FILE) FILE …`. Prints "env VAR=VALUE… node FLAGS…", or "node".
node_cmd() {
  local rest
  rest=$(sed -n '1s/^#!.*env -S[[:space:]]*//p' "$1")
  case "$rest" in
    node*) echo "node ${rest#node}" ;;
    *' node'*) echo "env ${rest%% node*} node ${rest#* node}" ;;
    *) echo node ;;
  esac
}
