#!/bin/sh
# Re-fetch the vendored SPARQL editor (YASGUI) from the npm registry (run from any directory).
# The server serves these files itself at /vendor/, so the query UI needs no network.
set -eu
VERSION="${1:-4.6.2}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack "@zazuko/yasgui@$VERSION" >/dev/null
tar xzf "zazuko-yasgui-$VERSION.tgz"
cp package/build/yasgui.min.js package/build/yasgui.min.css "$HERE/"
echo "@zazuko/yasgui $VERSION" > "$HERE/VERSION"
sha256sum "$HERE/yasgui.min.js" "$HERE/yasgui.min.css"
