"""Mutations through HTTP: every error code and every kind of validation rule is a union
member naming its field, and nothing is recorded; retries with a key return the first
result; a response comes only once the views include its event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.server import ApiServer
from tests.support.operations import Recorder

PARTNERSHIP_STATE = """
query($id: ID!) {
  partnership(id: $id) { version history(first: 500) { totalCount } }
}"""


class Partnership:
    """A partnership with three partners, a goal and a commitment, to refuse things in."""

    def __init__(self, api: ApiServer) -> None:
        self.api = api
        self.recorder = Recorder(api)
        self.id = self.recorder.form()
        for partner, sector in (("p1", "NHS_TRUST"), ("p2", "LOCAL_AUTHORITY"), ("p3", "PRIVATE")):
            self.record(
                "joinPartner",
                partnerId=partner,
                name=f"Partner {partner}",
                sector=sector,
                occurredAt="2024-01-02",
            )
        self.record(
            "setGoal", goalId="g1", statement="Fewer delayed discharges", occurredAt="2024-01-03"
        )
        self.record(
            "makeCommitment",
            commitmentId="c1",
            partnerId="p1",
            kind="FUNDING",
            quantity=1000,
            dueAt="2024-06-01",
            occurredAt="2024-01-04",
        )

    def record(self, mutation: str, **given: Any) -> dict[str, Any]:
        return self.recorder.record(mutation, {"partnershipId": self.id, **given})

    def result(self, mutation: str, **given: Any) -> dict[str, Any]:
        return self.recorder.result(mutation, {"partnershipId": self.id, **given})

    def version(self) -> int:
        state = self.api.data(PARTNERSHIP_STATE, {"id": self.id})["partnership"]
        assert state["history"]["totalCount"] == state["version"]
        version: int = state["version"]
        return version

    def refused(self, mutation: str, code: str, field: str, **given: Any) -> dict[str, Any]:
        """Assert the input is refused with `code`, naming `field`, and nothing recorded."""
        before = self.version()
        result = self.result(mutation, **given)
        assert result["__typename"] == "ValidationError", result
        assert (result["code"], result["field"]) == (code, field), result
        assert result["message"]
        assert self.version() == before
        return result


@pytest.fixture
def partnership(api: ApiServer) -> Iterator[Partnership]:
    yield Partnership(api)


DECISION = {
    "title": "Pool the discharge budget",
    "category": "RESOURCING",
    "method": "CONSENSUS",
    "decidedBy": ["p1", "p2"],
    "occurredAt": "2024-02-01",
}


# ------------------------------------------------------------------ VALIDATION


def test_a_blank_required_string_is_refused(partnership: Partnership) -> None:
    partnership.refused("setGoal", "VALIDATION", "statement", statement="   ")


def test_a_string_over_its_limit_is_refused(partnership: Partnership) -> None:
    partnership.refused("recordDecision", "VALIDATION", "title", **{**DECISION, "title": "x" * 201})
    partnership.refused(
        "setGoal", "VALIDATION", "statement", statement="x" * 5001, occurredAt="2024-02-01"
    )


def test_an_out_of_range_number_is_refused(partnership: Partnership) -> None:
    partnership.refused(
        "endorseGoal", "VALIDATION", "rating", goalId="g1", partnerId="p1", version=1, rating=6
    )
    partnership.refused(
        "recordDecision", "VALIDATION", "significance", **{**DECISION, "significance": 4}
    )
    partnership.refused("recordDelivery", "VALIDATION", "quantity", commitmentId="c1", quantity=0)


def test_an_id_of_the_wrong_form_is_refused(partnership: Partnership) -> None:
    partnership.refused("setGoal", "VALIDATION", "goalId", goalId="has spaces", statement="A goal")


def test_an_occurrence_before_the_partnership_was_formed_is_refused(
    partnership: Partnership,
) -> None:
    partnership.refused(
        "setGoal", "VALIDATION", "occurredAt", statement="A goal", occurredAt="2023-12-31"
    )


def test_an_occurrence_more_than_a_day_ahead_is_refused(partnership: Partnership) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    partnership.refused("setGoal", "VALIDATION", "occurredAt", statement="A goal", occurredAt=ahead)


def test_a_partner_named_must_be_active_then(partnership: Partnership) -> None:
    partnership.refused(
        "recordDecision", "VALIDATION", "decidedBy.1", **{**DECISION, "decidedBy": ["p1", "p9"]}
    )
    partnership.refused(
        "recordDecision",
        "VALIDATION",
        "decidedBy.0",
        **{**DECISION, "decidedBy": ["p1"], "method": "SINGLE_PARTNER", "occurredAt": "2024-01-01"},
    )


def test_a_decision_naming_a_partner_twice_or_in_two_lists_is_refused(
    partnership: Partnership,
) -> None:
    partnership.refused(
        "recordDecision", "VALIDATION", "decidedBy.1", **{**DECISION, "decidedBy": ["p1", "p1"]}
    )
    partnership.refused(
        "recordDecision", "VALIDATION", "consulted.0", **{**DECISION, "consulted": ["p2"]}
    )


def test_a_single_partner_decision_has_one_decider(partnership: Partnership) -> None:
    partnership.refused(
        "recordDecision", "VALIDATION", "decidedBy", **{**DECISION, "method": "SINGLE_PARTNER"}
    )


def test_an_endorsement_of_an_old_version_is_refused(partnership: Partnership) -> None:
    partnership.record(
        "reviseGoal",
        goalId="g1",
        statement="Fewer and shorter delays",
        reason="Sharper",
        occurredAt="2024-01-05",
    )
    partnership.refused(
        "endorseGoal",
        "VALIDATION",
        "version",
        goalId="g1",
        partnerId="p1",
        version=1,
        rating=4,
        occurredAt="2024-01-06",
    )


def test_nothing_may_be_done_to_a_retired_goal(partnership: Partnership) -> None:
    partnership.record("retireGoal", goalId="g1", reason="Achieved", occurredAt="2024-01-05")
    partnership.refused(
        "reaffirmGoal", "VALIDATION", "goalId", goalId="g1", occurredAt="2024-01-06"
    )


def test_a_released_commitment_takes_no_delivery_or_release(partnership: Partnership) -> None:
    partnership.record(
        "releaseCommitment",
        commitmentId="c1",
        byAgreement=True,
        reason="Not needed",
        occurredAt="2024-01-05",
    )
    partnership.refused(
        "recordDelivery",
        "VALIDATION",
        "commitmentId",
        commitmentId="c1",
        quantity=10,
        occurredAt="2024-01-06",
    )
    partnership.refused(
        "releaseCommitment",
        "VALIDATION",
        "commitmentId",
        commitmentId="c1",
        byAgreement=False,
        reason="Again",
        occurredAt="2024-01-06",
    )


def test_a_delivery_before_its_commitment_is_refused(partnership: Partnership) -> None:
    partnership.refused(
        "recordDelivery",
        "VALIDATION",
        "occurredAt",
        commitmentId="c1",
        quantity=10,
        occurredAt="2024-01-03",
    )


def test_a_unit_that_is_not_the_kinds_is_refused(partnership: Partnership) -> None:
    partnership.refused(
        "makeCommitment",
        "VALIDATION",
        "unit",
        partnerId="p2",
        kind="STAFF",
        quantity=2,
        unit="GBP",
        dueAt="2024-06-01",
        occurredAt="2024-01-05",
    )


def test_a_check_in_about_the_respondent_itself_is_refused(partnership: Partnership) -> None:
    scores = {"reliability": 4, "openness": 4, "respect": 4, "sharedOwnership": 4}
    partnership.refused(
        "recordTrustCheckIn", "VALIDATION", "aboutId", respondentId="p1", aboutId="p1", **scores
    )


def test_a_departure_from_a_role_with_no_holder_is_refused(partnership: Partnership) -> None:
    partnership.refused("recordLeaderDeparture", "VALIDATION", "role", role="Chair")


def test_risk_shares_must_be_non_negative_and_sum_to_one(partnership: Partnership) -> None:
    partnership.refused(
        "agreeRiskShares",
        "VALIDATION",
        "shares.1.share",
        shares=[{"partnerId": "p1", "share": 1.5}, {"partnerId": "p2", "share": -0.5}],
    )
    partnership.refused(
        "agreeRiskShares",
        "VALIDATION",
        "shares",
        shares=[{"partnerId": "p1", "share": 0.5}, {"partnerId": "p2", "share": 0.4}],
    )


def test_retractions_of_formations_twice_or_with_dependents_are_refused(
    partnership: Partnership,
) -> None:
    history = partnership.api.data(
        "query($id: ID!) { partnership(id: $id) { history { edges { node { id type } } } } }",
        {"id": partnership.id},
    )["partnership"]["history"]["edges"]
    ids: dict[str, str] = {}
    for edge in history:  # the first event of each type
        ids.setdefault(edge["node"]["type"], edge["node"]["id"])
    partnership.refused(
        "retractEntry", "VALIDATION", "eventId", eventId=ids["PARTNERSHIP_FORMED"], reason="No"
    )
    partnership.refused(
        "retractEntry", "VALIDATION", "eventId", eventId=ids["PARTNER_JOINED"], reason="Mistake"
    )  # p1 joined first, and its commitment depends on that
    commitment = ids["COMMITMENT_MADE"]
    partnership.record("retractEntry", eventId=commitment, reason="Entered twice")
    partnership.refused("retractEntry", "VALIDATION", "eventId", eventId=commitment, reason="Again")


def test_a_backdated_departure_that_would_invalidate_a_decision_is_refused(
    partnership: Partnership,
) -> None:
    decision = partnership.record("recordDecision", **DECISION)
    refusal = partnership.refused(
        "recordPartnerLeaving", "VALIDATION", "occurredAt", partnerId="p2", occurredAt="2024-01-20"
    )
    assert decision["id"] in refusal["message"]


def test_an_input_field_out_of_the_graphql_types_is_a_top_level_error(api: ApiServer) -> None:
    body = api.post(
        "mutation { formPartnership(input: {name: 'x'}) { __typename } }".replace("'", '"')
    )
    assert body["errors"] and body.get("data") is None


def test_a_date_time_without_an_offset_is_refused(partnership: Partnership) -> None:
    body = partnership.api.post(
        """mutation($input: SetGoalInput!) { setGoal(input: $input) { __typename } }""",
        {
            "input": {
                "partnershipId": partnership.id,
                "statement": "A goal",
                "occurredAt": "2024-02-01T10:00:00",
            }
        },
    )
    assert "offset" in body["errors"][0]["message"]
    assert partnership.version() == 6


# ------------------------------------------------------------------ NOT_FOUND, DUPLICATE


def test_an_unknown_goal_is_not_found(partnership: Partnership) -> None:
    partnership.refused("reaffirmGoal", "NOT_FOUND", "goalId", goalId="nope")


def test_an_unknown_commitment_or_event_is_not_found(partnership: Partnership) -> None:
    partnership.refused(
        "recordDelivery", "NOT_FOUND", "commitmentId", commitmentId="nope", quantity=1
    )
    partnership.refused(
        "retractEntry",
        "NOT_FOUND",
        "eventId",
        eventId="00000000-0000-0000-0000-000000000000",
        reason="x",
    )


def test_an_unknown_partnership_is_not_found(api: ApiServer) -> None:
    result = Recorder(api).result(
        "setGoal", {"partnershipId": "00000000-0000-0000-0000-000000000001", "statement": "A goal"}
    )
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "NOT_FOUND",
        "partnershipId",
    )


def test_a_used_goal_id_or_an_active_partners_id_is_a_duplicate(partnership: Partnership) -> None:
    partnership.refused("setGoal", "DUPLICATE", "goalId", goalId="g1", statement="Again")
    partnership.refused(
        "joinPartner", "DUPLICATE", "partnerId", partnerId="p1", name="Again", sector="OTHER"
    )


def test_a_partner_who_left_may_join_again_under_its_id(partnership: Partnership) -> None:
    partnership.record("recordPartnerLeaving", partnerId="p3", occurredAt="2024-01-10")
    partnership.record(
        "joinPartner", partnerId="p3", name="Partner p3", sector="PRIVATE", occurredAt="2024-01-20"
    )
    partners = partnership.api.data(
        'query($id: ID!) { partnership(id: $id) { partners(asOf: "2024-01-15") { id } } }',
        {"id": partnership.id},
    )["partnership"]["partners"]
    assert [p["id"] for p in partners] == ["p1", "p2"]


# ------------------------------------------------------------------ versions and keys


def test_an_unexpected_version_is_a_version_conflict(partnership: Partnership) -> None:
    before = partnership.version()
    result = partnership.result("setGoal", statement="A goal", expectedVersion=before - 1)
    assert result == {
        "__typename": "VersionConflictError",
        "code": "VERSION_CONFLICT",
        "message": result["message"],
        "expectedVersion": before - 1,
        "currentVersion": before,
    }
    assert partnership.version() == before
    recorded = partnership.result("setGoal", statement="A goal", expectedVersion=before)
    assert recorded["partnership"]["version"] == before + 1


def test_a_retry_with_the_same_key_returns_the_first_result(partnership: Partnership) -> None:
    given = {"statement": "Shared records", "idempotencyKey": "goal-2", "occurredAt": "2024-02-01"}
    first = partnership.result("setGoal", **given, expectedVersion=partnership.version())
    retry = partnership.result("setGoal", **given, expectedVersion=1)
    assert retry["__typename"] == "SetGoalSuccess"
    assert retry["event"] == first["event"]
    assert retry["partnership"]["version"] == first["partnership"]["version"]
    partnership.refused("setGoal", "DUPLICATE", "idempotencyKey", **{**given, "statement": "Other"})


def test_a_refused_command_leaves_its_key_free(partnership: Partnership) -> None:
    partnership.refused("setGoal", "VALIDATION", "statement", statement=" ", idempotencyKey="k")
    assert partnership.result("setGoal", statement="Now right", idempotencyKey="k")[
        "__typename"
    ] == ("SetGoalSuccess")


def test_forming_with_a_key_twice_finds_the_same_partnership(api: ApiServer) -> None:
    recorder = Recorder(api)
    first = recorder.form("Keyed", idempotencyKey="form-1")
    assert recorder.form("Keyed", idempotencyKey="form-1") == first
    assert api.data("{ partnerships { totalCount } }")["partnerships"]["totalCount"] == 1


# ------------------------------------------------------------------ what a success says


def test_a_success_carries_the_event_and_the_partnership_as_it_now_is(
    partnership: Partnership,
) -> None:
    result = partnership.result("recordDecision", **DECISION)
    event, state = result["event"], result["partnership"]
    assert event["type"] == "DECISION_RECORDED"
    assert event["position"] == state["version"] == 7
    assert event["occurredAt"] == "2024-02-01T00:00:00+00:00"
    assert event["recordedBy"] == "local"
    assert event["data"] == {
        "decisionId": event["data"]["decisionId"],
        "title": DECISION["title"],
        "category": "RESOURCING",
        "significance": 1,
        "method": "CONSENSUS",
        "decidedBy": ["p1", "p2"],
        "consulted": [],
        "dissentedBy": [],
        "rationale": None,
    }
    assert event["data"]["decisionId"]
    assert event["summary"]
    assert event["retracted"] is False
    # Read-your-writes: the next query sees the decision.
    decisions = partnership.api.data(
        "query($id: ID!) { partnership(id: $id) { decisions { totalCount } } }",
        {"id": partnership.id},
    )
    assert decisions["partnership"]["decisions"]["totalCount"] == 1
