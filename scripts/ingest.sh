#!/usr/bin/env bash
# `make ingest ARGS="postcodes FILE"`: the ingest CLI on the same settings as the server. It
# starts the private cluster and migrates first when needed, so it works before `make run`.
set -euo pipefail
here=$(pwd)
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python -m app.settings_shell)"
if [ "$PRIVATE_CLUSTER" = 1 ] && ! scripts/pg.sh status "$PGDATA_DIR"; then
  echo "==> starting private PostGIS cluster in $PGDATA_DIR (port $PGPORT)" >&2
  scripts/pg.sh start "$PGDATA_DIR" "$PGPORT" withinreach >/dev/null
fi
scripts/migrate.sh >/dev/null
root=$(pwd)
cd "$here"  # file arguments are relative to where the command was typed
# The same CLI as .venv/bin/within-reach, on this checkout's code.
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "$root/.venv/bin/python" -m ingest "$@"
