#!/usr/bin/env bash
# `make stop`: stop the server `make run` started and its private PostGIS cluster.
# `scripts/stop.sh --delete-db` (`make clean-db`) also deletes the private cluster's data, so the
# next `make run` starts from an empty database and loads the data again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "nothing to stop: the project is not set up (.venv is missing)"; exit 0; }
eval "$($PY -m app.settings_shell)"

# Wait up to $2 seconds for pid $1 to exit.
wait_gone() {
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

stopped=0
# Each pid file with what its process runs (a stale file may name a pid since reused).
for entry in "run:scripts/run.sh" "server:-m app"; do
  name=${entry%%:*}; what=${entry#*:}
  f=$CACHE_DIR/$name.pid
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "$what"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 15; then kill -KILL "$pid" 2>/dev/null || true; fi
    stopped=1
  fi
  rm -f "$f"
done
if [ "$stopped" = 1 ]; then echo "==> stopped the server"; else echo "==> no server was running"; fi

if [ "$PRIVATE_CLUSTER" = 1 ]; then
  if scripts/pg.sh status "$PGDATA_DIR"; then
    scripts/pg.sh stop "$PGDATA_DIR"
    echo "==> stopped the private PostGIS cluster in $PGDATA_DIR"
  else
    echo "==> the private PostGIS cluster is not running"
  fi
  if [ "${1:-}" = "--delete-db" ]; then
    rm -rf "$PGDATA_DIR"
    echo "==> deleted $PGDATA_DIR: the next \`make run\` starts with an empty database"
  fi
else
  echo "==> DATABASE_URL is set: that database is not ours to stop${1:+ or delete}"
fi
