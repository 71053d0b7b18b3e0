// Runs graphql-http's server audits (GraphQL over HTTP conformance) against a running
// Accord server and prints every result as one JSON line:
//   node tests/api/graphql_http_audit.mjs URL [TOKEN]
// Each request carries `Authorization: Bearer TOKEN` when a token is given.
import { serverAudits } from "graphql-http";

const [url, token] = process.argv.slice(2);
if (!url) {
  console.error("usage: node graphql_http_audit.mjs URL [TOKEN]");
  process.exit(2);
}

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  const result = await fn(); // throws only on a fatal error (the server unreachable)
  const line = { id, name, status: result.status };
  if (result.status !== "ok") {
    line.reason = result.reason;
    line.httpStatus = result.response.status;
    line.contentType = result.response.headers.get("content-type");
    line.body = await result.response.text().catch(() => "(read by the audit)");
  }
  console.log(JSON.stringify(line));
}
