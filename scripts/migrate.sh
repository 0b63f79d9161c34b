#!/usr/bin/env bash
# Bring the database schema up to date, retrying while the database is still starting up
# (a fresh Docker volume, a cluster just launched). Usage: scripts/migrate.sh [TRIES]
set -uo pipefail
cd "$(dirname "$0")/.."
ALEMBIC=${ALEMBIC:-.venv/bin/alembic}
[ -x "$ALEMBIC" ] || ALEMBIC=alembic
tries=${1:-${MIGRATE_TRIES:-30}}
echo "==> migrating"
for i in $(seq 1 "$tries"); do
  if out=$("$ALEMBIC" upgrade heads 2>&1); then
    printf '%s\n' "$out" | grep -v '^INFO  \[alembic.runtime.migration\] \(Context impl\|Will assume\)' || true
    exit 0
  fi
  # Only "cannot connect yet" is worth waiting for, and the one race of a database still
  # being set up: whoever creates it adds PostGIS at the same moment as our first migration
  # (pg_extension_name_index). A broken migration fails at once.
  if ! printf '%s\n' "$out" | grep -q 'OperationalError\|pg_extension_name_index'; then break; fi
  last=$(printf '%s\n' "$out" | grep -E 'OperationalError|pg_extension_name_index' | tail -n1 | cut -c1-200)
  echo "    database not ready (try $i of $tries): $last" >&2
  [ "$i" -lt "$tries" ] && sleep 2
done
echo "migrations failed; the last attempt said:" >&2
printf '%s\n' "$out" | tail -n 20 >&2
exit 1
