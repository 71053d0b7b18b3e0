"""No riding a session (issue 17, item 4), over real HTTP: what another site can make a
signed-in person's browser send to /graphql, with the session cookie but without the
session's CSRF value or a JSON body, and over a websocket from another origin, is
refused, and nothing is recorded."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.api.secured import SecuredServer
from tests.api.signed_in import Person, add_account, http_client, sign_in
from tests.support.graphql_client import websocket
from tests.support.operations import mutation_document

SET_GOAL = mutation_document("setGoal")
PARTNERSHIPS = "{ partnerships(first: 10) { totalCount } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredServer]:
    url = f"sqlite:///{tmp_path_factory.mktemp('csrf') / 'accord.db'}"
    secured = SecuredServer(url)
    try:
        yield secured
    finally:
        secured.stop()


@pytest.fixture
def admin(server: SecuredServer) -> tuple[Person, str]:
    """A person signed in, ADMIN of a partnership of their own: (them, its id)."""
    actor = f"ada-{uuid.uuid4().hex[:6]}"
    add_account(server, actor)
    person = sign_in(server, actor)
    formed = person.record(
        "formPartnership", {"name": "Riverside", "purpose": "Care", "occurredAt": "2024-01-01"}
    )
    assert formed["__typename"] == "FormPartnershipSuccess", formed
    return person, formed["partnership"]["id"]


def goal(pid: str) -> dict[str, Any]:
    return {"input": {"partnershipId": pid, "statement": "Ridden in from elsewhere"}}


def body(pid: str) -> str:
    return json.dumps({"query": SET_GOAL, "variables": goal(pid)})


def assert_csrf_refusal(response: Any) -> None:
    assert response.status_code == 403, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "CSRF"
    assert "data" not in response.json()


def test_a_cookie_without_the_csrf_header_is_403_csrf_and_records_nothing(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    before = server.version(pid)
    assert_csrf_refusal(person.send(SET_GOAL, goal(pid), csrf=None))
    assert_csrf_refusal(
        person.send(SET_GOAL, goal(pid), csrf=None, accept="application/graphql-response+json")
    )
    assert_csrf_refusal(person.send(PARTNERSHIPS, csrf=None))  # reading too
    assert server.version(pid) == before


def test_a_wrong_csrf_value_is_403(server: SecuredServer, admin: tuple[Person, str]) -> None:
    person, pid = admin
    before = server.version(pid)
    for wrong in ("", "guessed", person.csrf[:-1], person.csrf + "x", person.session_id):
        assert_csrf_refusal(person.send(SET_GOAL, goal(pid), csrf=wrong))
    other = sign_in(server, person.actor)  # the same person's other session
    assert_csrf_refusal(person.send(SET_GOAL, goal(pid), csrf=other.csrf))
    assert server.version(pid) == before
    assert person.record("setGoal", goal(pid)["input"])["__typename"] == "SetGoalSuccess"
    assert server.version(pid) == before + 1


@pytest.mark.parametrize("csrf", [None, "own"])
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql-response+json",
        "",
    ],
)
def test_a_body_a_form_could_send_is_refused_with_the_cookie(
    server: SecuredServer, admin: tuple[Person, str], content_type: str, csrf: str | None
) -> None:
    person, pid = admin
    before = server.version(pid)
    headers = {**person.headers(csrf=csrf), "Content-Type": content_type}
    if not content_type:
        del headers["Content-Type"]
    response = http_client(server.api.url).post("/graphql", content=body(pid), headers=headers)
    assert response.status_code == (403 if csrf is None else 415), response.text
    assert server.version(pid) == before


def test_a_form_encoded_mutation_with_the_cookie_is_refused(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    before = server.version(pid)
    response = http_client(server.api.url).post(
        "/graphql",
        data={"query": SET_GOAL, "variables": json.dumps(goal(pid))},
        headers=person.headers(),
    )
    assert response.status_code == 415
    multipart = http_client(server.api.url).post(
        "/graphql",
        files={"operations": (None, body(pid)), "map": (None, "{}")},
        headers=person.headers(),
    )
    assert multipart.status_code == 415
    assert server.version(pid) == before


def test_get_never_runs_a_mutation_and_needs_the_csrf_value(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    before = server.version(pid)
    client = http_client(server.api.url)
    params = {"query": SET_GOAL, "variables": json.dumps(goal(pid))}
    with_csrf = client.get("/graphql", params=params, headers=person.headers())
    assert with_csrf.status_code == 405  # strawberry: no mutation over GET
    assert with_csrf.headers["allow"] == "POST"
    without = client.get("/graphql", params=params, headers=person.cookie())
    assert_csrf_refusal(without)
    assert server.version(pid) == before
    query = client.get("/graphql", params={"query": PARTNERSHIPS}, headers=person.headers())
    assert query.status_code == 200 and query.json()["data"]["partnerships"]["totalCount"] >= 1
    assert_csrf_refusal(
        client.get("/graphql", params={"query": PARTNERSHIPS}, headers=person.cookie())
    )


def refusal(upgrade: dict[str, str], init: dict[str, Any], server: SecuredServer) -> int:
    """How a websocket opened with these upgrade headers and init payload is refused: the
    handshake's HTTP status (strawberry refuses another origin before the upgrade), or
    the close code (Accord's own check, at `connection_init`)."""
    try:
        with websocket(server.api, upgrade) as client:
            client.send({"type": "connection_init", "payload": init})
            with pytest.raises(ConnectionClosed) as closed:
                client.receive(timeout=5)
    except InvalidStatus as refused:
        return refused.response.status_code
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_a_websocket_with_the_cookie_from_another_origin_is_closed_4403(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    csrf = {"X-Accord-CSRF": person.csrf}
    own = server.api.url
    elsewhere = [
        {**person.cookie(), "Origin": "http://evil.example"},
        {**person.cookie(), "Origin": "null"},
        {**person.cookie(), "Origin": own.replace("127.0.0.1", "localhost")},
        {**person.cookie(), "Origin": own.replace("http:", "https:")},
    ]
    for upgrade in elsewhere:
        assert refusal(upgrade, csrf, server) in (403, 4403), upgrade
    # Strawberry lets a handshake that claims to be same-origin through; Accord does not
    # take its word for it.
    claimed = {**person.cookie(), "Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}
    assert refusal(claimed, csrf, server) == 4403
    cases = [
        (person.cookie(), csrf),  # no Origin (not a browser; a cookie needs one)
        ({**person.cookie(), "Origin": own}, {}),  # no CSRF value
        ({**person.cookie(), "Origin": own}, {"X-Accord-CSRF": "guessed"}),
        ({**person.cookie(), "Origin": own}, {"X-Accord-CSRF": person.session_id}),
        ({**person.cookie(), "Origin": own, "X-Accord-CSRF": person.csrf}, {}),  # header only
    ]
    for upgrade, init in cases:
        assert refusal(upgrade, init, server) == 4403, (upgrade, init)
    # The right origin and the CSRF value: acknowledged, and the mutation runs as the person.
    before = server.version(pid)
    with websocket(server.api, {**person.cookie(), "Origin": own}) as client:
        client.init(csrf)
        result = client.execute(SET_GOAL, goal(pid))
        assert result["data"]["result"]["__typename"] == "SetGoalSuccess", result
        assert result["data"]["result"]["event"]["recordedBy"] == person.actor
    assert server.version(pid) == before + 1


def test_a_riding_attempt_over_a_websocket_records_nothing(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    before = server.version(pid)
    upgrade = {
        **person.cookie(),
        "Origin": "http://evil.example",
        "Sec-Fetch-Site": "same-origin",  # past strawberry's handshake check, to Accord's
    }
    with websocket(server.api, upgrade) as client, pytest.raises(ConnectionClosed) as closed:
        client.send({"type": "connection_init", "payload": {"X-Accord-CSRF": person.csrf}})
        client.send(
            {"id": "1", "type": "subscribe", "payload": {"query": SET_GOAL, "variables": goal(pid)}}
        )
        while True:
            client.receive(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert server.version(pid) == before


def test_workbooks_take_the_cookie_only_with_the_csrf_header(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    person, pid = admin
    client = http_client(server.api.url)
    download = client.get(f"/partnerships/{pid}/export.xlsx", headers=person.headers())
    assert download.status_code == 200
    assert download.content[:2] == b"PK"  # an xlsx
    assert client.get(f"/partnerships/{pid}/export.xlsx", headers=person.cookie()).status_code == (
        401
    )
    before = server.version(pid)
    file = {"file": ("w.xlsx", b"PK not really a workbook", "application/octet-stream")}
    ridden = client.post(f"/partnerships/{pid}/import", files=file, headers=person.cookie())
    assert ridden.status_code == 401  # a cross-site form cannot send the header
    own = client.post(f"/partnerships/{pid}/import", files=file, headers=person.headers())
    assert own.status_code not in (401, 403)  # judged (and refused as no workbook)
    assert server.version(pid) == before


def test_no_other_site_is_let_read_the_session_or_send_json(
    server: SecuredServer, admin: tuple[Person, str]
) -> None:
    """Another site's script cannot read `/session` (the CSRF value) nor send the JSON
    POST with the header: no CORS answer lets it."""
    person, _ = admin
    client = http_client(server.api.url)
    evil = {"Origin": "http://evil.example"}
    preflight = client.options(
        "/graphql",
        headers={
            **evil,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-accord-csrf",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    session = client.get("/session", headers={**person.cookie(), **evil})
    assert "access-control-allow-origin" not in session.headers
    assert "access-control-allow-credentials" not in session.headers
