// The page's only data source: Accord's GraphQL API (POST /graphql, JSON).
// Each query below is what a team needs to feed its own timeline or dashboard;
// the contract is docs/API.md and the full schema accord/graphql/schema.graphql.

const ENDPOINT = new URL("graphql", document.baseURI).toString();
const TOKEN_KEY = "accord.bearerToken";

/** The server refused the request without a valid bearer token (HTTP 401). */
export class AuthenticationRequired extends Error {}

/** The server answered with top-level GraphQL errors (malformed or refused query). */
export class QueryError extends Error {}

/** No answer came from the API (the network failed, or something between answered in its
 * stead): a mutation sent may or may not have been recorded. */
export class NoAnswer extends Error {}

// A person signed in (POST /signin) is named by the session cookie, which the browser
// sends itself; the page proves each request is its own with the session's CSRF value
// (GET /session), in the header X-Accord-CSRF and in a subscription's connection_init.
const SESSION = new URL("session", document.baseURI).toString();
const SIGNOUT = new URL("signout", document.baseURI).toString();
let session = null; // {actor, csrf} while signed in

/** Whether a session was opened in this browser (the cookie `accord_signed_in`, which
 * holds no secret: the session's own cookie is out of the page's reach). */
function maybeSignedIn() {
  return document.cookie.split(";").some((part) => part.trim().startsWith("accord_signed_in="));
}

/** Ask the server who is signed in (null: nobody, or a server without sign-in). */
export async function loadSession() {
  session = null;
  if (!maybeSignedIn()) return null;
  try {
    const response = await fetch(SESSION, { cache: "no-store", credentials: "same-origin" });
    if (response.ok) {
      const body = await response.json();
      if (body?.actor && body?.csrf) session = { actor: body.actor, csrf: body.csrf };
    } else {
      document.cookie = "accord_signed_in=; Max-Age=0; Path=/; SameSite=Lax";
    }
  } catch {
    session = null;
  }
  return session;
}

/** The signed-in person's session ({actor, csrf}), or null. */
export function currentSession() {
  return session;
}

/** The headers that name the page's caller: the bearer token, else the session's CSRF. */
export function callerHeaders(headers = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) return { ...headers, authorization: `Bearer ${token}` };
  if (session) return { ...headers, "x-accord-csrf": session.csrf };
  return headers;
}

/** End the session (POST /signout with its CSRF value); the cookie is cleared. */
export async function signOut() {
  const csrf = session?.csrf;
  session = null;
  if (!csrf) return;
  await fetch(SIGNOUT, {
    method: "POST",
    headers: { accept: "application/json", "x-accord-csrf": csrf },
    credentials: "same-origin",
    cache: "no-store",
  });
}

export function setToken(token) {
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** Run one GraphQL operation and return its `data`. */
export async function graphql(query, variables = {}) {
  const headers = callerHeaders({ "content-type": "application/json", accept: "application/json" });
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new NoAnswer(`no answer from the server (${error.message})`);
  }
  if (response.status === 401) {
    session = null;
    throw new AuthenticationRequired("sign in, or give a bearer token");
  }
  if (response.status === 403 && session && !sessionStorage.getItem(TOKEN_KEY)) {
    // The session's CSRF value was refused: the session changed (signed in elsewhere).
    session = null;
    throw new AuthenticationRequired("the session has changed: sign in again");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new NoAnswer(`the API answered HTTP ${response.status} without JSON`);
  }
  if (body.errors?.length) {
    throw new QueryError(body.errors.map((error) => error.message).join("; "));
  }
  return body.data;
}

/** Every node of a Relay connection, page by page (`pick` finds the connection in `data`). */
export async function allNodes(query, variables, pick) {
  const nodes = [];
  let after = null;
  for (;;) {
    const connection = pick(await graphql(query, { ...variables, after }));
    if (!connection) return { nodes, totalCount: 0 };
    nodes.push(...connection.edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage) return { nodes, totalCount: connection.totalCount };
    after = connection.pageInfo.endCursor;
  }
}

export const PARTNERSHIPS = `
  query Partnerships($after: String) {
    partnerships(first: 500, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name purpose formedAt version } }
    }
  }`;

// One sample per month over the partnership's life: one sweep on the server.
export const HEALTH_SERIES = `
  query HealthSeries($id: ID!, $from: DateTime!, $to: DateTime!, $knownAt: DateTime) {
    partnership(id: $id) {
      id
      healthSeries(from: $from, to: $to, interval: MONTH, knownAt: $knownAt) {
        asOf
        trust { index perceived respondents reliabilityMean reliabilityMin }
        power { decisionCount equality equity shares { partner { id name } decisionShare } }
        capacity { fulfilment { kind value } vacantRoles longestVacancyDays }
        goals { activeGoals coverage agreement stalenessDays }
        check { classification answers { question status } }
      }
    }
  }`;

export const HEALTH = `
  query Health($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
    partnership(id: $id) {
      id
      health(asOf: $asOf, knownAt: $knownAt) {
        asOf
        knownAt
        windowDays
        check { classification answers { question status evidence prompt } }
      }
      goals(asOf: $asOf, knownAt: $knownAt) { id statement version }
      checkInRounds(asOf: $asOf, knownAt: $knownAt) {
        id opensAt closesAt closedAt status minimumResponses invited answered responseRate
        partners { partner { id name } invited answered responseRate enough recorded }
      }
    }
  }`;

export const EVENT = `
  query Event($id: ID!, $knownAt: DateTime) {
    node(id: $id) {
      ... on Event {
        id type position occurredAt recordedAt recordedBy summary data
        retracted(knownAt: $knownAt)
        hash previousHash
      }
    }
  }`;

export const PARTNERS = `
  query Partners($id: ID!, $knownAt: DateTime) {
    partnership(id: $id) { id partners(knownAt: $knownAt) { id name } }
  }`;

/** The bearer token the page sends (also in a subscription's connection_init). */
export function bearerToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// What the signed-in actor may do here (`myRole`, issue 14). A server without the field
// answers with a top-level error: the page then offers the forms and the server decides.
export const MY_ROLE = `
  query MyRole($id: ID!) { partnership(id: $id) { id version myRole } }`;

export const MEMBERS = `
  query Members($id: ID!) { partnership(id: $id) { id members { actor role since } } }`;

// The choices a recording form offers, as of the entry's occurredAt.
export const CHOICES = `
  query Choices($id: ID!, $asOf: DateTime) {
    partnership(id: $id) {
      id version
      partners(asOf: $asOf) { id name }
      goals(asOf: $asOf) { id statement version }
      commitments(asOf: $asOf) { id kind quantity unit status delivered partner { id name } }
      leadership(asOf: $asOf) { role vacant person partner { id name } }
    }
  }`;

// When each goal was set and retired (a form explains why a goal it keeps chosen was not
// active at the entry's occurredAt).
export const GOAL_DATES = `
  query GoalDates($id: ID!, $after: String) {
    partnership(id: $id) {
      id
      history(first: 500, after: $after, types: [GOAL_SET, GOAL_RETIRED]) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { type occurredAt data retracted } }
      }
    }
  }`;

// What was recorded since a version (a VERSION_CONFLICT's explanation).
export const RECORDED = `
  query Recorded($id: ID!, $after: String) {
    partnership(id: $id) {
      id
      history(first: 500, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id position summary recordedBy } }
      }
    }
  }`;

/** The text of mutation `name`: its union's success and every error's fields. */
export function mutationText(name) {
  const type = name.charAt(0).toUpperCase() + name.slice(1);
  return `
  mutation ${type}($input: ${type}Input!) {
    ${name}(input: $input) {
      __typename
      ... on Error { message code }
      ... on ValidationError { field }
      ... on VersionConflictError { expectedVersion currentVersion }
      ... on ${type}Success {
        event { id type position summary occurredAt }
        partnership { id name purpose formedAt version }
      }
    }
  }`;
}
