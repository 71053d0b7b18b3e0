"""Goals: coverage and agreement of the active goals, staleness, revisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord.projections.health import GoalHealth
from tests.unit.history_builder import HistoryBuilder, day, read

FOUR = ("a", "b", "c", "d")


def _goals(history: HistoryBuilder, at_day: float, window_days: int = 365) -> GoalHealth:
    return read(history, day(at_day), window_days).goals


def test_coverage_is_the_mean_share_of_active_partners_endorsing_each_goal() -> None:
    history = HistoryBuilder(FOUR)
    history.set_goal("g1", day(1))
    history.set_goal("g2", day(1))
    for partner in ("a", "b", "c"):
        history.endorse("g1", partner, 1, 4, day(2))
    history.endorse("g2", "a", 1, 4, day(2))
    goals = _goals(history, 3)
    assert goals.active_goals == 2
    assert goals.coverage == 0.5


def test_a_revision_needs_new_endorsements() -> None:
    history = HistoryBuilder(("a", "b"))
    history.set_goal("g1", day(1))
    history.endorse("g1", "a", 1, 4, day(2))
    history.endorse("g1", "b", 1, 4, day(2))
    history.revise_goal("g1", day(3))
    assert _goals(history, 2.5).coverage == 1.0
    assert _goals(history, 3).coverage == 0.0
    history.endorse("g1", "b", 2, 5, day(4))
    assert _goals(history, 4).coverage == 0.5


def test_only_each_partners_latest_endorsement_counts() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.set_goal("g1", day(1))
    history.endorse("g1", "a", 1, 1, day(2))
    history.endorse("g1", "a", 1, 4, day(3))
    history.endorse("g1", "b", 1, 5, day(3))
    history.endorse("g1", "c", 1, 3, day(3))
    assert _goals(history, 4).agreement == 0.5  # ratings 4, 5, 3: variance 1


def test_endorsements_of_partners_who_left_do_not_count() -> None:
    history = HistoryBuilder(("a", "b"))
    history.set_goal("g1", day(1))
    history.endorse("g1", "a", 1, 4, day(2))
    history.endorse("g1", "b", 1, 4, day(2))
    history.leave("b", day(3))
    assert _goals(history, 4).coverage == 1.0
    history.join("c", day(5))
    assert _goals(history, 6).coverage == 0.5


def test_agreement_needs_three_ratings() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.set_goal("g1", day(1))
    history.endorse("g1", "a", 1, 5, day(2))
    history.endorse("g1", "b", 1, 5, day(2))
    assert _goals(history, 3).agreement is None
    history.endorse("g1", "c", 1, 5, day(2))
    assert _goals(history, 3).agreement == 1.0


def test_agreement_is_floored_at_zero() -> None:
    history = HistoryBuilder(FOUR)
    history.set_goal("g1", day(1))
    for partner, rating in zip(FOUR, (1, 5, 1, 5), strict=True):
        history.endorse("g1", partner, 1, rating, day(2))
    assert _goals(history, 3).agreement == 0.0


def test_partnership_agreement_is_the_mean_over_goals_that_have_one() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.set_goal("g1", day(1))
    history.set_goal("g2", day(1))
    history.set_goal("g3", day(1))
    for partner, rating in zip("abc", (4, 5, 3), strict=True):
        history.endorse("g1", partner, 1, rating, day(2))
        history.endorse("g2", partner, 1, 2, day(2))
    history.endorse("g3", "a", 1, 1, day(2))
    goals = _goals(history, 3)
    assert goals.agreement == 0.75
    assert goals.coverage == pytest.approx(7 / 9, abs=1e-15)


def test_staleness_counts_days_since_any_goal_was_set_revised_or_reaffirmed() -> None:
    history = HistoryBuilder(("a",))
    assert _goals(history, 0).staleness_days is None
    history.set_goal("g1", day(1))
    history.set_goal("g2", day(2))
    history.reaffirm_goal("g1", day(3))
    history.retire_goal("g1", day(4))
    assert _goals(history, 13.5).staleness_days == 10.5
    history.revise_goal("g2", day(20))
    assert _goals(history, 20).staleness_days == 0.0
    history.retire_goal("g2", day(21))
    goals = _goals(history, 30)
    assert (goals.active_goals, goals.coverage, goals.staleness_days) == (0, None, 10.0)


def test_revisions_are_counted_in_the_window() -> None:
    history = HistoryBuilder(("a",))
    history.set_goal("g1", day(0))
    history.revise_goal("g1", day(1))
    history.revise_goal("g1", day(366))
    assert _goals(history, 366).revisions == 1
    assert _goals(history, 366, 366).revisions == 2
    assert read(history, day(366) - timedelta(microseconds=1)).goals.revisions == 1
    assert _goals(history, 365.5).revisions == 1
