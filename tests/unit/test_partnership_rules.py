"""The Partnership aggregate: given events, when a command, then events or an error."""

from __future__ import annotations

import pytest

from accord.domain.commands import read_command
from accord.domain.errors import DomainError, ErrorCode
from accord.domain.partnership import Partnership
from tests.unit.partnership_dsl import NOW, Given, day

V, NF, DUP = ErrorCode.VALIDATION, ErrorCode.NOT_FOUND, ErrorCode.DUPLICATE


@pytest.fixture
def given() -> Given:
    return Given().partners("trust", "council", "charity")


def decision(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": "Pool the discharge budget",
        "category": "RESOURCING",
        "method": "CONSENSUS",
        "decidedBy": ["trust", "council"],
        "occurredAt": day(10),
    }
    fields.update(overrides)
    return fields


def commitment(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "commitmentId": "c1",
        "partnerId": "council",
        "kind": "FUNDING",
        "quantity": 1000,
        "dueAt": day(40),
        "occurredAt": day(5),
    }
    fields.update(overrides)
    return fields


# ---------------------------------------------------------------- every event type


def test_forming_a_partnership_makes_its_former_its_admin() -> None:
    given = Given()
    assert given.partnership.version == 1
    assert given.partnership.access == {"tester": "ADMIN"}
    assert given.events[0].type_name() == "PARTNERSHIP_FORMED"
    assert given.events[0].previous_hash is None


def test_each_mutation_records_its_event_with_data_under_input_names(given: Given) -> None:
    recorded = [
        given.when("setGoal", goalId="g1", statement="Fewer delayed discharges", occurredAt=day(2)),
        given.when(
            "endorseGoal", goalId="g1", partnerId="trust", version=1, rating=4, occurredAt=day(3)
        ),
        given.when(
            "reviseGoal",
            goalId="g1",
            statement="No delayed discharges",
            reason="Raise",
            occurredAt=day(4),
        ),
        given.when("reaffirmGoal", goalId="g1", occurredAt=day(5)),
        given.when("recordDecision", **decision()),
        given.when("makeCommitment", **commitment()),
        given.when("recordDelivery", commitmentId="c1", quantity=400, occurredAt=day(20)),
        given.when(
            "releaseCommitment",
            commitmentId="c1",
            byAgreement=True,
            reason="Budget cut",
            occurredAt=day(30),
        ),
        given.when(
            "agreeRiskShares",
            shares=[{"partnerId": "trust", "share": 0.5}, {"partnerId": "council", "share": 0.5}],
            occurredAt=day(31),
        ),
        given.when(
            "appointLeader", role="Chair", partnerId="trust", person="A. Chair", occurredAt=day(32)
        ),
        given.when("recordLeaderDeparture", role="Chair", occurredAt=day(33)),
        given.when(
            "recordTrustCheckIn",
            respondentId="trust",
            aboutId="council",
            reliability=4,
            openness=4,
            respect=5,
            sharedOwnership=3,
            occurredAt=day(34),
        ),
        given.when(
            "recordPartnerLeaving", partnerId="charity", reason="Funding ended", occurredAt=day(35)
        ),
        given.when("retireGoal", goalId="g1", reason="Achieved", occurredAt=day(36)),
        given.when("grantRole", actor="auditor", role="VIEWER"),
        given.when("revokeRole", actor="auditor"),
    ]
    types = [event.type_name() for event in recorded]
    assert types == [
        "GOAL_SET",
        "GOAL_ENDORSED",
        "GOAL_REVISED",
        "GOAL_REAFFIRMED",
        "DECISION_RECORDED",
        "COMMITMENT_MADE",
        "COMMITMENT_DELIVERED",
        "COMMITMENT_RELEASED",
        "RISK_SHARES_AGREED",
        "LEADER_APPOINTED",
        "LEADER_DEPARTED",
        "TRUST_CHECK_IN_RECORDED",
        "PARTNER_LEFT",
        "GOAL_RETIRED",
        "ROLE_GRANTED",
        "ROLE_REVOKED",
    ]
    made = recorded[5].data
    assert made["unit"] == "GBP" and made["dueAt"] == "2025-02-10T09:00:00+00:00"
    assert recorded[4].data["significance"] == 1 and recorded[4].data["consulted"] == []
    for earlier, later in zip(given.events, given.events[1:], strict=False):
        assert later.previous_hash == earlier.hash


def test_retracting_a_decision_records_the_retraction(given: Given) -> None:
    made = given.when("recordDecision", **decision())
    retraction = given.when("retractEntry", eventId=made.event_id, reason="Entered twice")
    assert retraction.data == {"eventId": made.event_id, "reason": "Entered twice"}


def test_omitted_ids_are_generated(given: Given) -> None:
    event = given.when("setGoal", statement="Joined-up care", occurredAt=day(2))
    assert event.data["goalId"].startswith("goal-")


# ------------------------------------------------------------- one test per rule


def test_a_decision_naming_a_partner_not_yet_joined_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "decidedBy.1", **decision(decidedBy=["trust", "university"]))


def test_a_decision_dated_before_the_partner_joined_is_refused(given: Given) -> None:
    given.when(
        "joinPartner",
        partnerId="gp",
        name="GP Federation",
        sector="PRIMARY_CARE",
        occurredAt=day(20),
    )
    given.refused(
        "recordDecision", V, "consulted.0", **decision(consulted=["gp"], occurredAt=day(15))
    )


def test_a_partner_who_left_cannot_be_named(given: Given) -> None:
    given.when("recordPartnerLeaving", partnerId="charity", occurredAt=day(5))
    given.refused(
        "recordTrustCheckIn",
        V,
        "respondentId",
        respondentId="charity",
        reliability=3,
        openness=3,
        respect=3,
        sharedOwnership=3,
        occurredAt=day(6),
    )


def test_a_partner_who_left_may_join_again_under_its_id(given: Given) -> None:
    given.when("recordPartnerLeaving", partnerId="charity", occurredAt=day(5))
    given.when(
        "joinPartner",
        partnerId="charity",
        name="Charity",
        sector="VOLUNTARY_SECTOR",
        occurredAt=day(6),
    )


def test_joining_an_active_partner_again_is_a_duplicate(given: Given) -> None:
    given.refused(
        "joinPartner",
        DUP,
        "partnerId",
        partnerId="trust",
        name="Trust",
        sector="NHS_TRUST",
        occurredAt=day(5),
    )


def test_a_goal_id_used_twice_is_a_duplicate(given: Given) -> None:
    given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    given.refused("setGoal", DUP, "goalId", goalId="g1", statement="Two", occurredAt=day(3))


def test_a_decision_id_used_twice_is_a_duplicate(given: Given) -> None:
    given.when("recordDecision", **decision(decisionId="d1"))
    given.refused("recordDecision", DUP, "decisionId", **decision(decisionId="d1"))


def test_a_commitment_id_used_twice_is_a_duplicate(given: Given) -> None:
    given.when("makeCommitment", **commitment())
    given.refused("makeCommitment", DUP, "commitmentId", **commitment())


def test_unknown_goal_commitment_and_event_ids_are_not_found(given: Given) -> None:
    given.refused("reaffirmGoal", NF, "goalId", goalId="nope", occurredAt=day(3))
    given.refused(
        "recordDelivery", NF, "commitmentId", commitmentId="nope", quantity=1, occurredAt=day(3)
    )
    given.refused(
        "retractEntry", NF, "eventId", eventId="00000000-0000-8000-8000-000000000001", reason="x"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("rating", 0), ("rating", 6), ("version", 0)],
)
def test_out_of_range_endorsements_are_refused(given: Given, field: str, value: int) -> None:
    given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    fields = {
        "goalId": "g1",
        "partnerId": "trust",
        "version": 1,
        "rating": 3,
        "occurredAt": day(3),
        field: value,
    }
    given.refused("endorseGoal", V, field, **fields)


def test_out_of_range_numbers_are_refused(given: Given) -> None:
    given.refused("recordDecision", V, "significance", **decision(significance=4))
    given.refused("makeCommitment", V, "quantity", **commitment(quantity=0))
    given.refused(
        "recordTrustCheckIn",
        V,
        "openness",
        respondentId="trust",
        reliability=3,
        openness=9,
        respect=3,
        sharedOwnership=3,
        occurredAt=day(6),
    )


def test_blank_required_strings_are_refused(given: Given) -> None:
    given.refused("recordDecision", V, "title", **decision(title="   "))


def test_strings_over_their_limit_are_refused_with_the_limit(given: Given) -> None:
    error = given.refused("recordDecision", V, "title", **decision(title="x" * 201))
    assert "200" in error.message
    error = given.refused("recordDecision", V, "rationale", **decision(rationale="x" * 5001))
    assert "5,000" in error.message


def test_ids_outside_the_allowed_characters_are_refused(given: Given) -> None:
    given.refused("setGoal", V, "goalId", goalId="bad id!", statement="x", occurredAt=day(2))
    given.refused("setGoal", V, "goalId", goalId="x" * 65, statement="x", occurredAt=day(2))


def test_an_event_before_the_partnership_was_formed_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "occurredAt", **decision(occurredAt="2024-12-31"))


def test_an_event_more_than_a_day_in_the_future_is_refused(given: Given) -> None:
    given.refused(
        "recordDecision", V, "occurredAt", **decision(occurredAt="2026-01-03T00:00:00+00:00")
    )


def test_a_date_time_without_an_offset_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "occurredAt", **decision(occurredAt="2025-02-01T09:00:00"))


def test_an_endorsement_of_a_superseded_version_is_refused(given: Given) -> None:
    given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    given.when(
        "reviseGoal", goalId="g1", statement="One, better", reason="Sharper", occurredAt=day(3)
    )
    given.refused(
        "endorseGoal",
        V,
        "version",
        goalId="g1",
        partnerId="trust",
        version=1,
        rating=4,
        occurredAt=day(4),
    )


def test_anything_done_to_a_retired_goal_is_refused(given: Given) -> None:
    given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    given.when("retireGoal", goalId="g1", reason="Done", occurredAt=day(3))
    given.refused("reaffirmGoal", V, "goalId", goalId="g1", occurredAt=day(4))
    given.refused(
        "reviseGoal", V, "goalId", goalId="g1", statement="x", reason="y", occurredAt=day(4)
    )


def test_a_delivery_or_release_of_a_released_commitment_is_refused(given: Given) -> None:
    given.when("makeCommitment", **commitment())
    given.when(
        "releaseCommitment",
        commitmentId="c1",
        byAgreement=False,
        reason="Cannot",
        occurredAt=day(10),
    )
    given.refused(
        "recordDelivery", V, "commitmentId", commitmentId="c1", quantity=5, occurredAt=day(11)
    )
    given.refused(
        "releaseCommitment",
        V,
        "commitmentId",
        commitmentId="c1",
        byAgreement=True,
        reason="x",
        occurredAt=day(12),
    )


def test_a_delivery_dated_before_its_commitment_is_refused(given: Given) -> None:
    given.when("makeCommitment", **commitment())
    given.refused(
        "recordDelivery", V, "occurredAt", commitmentId="c1", quantity=5, occurredAt=day(4)
    )


def test_a_delivery_after_the_partner_left_is_accepted(given: Given) -> None:
    given.when("makeCommitment", **commitment())
    given.when("recordPartnerLeaving", partnerId="council", occurredAt=day(8))
    given.when("recordDelivery", commitmentId="c1", quantity=5, occurredAt=day(9))


def test_a_unit_that_is_not_its_kinds_is_refused(given: Given) -> None:
    given.refused("makeCommitment", V, "unit", **commitment(unit="DAYS"))


def test_a_check_in_about_the_respondent_itself_is_refused(given: Given) -> None:
    given.refused(
        "recordTrustCheckIn",
        V,
        "aboutId",
        respondentId="trust",
        aboutId="trust",
        reliability=3,
        openness=3,
        respect=3,
        sharedOwnership=3,
        occurredAt=day(6),
    )


def test_a_departure_from_a_role_with_no_holder_is_refused(given: Given) -> None:
    given.refused("recordLeaderDeparture", V, "role", role="Chair", occurredAt=day(6))


def test_a_decision_naming_a_partner_twice_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "decidedBy.1", **decision(decidedBy=["trust", "trust"]))


def test_a_partner_both_deciding_and_consulted_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "consulted.0", **decision(consulted=["trust"]))


def test_a_single_partner_decision_with_two_deciders_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "decidedBy", **decision(method="SINGLE_PARTNER"))


def test_an_empty_decided_by_is_refused(given: Given) -> None:
    given.refused("recordDecision", V, "decidedBy", **decision(decidedBy=[]))


def test_risk_shares_must_sum_to_one(given: Given) -> None:
    given.refused(
        "agreeRiskShares",
        V,
        "shares",
        shares=[{"partnerId": "trust", "share": 0.5}, {"partnerId": "council", "share": 0.4}],
        occurredAt=day(6),
    )
    given.refused(
        "agreeRiskShares",
        V,
        "shares.1.share",
        shares=[{"partnerId": "trust", "share": 1.5}, {"partnerId": "council", "share": -0.5}],
        occurredAt=day(6),
    )


def test_risk_shares_of_a_partner_not_active_are_refused(given: Given) -> None:
    given.refused(
        "agreeRiskShares",
        V,
        "shares.1.partnerId",
        shares=[{"partnerId": "trust", "share": 0.5}, {"partnerId": "nobody", "share": 0.5}],
        occurredAt=day(6),
    )


# ------------------------------------------------ backdating and invalidation


def test_a_backdated_decision_is_judged_as_of_its_occurred_at(given: Given) -> None:
    given.when("recordPartnerLeaving", partnerId="charity", occurredAt=day(50))
    given.when("recordDecision", **decision(decidedBy=["charity"], occurredAt=day(20)))


def test_a_backdated_departure_that_would_invalidate_a_recorded_decision_is_refused(
    given: Given,
) -> None:
    recorded = given.when("recordDecision", **decision(decidedBy=["charity"], occurredAt=day(20)))
    error = given.refused(
        "recordPartnerLeaving", V, "occurredAt", partnerId="charity", occurredAt=day(10)
    )
    assert recorded.event_id in error.message


def test_a_backdated_revision_that_would_invalidate_an_endorsement_is_refused(given: Given) -> None:
    given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    endorsed = given.when(
        "endorseGoal", goalId="g1", partnerId="trust", version=1, rating=4, occurredAt=day(10)
    )
    error = given.refused(
        "reviseGoal", V, "occurredAt", goalId="g1", statement="x", reason="y", occurredAt=day(5)
    )
    assert endorsed.event_id in error.message


def test_a_backdated_release_that_would_invalidate_a_delivery_is_refused(given: Given) -> None:
    given.when("makeCommitment", **commitment())
    given.when("recordDelivery", commitmentId="c1", quantity=5, occurredAt=day(20))
    given.refused(
        "releaseCommitment",
        V,
        "occurredAt",
        commitmentId="c1",
        byAgreement=True,
        reason="x",
        occurredAt=day(10),
    )


def test_a_backdated_departure_between_appointment_and_departure_is_refused(given: Given) -> None:
    given.when("appointLeader", role="Chair", partnerId="trust", person="A", occurredAt=day(5))
    given.when("recordLeaderDeparture", role="Chair", occurredAt=day(20))
    given.refused("recordLeaderDeparture", V, "occurredAt", role="Chair", occurredAt=day(10))


def test_ties_in_occurred_at_follow_recording_order(given: Given) -> None:
    given.when("recordPartnerLeaving", partnerId="charity", occurredAt=day(20))
    # Recorded later with the same instant: comes after the departure, so refused.
    given.refused(
        "recordDecision", V, "decidedBy.0", **decision(decidedBy=["charity"], occurredAt=day(20))
    )


# ---------------------------------------------------------------- retractions


def test_the_formation_cannot_be_retracted(given: Given) -> None:
    given.refused("retractEntry", V, "eventId", eventId=given.events[0].event_id, reason="x")


def test_a_retraction_cannot_be_retracted_nor_an_event_twice(given: Given) -> None:
    made = given.when("recordDecision", **decision())
    retraction = given.when("retractEntry", eventId=made.event_id, reason="x")
    given.refused("retractEntry", V, "eventId", eventId=retraction.event_id, reason="x")
    given.refused("retractEntry", V, "eventId", eventId=made.event_id, reason="again")


def test_role_events_cannot_be_retracted(given: Given) -> None:
    granted = given.when("grantRole", actor="auditor", role="VIEWER")
    given.refused("retractEntry", V, "eventId", eventId=granted.event_id, reason="x")


def test_a_join_that_a_decision_depends_on_cannot_be_retracted(given: Given) -> None:
    joined = given.events[1]
    given.when("recordDecision", **decision())
    given.refused("retractEntry", V, "eventId", eventId=joined.event_id, reason="x")


def test_a_goal_with_endorsements_cannot_have_its_setting_retracted(given: Given) -> None:
    goal = given.when("setGoal", goalId="g1", statement="One", occurredAt=day(2))
    given.when(
        "endorseGoal", goalId="g1", partnerId="trust", version=1, rating=4, occurredAt=day(3)
    )
    given.refused("retractEntry", V, "eventId", eventId=goal.event_id, reason="x")


def test_retracting_a_commitment_takes_its_deliveries_with_it(given: Given) -> None:
    made = given.when("makeCommitment", **commitment())
    given.when("recordDelivery", commitmentId="c1", quantity=5, occurredAt=day(20))
    given.when("retractEntry", eventId=made.event_id, reason="Never agreed")
    given.refused(
        "recordDelivery", NF, "commitmentId", commitmentId="c1", quantity=5, occurredAt=day(21)
    )


def test_a_retracted_departure_frees_the_partner_to_be_named(given: Given) -> None:
    left = given.when("recordPartnerLeaving", partnerId="charity", occurredAt=day(5))
    given.when("retractEntry", eventId=left.event_id, reason="Never left")
    given.when("recordDecision", **decision(decidedBy=["charity"], occurredAt=day(20)))


# ---------------------------------------------------------------- access roles


def test_the_last_admin_cannot_be_revoked(given: Given) -> None:
    given.refused("revokeRole", V, "actor", actor="tester")


def test_revoking_an_actor_without_a_role_is_not_found(given: Given) -> None:
    given.refused("revokeRole", NF, "actor", actor="stranger")


def test_unknown_input_fields_are_refused_by_name() -> None:
    with pytest.raises(DomainError) as caught:
        read_command("setGoal", {"partnershipId": "x", "statement": "s", "colour": "red"})
    assert caught.value.field == "colour"


def test_the_domain_never_reads_the_clock(given: Given) -> None:
    event = given.when("recordDecision", **decision())
    assert event.recorded_at == NOW and event.timestamp == NOW


def test_replaying_the_events_rebuilds_the_same_state(given: Given) -> None:
    given.when("recordDecision", **decision())
    given.when("makeCommitment", **commitment())
    rebuilt = None
    for event in given.partnership.collect_events():
        rebuilt = event.mutate(rebuilt)
    assert isinstance(rebuilt, Partnership)
    assert rebuilt.timelines == given.partnership.timelines
    assert rebuilt.head_hash == given.partnership.head_hash


def test_the_fast_index_row_equals_the_indexed_event_row(given: Given) -> None:
    from accord.projections.records import indexed
    from accord.storage.stored import from_event
    from accord.storage.views import row_of

    given.when("recordDecision", **decision(rationale="Because"))
    given.when("makeCommitment", **commitment())
    for event in given.events:
        assert from_event(event).row == row_of(indexed(event))
