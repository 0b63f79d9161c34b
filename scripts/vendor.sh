#!/usr/bin/env bash
# Copy the browser libraries the pages use from node_modules into static/vendor (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p static/vendor/leaflet static/vendor/axe-core
cp -r node_modules/leaflet/dist/. static/vendor/leaflet/
cp node_modules/axe-core/axe.min.js static/vendor/axe-core/
