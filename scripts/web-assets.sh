#!/usr/bin/env bash
# Copy the NHS.UK frontend's built CSS, JS and images from node_modules into the portal's static folder.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/nhsuk-frontend/dist/nhsuk
dest=src/concerns/web/portal/static/nhsuk
version=$(node -p "require('./node_modules/nhsuk-frontend/package.json').version")
rm -rf "$dest"
mkdir -p "$dest/assets"
# Icons relative to the stylesheet; Frutiger comes from assets.nhs.uk, which the portal never calls: Arial is
# the NHS.UK fallback, so the @font-face rules are dropped.
sed -E -e 's#url\(/assets/images/#url(assets/images/#g' -e 's#@font-face\{[^}]*\}##g' \
  "$src/nhsuk-frontend-$version.min.css" > "$dest/nhsuk-frontend.min.css"
cp "$src/nhsuk-frontend-$version.min.js" "$dest/nhsuk-frontend.min.js"
cp -r "$src/assets/images" "$dest/assets/images"
echo "$version" > "$dest/VERSION"
