"""The HTML page the server renders itself: GraphiQL, from local assets. Everything it
loads comes from this server: no CDN at run time."""

from __future__ import annotations

from html import escape

GRAPHIQL = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Accord GraphiQL</title>
    <link rel="icon" href="data:," />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
    </style>
    <link rel="stylesheet" href="{assets}/graphiql.min.css" />
    <link rel="stylesheet" href="{assets}/plugin-explorer.css" />
    <script src="{assets}/react.production.min.js"></script>
    <script src="{assets}/react-dom.production.min.js"></script>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <script src="{assets}/graphiql.min.js"></script>
    <script src="{assets}/plugin-explorer.umd.js"></script>
    <script src="{assets}/graphql-ws.min.js"></script>
    <script>
      const EXAMPLE_QUERY = `# Accord: the history of a partnership, and whether it is working.
# Open the Docs panel for every type and field. For example:
{
  partnerships(first: 10) {
    totalCount
    edges {
      node { id name version health { check { classification answers { question status } } } }
    }
  }
}
`;
      const url = new URL(window.location.href);
      url.search = "";
      url.hash = "";
      const fetchURL = url.toString();
      const subscriptionURL = fetchURL.replace(/^http/, "ws");
      // A person signed in (the session cookie) proves each request is this page's with
      // the session's CSRF value (GET /session): in the header X-Accord-CSRF, and in a
      // subscription's connection_init. A bearer token in the Headers panel still works.
      async function sessionHeaders() {
        try {
          const answer = await fetch(new URL("session", fetchURL), {
            cache: "no-store",
            credentials: "same-origin",
          });
          const body = answer.ok ? await answer.json() : null;
          return body && body.csrf ? { "X-Accord-CSRF": body.csrf } : {};
        } catch (error) {
          return {};
        }
      }
      sessionHeaders().then((signedIn) => {
        // Subscriptions over graphql-transport-ws, with the client shipped beside GraphiQL.
        const fetcher = GraphiQL.createFetcher({
          url: fetchURL,
          headers: signedIn,
          wsClient: graphqlWs.createClient({
            url: subscriptionURL,
            lazy: true,
            connectionParams: () => ({ ...signedIn }),
          }),
        });
        const explorer = GraphiQLPluginExplorer.explorerPlugin();
        const root = ReactDOM.createRoot(document.getElementById("graphiql"));
        root.render(
          React.createElement(GraphiQL, {
            fetcher: fetcher,
            defaultQuery: EXAMPLE_QUERY,
            plugins: [explorer],
            defaultEditorToolsVisibility: true,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: true,
          }),
        );
      });
    </script>
  </body>
</html>
"""


def graphiql_page(assets_url: str) -> str:
    """GraphiQL, loading its scripts and styles from `assets_url`."""
    return GRAPHIQL.replace("{assets}", escape(assets_url.rstrip("/"), quote=True))
