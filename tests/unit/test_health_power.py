"""Power: decision shares, equality, contribution and risk shares, equity, and the
shares of decisions with a rationale, by consensus and on governance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord.projections.health import PartnerPower, Power
from tests.unit.history_builder import HistoryBuilder, day, read


def _shares(power: Power) -> dict[str, PartnerPower]:
    return {share.partner_id: share for share in power.shares}


def test_a_decision_exactly_at_t_counts_and_one_exactly_at_t_minus_the_window_does_not() -> None:
    history = HistoryBuilder(("a",))
    history.decide(day(0), ["a"])
    history.decide(day(365), ["a"])
    assert read(history, day(365)).power.decision_count == 1
    assert read(history, day(365) - timedelta(microseconds=1)).power.decision_count == 1
    assert read(history, day(365) - timedelta(microseconds=1), 366).power.decision_count == 1
    assert read(history, day(365), 366).power.decision_count == 2


def test_equality_needs_five_decisions_in_the_window() -> None:
    history = HistoryBuilder(("a", "b"))
    for offset in range(4):
        history.decide(day(offset), ["a", "b"])
    assert read(history, day(10)).power.equality is None
    history.decide(day(4), ["a", "b"])
    assert read(history, day(10)).power.equality == 1.0


def test_equality_needs_two_active_partners() -> None:
    history = HistoryBuilder(("a",))
    for offset in range(5):
        history.decide(day(offset), ["a"])
    assert read(history, day(10)).power.equality is None


def test_equality_is_zero_when_one_partner_took_every_decision() -> None:
    history = HistoryBuilder(("a", "b"))
    for offset in range(5):
        history.decide(day(offset), ["a"])
    power = read(history, day(10)).power
    assert power.equality == 0.0
    assert _shares(power)["b"].decision_share == 0.0


def test_equality_is_one_minus_the_normalised_gini_of_significance_weighted_credits() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.decide(day(1), ["a"], significance=3)
    history.decide(day(2), ["b"])
    history.decide(day(3), ["c"])
    history.decide(day(4), ["a", "b"], significance=2)
    history.decide(day(5), ["a", "b"], significance=2)
    # credits a 5, b 3, c 1 of 9: sum |p_i - p_j| = 16/9, G* = 16/9 / 4 = 4/9
    power = read(history, day(10)).power
    assert power.equality == pytest.approx(5 / 9, abs=1e-15)
    shares = _shares(power)
    assert [shares[p].decision_share for p in "abc"] == [5 / 9, 3 / 9, 1 / 9]


def test_credits_of_a_partner_who_left_are_dropped_but_its_decisions_still_count() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.decide(day(1), ["a"])
    history.decide(day(2), ["a"])
    history.decide(day(3), ["b"])
    history.decide(day(4), ["c"])
    history.decide(day(5), ["a", "c"], significance=2)
    history.leave("c", day(6))
    power = read(history, day(10)).power
    assert power.decision_count == 5
    assert set(_shares(power)) == {"a", "b"}
    assert _shares(power)["a"].decision_share == 0.75
    assert power.equality == 0.5


def test_equality_is_null_when_no_active_partner_holds_any_credit() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    for offset in range(5):
        history.decide(day(offset), ["c"])
    history.leave("c", day(6))
    power = read(history, day(10)).power
    assert power.equality is None
    assert [share.decision_share for share in power.shares] == [0.0, 0.0]


def test_contribution_share_is_the_mean_over_kinds_delivered_in_the_window() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("f-a", "a", "FUNDING", 1000, day(100), day(1))
    history.commit("f-b", "b", "FUNDING", 1000, day(100), day(1))
    history.commit("s-a", "a", "STAFF", 10, day(100), day(1))
    history.commit("s-b", "b", "STAFF", 10, day(100), day(1))
    history.deliver("f-a", 300, day(2))
    history.deliver("f-b", 100, day(2))
    history.deliver("s-a", 1, day(2))
    history.deliver("s-b", 3, day(3))
    history.deliver("s-b", 50, day(11))  # after t: not counted
    shares = _shares(read(history, day(10)).power)
    assert shares["a"].contribution_share == 0.5
    assert shares["b"].contribution_share == 0.5
    assert shares["a"].funding_share == 0.75


def test_a_delivery_exactly_at_the_window_start_does_not_count() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("f-a", "a", "FUNDING", 1000, day(500), day(0))
    history.commit("f-b", "b", "FUNDING", 1000, day(500), day(0))
    history.deliver("f-a", 100, day(0))
    history.deliver("f-b", 100, day(1))
    assert _shares(read(history, day(365)).power)["b"].contribution_share == 1.0


def test_deliveries_of_a_retracted_commitment_count_for_nobody() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("f-a", "a", "FUNDING", 1000, day(100), day(1))
    wrong = history.commit("f-b", "b", "FUNDING", 1000, day(100), day(1))
    history.deliver("f-a", 100, day(2))
    history.deliver("f-b", 300, day(2))
    assert _shares(read(history, day(10)).power)["a"].contribution_share == 0.25
    history.retract(wrong)
    assert _shares(read(history, day(10)).power)["a"].contribution_share == 1.0


def test_contribution_share_is_null_when_nothing_was_delivered_in_the_window() -> None:
    history = HistoryBuilder(("a", "b"))
    history.commit("f-a", "a", "FUNDING", 1000, day(100), day(1))
    shares = _shares(read(history, day(10)).power)
    assert shares["a"].contribution_share is None
    assert shares["a"].funding_share is None


def test_risk_shares_are_the_latest_agreed_renormalised_over_active_partners() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    history.agree_risk_shares({"a": 0.2, "b": 0.2, "c": 0.6}, day(1))
    history.agree_risk_shares({"a": 0.5, "b": 0.3, "c": 0.2}, day(2))
    history.leave("c", day(3))
    shares = _shares(read(history, day(10)).power)
    assert shares["a"].risk_share == pytest.approx(0.625, abs=1e-15)
    assert shares["b"].risk_share == pytest.approx(0.375, abs=1e-15)
    assert _shares(read(history, day(1)).power)["c"].risk_share == pytest.approx(0.6)


def test_risk_shares_are_null_without_an_agreement_or_when_active_partners_hold_none() -> None:
    history = HistoryBuilder(("a", "b", "c"))
    assert _shares(read(history, day(10)).power)["a"].risk_share is None
    history.agree_risk_shares({"c": 1.0}, day(1))
    history.leave("c", day(3))
    assert _shares(read(history, day(10)).power)["a"].risk_share is None


def _equity_history() -> HistoryBuilder:
    history = HistoryBuilder(("a", "b"))
    for offset in range(3):
        history.decide(day(offset), ["a"])
    history.decide(day(3), ["b"])
    history.decide(day(4), ["a", "b"], significance=2)
    history.commit("f-a", "a", "FUNDING", 1000, day(100), day(1))
    history.commit("f-b", "b", "FUNDING", 1000, day(100), day(1))
    history.deliver("f-a", 100, day(2))
    history.deliver("f-b", 300, day(2))
    return history


def test_equity_compares_decision_shares_with_contribution_shares() -> None:
    # p = (2/3, 1/3), c = (1/4, 3/4): 1 - 0.5 * (5/12 + 5/12)
    assert read(_equity_history(), day(10)).power.equity == pytest.approx(7 / 12, abs=1e-15)


def test_equity_weighs_risk_shares_equally_with_contributions_when_agreed() -> None:
    history = _equity_history()
    history.agree_risk_shares({"a": 0.5, "b": 0.5}, day(5))
    # q = (3/8, 5/8): 1 - 0.5 * (7/24 + 7/24)
    assert read(history, day(10)).power.equity == pytest.approx(17 / 24, abs=1e-15)


def test_equity_is_null_when_equality_is() -> None:
    history = _equity_history()
    assert read(history, day(3)).power.equity is None


def test_transparency_consensus_and_governance_are_shares_of_the_decisions() -> None:
    history = HistoryBuilder(("a",))
    history.decide(day(1), ["a"], rationale=None, method="CONSENSUS")
    history.decide(day(2), ["a"], rationale="   ", category="GOVERNANCE")
    history.decide(day(3), ["a"], rationale="Because", method="CONSENSUS")
    history.decide(day(4), ["a"], rationale="Because", category="GOVERNANCE")
    power = read(history, day(10)).power
    assert (power.transparency, power.consensus_rate, power.governance_share) == (0.5, 0.5, 0.5)


def test_decision_figures_are_null_without_decisions_in_the_window() -> None:
    history = HistoryBuilder(("a",))
    history.decide(day(0), ["a"])
    power = read(history, day(400)).power
    assert power.decision_count == 0
    assert (power.transparency, power.consensus_rate, power.governance_share) == (None,) * 3
    assert power.shares[0].decision_share == 0.0
