#!/bin/sh
# Re-fetch the vendored graph library from the npm registry (run from any directory).
# The HTML visualisation inlines cytoscape.min.js at write time, so viewing needs no network.
set -eu
VERSION="${1:-3.34.4}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack "cytoscape@$VERSION" >/dev/null
tar xzf "cytoscape-$VERSION.tgz"
cp package/dist/cytoscape.min.js "$HERE/cytoscape.min.js"
cp package/LICENSE "$HERE/LICENSE-cytoscape"
echo "$VERSION" > "$HERE/VERSION"
sha256sum "$HERE/cytoscape.min.js"
