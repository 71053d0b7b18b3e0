"""A partnership an actor has no role in is indistinguishable from one that does not
exist, through every path (API.md, Access): the directory and its counts and cursors,
`partnership`, `node`, every field under them, mutations, operations over the
websocket, and subscriptions (also when a role is revoked while streaming)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.api.secured import UNKNOWN_ID, SecuredServer, forged_token
from tests.support.graphql_client import (
    GraphQLClient,
    Subscriber,
    bearer,
    subscriber,
    websocket,
)
from tests.support.operations import EVENT_FIELDS, HEALTH_FIELDS, Recorder, mutation_document


@dataclass
class Two:
    """Alice's partnership (with a history) and Bob's, on one server."""

    server: SecuredServer
    alice: str
    bob: str
    riverside: str
    hillside: str
    riverside_events: list[str]

    def recorder(self, token: str) -> Recorder:
        return Recorder(self.server.api, token)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Two]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cross') / 'accord.db'}"
    server = SecuredServer(url)
    try:
        alice, bob = server.issue("alice"), server.issue("bob")
        by_alice = Recorder(server.api, alice)
        riverside = by_alice.form("Riverside", idempotencyKey="form-1")
        pid = {"partnershipId": riverside}
        for partner in ("nhs", "council"):
            by_alice.record(
                "joinPartner",
                {
                    **pid,
                    "partnerId": partner,
                    "name": partner,
                    "sector": "OTHER",
                    "idempotencyKey": f"j-{partner}",
                },
            )
        by_alice.record("setGoal", {**pid, "goalId": "g1", "statement": "Care at home"})
        by_alice.record(
            "recordDecision",
            {
                **pid,
                "decisionId": "d1",
                "title": "Pool",
                "category": "STRATEGY",
                "method": "CONSENSUS",
                "decidedBy": ["nhs", "council"],
            },
        )
        by_alice.record(
            "makeCommitment",
            {
                **pid,
                "commitmentId": "c1",
                "partnerId": "nhs",
                "kind": "FUNDING",
                "quantity": 5,
                "dueAt": "2030-01-01",
            },
        )
        by_alice.record(
            "appointLeader", {**pid, "role": "Chair", "partnerId": "nhs", "person": "Pat"}
        )
        by_alice.record(
            "recordTrustCheckIn",
            {
                **pid,
                "respondentId": "nhs",
                "reliability": 4,
                "openness": 4,
                "respect": 4,
                "sharedOwnership": 4,
            },
        )
        by_bob = Recorder(server.api, bob)
        hillside = by_bob.form("Hillside")
        history = server.data(
            alice,
            "query($id: ID!) { partnership(id: $id) { history { edges { node { id } } } } }",
            {"id": riverside},
        )["partnership"]["history"]["edges"]
        events = [edge["node"]["id"] for edge in history]
        yield Two(server, alice, bob, riverside, hillside, events)
    finally:
        server.stop()


# -------------------------------------------------------------- directory

DIRECTORY = """query($first: Int, $after: String) {
  partnerships(first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id name } }
  }
}"""


def test_the_directory_lists_and_counts_only_what_the_actor_can_see(two: Two) -> None:
    server = two.server
    bobs = server.data(two.bob, DIRECTORY, {"first": 500})["partnerships"]
    assert [edge["node"]["id"] for edge in bobs["edges"]] == [two.hillside]
    assert bobs["totalCount"] == 1
    alices = server.data(two.alice, DIRECTORY, {"first": 500})["partnerships"]
    assert [edge["node"]["id"] for edge in alices["edges"]] == [two.riverside]
    assert alices["totalCount"] == 1

    # Alice's cursor (which holds Riverside's name and id) pages Bob's list, not hers.
    cursor = alices["edges"][0]["cursor"]
    after = server.data(two.bob, DIRECTORY, {"first": 500, "after": cursor})["partnerships"]
    assert [edge["node"]["id"] for edge in after["edges"]] == []  # "Riverside" > "Hillside"
    assert after["totalCount"] == 1


def test_partnership_and_node_are_null_for_every_id_of_a_hidden_partnership(two: Two) -> None:
    query = """query($id: ID!) {
      partnership(id: $id) { id }
      node(id: $id) { id }
    }"""
    for identifier in [two.riverside, *two.riverside_events]:
        assert two.server.data(two.bob, query, {"id": identifier}) == {
            "partnership": None,
            "node": None,
        }
        assert two.server.data(two.alice, query, {"id": identifier})["node"] == {"id": identifier}


EVERYTHING = f"""query($id: ID!) {{
  partnership(id: $id) {{
    id name purpose formedAt version
    partners {{ id name }} goals {{ id statement }} commitments {{ id quantity }}
    leadership {{ role person }}
    decisions {{ totalCount edges {{ node {{ id title recordedBy }} }} }}
    history {{ totalCount edges {{ node {{ {EVENT_FIELDS} }} }} }}
    timeline {{ groups {{ id }} items {{ id content eventId }} }}
    health {{ {HEALTH_FIELDS} }}
    healthSeries(from: "2024-01-01", to: "2024-06-01", interval: MONTH) {{ asOf }}
    audit {{ valid eventsChecked headHash }}
  }}
}}"""


def test_every_field_of_a_hidden_partnership_answers_as_for_an_unknown_id(two: Two) -> None:
    hidden = two.server.body(two.bob, EVERYTHING, {"id": two.riverside})
    unknown = two.server.body(two.bob, EVERYTHING, {"id": UNKNOWN_ID})
    assert hidden == unknown == {"data": {"partnership": None}}
    seen = two.server.data(two.alice, EVERYTHING, {"id": two.riverside})["partnership"]
    assert seen["history"]["totalCount"] == len(two.riverside_events)
    assert seen["audit"]["valid"]


# -------------------------------------------------------------- mutations


def test_mutations_on_a_hidden_partnership_are_not_found_as_for_an_unknown_id(two: Two) -> None:
    bob = two.recorder(two.bob)
    before = two.server.version(two.riverside)
    attempts: dict[str, dict[str, Any]] = {
        "setGoal": {"statement": "Take over"},
        "joinPartner": {"partnerId": "nhs", "name": "dup?", "sector": "OTHER"},  # DUPLICATE if seen
        "reviseGoal": {"goalId": "g1", "statement": "x", "reason": "y"},
        "retractEntry": {"eventId": two.riverside_events[1], "reason": "mine now"},
        "grantRole": {"actor": "bob", "role": "ADMIN"},
        "revokeRole": {"actor": "alice"},
        "recordDelivery": {"commitmentId": "c1", "quantity": 1},
    }
    for mutation, given in attempts.items():
        variants: list[dict[str, Any]] = [{}, {"expectedVersion": 0}, {"idempotencyKey": "j-nhs"}]
        for variant in variants:
            hidden = bob.result(mutation, {**given, **variant, "partnershipId": two.riverside})
            unknown = bob.result(mutation, {**given, **variant, "partnershipId": UNKNOWN_ID})
            assert hidden == unknown, (mutation, variant)
            assert (hidden["code"], hidden["field"]) == ("NOT_FOUND", "partnershipId")
    assert two.server.version(two.riverside) == before


def test_ids_from_a_hidden_partnership_mean_nothing_in_ones_own(two: Two) -> None:
    bob = two.recorder(two.bob)
    own = {"partnershipId": two.hillside}
    # Riverside's event ids, goals and commitments are unknown in Hillside.
    retract = bob.result("retractEntry", {**own, "eventId": two.riverside_events[3], "reason": "x"})
    made_up = bob.result(
        "retractEntry", {**own, "eventId": "00000000-0000-8000-8000-000000000004", "reason": "x"}
    )
    assert (
        (retract["code"], retract["field"])
        == (made_up["code"], made_up["field"])
        == (
            "NOT_FOUND",
            "eventId",
        )
    )
    made_up_id = "00000000-0000-8000-8000-000000000004"
    assert retract["message"].replace(two.riverside_events[3], made_up_id) == made_up["message"]
    goal = bob.result("reviseGoal", {**own, "goalId": "g1", "statement": "x", "reason": "y"})
    other = bob.result("reviseGoal", {**own, "goalId": "g9", "statement": "x", "reason": "y"})
    assert goal["code"] == other["code"] == "NOT_FOUND"
    assert goal["message"].replace("g1", "g9") == other["message"]
    # Alice's idempotency keys (scoped to her partnership, and to her for formations) are
    # nothing to Bob: no DUPLICATE, no replay of her result.
    joined = bob.record(
        "joinPartner",
        {
            **own,
            "partnerId": "nhs",
            "name": "Bob's NHS",
            "sector": "OTHER",
            "idempotencyKey": "j-nhs",
        },
    )
    assert joined["recordedBy"] == "bob" and joined["data"]["name"] == "Bob's NHS"
    formed = bob.result(
        "formPartnership",
        {
            "name": "Riverside",
            "purpose": "Joined-up care",
            "occurredAt": "2024-01-01",
            "idempotencyKey": "form-1",
        },
    )
    assert formed["__typename"] == "FormPartnershipSuccess"
    assert formed["partnership"]["id"] != two.riverside
    assert formed["event"]["recordedBy"] == "bob"


def test_recorded_by_is_the_caller_never_input(two: Two) -> None:
    before = two.server.version(two.hillside)
    body = two.server.body(
        two.bob,
        mutation_document("setGoal"),
        {"input": {"partnershipId": two.hillside, "statement": "x", "recordedBy": "alice"}},
    )
    assert body.get("data") is None and "recordedBy" in body["errors"][0]["message"]
    literal = (
        'mutation { setGoal(input: {partnershipId: "' + two.hillside + '", statement: "x", '
        'recordedBy: "alice"}) { __typename } }'
    )
    inline = two.server.body(two.bob, literal)
    assert inline.get("data") is None and inline["errors"]
    assert two.server.version(two.hillside) == before
    # Granting names another actor; the grant itself is recorded by the granter.
    granted = two.recorder(two.bob).record(
        "grantRole", {"partnershipId": two.hillside, "actor": "alice", "role": "VIEWER"}
    )
    assert granted["recordedBy"] == "bob" and granted["data"] == {
        "actor": "alice",
        "role": "VIEWER",
    }
    history = two.server.data(two.bob, EVERYTHING, {"id": two.hillside})["partnership"]["history"]
    assert {edge["node"]["recordedBy"] for edge in history["edges"]} == {"bob"}
    two.recorder(two.bob).record("revokeRole", {"partnershipId": two.hillside, "actor": "alice"})


# ------------------------------------------------------------- websockets


def test_queries_and_mutations_over_the_websocket_see_no_more(two: Two) -> None:
    before = two.server.version(two.riverside)
    with subscriber(two.server.api, bearer(two.bob)) as client:
        assert client.execute(EVERYTHING, {"id": two.riverside}) == {"data": {"partnership": None}}
        given = {"partnershipId": two.riverside, "statement": "over the socket"}
        hidden = client.execute(mutation_document("setGoal"), {"input": given})
        unknown = client.execute(
            mutation_document("setGoal"), {"input": {**given, "partnershipId": UNKNOWN_ID}}
        )
        assert hidden == unknown
        assert hidden["data"]["result"]["code"] == "NOT_FOUND"
    assert two.server.version(two.riverside) == before


FOLLOW = """subscription($id: ID!, $after: Int) {
  partnershipEvents(partnershipId: $id, afterPosition: $after) { position type recordedBy }
}"""


def test_a_hidden_partnership_cannot_be_followed(two: Two) -> None:
    with subscriber(two.server.api, bearer(two.bob)) as client:
        client.subscribe(FOLLOW, {"id": two.riverside, "after": 0})
        hidden = client.receive()
        client.subscribe(FOLLOW, {"id": UNKNOWN_ID, "after": 0})
        unknown = client.receive()
        assert hidden["type"] == unknown["type"] == "error"
        assert hidden["payload"] == unknown["payload"]
        assert hidden["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        # Bob's own partnership streams on the same connection.
        client.subscribe(FOLLOW, {"id": two.hillside, "after": 0})
        assert client.next_payloads(1)[0]["data"]["partnershipEvents"]["recordedBy"] == "bob"


def _closed_with(
    api: GraphQLClient, payload: dict[str, str], headers: dict[str, str]
) -> int | None:
    with websocket(api, headers) as client:
        client.send({"type": "connection_init", "payload": payload})
        try:
            message = client.receive(timeout=5)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        assert message["type"] == "connection_ack"
        return None


def test_the_websocket_takes_the_token_from_connection_init_or_the_upgrade(two: Two) -> None:
    api = two.server.api
    good, bad = f"Bearer {two.bob}", f"Bearer {forged_token()}"
    assert _closed_with(api, {"Authorization": good}, {}) is None
    assert _closed_with(api, {"authorization": good}, {}) is None
    assert _closed_with(api, {}, {"Authorization": good}) is None
    for payload, headers in (
        ({}, {}),
        ({"Authorization": bad}, {}),
        ({}, {"Authorization": bad}),
        ({"Authorization": bad}, {"Authorization": good}),  # what the client says counts
        ({"Authorization": two.bob}, {}),  # no scheme
        ({"Authorization": "Basic " + two.bob}, {}),
        ({"Authorization": "Bearer acc_\ud800"}, {}),  # not even text
    ):
        assert _closed_with(api, payload, headers) == 4403, (payload, headers)


def test_a_websocket_runs_nothing_before_connection_init(two: Two) -> None:
    with websocket(two.server.api) as client:
        client.subscribe(FOLLOW, {"id": two.riverside, "after": 0})
        with pytest.raises(ConnectionClosed) as closed:
            client.receive(timeout=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@contextmanager
def following_as_viewer(two: Two, name: str) -> Iterator[tuple[Subscriber, str, str]]:
    """`name`, a VIEWER of riverside with a token of its own, following riverside's new
    events and having seen one: (the client, the operation id, the token)."""
    alice = two.recorder(two.alice)
    token = two.server.issue(name)
    pid = {"partnershipId": two.riverside}
    granted = alice.record("grantRole", {**pid, "actor": name, "role": "VIEWER"})
    with subscriber(two.server.api, bearer(token)) as client:
        operation = client.subscribe(FOLLOW, {"id": two.riverside, "after": granted["position"]})
        alice.record("setGoal", {**pid, "statement": f"Seen by {name}"})
        seen = client.next_payloads(1)[0]["data"]["partnershipEvents"]
        assert seen["type"] == "GOAL_SET"
        yield client, operation, token


def test_a_role_revoked_while_streaming_ends_the_stream_with_not_found(two: Two) -> None:
    server, alice = two.server, two.recorder(two.alice)
    pid = {"partnershipId": two.riverside}
    with following_as_viewer(two, "carol") as (client, operation, carol):
        revoked = alice.record("revokeRole", {**pid, "actor": "carol"})
        alice.record("setGoal", {**pid, "statement": "Not for carol"})
        while True:
            message = client.receive()
            if message["type"] != "next":
                break
            # At most the revocation itself reaches carol; nothing recorded after it.
            event = message["payload"]["data"]["partnershipEvents"]
            assert event["position"] <= revoked["position"], event
        assert message["type"] == "error" and message["id"] == operation, message
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        assert client.nothing_within(0.3)
        # Following it again is refused as for an unknown id.
        client.subscribe(FOLLOW, {"id": two.riverside, "after": 0})
        again = client.receive()
        assert again["type"] == "error"
        assert again["payload"][0]["extensions"]["code"] == "NOT_FOUND"
    assert server.data(carol, EVERYTHING, {"id": two.riverside}) == {"partnership": None}


def test_a_token_revoked_while_streaming_ends_the_stream_as_unauthenticated(two: Two) -> None:
    server, alice = two.server, two.recorder(two.alice)
    with following_as_viewer(two, "dave") as (client, operation, dave):
        server.revoke(dave)  # `accord token revoke`, in another connection
        message = client.receive(timeout=5)  # within a recheck, with nothing recorded
        assert message["type"] == "error" and message["id"] == operation, message
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        alice.record("setGoal", {"partnershipId": two.riverside, "statement": "Not for dave"})
        assert client.nothing_within(0.3)
    assert server.post(dave, EVERYTHING, {"id": two.riverside}).status_code == 401
