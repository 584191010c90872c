#!/usr/bin/env bash
# Regenerates static/htmx.min.js from the npm package htmx.org (0BSD licence).
# Usage: scripts/vendor-assets.sh [version]   (default: the pinned version below)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-2.0.11}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "htmx.org@$VERSION" --silent >/dev/null && tar xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" static/htmx.min.js
echo "static/htmx.min.js <- htmx.org $(node -p "require('$tmp/package/package.json').version")"
