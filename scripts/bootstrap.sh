#!/usr/bin/env bash
# Install what is missing (Debian packages, the venv, Python and npm packages). Safe to re-run.
# Usage: scripts/bootstrap.sh [--with-browser]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

want_browser=0
[ "${1:-}" = "--with-browser" ] && want_browser=1

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing+=(postgresql-15-postgis-3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a default cluster on install; ours is private, so that one is not needed.
fi

# Python: the venv is rebuilt only when pyproject.toml changes.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> installing Python packages into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Front end: npm packages, copied into static/vendor so the app serves them itself (no CDN).
if [ -f package.json ]; then
  lockstamp=node_modules/.installed-$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -f "$lockstamp" ]; then
    echo "==> installing npm packages"
    if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
    rm -f node_modules/.installed-*
    touch "$lockstamp"
  fi
  scripts/vendor.sh
fi
echo "==> environment ready ($ROOT)"
