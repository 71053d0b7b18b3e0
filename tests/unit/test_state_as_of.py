"""A partnership's partners, goals, commitments and leadership as of a date."""

from __future__ import annotations

from datetime import timedelta

from accord.projections.state import (
    CommitmentStatus,
    commitments,
    goals,
    leadership,
    partners,
)
from tests.unit.history_builder import KNOWN, HistoryBuilder, day


def test_partners_are_the_active_ones_with_their_current_membership() -> None:
    history = HistoryBuilder()
    history.join("b", day(1), sector="LOCAL_AUTHORITY")
    history.join("a", day(1))
    history.leave("b", day(5))
    history.join("b", day(8), sector="LOCAL_AUTHORITY")
    history.join("c", day(9))
    history.leave("c", day(9))
    active = partners(history.events, day(10), KNOWN)
    assert [(p.id, p.sector, p.joined_at, p.left_at) for p in active] == [
        ("a", "NHS_TRUST", day(1), None),
        ("b", "LOCAL_AUTHORITY", day(8), None),
    ]
    assert [p.id for p in partners(history.events, day(6), KNOWN)] == ["a"]
    assert partners(history.events, day(0), KNOWN) == []


def test_goals_carry_their_current_version_and_its_endorsements_only() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.set_goal("g1", day(1))
    history.set_goal("g2", day(2))
    history.endorse("g1", "a", 1, 4, day(2))
    history.endorse("g1", "b", 1, 4, day(2))
    history.revise_goal("g1", day(3))
    history.endorse("g1", "c", 2, 5, day(4))
    history.endorse("g1", "b", 2, 3, day(4))
    history.leave("b", day(5))
    history.retire_goal("g2", day(6))
    at_six = goals(history.events, day(6), KNOWN)
    assert [goal.id for goal in at_six] == ["g1"]
    goal = at_six[0]
    assert (goal.version, goal.statement, goal.set_at, goal.revised_at) == (
        2,
        "g1 revised",
        day(1),
        day(3),
    )
    assert [(e.partner_id, e.version, e.rating, e.endorsed_at) for e in goal.endorsements] == [
        ("c", 2, 5, day(4))
    ]
    before = goals(history.events, day(2), KNOWN)
    assert [(goal.id, goal.version, goal.revised_at) for goal in before] == [
        ("g1", 1, None),
        ("g2", 1, None),
    ]
    assert [e.partner_id for e in before[0].endorsements] == ["a", "b"]


def test_commitments_show_what_was_delivered_and_their_status_at_the_date() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("kept", "a", "FUNDING", 100, day(10), day(1))
    history.deliver("kept", 60, day(5))
    history.deliver("kept", 40, day(12))
    history.commit("broken", "b", "STAFF", 2, day(10), day(1))
    history.commit("released", "a", "IN_KIND", 3, day(10), day(1))
    history.release("released", day(4), by_agreement=False)
    history.commit("later", "b", "IN_KIND", 3, day(100), day(2))
    history.deliver("later", 3, day(3))
    history.commit("unmade", "a", "FUNDING", 1, day(100), day(40))
    at = {c.id: c for c in commitments(history.events, day(30), KNOWN)}
    assert list(at) == ["kept", "broken", "released", "later"]
    assert (at["kept"].delivered, at["kept"].status) == (100.0, CommitmentStatus.KEPT)
    assert at["broken"].status is CommitmentStatus.BROKEN
    assert at["released"].status is CommitmentStatus.RELEASED
    assert (at["later"].delivered, at["later"].status) == (3.0, CommitmentStatus.OPEN)
    assert (at["kept"].unit, at["broken"].unit, at["later"].unit) == ("GBP", "FTE_MONTHS", "DAYS")
    early = {c.id: c for c in commitments(history.events, day(11), KNOWN)}
    assert (early["kept"].delivered, early["kept"].status) == (60.0, CommitmentStatus.OPEN)
    assert early["broken"].status is CommitmentStatus.OPEN


def test_a_retracted_commitment_is_not_listed() -> None:
    history = HistoryBuilder(("a",))
    made = history.commit("c1", "a", "FUNDING", 100, day(10), day(1))
    history.deliver("c1", 100, day(2))
    retraction = history.retract(made)
    assert commitments(history.events, day(30), KNOWN) == []
    before = retraction.recorded_at - timedelta(microseconds=1)
    assert [c.id for c in commitments(history.events, day(30), before)] == ["c1"]


def test_leadership_shows_each_role_holder_or_vacancy_in_role_order() -> None:
    history = HistoryBuilder(("a", "b"))
    history.appoint("Treasurer", "b", "Tom", day(1))
    history.appoint("Chair", "a", "Ann", day(2))
    history.appoint("Chair", "b", "Bea", day(4))
    history.depart("Treasurer", day(5))
    roles = leadership(history.events, day(6), KNOWN)
    assert [(r.role, r.partner_id, r.person, r.since, r.vacant) for r in roles] == [
        ("Chair", "b", "Bea", day(4), False),
        ("Treasurer", None, None, day(5), True),
    ]
    assert [r.role for r in leadership(history.events, day(1), KNOWN)] == ["Treasurer"]
