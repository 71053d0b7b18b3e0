#!/usr/bin/env sh
# Copy the timeline page's browser libraries (vis-timeline's standalone build, which
# carries its own styles, and ECharts) from node_modules into
# accord/web/static/vendor, so the page never loads anything from a CDN at run time.
#
#   npm ci && sh accord/web/vendor.sh            (or: make assets)
#
# The copied files are kept in the repository, as GraphiQL's are, so every install (a
# wheel, the Docker image) ships the page without node; run this only to refresh them.
# Versions are pinned in package.json and package-lock.json (npm checks each tarball
# against the lock file's integrity hash). The files copied and their SHA-256 are listed
# in static/vendor/VERSIONS; the same inputs give the same files, so a refresh with
# nothing new leaves the tree unchanged. axe-core and playwright-core stay in
# node_modules: only the browser tests use them.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODULES="$ROOT/node_modules"
TARGET="$HERE/static/vendor"

if [ ! -d "$MODULES/vis-timeline" ] || [ ! -d "$MODULES/echarts" ]; then
  echo "vendor.sh: $MODULES lacks vis-timeline or echarts: run 'npm ci' at $ROOT first" >&2
  exit 1
fi

version() {
  node -p "require('$MODULES/$1/package.json').version"
}

# Copy a file without its trailing sourceMappingURL comment: the maps are not shipped,
# and a dangling reference only makes browsers' developer tools ask for a missing file.
copy_min() {
  sed -e 's|/[*/]# sourceMappingURL=[^ *]*\( \*/\)\{0,1\}$||' "$1" > "$2"
}

mkdir -p "$TARGET"
copy_min "$MODULES/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js" \
  "$TARGET/vis-timeline-graph2d.min.js"
cp "$MODULES/vis-timeline/LICENSE.MIT.txt" "$TARGET/LICENSE.vis-timeline"
copy_min "$MODULES/echarts/dist/echarts.min.js" "$TARGET/echarts.min.js"
cp "$MODULES/echarts/LICENSE" "$TARGET/LICENSE.echarts"

cd "$TARGET"
{
  echo "# Copied by accord/web/vendor.sh from node_modules (npm ci)"
  echo "# vis-timeline@$(version vis-timeline) echarts@$(version echarts)"
  for file in vis-timeline-graph2d.min.js echarts.min.js; do
    if command -v sha256sum >/dev/null 2>&1; then
      sha256sum "$file"
    else
      shasum -a 256 "$file"
    fi
  done
} > VERSIONS
echo "timeline page assets in $TARGET"
