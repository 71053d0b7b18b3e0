"""Reading through the API: the directory, nodes, and a partnership as of a date."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from accord.graphql.export import SDL_PATH
from tests.api.server import ApiServer
from tests.support.operations import Recorder

DIRECTORY = """
query($first: Int, $after: String) {
  partnerships(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name purpose formedAt version } }
  }
}"""


def test_partnerships_page_by_name_then_id(api: ApiServer) -> None:
    recorder = Recorder(api)
    ids = {name: recorder.form(name) for name in ("Cedar", "Alder", "Birch", "Alder")}
    first = api.data(DIRECTORY, {"first": 2})["partnerships"]
    assert first["totalCount"] == 4
    assert [edge["node"]["name"] for edge in first["edges"]] == ["Alder", "Alder"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    alders = [edge["node"]["id"] for edge in first["edges"]]
    assert alders == sorted(alders)
    rest = api.data(DIRECTORY, {"first": 2, "after": first["pageInfo"]["endCursor"]})[
        "partnerships"
    ]
    assert [edge["node"]["name"] for edge in rest["edges"]] == ["Birch", "Cedar"]
    assert not rest["pageInfo"]["hasNextPage"] and rest["pageInfo"]["hasPreviousPage"]
    assert rest["edges"][1]["node"] == {
        "id": ids["Cedar"],
        "name": "Cedar",
        "purpose": "Joined-up care",
        "formedAt": "2024-01-01T00:00:00+00:00",
        "version": 1,
    }


def test_node_finds_partnerships_and_events(api: ApiServer) -> None:
    recorder = Recorder(api)
    partnership_id = recorder.form()
    event = recorder.record(
        "joinPartner",
        {"partnershipId": partnership_id, "partnerId": "p1", "name": "P1", "sector": "ACADEMIC"},
    )
    query = """query($id: ID!) { node(id: $id) { __typename id
      ... on Partnership { name } ... on Event { type position data } } }"""
    assert api.data(query, {"id": partnership_id})["node"]["__typename"] == "Partnership"
    node = api.data(query, {"id": event["id"]})["node"]
    assert node == {
        "__typename": "Event",
        "id": event["id"],
        "type": "PARTNER_JOINED",
        "position": 2,
        "data": {"partnerId": "p1", "name": "P1", "sector": "ACADEMIC"},
    }
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-an-id"):
        assert api.data(query, {"id": unknown})["node"] is None
        assert api.data("query($id: ID!) { partnership(id: $id) { id } }", {"id": unknown}) == {
            "partnership": None
        }


STATE = """
query($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
  partnership(id: $id) {
    partners(asOf: $asOf, knownAt: $knownAt) { id name sector joinedAt leftAt }
    goals(asOf: $asOf, knownAt: $knownAt) {
      id statement version setAt revisedAt
      endorsements { partner { id name } version rating endorsedAt }
    }
    commitments(asOf: $asOf, knownAt: $knownAt) {
      id partner { id name leftAt } kind quantity unit dueAt delivered status
    }
    leadership(asOf: $asOf, knownAt: $knownAt) { role partner { id } person since vacant }
  }
}"""


def test_a_partnership_as_of_a_date(api: ApiServer) -> None:
    recorder = Recorder(api)
    pid = recorder.form()

    def record(mutation: str, **given: object) -> dict[str, object]:
        return recorder.record(mutation, {"partnershipId": pid, **given})

    record(
        "joinPartner",
        partnerId="p1",
        name="Trust",
        sector="NHS_TRUST",
        occurredAt="2024-01-02T23:00:00+00:00",
    )
    record(
        "joinPartner",
        partnerId="p2",
        name="Council",
        sector="LOCAL_AUTHORITY",
        occurredAt="2024-01-03",
    )
    record("setGoal", goalId="g1", statement="Fewer delays", occurredAt="2024-01-04")
    record("endorseGoal", goalId="g1", partnerId="p2", version=1, rating=4, occurredAt="2024-01-05")
    record(
        "makeCommitment",
        commitmentId="c1",
        partnerId="p2",
        kind="STAFF",
        quantity=2,
        dueAt="2024-03-01",
        occurredAt="2024-01-05",
    )
    record("recordDelivery", commitmentId="c1", quantity=2, occurredAt="2024-02-01")
    record("appointLeader", role="Chair", partnerId="p1", person="Ann", occurredAt="2024-01-06")
    record("recordPartnerLeaving", partnerId="p2", occurredAt="2024-04-01")

    # A bare asOf is the end of that day: a partner who joined at 23:00 is a member.
    on_the_2nd = api.data(STATE, {"id": pid, "asOf": "2024-01-02"})["partnership"]
    assert [p["id"] for p in on_the_2nd["partners"]] == ["p1"]
    assert on_the_2nd["goals"] == [] and on_the_2nd["leadership"] == []

    in_march = api.data(STATE, {"id": pid, "asOf": "2024-03-20"})["partnership"]
    assert [p["id"] for p in in_march["partners"]] == ["p1", "p2"]
    assert in_march["partners"][1] == {
        "id": "p2",
        "name": "Council",
        "sector": "LOCAL_AUTHORITY",
        "joinedAt": "2024-01-03T00:00:00+00:00",
        "leftAt": None,
    }
    assert in_march["goals"] == [
        {
            "id": "g1",
            "statement": "Fewer delays",
            "version": 1,
            "setAt": "2024-01-04T00:00:00+00:00",
            "revisedAt": None,
            "endorsements": [
                {
                    "partner": {"id": "p2", "name": "Council"},
                    "version": 1,
                    "rating": 4,
                    "endorsedAt": "2024-01-05T00:00:00+00:00",
                }
            ],
        }
    ]
    assert in_march["commitments"] == [
        {
            "id": "c1",
            "partner": {"id": "p2", "name": "Council", "leftAt": None},
            "kind": "STAFF",
            "quantity": 2.0,
            "unit": "FTE_MONTHS",
            "dueAt": "2024-03-01T00:00:00+00:00",
            "delivered": 2.0,
            "status": "KEPT",
        }
    ]
    assert in_march["leadership"] == [
        {
            "role": "Chair",
            "partner": {"id": "p1"},
            "person": "Ann",
            "since": "2024-01-06T00:00:00+00:00",
            "vacant": False,
        }
    ]

    later = api.data(STATE, {"id": pid, "asOf": "2024-05-01"})["partnership"]
    assert [p["id"] for p in later["partners"]] == ["p1"]
    # The partner who left is still described on its commitment.
    assert later["commitments"][0]["partner"] == {
        "id": "p2",
        "name": "Council",
        "leftAt": "2024-04-01T00:00:00+00:00",
    }


def test_known_at_hides_later_records_and_retractions(api: ApiServer) -> None:
    recorder = Recorder(api)
    pid = recorder.form()
    joined = recorder.record(
        "joinPartner",
        {
            "partnershipId": pid,
            "partnerId": "p1",
            "name": "P1",
            "sector": "OTHER",
            "occurredAt": "2024-01-02",
        },
    )
    before_retraction = joined["recordedAt"]
    retraction = recorder.record(
        "retractEntry",
        {"partnershipId": pid, "eventId": joined["id"], "reason": "Wrong partnership"},
    )
    query = """query($id: ID!, $known: DateTime, $event: ID!) {
      partnership(id: $id) { partners(knownAt: $known) { id } }
      node(id: $event) { ... on Event { now: retracted then: retracted(knownAt: $known) } }
    }"""
    then = api.data(query, {"id": pid, "known": before_retraction, "event": joined["id"]})
    assert then["partnership"]["partners"] == [{"id": "p1"}]
    assert then["node"] == {"now": True, "then": False}
    now = api.data(query, {"id": pid, "known": retraction["recordedAt"], "event": joined["id"]})
    assert now["partnership"]["partners"] == []
    assert now["node"] == {"now": True, "then": True}


def test_the_window_must_be_sensible(api: ApiServer) -> None:
    pid = Recorder(api).form()
    body = api.post(
        "query($id: ID!) { partnership(id: $id) { health(windowDays: 0) { windowDays } } }",
        {"id": pid},
    )
    assert body["errors"][0]["message"] == "windowDays: must be from 1 to 36,500 (got 0)"
    body = api.post(
        """query($id: ID!) { partnership(id: $id) {
          healthSeries(from: "2020-01-01", to: "2030-01-01", interval: DAY) { asOf } } }""",
        {"id": pid},
    )
    assert "at most 2,000" in body["errors"][0]["message"]
    empty = api.data(
        """query($id: ID!) { partnership(id: $id) {
          healthSeries(from: "2025-01-02", to: "2025-01-01", interval: DAY) { asOf } } }""",
        {"id": pid},
    )
    assert empty["partnership"]["healthSeries"] == []


def test_no_query_the_schema_allows_fails_unexpectedly(api: ApiServer) -> None:
    recorder = Recorder(api)
    pid = recorder.form()
    joined = recorder.record(
        "joinPartner",
        {
            "partnershipId": pid,
            "partnerId": "p1",
            "name": "P1",
            "sector": "OTHER",
            "occurredAt": "2024-01-02",
        },
    )
    ids = st.sampled_from([pid, joined["id"], "p1", "nope"]).map(nodes.String)
    instants = st.sampled_from(
        [
            "2024-01-01",
            "2023-06-30T12:00:00+01:00",
            "0001-01-01",
            "9998-12-31",
            "2026-01-01T00:00:00Z",
        ]
    ).map(nodes.String)
    sdl = SDL_PATH.read_text()

    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(queries(sdl, custom_scalars={"DateTime": instants, "ID": ids}))
    def check(query: str) -> None:
        body = api.post(query)
        for error in body.get("errors") or []:
            assert error["message"] != "Unexpected error.", query

    check()
