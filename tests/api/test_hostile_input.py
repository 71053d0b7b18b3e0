"""Hostile input (API.md, Conventions, Mutations and Limits), sent by an authenticated
caller: every string input has a limit, named in the refusal; client ids are
`[A-Za-z0-9_.:-]{1,64}` and nothing else; text is data, stored and returned exactly as
sent (on SQLite and PostgreSQL); text no store can keep (NUL, lone surrogates) is
refused rather than stopping the views; an unexpected failure is masked and carries a
request id that the log line also has; oversized requests are refused quickly."""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphql
import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from accord.graphql.export import SDL_PATH
from tests.api.secured import SecuredServer
from tests.api.seeding import MUTATIONS, Seeder
from tests.api.server import start_server
from tests.support.graphql_client import bearer, subscriber
from tests.support.operations import EVENT_FIELDS, Recorder, mutation_document

SHORT, LONG = 200, 5_000
TEXT_LIMITS = {
    # API.md: names, titles, roles, persons: 200; statements, rationales, reasons, notes,
    # descriptions: 5,000. Actors, units and idempotency keys are short too.
    "name": SHORT,
    "title": SHORT,
    "role": SHORT,
    "person": SHORT,
    "actor": SHORT,
    "unit": SHORT,
    "idempotencyKey": SHORT,
    "purpose": LONG,
    "statement": LONG,
    "reason": LONG,
    "note": LONG,
    "rationale": LONG,
    "description": LONG,
    "invitations.0.emails.0": 320,  # an address: 64 before the @, 255 after
}
DATE_TIME_LIMIT = 64


def _input_fields(kind: str) -> list[tuple[str, str, str]]:
    """(mutation, field path, scalar) for every input field of `kind` (String, ID or
    DateTime), lists and nested inputs as paths (`decidedBy.0`, `shares.0.partnerId`),
    from the exported schema (which CI keeps equal to the served one)."""
    schema = graphql.build_schema(SDL_PATH.read_text())
    mutation_type = schema.mutation_type
    assert mutation_type is not None
    found: list[tuple[str, str, str]] = []

    def walk(mutation: str, fields: dict[str, graphql.GraphQLInputField], prefix: str) -> None:
        for name, field in fields.items():
            inner, path = graphql.get_nullable_type(field.type), prefix + name
            if isinstance(inner, graphql.GraphQLList):
                inner, path = graphql.get_nullable_type(inner.of_type), path + ".0"
            if isinstance(inner, graphql.GraphQLInputObjectType):
                walk(mutation, inner.fields, path + ".")
            elif getattr(inner, "name", None) == kind:
                found.append((mutation, path, kind))

    for mutation, field in mutation_type.fields.items():
        argument = graphql.get_named_type(field.args["input"].type)
        assert isinstance(argument, graphql.GraphQLInputObjectType)
        walk(mutation, argument.fields, "")
    return found


STRING_FIELDS = [(mutation, path) for mutation, path, _ in _input_fields("String")]
ID_FIELDS = [
    (mutation, path)
    for mutation, path, _ in _input_fields("ID")
    if path != "partnershipId"  # a generated UUID: anything else is an unknown id
]
DATE_TIME_FIELDS = [(mutation, path) for mutation, path, _ in _input_fields("DateTime")]


def with_value(given: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `given` with the field at a dotted path (`shares.0.partnerId`) set to
    `value` (the valid inputs hold every list and nested input a path goes through)."""
    copy: dict[str, Any] = json.loads(json.dumps(given))
    target: Any = copy
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return copy


@dataclass
class Hostile:
    server: SecuredServer
    token: str
    seeder: Seeder

    def result(self, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
        body = self.server.body(self.token, mutation_document(mutation), {"input": given})
        assert not body.get("errors"), body
        result: dict[str, Any] = body["data"]["result"]
        return result

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.server.data(self.token, query, variables)

    def recorded_so_far(self) -> tuple[int, int]:
        """The seeded partnership's version and the number of partnerships."""
        return (
            self.server.version(self.seeder.partnership_id),
            self.server.partnership_count(),
        )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    server = SecuredServer(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'accord.db'}")
    try:
        token = server.issue("alice")
        yield Hostile(server, token, Seeder.new(Recorder(server.api, token)))
    finally:
        server.stop()


# ------------------------------------------------------------ length limits


def test_every_string_input_of_the_schema_has_a_known_limit() -> None:
    assert STRING_FIELDS, "no String inputs found"
    assert {path for _, path in STRING_FIELDS} <= set(TEXT_LIMITS)
    # Every mutation has idempotencyKey, but a check-in round's close and reminder (ids only).
    with_text = {mutation for mutation, _ in STRING_FIELDS}
    assert with_text == set(MUTATIONS) - {"closeCheckInRound", "remindCheckInRound"}


@pytest.mark.parametrize(("mutation", "field"), STRING_FIELDS)
def test_a_string_over_its_limit_is_refused_naming_the_limit(
    hostile: Hostile, mutation: str, field: str
) -> None:
    limit = TEXT_LIMITS[field]
    before = hostile.recorded_so_far()
    over = hostile.result(
        mutation, with_value(hostile.seeder.valid_input(mutation), field, "x" * (limit + 1))
    )
    assert (over["__typename"], over["code"], over["field"]) == (
        "ValidationError",
        "VALIDATION",
        field,
    ), over
    assert f"{limit:,}" in over["message"], over["message"]
    assert hostile.recorded_so_far() == (before[0] + _seeded_events(mutation), before[1])
    # At the limit, the length is not what is wrong (a unit may still be the wrong one).
    at = hostile.result(
        mutation, with_value(hostile.seeder.valid_input(mutation), field, "y" * limit)
    )
    if at["__typename"] == "ValidationError":
        assert at["field"] != field or "at most" not in at["message"], at


def _seeded_events(mutation: str) -> int:
    """Events `Seeder.valid_input` records before the input itself (none of them refused)."""
    return {
        "recordPartnerLeaving": 1,
        "reviseGoal": 1,
        "endorseGoal": 2,
        "reaffirmGoal": 1,
        "retireGoal": 1,
        "recordDecision": 1,
        "makeCommitment": 1,
        "recordDelivery": 2,
        "releaseCommitment": 2,
        "recordLeaderDeparture": 2,
        "retractEntry": 1,
        "revokeRole": 1,
        "closeCheckInRound": 1,
        "remindCheckInRound": 1,
    }.get(mutation, 0)


@pytest.mark.parametrize(("mutation", "field"), DATE_TIME_FIELDS)
def test_a_date_time_input_has_a_length_limit_too(
    hostile: Hostile, mutation: str, field: str
) -> None:
    given = with_value(hostile.seeder.valid_input(mutation), field, "2" * (DATE_TIME_LIMIT + 1))
    before = hostile.recorded_so_far()
    body = hostile.server.body(hostile.token, mutation_document(mutation), {"input": given})
    assert body.get("data") is None
    assert f"at most {DATE_TIME_LIMIT} characters" in body["errors"][0]["message"]
    assert len(body["errors"][0]["message"]) < 300  # the value is not echoed back
    assert hostile.recorded_so_far() == before


# ----------------------------------------------------------------------- ids

BAD_IDS = [
    "",
    "a" * 65,
    "a b",
    "a\n",  # `$` in a pattern also matches before a final newline
    "\na",
    "a\t",
    "a/b",
    "a;b",
    "'",
    '"',
    "<script>",
    "a%2Fb",
    "é",
    "١٢",  # Arabic-Indic digits: digits, but not 0-9
    "ｆ",  # fullwidth
    "a\u200b",  # zero-width space
    "a\x00",
    "\ud800",
]


@pytest.mark.parametrize(("mutation", "field"), ID_FIELDS)
def test_client_ids_are_refused_unless_1_to_64_of_the_allowed_characters(
    hostile: Hostile, mutation: str, field: str
) -> None:
    before = hostile.recorded_so_far()
    seeded = _seeded_events(mutation)
    valid = hostile.seeder.valid_input(mutation)
    for bad in BAD_IDS:
        result = hostile.result(mutation, with_value(valid, field, bad))
        assert (result["__typename"], result["code"], result["field"]) == (
            "ValidationError",
            "VALIDATION",
            field,
        ), (bad, result)
        assert "64 characters of A-Z, a-z, 0-9" in result["message"]
    assert hostile.recorded_so_far()[0] == before[0] + seeded


def test_an_id_of_64_allowed_characters_is_kept_as_given(hostile: Hostile) -> None:
    for partner_id in ("A" * 64, "Az09_.:-", "x"):
        given = {
            "partnershipId": hostile.seeder.partnership_id,
            "partnerId": partner_id,
            "name": "n",
            "sector": "OTHER",
        }
        result = hostile.result("joinPartner", given)
        assert result["__typename"] == "JoinPartnerSuccess", result
        assert result["event"]["data"]["partnerId"] == partner_id


# --------------------------------------------------------------- text as data

HOSTILE_TEXT = [
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE events; --",
    'Robert"); DELETE FROM view_access; --',
    "' OR '1'='1",
    "Zoë Ångström – 中文 – עברית – العربية – 🤝🏽",
    "\u202eRTL override\u202c",
    "line 1\nline 2\r\nline 3\ttabbed",
    "  spaces kept  ",
    "\\u0000 is not a NUL, \\n is not a newline",
    "{{7*7}} ${7*7} %s %n %(x)s",
    "\x01\x1f\x7f controls",
    "../../etc/passwd",
    "e\u0301 combining, \ufeff BOM, \U0001d54f astral",
    '"quoted" and \\backslashed\\',
    "null",
]


def _round_trip(recorder: Recorder, read: Any, text: str) -> None:
    """Record `text` in every kind of text field and read it back from every field."""
    partnership_id = recorder.form(text, purpose=text)
    pid = {"partnershipId": partnership_id}
    recorder.record("joinPartner", {**pid, "partnerId": "p", "name": text, "sector": "OTHER"})
    recorder.record("setGoal", {**pid, "goalId": "g", "statement": text})
    recorder.record(
        "recordDecision",
        {
            **pid,
            "decisionId": "d",
            "title": text,
            "category": "STRATEGY",
            "method": "SINGLE_PARTNER",
            "decidedBy": ["p"],
            "rationale": text,
        },
    )
    recorder.record("appointLeader", {**pid, "role": text, "partnerId": "p", "person": text})
    recorder.record(
        "makeCommitment",
        {
            **pid,
            "commitmentId": "c",
            "partnerId": "p",
            "kind": "IN_KIND",
            "quantity": 1,
            "dueAt": "2030-01-01",
            "description": text,
        },
    )
    recorder.record(
        "recordTrustCheckIn",
        {
            **pid,
            "respondentId": "p",
            "reliability": 3,
            "openness": 3,
            "respect": 3,
            "sharedOwnership": 3,
            "note": text,
            "idempotencyKey": text,
        },
    )
    recorder.record("grantRole", {**pid, "actor": text, "role": "VIEWER"})
    answer = read(
        f"""query($id: ID!) {{ partnership(id: $id) {{
          name purpose
          partners {{ name }} goals {{ statement }} leadership {{ role person }}
          decisions {{ edges {{ node {{ title rationale }} }} }}
          history {{ edges {{ node {{ {EVENT_FIELDS} }} }} }}
          timeline {{ items {{ content title }} }}
          audit {{ valid eventsChecked }}
        }} }}""",
        {"id": partnership_id},
    )["partnership"]
    assert (answer["name"], answer["purpose"]) == (text, text)
    assert answer["partners"] == [{"name": text}]
    assert answer["goals"] == [{"statement": text}]
    assert answer["leadership"] == [{"role": text, "person": text}]
    assert answer["decisions"]["edges"][0]["node"] == {"title": text, "rationale": text}
    data = [edge["node"]["data"] for edge in answer["history"]["edges"]]
    assert data[0] == {"name": text, "purpose": text}
    assert data[1]["name"] == text and data[2]["statement"] == text
    assert data[3]["title"] == data[3]["rationale"] == text
    assert data[4]["role"] == data[4]["person"] == text
    assert data[5]["description"] == text and data[6]["note"] == text
    assert data[7] == {"actor": text, "role": "VIEWER"}
    assert answer["audit"] == {"valid": True, "eventsChecked": 8}
    assert any(text in (item["title"] or "") for item in answer["timeline"]["items"])


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_text_is_data_returned_exactly_as_sent(hostile: Hostile, text: str) -> None:
    recorder = Recorder(hostile.server.api, hostile.token)
    _round_trip(recorder, hostile.data, text)


def test_hostile_names_page_through_the_directory(hostile: Hostile) -> None:
    recorder = Recorder(hostile.server.api, hostile.token)
    for text in HOSTILE_TEXT[:6]:
        recorder.form(text)
    query = """query($after: String) { partnerships(first: 1, after: $after) {
      totalCount pageInfo { endCursor hasNextPage } edges { node { name } } } }"""
    names, after = [], None
    while True:
        page = hostile.data(query, {"after": after})["partnerships"]
        names += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) == page["totalCount"]
    assert set(HOSTILE_TEXT[:6]) <= set(names)


def _cursor(*key: object) -> str:
    text = json.dumps(list(key), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("partnerships", "a\x00", str(uuid.uuid4())),
        _cursor("partnerships", "a", "'; DROP TABLE view_partnerships; --"),
        _cursor("partnerships", "a", "\ud800"),
        _cursor("partnerships", "\ud800", str(uuid.uuid4())),
        _cursor("partnerships", 1, 2),
        _cursor("history", 1, 2),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "%%%",
    ],
)
def test_made_up_cursors_are_bad_arguments(hostile: Hostile, cursor: str) -> None:
    body = hostile.server.body(
        hostile.token,
        "query($after: String) { partnerships(after: $after) { totalCount } }",
        {"after": cursor},
    )
    assert body["data"] is None
    assert body["errors"][0]["message"] == "after: not a cursor of this list"
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


UNSTORABLE = {"a\x00b": "NUL", "a\ud800b": "surrogate"}


@pytest.mark.parametrize(("mutation", "field"), STRING_FIELDS)
def test_text_no_store_can_keep_is_refused_naming_the_field(
    hostile: Hostile, mutation: str, field: str
) -> None:
    before = hostile.recorded_so_far()
    for text, problem in UNSTORABLE.items():
        given = with_value(hostile.seeder.valid_input(mutation), field, text)
        result = hostile.result(mutation, given)
        assert (result["__typename"], result["field"]) == ("ValidationError", field), result
        assert problem in result["message"], result
    assert hostile.recorded_so_far()[0] == before[0] + 2 * _seeded_events(mutation)


def test_text_round_trips_and_nul_cannot_stop_the_views_on_every_store(database_url: str) -> None:
    """On PostgreSQL a NUL in any text once stopped the projector for every partnership:
    the write side took it, the views could not."""
    api = start_server(database_url)
    try:
        recorder = Recorder(api)
        for text in HOSTILE_TEXT:
            _round_trip(recorder, api.data, text)
        partnership_id = recorder.form("Before")
        refused = recorder.result(
            "setGoal", {"partnershipId": partnership_id, "statement": "stop\x00the views"}
        )
        assert (refused["code"], refused["field"]) == ("VALIDATION", "statement")
        after = recorder.form("After")  # still projected, at once
        assert api.data("query($id: ID!) { partnership(id: $id) { name } }", {"id": after}) == {
            "partnership": {"name": "After"}
        }
        assert api.data("{ __typename }")
        body = api.client.get("/healthz").json()
        assert body["status"] == "ok" and "projectorError" not in body
    finally:
        api.stop()


# ----------------------------------------------------------- masked failures


def test_an_unexpected_failure_is_masked_with_a_request_id_the_log_has(
    hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    app = hostile.server.api.runtime.app
    original = app.verify

    def broken(*args: object) -> object:
        raise RuntimeError("secret: /srv/accord/audit.key is unreadable")

    app.verify = broken  # type: ignore[method-assign,assignment]
    try:
        with caplog.at_level(logging.ERROR, logger="accord"):
            response = hostile.server.post(
                hostile.token,
                "query($id: ID!) { partnership(id: $id) { name audit { valid } } }",
                {"id": hostile.seeder.partnership_id},
            )
    finally:
        app.verify = original  # type: ignore[method-assign]
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"partnership": None}  # audit is non-null: its parent is nulled
    (error,) = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert response.headers["x-request-id"] == request_id
    for leak in ("secret", "audit.key", "RuntimeError", "Traceback", "File ", ".py"):
        assert leak not in response.text
    logged = [record for record in caplog.records if request_id in record.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "secret" in str(logged[0].exc_info[1])  # the detail is in the log only


def test_an_unexpected_failure_in_a_mutation_is_masked_and_records_nothing(
    hostile: Hostile,
) -> None:
    app = hostile.server.api.runtime.app
    original = app.execute

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("internal-table-name")

    app.execute = broken  # type: ignore[method-assign,assignment]
    before = hostile.recorded_so_far()
    try:
        given = hostile.seeder.valid_input("setGoal")
        body = hostile.server.body(hostile.token, mutation_document("setGoal"), {"input": given})
    finally:
        app.execute = original  # type: ignore[method-assign]
    assert body["errors"][0]["message"] == "Unexpected error."
    assert len(body["errors"][0]["extensions"]["requestId"]) == 32
    assert "internal-table-name" not in json.dumps(body)
    assert hostile.recorded_so_far() == before


def test_a_failure_outside_graphql_is_a_masked_500_with_a_request_id(
    hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    store = hostile.server._check_store
    original = store.actor_for

    def broken(token: str) -> str | None:
        raise OSError("token database at /var/lib/accord is gone")

    store.actor_for = broken  # type: ignore[method-assign]
    try:
        with caplog.at_level(logging.ERROR, logger="accord"):
            response = hostile.server.post(hostile.token, "{ __typename }")
    finally:
        store.actor_for = original  # type: ignore[method-assign]
    assert response.status_code == 500
    body = response.json()
    assert body["errors"][0]["message"] == "Unexpected error."
    request_id = body["errors"][0]["extensions"]["requestId"]
    assert response.headers["x-request-id"] == request_id
    assert "/var/lib" not in response.text and "OSError" not in response.text
    assert any(request_id in record.getMessage() for record in caplog.records)


def test_every_answer_carries_a_request_id(hostile: Hostile) -> None:
    client = hostile.server.api.client
    answers = [
        hostile.server.post(None, "{ __typename }"),  # 401
        hostile.server.post(hostile.token, "{ __typename }"),
        hostile.server.post(hostile.token, "{ nope }"),
        client.get("/healthz"),
    ]
    ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(len(request_id) == 32 for request_id in ids)
    assert len(set(ids)) == len(ids)


# -------------------------------------------------------------------- limits

QUICKLY = 1.0


def _timed(hostile: Hostile, content: bytes, **headers: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = hostile.server.api.client.post(
        "/graphql",
        content=content,
        headers={"content-type": "application/json", **bearer(hostile.token), **headers},
    )
    return response, time.perf_counter() - started


def _refused_query(hostile: Hostile, query: str) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    response = hostile.server.post(hostile.token, query)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None and body["errors"], body
    errors: list[dict[str, Any]] = body["errors"]
    return errors, elapsed


def test_a_thousand_aliases_are_refused_quickly(hostile: Hostile) -> None:
    errors, elapsed = _refused_query(
        hostile, "{ " + " ".join(f"a{i}: __typename" for i in range(1_000)) + " }"
    )
    assert errors[0]["message"] == "the operation uses 1000 aliases; at most 30 are allowed"
    assert elapsed < QUICKLY


def test_fifty_levels_are_refused_quickly(hostile: Hostile) -> None:
    errors, elapsed = _refused_query(
        hostile, "{ " + "partnerships { edges { node { " * 17 + "id" + " } } }" * 17 + " }"
    )
    assert errors[0]["message"] == "the operation is more than 15 levels deep"
    assert elapsed < QUICKLY


def test_six_thousand_tokens_are_refused_quickly(hostile: Hostile) -> None:
    errors, elapsed = _refused_query(hostile, "{ " + "a " * 6_000 + "}")
    assert "5000 tokens" in errors[0]["message"]
    assert elapsed < QUICKLY


def test_a_megabyte_body_is_refused_with_413_quickly(hostile: Hostile) -> None:
    megabyte = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * 1_000_000}})
    response, elapsed = _timed(hostile, megabyte.encode())
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "the request body is over 65,536 bytes"
    assert elapsed < QUICKLY

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(16):
            yield b" " * 65_536

    started = time.perf_counter()
    streamed = hostile.server.api.client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413 and time.perf_counter() - started < QUICKLY


def test_a_megabyte_websocket_message_closes_the_socket(hostile: Hostile) -> None:
    with subscriber(hostile.server.api, bearer(hostile.token)) as client:
        started = time.perf_counter()
        client.subscribe("{ __typename }", {"x": "a" * 1_000_000})
        with pytest.raises(ConnectionClosed) as closed:
            client.receive(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # too big
        assert time.perf_counter() - started < QUICKLY
