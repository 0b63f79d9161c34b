#!/usr/bin/env bash
# `make run`: private PostGIS (unless DATABASE_URL is set), migrate, load data if empty, serve.
# The server is supervised: if it dies (a crash, an out-of-memory kill: a non-zero exit) it is
# started again; Ctrl-C or `make stop` ends it, as does a clean exit of the server itself. Settings come from the environment and .env via app.settings.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

eval "$($PY -m app.settings_shell)"
mkdir -p "$CACHE_DIR"
pidfile=$CACHE_DIR/run.pid
# A pid file left by a crash may name a pid since reused: check it is still a run.sh.
if [ -f "$pidfile" ] && ps -p "$(cat "$pidfile")" -o args= 2>/dev/null | grep -q 'scripts/run.sh'; then
  echo "Within Reach is already running (pid $(cat "$pidfile")); \`make stop\` stops it." >&2
  exit 1
fi

if [ "$PRIVATE_CLUSTER" = 1 ]; then
  echo "==> starting private PostGIS cluster in $PGDATA_DIR (port $PGPORT)"
  DATABASE_URL=$(scripts/pg.sh start "$PGDATA_DIR" "$PGPORT" withinreach)
  export DATABASE_URL
fi

scripts/migrate.sh
echo "==> loading data (only if the database is empty)"
$PY -m ingest bootstrap

echo $$ >"$pidfile"
child=""
stopping=0
stop_server() {
  stopping=$1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
}
trap 'stop_server INT' INT
trap 'stop_server TERM' TERM
trap 'rm -f "$pidfile"' EXIT

echo "==> serving on http://$HOST:$PORT  (Ctrl-C or \`make stop\` to stop)"
quick_exits=0
while :; do
  started=$(date +%s)
  # WEB_CONCURRENCY and every other setting reach the server through the environment/.env.
  $PY -m app &
  child=$!
  echo "$child" >"$CACHE_DIR/server.pid"
  rc=0
  wait "$child" || rc=$?
  # A trapped signal interrupts `wait`; wait again until the server has really exited.
  while kill -0 "$child" 2>/dev/null; do wait "$child" || rc=$?; done
  rm -f "$CACHE_DIR/server.pid"
  child=""
  # A clean exit was asked for (a signal to the server itself): not a crash, so no restart.
  [ "$rc" = 0 ] && [ "$stopping" = 0 ] && stopping=SERVER
  [ "$stopping" != 0 ] && break
  # A server that dies at once every time (port taken, broken settings) will not be retried
  # forever.
  if [ $(( $(date +%s) - started )) -lt 10 ]; then quick_exits=$((quick_exits + 1)); else quick_exits=0; fi
  if [ "$quick_exits" -ge 5 ]; then
    echo "==> the server exited 5 times in a row within seconds of starting (last exit code $rc); giving up" >&2
    exit 1
  fi
  echo "==> the server exited (code $rc); restarting it in 2 s" >&2
  sleep 2 &
  wait $! || true
  [ "$stopping" != 0 ] && break
done
if [ "$stopping" = INT ] && [ "$PRIVATE_CLUSTER" = 1 ]; then
  echo "==> server stopped; the database keeps running for the CLI (\`make stop\` stops it)"
else
  echo "==> server stopped"
fi
