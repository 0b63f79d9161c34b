#!/usr/bin/env bash
# Private PostGIS cluster: `pg.sh start DIR PORT [DB]` prints a DATABASE_URL; `pg.sh stop DIR`
# (PG_STOP_MODE=immediate stops without letting backends finish: the outage test needs that);
# `pg.sh status DIR` exits 0 when the cluster is running.
#
# The cluster's login role is `withinreach` (the app's default DATABASE_URL), with trust
# authentication on 127.0.0.1 only: it is a private development cluster, never a server.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user, and
# that user must be able to reach DIR: every parent folder needs the x (search) bit for it.
# /root is drwx------, so a clone under /root needs PGDATA_DIR somewhere else (e.g. /var/tmp).
set -euo pipefail

# The newest installed server (Debian/Ubuntu install each major version side by side).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$PGBIN" ] || { echo "PostgreSQL server binaries not found; run scripts/bootstrap.sh" >&2; exit 1; }

ROLE=withinreach

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

# The top-most existing parent folder the postgres user cannot search, if any.
blocked_parent() {
  local d="" part
  local IFS=/
  for part in $(dirname "$1"); do
    [ -n "$part" ] || continue
    d="$d/$part"
    [ -d "$d" ] || return 0
    if ! as_owner test -x "$d"; then echo "$d"; return 0; fi
  done
}

cmd=${1:?usage: pg.sh start|stop|status DIR [PORT] [DB]}
dir=$(realpath -m "${2:?data directory}")
port=${3:-54329}
db=${4:-withinreach}

case "$cmd" in
  start)
    if [ "$(id -u)" = "0" ]; then
      blocked=$(blocked_parent "$dir")
      if [ -n "$blocked" ]; then
        echo "The postgres user cannot enter $blocked (mode $(stat -c %A "$blocked")), so it cannot" \
             "keep the database in $dir. Set PGDATA_DIR to a folder it can reach" \
             "(e.g. PGDATA_DIR=/var/tmp/withinreach-pgdata) or clone the project outside $blocked." >&2
        exit 1
      fi
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
      echo "The postgres user cannot write to $dir. Set PGDATA_DIR to a folder it can reach." >&2
      exit 1
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$PGBIN/initdb" -D "$dir" -U "$ROLE" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! server_alive "$dir"; then
      # A pid file left by a killed server would block the start.
      rm -f "$dir/postmaster.pid"
      opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories="
      [ "${PG_FAST:-0}" = "1" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      if ! as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null; then
        echo "PostgreSQL did not start on port $port; the end of $dir/server.log says:" >&2
        tail -n 5 "$dir/server.log" >&2 || true
        exit 1
      fi
    fi
    psql_() { PGOPTIONS="-c client_min_messages=warning" as_owner "$PGBIN/psql" -h 127.0.0.1 -p "$port" -v ON_ERROR_STOP=1 -qAt "$@"; }
    # Clusters made before the role existed have the OS user as superuser: add the role.
    if ! psql_ -U "$ROLE" -d postgres -c "select 1" >/dev/null 2>&1; then
      old=$([ "$(id -u)" = "0" ] && echo postgres || id -un)
      psql_ -U "$old" -d postgres -c "create role $ROLE login superuser" >/dev/null
    fi
    if [ "$(psql_ -U "$ROLE" -d postgres -c "select 1 from pg_database where datname='$db'")" != "1" ]; then
      psql_ -U "$ROLE" -d postgres -c "create database \"$db\"" >/dev/null
    fi
    psql_ -U "$ROLE" -d "$db" -c "create extension if not exists postgis" >/dev/null
    echo "postgresql+psycopg://$ROLE@127.0.0.1:$port/$db"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ] && server_alive "$dir"; then
      as_owner "$PGBIN/pg_ctl" -D "$dir" -m "${PG_STOP_MODE:-fast}" -w stop >/dev/null 2>&1 || true
    fi
    ;;
  status)
    server_alive "$dir"
    ;;
  *) echo "usage: pg.sh start|stop|status DIR [PORT] [DB]" >&2; exit 2 ;;
esac
