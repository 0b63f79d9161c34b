#!/usr/bin/env bash
# Copy the browser libraries the pages use from node_modules into static/vendor (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p static/vendor/leaflet static/vendor/axe-core static/vendor/swagger-ui static/vendor/redoc
cp -r node_modules/leaflet/dist/. node_modules/leaflet/LICENSE static/vendor/leaflet/
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
# /docs and /redoc (app/api/docs.py): the bundles and their licences, no source maps.
cp node_modules/swagger-ui-dist/{swagger-ui-bundle.js,swagger-ui.css,LICENSE,NOTICE} static/vendor/swagger-ui/
cp node_modules/redoc/bundles/{redoc.standalone.js,redoc.standalone.js.LICENSE.txt} node_modules/redoc/LICENSE static/vendor/redoc/
# ReDoc's menu footer loads its logo from the vendor's CDN, the one outside call in the bundle;
# an empty inline image takes its place (the "API docs by Redocly" credit stays).
logo="https://cdn.redoc.ly/redoc/logo-mini.svg"
sed -i "s#$logo#data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E#g" static/vendor/redoc/redoc.standalone.js
if grep -q "cdn.redoc.ly" static/vendor/redoc/redoc.standalone.js; then
  echo "vendor.sh: redoc still refers to cdn.redoc.ly; update the rewrite above" >&2; exit 1
fi
