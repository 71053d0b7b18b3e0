"""The web application: GraphiQL from local assets, the home page, /healthz, and access
by bearer token when auth is on."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from accord.runtime import Runtime
from accord.storage.tokens import TokenStore
from tests.api.server import ApiServer, start_server
from tests.support.graphql_client import GraphQLClient, bearer, subscriber, websocket
from tests.support.operations import Recorder
from tests.support.postgres import free_port

TOKENS = {"tok-alice": "alice", "tok-bob": "bob"}


def test_graphiql_loads_only_from_this_server(api: ApiServer) -> None:
    page = api.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "GraphiQL" in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    for source in sources:
        if source.startswith("data:"):
            continue
        assert source.startswith("/static/graphiql/"), source
        assert api.client.get(source).status_code == 200, source
    assert "unpkg" not in page.text and "jsdelivr" not in page.text
    assert "graphql-ws.min.js" in page.text  # subscriptions from GraphiQL


def test_the_home_page_links_graphiql(api: ApiServer) -> None:
    index = Path(__file__).resolve().parents[2] / "accord" / "web" / "static" / "index.html"
    page = api.client.get("/")
    assert page.status_code == 200
    if not index.exists():
        assert 'href="/graphql"' in page.text


def test_healthz_reports_the_views_position(api: ApiServer) -> None:
    Recorder(api).form()
    body = api.client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["viewsPosition"] >= 1


@pytest.fixture
def secured(sqlite_url: str) -> Iterator[ApiServer]:
    server = start_server(sqlite_url, auth=True, check_token=TOKENS.get)
    yield server
    server.stop()


def as_actor(api: ApiServer, token: str) -> Recorder:
    return Recorder(api, token)


def query_as(
    api: ApiServer, token: str, query: str, variables: dict[str, object] | None = None
) -> dict[str, object]:
    data: dict[str, object] = api.post(query, variables, headers=bearer(token))["data"]
    return data


def test_without_a_valid_token_the_answer_is_401_unauthenticated(secured: ApiServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = secured.send("{ __typename }", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert secured.client.get("/graphql", headers={"accept": "text/html"}).status_code == 200


def test_roles_decide_what_an_actor_sees_and_may_record(secured: ApiServer) -> None:
    alice, bob = as_actor(secured, "tok-alice"), as_actor(secured, "tok-bob")
    partnership_id = alice.form()
    goal = {"partnershipId": partnership_id, "statement": "Shared records"}
    directory = "{ partnerships { totalCount edges { node { id } } } }"
    lookup = "query($id: ID!) { partnership(id: $id) { id } node(id: $id) { id } }"

    # Without a role, bob cannot tell the partnership exists.
    assert query_as(secured, "tok-bob", directory) == {
        "partnerships": {"totalCount": 0, "edges": []}
    }
    assert query_as(secured, "tok-bob", lookup, {"id": partnership_id}) == {
        "partnership": None,
        "node": None,
    }
    unknown = bob.result(
        "setGoal", {**goal, "partnershipId": "00000000-0000-0000-0000-000000000009"}
    )
    hidden = bob.result("setGoal", goal)
    assert (hidden["code"], hidden["field"]) == ("NOT_FOUND", "partnershipId")
    assert hidden["message"] == unknown["message"]

    # A viewer sees it, but may not record: FORBIDDEN.
    alice.record("grantRole", {"partnershipId": partnership_id, "actor": "bob", "role": "VIEWER"})
    assert query_as(secured, "tok-bob", directory)["partnerships"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": partnership_id}}],
    }
    forbidden = bob.result("setGoal", goal)
    assert forbidden["__typename"] == "ForbiddenError" and forbidden["code"] == "FORBIDDEN"

    # A recorder may; what it records is its own.
    alice.record("grantRole", {"partnershipId": partnership_id, "actor": "bob", "role": "RECORDER"})
    assert bob.record("setGoal", goal)["recordedBy"] == "bob"


def test_a_websocket_needs_a_valid_token(secured: ApiServer) -> None:
    partnership_id = as_actor(secured, "tok-alice").form()
    for payload in ({}, {"Authorization": "Bearer wrong"}):
        with websocket(secured) as client:
            client.send({"type": "connection_init", "payload": payload})
            with pytest.raises(ConnectionClosed) as closed:
                client.receive(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    with subscriber(secured, bearer("tok-alice")) as client:
        client.subscribe(
            "subscription($id: ID!) { partnershipEvents(partnershipId: $id, afterPosition: 0) "
            "{ position recordedBy } }",
            {"id": partnership_id},
        )
        first = client.next_payloads(1)[0]["data"]["partnershipEvents"]
        assert first == {"position": 1, "recordedBy": "alice"}
    with subscriber(secured, bearer("tok-bob")) as client:
        client.subscribe(
            "subscription($id: ID!) { partnershipEvents(partnershipId: $id) { position } }",
            {"id": partnership_id},
        )
        message = client.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_role_revoked_while_streaming_ends_the_stream_with_not_found(
    secured: ApiServer,
) -> None:
    alice = as_actor(secured, "tok-alice")
    partnership_id = alice.form()
    alice.record("grantRole", {"partnershipId": partnership_id, "actor": "bob", "role": "VIEWER"})
    with subscriber(secured, bearer("tok-bob")) as bob:
        operation = bob.subscribe(
            "subscription($id: ID!) { partnershipEvents(partnershipId: $id) { position type } }",
            {"id": partnership_id},
        )
        alice.record("revokeRole", {"partnershipId": partnership_id, "actor": "bob"})
        message = bob.receive()
        if message["type"] == "next":  # the revocation itself may still reach bob
            assert message["payload"]["data"]["partnershipEvents"]["type"] == "ROLE_REVOKED"
            message = bob.receive()
        assert message["type"] == "error" and message["id"] == operation
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        assert bob.nothing_within(0.3)


def test_serve_opens_the_database_and_checks_tokens_in_its_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    runtime = Runtime.open(url, project=False)
    store = TokenStore(runtime.views)
    token = store.issue("carol")
    store.close()
    runtime.close()
    port = free_port()
    code = f"from accord.web.server import serve; serve({url!r}, port={port}, auth=True)"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    api = GraphQLClient(f"http://127.0.0.1:{port}")
    try:
        assert api.until_healthy(20, lambda: process.poll() is None)
        query = "{ partnerships { totalCount } }"
        assert api.send(query).status_code == 401
        answer = api.send(query, headers=bearer(token))
        assert answer.json() == {"data": {"partnerships": {"totalCount": 0}}}
    finally:
        api.close()
        process.terminate()
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)  # uvicorn re-raises it
