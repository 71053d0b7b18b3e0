"""Trust: perceived trust from check-ins, reciprocity, keeping commitments, and the
bureaucracy signal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord.projections.health import PartnerReliability, Trust
from tests.unit.history_builder import HistoryBuilder, day, read

FIVE = ("a", "b", "c", "d", "e")


def _reliability(trust: Trust) -> dict[str, PartnerReliability]:
    return {entry.partner_id: entry for entry in trust.reliability}


def test_a_check_in_scores_the_mean_of_its_four_items_on_a_zero_to_one_scale() -> None:
    history = HistoryBuilder(("a",))
    history.check_in("a", None, (3, 4, 5, 2), day(1))
    assert read(history, day(2)).trust.perceived == 0.625


def test_only_the_latest_check_in_of_each_pair_counts() -> None:
    history = HistoryBuilder(("a", "b"))
    history.check_in("a", None, 1, day(1))
    history.check_in("a", None, 5, day(2))
    history.check_in("b", "a", 3, day(2))
    trust = read(history, day(3)).trust
    assert trust.perceived == 0.75
    assert trust.respondents == 2


def test_a_check_in_exactly_180_days_old_no_longer_counts() -> None:
    history = HistoryBuilder(("a",))
    history.check_in("a", None, 5, day(0))
    assert read(history, day(180) - timedelta(microseconds=1)).trust.perceived == 1.0
    assert read(history, day(180)).trust.perceived is None
    assert read(history, day(0)).trust.perceived == 1.0


def test_perceived_needs_respondents_from_two_thirds_of_the_active_partners() -> None:
    history = HistoryBuilder(("a", "b", "c", "d"))
    history.check_in("a", None, 5, day(1))
    history.check_in("b", "a", 5, day(1))
    trust = read(history, day(2)).trust
    assert (trust.respondents, trust.perceived) == (2, None)
    history.check_in("c", "a", 1, day(1))
    assert read(history, day(2)).trust.perceived == pytest.approx(2 / 3, abs=1e-15)


def test_check_ins_by_or_about_a_partner_who_left_do_not_count() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.check_in("a", None, 5, day(1))
    history.check_in("b", "c", 1, day(1))
    history.check_in("c", None, 1, day(1))
    history.check_in("b", "a", 4, day(1))
    history.leave("c", day(2))
    trust = read(history, day(3)).trust
    assert trust.respondents == 2
    assert trust.perceived == 0.875


def test_the_reciprocity_gap_is_the_widest_difference_between_two_partners_views() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.check_in("a", "b", 5, day(1))
    history.check_in("b", "a", 3, day(1))
    history.check_in("a", "c", 5, day(1))
    history.check_in("c", "a", 4, day(1))
    history.check_in("b", "c", 1, day(1))
    assert read(history, day(2)).trust.reciprocity_gap == 0.5


def test_the_reciprocity_gap_is_null_without_a_pair_of_mutual_views() -> None:
    history = HistoryBuilder(("a", "b"))
    history.check_in("a", "b", 5, day(1))
    history.check_in("b", None, 3, day(1))
    assert read(history, day(2)).trust.reciprocity_gap is None


def _commitment_history() -> HistoryBuilder:
    history = HistoryBuilder(("a", "b"))
    history.commit("c1", "a", "FUNDING", 100, day(10), day(1))
    return history


def test_a_commitment_delivered_in_full_by_its_deadline_is_kept() -> None:
    history = _commitment_history()
    history.deliver("c1", 40, day(5))
    history.deliver("c1", 60, day(24))  # dueAt + 14 days exactly
    assert _reliability(read(history, day(30)).trust)["a"].kept == 1


def test_a_commitment_completed_after_its_deadline_is_broken() -> None:
    history = _commitment_history()
    history.deliver("c1", 40, day(5))
    history.deliver("c1", 60, day(24) + timedelta(microseconds=1))
    entry = _reliability(read(history, day(30)).trust)["a"]
    assert (entry.kept, entry.broken) == (0, 1)


def test_a_commitment_is_pending_until_its_deadline_and_broken_from_it() -> None:
    history = _commitment_history()
    before = _reliability(read(history, day(24) - timedelta(microseconds=1)).trust)["a"]
    at_deadline = _reliability(read(history, day(24)).trust)["a"]
    assert (before.kept, before.broken) == (0, 0)
    assert (at_deadline.kept, at_deadline.broken) == (0, 1)


def test_a_commitment_released_by_agreement_is_neither_kept_nor_broken() -> None:
    history = _commitment_history()
    history.release("c1", day(30), by_agreement=True)
    assert _reliability(read(history, day(29)).trust)["a"].broken == 1
    entry = _reliability(read(history, day(30)).trust)["a"]
    assert (entry.kept, entry.broken, entry.reliability) == (0, 0, 0.5)


def test_a_commitment_released_without_agreement_is_broken_from_the_release() -> None:
    history = _commitment_history()
    history.release("c1", day(12), by_agreement=False)
    assert _reliability(read(history, day(11)).trust)["a"].broken == 0
    assert _reliability(read(history, day(12)).trust)["a"].broken == 1


def test_reaching_the_quantity_is_judged_at_nine_decimal_places() -> None:
    history = HistoryBuilder(("a",))
    history.commit("c1", "a", "STAFF", 0.3, day(10), day(1))
    history.deliver("c1", 0.1, day(2))
    history.deliver("c1", 0.2, day(3))
    history.commit("c2", "a", "STAFF", 1.0, day(10), day(1))
    history.deliver("c2", 0.9999999999, day(2))
    entry = _reliability(read(history, day(30)).trust)["a"]
    assert (entry.kept, entry.broken) == (2, 0)


def test_commitments_due_outside_the_window_are_not_reckoned() -> None:
    history = _commitment_history()
    assert _reliability(read(history, day(400)).trust)["a"].broken == 0
    assert _reliability(read(history, day(30), window_days=20).trust)["a"].broken == 0
    assert _reliability(read(history, day(30), window_days=21).trust)["a"].broken == 1


def test_reliability_is_the_beta_estimate_and_its_mean_and_minimum_need_evidence() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    for index in range(3):
        history.commit(f"k{index}", "a", "IN_KIND", 5, day(10), day(1))
        history.deliver(f"k{index}", 5, day(2))
    history.commit("x", "b", "IN_KIND", 5, day(10), day(1))
    trust = read(history, day(30)).trust
    entries = _reliability(trust)
    assert entries["a"].reliability == 0.8
    assert entries["b"].reliability == pytest.approx(1 / 3, abs=1e-15)
    assert entries["c"].reliability == 0.5
    assert trust.reliability_mean == pytest.approx((0.8 + 1 / 3) / 2, abs=1e-15)
    assert trust.reliability_min == pytest.approx(1 / 3, abs=1e-15)


def test_kept_and_broken_of_a_partner_who_left_are_not_listed() -> None:
    history = _commitment_history()
    history.leave("a", day(25))
    trust = read(history, day(30)).trust
    assert [entry.partner_id for entry in trust.reliability] == ["b"]
    assert trust.reliability_mean is None


def test_the_index_is_the_mean_of_perceived_and_reliability_mean_where_present() -> None:
    history = _commitment_history()
    assert read(history, day(30)).trust.index == pytest.approx(1 / 3)
    history.check_in("a", None, 5, day(29))
    history.check_in("b", None, 5, day(29))
    assert read(history, day(30)).trust.index == pytest.approx((1 + 1 / 3) / 2)
    assert read(history, day(5)).trust.index is None


def _bureaucracy(later_scores: tuple[int, ...], category: str) -> Trust:
    history = HistoryBuilder(FIVE)
    for partner in FIVE:
        history.check_in(partner, None, 4, day(0))  # 0.75 each
    for partner, score in zip(FIVE, later_scores, strict=True):
        history.check_in(partner, None, score, day(185))
    history.decide(day(186), ["a"], category=category)
    return read(history, day(190)).trust


def test_the_bureaucracy_signal_needs_a_fall_of_a_tenth_judged_at_nine_decimals() -> None:
    # 0.75 -> 0.65: the difference is 0.0999999999999999 in floating point
    trust = _bureaucracy((4, 4, 4, 4, 2), "GOVERNANCE")
    assert (trust.perceived_before, trust.perceived) == (0.75, 0.65)
    assert trust.bureaucracy_signal is True


def test_the_bureaucracy_signal_needs_governance_to_be_half_the_decisions() -> None:
    assert _bureaucracy((4, 4, 4, 4, 2), "DELIVERY").bureaucracy_signal is False


def test_the_bureaucracy_signal_ignores_a_small_fall() -> None:
    assert _bureaucracy((4, 4, 4, 4, 3), "GOVERNANCE").bureaucracy_signal is False
