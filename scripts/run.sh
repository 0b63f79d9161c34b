#!/usr/bin/env bash
# `make run`: private PostGIS (unless DATABASE_URL is set), migrate, load data if empty, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=.venv/bin/python

if [ -z "${DATABASE_URL:-}" ]; then
  PGDATA_DIR=${PGDATA_DIR:-$ROOT/.pgdata}
  PGPORT=${PGPORT:-54329}
  echo "==> starting private PostGIS cluster in $PGDATA_DIR (port $PGPORT)"
  DATABASE_URL=$(scripts/pg.sh start "$PGDATA_DIR" "$PGPORT" withinreach)
  export DATABASE_URL
fi
echo "==> migrating"
.venv/bin/alembic upgrade heads
echo "==> loading data (only if the database is empty)"
$PY -m ingest bootstrap
echo "==> serving on http://${HOST:-127.0.0.1}:${PORT:-8000}  (Ctrl-C to stop)"
exec $PY -m app
