#!/usr/bin/env bash
# Install what is missing (Debian packages, the venv, Python and npm packages). Safe to re-run.
# Usage: scripts/bootstrap.sh [--with-browser]
# Versions are found, not assumed: the distribution's own PostgreSQL (postgresql-N-postgis-3 for
# its N) and a Python that satisfies pyproject.toml's requires-python (PYTHON=... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

want_browser=0
[ "${1:-}" = "--with-browser" ] && want_browser=1

SUDO=""
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install: $*" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "==> installing Debian packages: $*"
  if [ -z "${APT_UPDATED:-}" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  # Debian starts a default cluster on install; ours is private, so that one is not needed.
}

# The newest PostgreSQL major version installed (pg.sh uses the same one), or nothing.
pg_major() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sed 's#.*/postgresql/\([0-9.]*\)/.*#\1#' | sort -V | tail -n1; }

# Python: pyproject.toml's requires-python (">=A,<B"), checked against each candidate.
range=$(sed -n 's/^requires-python *= *">=\([0-9.]*\),<\([0-9.]*\)".*/\1 \2/p' pyproject.toml)
py_min=${range% *}; py_max=${range#* }
fits() {
  "$1" -c "import sys; lo=tuple(map(int,'$py_min'.split('.'))); hi=tuple(map(int,'$py_max'.split('.'))); sys.exit(not (lo <= sys.version_info[:2] < hi))" 2>/dev/null
}
find_python() {
  local c
  for c in ${PYTHON:-} "python$py_min" python3; do
    if command -v "$c" >/dev/null 2>&1 && fits "$c"; then command -v "$c"; return; fi
  done
}

missing=()
[ -n "$(pg_major)" ] || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
PY=$(find_python)
if [ -z "$PY" ] && [ ! -x .venv/bin/python ]; then
  # Some releases package a second Python (Ubuntu 22.04: python3.11 beside 3.10).
  if apt-cache show "python$py_min-venv" >/dev/null 2>&1; then missing+=("python$py_min" "python$py_min-venv"); fi
fi
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# PostGIS for the PostgreSQL that is there now (15 on Debian 12, 17 on 13, 14/16 on Ubuntu).
major=$(pg_major || true)
if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  apt_install "postgresql-$major-postgis-3"
fi

# Python: the venv is rebuilt only when pyproject.toml changes.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  if [ ! -x .venv/bin/python ]; then
    PY=$(find_python)
    if [ -z "$PY" ]; then
      echo "Within Reach needs Python >=$py_min,<$py_max (pyproject.toml); this system has" \
           "$(python3 --version 2>&1). Install one (e.g. python$py_min from your distribution or" \
           "deadsnakes) and run again with PYTHON=/path/to/python$py_min." >&2
      exit 1
    fi
    ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    "$PY" -c "import venv, ensurepip" >/dev/null 2>&1 || apt_install "python$ver-venv"
    echo "==> creating .venv with $PY (Python $ver)"
    "$PY" -m venv .venv
  fi
  echo "==> installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Front end: npm packages, copied into static/vendor so the app serves them itself (no CDN).
# --ignore-scripts: no package needs an install script, and one (an analytics hook of
# swagger-ui-dist) would report the install.
if [ -f package.json ]; then
  lockstamp=node_modules/.installed-$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -f "$lockstamp" ]; then
    echo "==> installing npm packages"
    if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund --ignore-scripts; else npm install --silent --no-audit --no-fund --ignore-scripts; fi
    rm -f node_modules/.installed-*
    touch "$lockstamp"
  fi
  scripts/vendor.sh
fi
echo "==> environment ready ($ROOT)"
