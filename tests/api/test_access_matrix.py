"""Who may do what (API.md, Access): every query field, every mutation and the
subscription, for each kind of caller, with the exact outcome.

Callers: no token, a revoked token (an ADMIN's), a forged token, the partnership's
VIEWER, RECORDER and ADMIN, and the ADMIN of another partnership (an "outsider").

- No valid token: HTTP 401 with `extensions.code` UNAUTHENTICATED (websockets: closed
  with 4403).
- An outsider cannot tell the partnership exists: null, absent, or NOT_FOUND with the
  message of an unknown id.
- A role too low: ForbiddenError. Otherwise: success, recorded as the caller.
- A refused mutation records nothing: the partnership's version is unchanged.

One server for the module; tokens are issued and revoked through `TokenStore`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from accord.cli import main
from tests.api.secured import UNKNOWN_ID, SecuredServer, forged_token
from tests.api.seeding import ADMIN_ONLY, EVENT_TYPES, MUTATIONS, Seeder
from tests.support.graphql_client import GraphQLClient, bearer, subscriber, websocket
from tests.support.operations import Recorder, mutation_document
from tests.support.postgres import free_port

NO_TOKEN = "no token"
REVOKED = "revoked token"
FORGED = "forged token"
VIEWER = "VIEWER"
RECORDER = "RECORDER"
ADMIN = "ADMIN"
OUTSIDER = "another partnership's ADMIN"
CALLERS = (NO_TOKEN, REVOKED, FORGED, VIEWER, RECORDER, ADMIN, OUTSIDER)
UNAUTHENTICATED_CALLERS = (NO_TOKEN, REVOKED, FORGED)
ACTORS = {VIEWER: "vera", RECORDER: "rick", ADMIN: "alice", OUTSIDER: "mallory"}


@dataclass
class World:
    server: SecuredServer
    seeder: Seeder
    event_id: str
    tokens: dict[str, str | None]

    @property
    def partnership_id(self) -> str:
        return self.seeder.partnership_id

    def token(self, caller: str) -> str | None:
        return self.tokens[caller]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'accord.db'}"
    server = SecuredServer(url)
    try:
        tokens: dict[str, str | None] = {caller: server.issue(ACTORS[caller]) for caller in ACTORS}
        tokens[NO_TOKEN] = None
        tokens[FORGED] = forged_token()
        seeder = Seeder.new(Recorder(server.api, tokens[ADMIN]))
        joined = seeder.record(
            "joinPartner", {"partnerId": "first", "name": "First", "sector": "PRIVATE"}
        )
        seeder.record("setGoal", {"goalId": "g", "statement": "Care"})
        seeder.record(
            "recordDecision",
            {
                "title": "Pool budgets",
                "category": "STRATEGY",
                "method": "CONSENSUS",
                "decidedBy": ["nhs", "council"],
            },
        )
        for caller, role in ((VIEWER, "VIEWER"), (RECORDER, "RECORDER")):
            seeder.record("grantRole", {"actor": ACTORS[caller], "role": role})
        Recorder(server.api, tokens[OUTSIDER]).form("Mallory's own")

        # An ADMIN's token that worked, then was revoked (`accord token revoke ID`).
        revoked = server.issue("alice")
        assert server.post(revoked, "{ __typename }").status_code == 200
        server.revoke(revoked)
        tokens[REVOKED] = revoked

        yield World(server, seeder, joined["id"], tokens)
    finally:
        server.stop()


def assert_unauthenticated(response: Any) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body or body["data"] is None
    assert response.headers["www-authenticate"] == "Bearer"


# ---------------------------------------------------------------- queries

QUERIES: dict[str, str] = {
    "partnerships": "{ partnerships(first: 500) { totalCount edges { node { id } } } }",
    "partnership": "query($id: ID!) { partnership(id: $id) { id name purpose version } }",
    "node(partnership id)": "query($id: ID!) { node(id: $id) { id ... on Partnership { name } } }",
    "node(event id)": "query($event: ID!) { node(id: $event) { id ... on Event { type } } }",
    "history": "query($id: ID!) { partnership(id: $id) { history { totalCount edges "
    "{ node { position recordedBy } } } } }",
    "decisions": "query($id: ID!) { partnership(id: $id) { decisions { totalCount edges "
    "{ node { title } } } } }",
    "timeline": "query($id: ID!) { partnership(id: $id) { timeline { groups { id } items "
    "{ id } } } }",
    "health": "query($id: ID!) { partnership(id: $id) { health { windowDays power "
    "{ decisionCount } } } }",
    "healthSeries": "query($id: ID!) { partnership(id: $id) { healthSeries(from: "
    '"2024-01-01", to: "2024-03-01", interval: MONTH) { asOf } } }',
    "audit": "query($id: ID!) { partnership(id: $id) { audit { valid eventsChecked "
    "firstBrokenPosition headHash } } }",
    "partners": "query($id: ID!) { partnership(id: $id) { partners { id } } }",
    "goals": "query($id: ID!) { partnership(id: $id) { goals { id } } }",
    "commitments": "query($id: ID!) { partnership(id: $id) { commitments { id } } }",
    "leadership": "query($id: ID!) { partnership(id: $id) { leadership { role } } }",
    "myRole and members": "query($id: ID!) { partnership(id: $id) { myRole members "
    "{ actor role } } }",
}


def _visible(name: str, data: dict[str, Any], world: World) -> None:
    """What a caller with a role sees for each query."""
    pid = world.partnership_id
    if name == "partnerships":
        ids = [edge["node"]["id"] for edge in data["partnerships"]["edges"]]
        assert pid in ids
        assert data["partnerships"]["totalCount"] == len(ids)
        return
    if name == "node(partnership id)":
        assert data["node"] == {"id": pid, "name": "Riverside"}
        return
    if name == "node(event id)":
        assert data["node"] == {"id": world.event_id, "type": "PARTNER_JOINED"}
        return
    partnership = data["partnership"]
    assert partnership is not None
    version = world.server.version(pid)
    checks: dict[str, Callable[[dict[str, Any]], bool]] = {
        "partnership": lambda p: p["id"] == pid and p["version"] == version,
        "history": lambda p: (
            p["history"]["totalCount"] == version
            and p["history"]["edges"][0]["node"] == {"position": 1, "recordedBy": "alice"}
        ),
        "decisions": lambda p: p["decisions"]["totalCount"] >= 1,
        "timeline": lambda p: len(p["timeline"]["groups"]) == 6 and p["timeline"]["items"],
        "health": lambda p: p["health"]["windowDays"] == 365,
        "healthSeries": lambda p: len(p["healthSeries"]) == 3,
        "audit": lambda p: p["audit"]["valid"] and p["audit"]["eventsChecked"] == version,
        "partners": lambda p: {"id": "nhs"} in p["partners"],
        "goals": lambda p: {"id": "g"} in p["goals"],
        "commitments": lambda p: isinstance(p["commitments"], list),
        "leadership": lambda p: isinstance(p["leadership"], list),
        "myRole and members": lambda p: (
            p["myRole"] in ("VIEWER", "RECORDER", "ADMIN")
            and (p["members"] is None) == (p["myRole"] != "ADMIN")
            and (p["members"] is None or {"actor": "vera", "role": "VIEWER"} in p["members"])
        ),
    }
    assert checks[name](partnership), partnership


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(QUERIES))
def test_every_query_for_every_caller(world: World, name: str, caller: str) -> None:
    query = QUERIES[name]
    variables = {"id": world.partnership_id, "event": world.event_id}
    variables = {key: value for key, value in variables.items() if f"${key}" in query}
    response = world.server.post(world.token(caller), query, variables)
    if caller in UNAUTHENTICATED_CALLERS:
        assert_unauthenticated(response)
        return
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    data = body["data"]
    if caller != OUTSIDER:
        _visible(name, data, world)
        return
    # The outsider's answer is the answer for an id that names nothing.
    if name == "partnerships":
        ids = [edge["node"]["id"] for edge in data["partnerships"]["edges"]]
        assert world.partnership_id not in ids
        assert data["partnerships"]["totalCount"] == len(ids) >= 1  # its own
        return
    unknown = {key: UNKNOWN_ID for key in variables}
    assert data == world.server.data(world.token(caller), query, unknown)
    assert next(iter(data.values())) is None


@pytest.mark.parametrize("caller", UNAUTHENTICATED_CALLERS)
def test_queries_over_get_need_a_token_too(world: World, caller: str) -> None:
    """GET runs queries as POST does; only the GraphiQL page (no `query` parameter) is
    served without a token. A percent-encoded parameter name is still `query`."""
    token = world.token(caller)
    headers = bearer(token)
    client = world.server.api.client
    query = "%7B%20partnerships%20%7B%20totalCount%20%7D%20%7D"
    for path in (
        f"/graphql?query={query}",
        f"/graphql?%71uery={query}",
        f"/graphql?q%75ery={query}",
    ):
        for accept in ("application/json", "text/html", "*/*"):
            response = client.get(path, headers={**headers, "accept": accept})
            assert_unauthenticated(response)
    page = client.get("/graphql", headers={**headers, "accept": "text/html"})
    assert page.status_code == 200 and "GraphiQL" in page.text
    assert (
        client.get("/graphql", headers={**headers, "accept": "application/json"}).status_code == 401
    )


# -------------------------------------------------------------- mutations


def test_the_matrix_covers_every_mutation_of_the_schema(world: World) -> None:
    names = world.server.data(
        world.token(ADMIN), "{ __schema { mutationType { fields { name } } } }"
    )["__schema"]["mutationType"]["fields"]
    assert sorted(field["name"] for field in names) == sorted(MUTATIONS)
    assert len(MUTATIONS) == 22


def expected_outcome(mutation: str, caller: str) -> str:
    if caller in UNAUTHENTICATED_CALLERS:
        return "UNAUTHENTICATED"
    if mutation == "formPartnership":
        return "SUCCESS"  # any authenticated actor may form one (and becomes its ADMIN)
    if caller == OUTSIDER:
        return "NOT_FOUND"
    if caller == VIEWER or (caller == RECORDER and mutation in ADMIN_ONLY):
        return "FORBIDDEN"
    if mutation == "remindCheckInRound":
        return "NO_EMAIL"  # allowed, but this server sends no e-mail (test_check_in_email)
    return "SUCCESS"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_every_mutation_for_every_caller(world: World, mutation: str, caller: str) -> None:
    server, pid = world.server, world.partnership_id
    given = world.seeder.valid_input(mutation)
    version, count = server.version(pid), server.partnership_count()
    document = mutation_document(mutation)
    response = server.post(world.token(caller), document, {"input": given})
    outcome = expected_outcome(mutation, caller)

    if outcome == "UNAUTHENTICATED":
        assert_unauthenticated(response)
    else:
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body
        result = body["data"]["result"]
        if outcome == "SUCCESS":
            assert result["__typename"] == f"{mutation[0].upper()}{mutation[1:]}Success", result
            event = result["event"]
            assert event["type"] == EVENT_TYPES[mutation]
            assert event["recordedBy"] == ACTORS[caller]  # the caller, never input
            if mutation == "formPartnership":
                assert result["partnership"]["version"] == 1
                assert server.partnership_count() == count + 1
                assert server.version(pid) == version
            else:
                assert result["partnership"] == {"id": pid, "version": version + 1}
                assert server.version(pid) == version + 1
            return
        if outcome == "NO_EMAIL":
            assert (result["__typename"], result["field"]) == ("ValidationError", "roundId")
            assert "ACCORD_SMTP_URL" in result["message"]
        elif outcome == "FORBIDDEN":
            assert result["__typename"] == "ForbiddenError", result
            assert result["code"] == "FORBIDDEN"
            assert "ADMIN" in result["message"] or "RECORDER" in result["message"]
        else:
            assert result["__typename"] == "ValidationError", result
            assert (result["code"], result["field"]) == ("NOT_FOUND", "partnershipId")
            unknown = server.body(
                world.token(caller), document, {"input": {**given, "partnershipId": UNKNOWN_ID}}
            )
            assert unknown["data"]["result"] == result  # word for word
    # Refused: nothing recorded anywhere.
    assert server.version(pid) == version
    assert server.partnership_count() == count


# ----------------------------------------------------------- subscription

EVENTS = """subscription($id: ID!) {
  partnershipEvents(partnershipId: $id, afterPosition: 0) { position recordedBy }
}"""


@pytest.mark.parametrize("caller", CALLERS)
def test_the_subscription_for_every_caller(world: World, caller: str) -> None:
    api = world.server.api
    token = world.token(caller)
    if caller in UNAUTHENTICATED_CALLERS:
        with websocket(api) as client:
            client.send({"type": "connection_init", "payload": bearer(token)})
            with pytest.raises(ConnectionClosed) as closed:
                client.receive(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        return
    with subscriber(api, bearer(token)) as client:
        client.subscribe(EVENTS, {"id": world.partnership_id})
        if caller == OUTSIDER:
            refused = client.receive()
            client.subscribe(EVENTS, {"id": UNKNOWN_ID})
            unknown = client.receive()
            assert refused["type"] == unknown["type"] == "error", (refused, unknown)
            assert refused["payload"] == unknown["payload"]
            assert refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"
            assert client.nothing_within(0.2)
            return
        first = client.next_payloads(1)[0]
        assert first == {"data": {"partnershipEvents": {"position": 1, "recordedBy": "alice"}}}


def test_every_unauthenticated_refusal_left_the_history_valid(world: World) -> None:
    audit = world.server.data(world.token(ADMIN), QUERIES["audit"], {"id": world.partnership_id})[
        "partnership"
    ]["audit"]
    assert audit["valid"] and audit["eventsChecked"] == world.server.version(world.partnership_id)


# ------------------------------------------------------------ --no-auth

ROOT = Path(__file__).resolve().parents[2]


def _accord(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_no_auth_off_loopback_exits_2_with_a_message(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'accord.db'}"
    done = _accord("serve", "--no-auth", "--host", "0.0.0.0", "--database", database)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "--no-auth" in done.stderr and "loopback" in done.stderr and "0.0.0.0" in done.stderr
    assert "Accord at" not in done.stdout  # it never started serving
    assert not (tmp_path / "accord.db").exists()


@pytest.mark.parametrize("host", ["::", "", "192.168.1.10", "localhost.example.com", "127.0.0.1 "])
def test_no_auth_is_refused_on_any_host_but_loopback(
    tmp_path: Path, host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'accord.db'}"
    assert main(["serve", "--no-auth", "--host", host, "--database", database]) == 2
    assert "loopback" in capsys.readouterr().err
    monkeypatch.setenv("ACCORD_HOST", host)  # the same from the environment
    assert main(["serve", "--no-auth", "--database", database]) == 2
    assert "loopback" in capsys.readouterr().err
    assert not (tmp_path / "accord.db").exists()


def _serving(args: list[str], api: GraphQLClient) -> subprocess.Popen[str]:
    """`accord serve ARGS` on `api`'s port, once it answers."""
    port = api.url.rsplit(":", 1)[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "accord", "serve", "--port", port, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not api.until_healthy(30, lambda: process.poll() is None):
        process.kill()
        raise AssertionError(f"accord serve never answered: {process.communicate()[1]}")
    return process


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    _, stderr = process.communicate(timeout=15)
    return stderr


def test_serve_needs_tokens_unless_no_auth_is_asked_for_and_then_warns(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'accord.db'}"
    query = "{ partnerships { totalCount } }"
    api = GraphQLClient(f"http://127.0.0.1:{free_port()}")
    served = _serving(["--database", database], api)
    try:
        assert api.send(query).status_code == 401
    finally:
        assert "WARNING" not in _stop(served)
    served = _serving(["--database", database, "--no-auth", "--host", "127.0.0.1"], api)
    try:
        assert api.send(query).json() == {"data": {"partnerships": {"totalCount": 0}}}
    finally:
        stderr = _stop(served)
        api.close()
    assert "WARNING: --no-auth" in stderr
