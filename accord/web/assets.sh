#!/usr/bin/env sh
# Fetch GraphiQL's browser assets from the npm registry into accord/web/static/graphiql,
# so the server never loads anything from a CDN at run time.
#
#   sh accord/web/assets.sh            (or: make assets)
#
# Versions are pinned; `npm pack` checks each tarball against the registry's integrity
# hash. The files and their SHA-256 are listed in static/graphiql/VERSIONS.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TARGET="$HERE/static/graphiql"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

GRAPHIQL=graphiql@3.8.3
EXPLORER=@graphiql/plugin-explorer@1.0.2
REACT=react@18.3.1
REACT_DOM=react-dom@18.3.1
GRAPHQL_WS=graphql-ws@5.16.2

cd "$WORK"
npm pack --silent "$GRAPHIQL" "$EXPLORER" "$REACT" "$REACT_DOM" "$GRAPHQL_WS" >/dev/null
for tarball in *.tgz; do
  name=${tarball%.tgz}
  mkdir "$name"
  tar xzf "$tarball" -C "$name"
done

mkdir -p "$TARGET"
cp graphiql-3.8.3/package/graphiql.min.js "$TARGET/graphiql.min.js"
cp graphiql-3.8.3/package/graphiql.min.css "$TARGET/graphiql.min.css"
cp graphiql-3.8.3/package/LICENSE "$TARGET/LICENSE.graphiql"
cp graphiql-plugin-explorer-1.0.2/package/dist/index.umd.js "$TARGET/plugin-explorer.umd.js"
cp graphiql-plugin-explorer-1.0.2/package/dist/style.css "$TARGET/plugin-explorer.css"
cp react-18.3.1/package/umd/react.production.min.js "$TARGET/react.production.min.js"
cp react-18.3.1/package/LICENSE "$TARGET/LICENSE.react"
cp react-dom-18.3.1/package/umd/react-dom.production.min.js "$TARGET/react-dom.production.min.js"
cp graphql-ws-5.16.2/package/umd/graphql-ws.min.js "$TARGET/graphql-ws.min.js"
cp graphql-ws-5.16.2/package/LICENSE.md "$TARGET/LICENSE.graphql-ws"

cd "$TARGET"
{
  echo "# Fetched by accord/web/assets.sh from the npm registry"
  echo "# $GRAPHIQL $EXPLORER $REACT $REACT_DOM $GRAPHQL_WS"
  for file in graphiql.min.js graphiql.min.css plugin-explorer.umd.js plugin-explorer.css \
    react.production.min.js react-dom.production.min.js graphql-ws.min.js; do
    if command -v sha256sum >/dev/null 2>&1; then
      sha256sum "$file"
    else
      shasum -a 256 "$file"
    fi
  done
} > VERSIONS
echo "GraphiQL assets in $TARGET"
