#!/usr/bin/env bash
# `make test`: the whole suite on a throwaway PostGIS cluster that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

# The open data sit beside the project in ../shared/data when they are available.
if [ -z "${GEODATA_DIR:-}" ] && [ -d ../shared/data ]; then
  GEODATA_DIR=$(cd ../shared/data && pwd)
  export GEODATA_DIR
fi

if [ -n "${GEODATA_DIR:-}" ]; then
  echo "==> real-data tests use GEODATA_DIR=$GEODATA_DIR (counts after collection and at the end)"
elif [ "${ALLOW_NO_DATA:-}" = 1 ]; then
  echo "==> no real data (GEODATA_DIR unset, ALLOW_NO_DATA=1): the real-data tests will NOT run"
else
  echo "==> no real data (GEODATA_DIR unset and no ../shared/data): the run will stop after collection"
fi

tmp=$(mktemp -d /tmp/withinreach-test-pg.XXXXXX)
chmod 755 "$tmp"
port=$(.venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
cleanup() { scripts/pg.sh stop "$tmp/data"; rm -rf "$tmp"; }
trap cleanup EXIT
echo "==> throwaway PostGIS on port $port"
TEST_DATABASE_URL=$(PG_FAST=1 scripts/pg.sh start "$tmp/data" "$port" postgres)
export TEST_DATABASE_URL
unset DATABASE_URL
echo "==> ruff, mypy, the import layers and ESLint"
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
[ -x node_modules/.bin/eslint ] || { echo "ESLint is missing from node_modules: run scripts/bootstrap.sh" >&2; exit 1; }
node_modules/.bin/eslint static/js static/docs eslint.config.js
.venv/bin/python -m pytest "$@"
