#!/usr/bin/env bash
# Private PostGIS cluster: `pg.sh start DIR PORT [DB]` prints a DATABASE_URL; `pg.sh stop DIR`.
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server binaries not found; run scripts/bootstrap.sh" >&2; exit 1; }

as_owner() {
  # runuser keeps the environment, so PGOPTIONS reaches psql.
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# True when the pid file names a live (not zombie) postmaster; pg_ctl status trusts zombies.
server_alive() {
  local pid state
  [ -f "$1/postmaster.pid" ] || return 1
  pid=$(head -n1 "$1/postmaster.pid")
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat")
  [ "$state" != "Z" ]
}

cmd=${1:?usage: pg.sh start|stop|url DIR [PORT] [DB]}
dir=$(realpath -m "${2:?data directory}")
port=${3:-54329}
db=${4:-withinreach}
owner=$([ "$(id -u)" = "0" ] && echo postgres || id -un)

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
      echo "The postgres user cannot write to $dir (is a parent folder private?). Set PGDATA_DIR to a folder it can reach." >&2
      exit 1
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$PGBIN/initdb" -D "$dir" -U "$owner" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! server_alive "$dir"; then
      # A pid file left by a killed server would block the start.
      rm -f "$dir/postmaster.pid"
      opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories="
      [ "${PG_FAST:-0}" = "1" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null
    fi
    psql_() { PGOPTIONS="-c client_min_messages=warning" as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U "$owner" -v ON_ERROR_STOP=1 -qAt "$@"; }
    if [ "$(psql_ -d postgres -c "select 1 from pg_database where datname='$db'")" != "1" ]; then
      psql_ -d postgres -c "create database \"$db\"" >/dev/null
    fi
    psql_ -d "$db" -c "create extension if not exists postgis" >/dev/null
    echo "postgresql+psycopg://$owner@127.0.0.1:$port/$db"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *) echo "usage: pg.sh start|stop DIR [PORT] [DB]" >&2; exit 2 ;;
esac
