"""Every event has a one-sentence summary."""

from __future__ import annotations

from accord.projections.summary import summary
from tests.support.scenarios import EVENT_TYPES
from tests.unit.history_builder import HistoryBuilder, day


def test_a_decision_is_summarised_with_its_title_category_and_deciders() -> None:
    history = HistoryBuilder(("p0-nhs-trust",))
    decision = history.add(
        "recordDecision",
        day(1),
        title="Decision 0",
        category="DELIVERY",
        method="SINGLE_PARTNER",
        decidedBy=["p0-nhs-trust"],
    )
    assert summary(decision) == "Decision 'Decision 0' recorded (DELIVERY, by p0-nhs-trust)"


def test_commitments_deliveries_and_releases_read_naturally() -> None:
    history = HistoryBuilder(("a",))
    made = history.commit("c1", "a", "FUNDING", 245000, day(30), day(1))
    delivered = history.deliver("c1", 0.5, day(2))
    released = history.release("c1", day(3), by_agreement=True)
    assert summary(made) == "a committed GBP 245,000 of funding by 2024-01-31 (commitment c1)"
    assert summary(delivered) == "0.5 delivered against commitment c1"
    assert summary(released) == ("Commitment c1 released by agreement: Circumstances changed")


def test_every_event_type_has_a_sentence_of_its_own() -> None:
    history = HistoryBuilder(("a", "b"))
    history.set_goal("g", day(1))
    history.revise_goal("g", day(2))
    history.endorse("g", "a", 2, 4, day(3))
    history.reaffirm_goal("g", day(4))
    history.retire_goal("g", day(5))
    history.decide(day(1), ["a"])
    history.commit("c", "a", "STAFF", 1, day(9), day(1))
    history.deliver("c", 1, day(2))
    history.release("c", day(3), by_agreement=False)
    history.agree_risk_shares({"a": 0.25, "b": 0.75}, day(1))
    history.appoint("Chair", "a", "Ann", day(1))
    history.depart("Chair", day(2))
    history.check_in("a", "b", (4, 4, 5, 3), day(1))
    history.leave("b", day(6))
    history.retract(history.events[-2])
    history.add("grantRole", day(7), actor="alice", role="VIEWER")
    history.add("revokeRole", day(7), actor="alice")
    sentences = {event.type: summary(event) for event in history.events}
    assert set(sentences) == set(EVENT_TYPES.values())
    assert all(sentence and "?" not in sentence for sentence in sentences.values())
    assert sentences["TRUST_CHECK_IN_RECORDED"] == "Trust check-in by a about b (score 0.75)"
    assert sentences["RISK_SHARES_AGREED"] == "Risk shares agreed: a 25%, b 75%"
    assert sentences["LEADER_APPOINTED"] == "Ann (a) appointed Chair"
    assert sentences["GOAL_ENDORSED"] == "a endorsed version 2 of goal g, rating it 4 of 5"
