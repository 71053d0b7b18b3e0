"""Check-in rounds in the health (METRICS.md, Check-in rounds): a round's check-ins,
whose items are decimals, count like any other; the trust evidence gives the latest
round closed in the window, as of and as known at any instant."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from accord.projections.health import (
    HealthCheck,
    RoundResponse,
    health,
    health_at,
    health_to_json,
    prepare,
)
from accord.projections.health.checkins import check_in_score
from accord.projections.health.serialise import round_response_to_json
from accord.projections.health_report import render_report
from accord.projections.wording import calendar_day
from tests.support.probes import compare_health_json
from tests.unit.history_builder import KNOWN, HistoryBuilder, day, read
from tests.unit.reference_health import reference_health, reference_latest_round
from tests.unit.round_history import close_round, open_round, round_check_in

MARCH_5 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def _items(reliability: float, openness: float, respect: float, shared: float) -> dict[str, float]:
    return {
        "reliability": reliability,
        "openness": openness,
        "respect": respect,
        "sharedOwnership": shared,
    }


def test_a_check_in_with_decimal_items_scores_the_mean_of_its_items_on_a_zero_to_one_scale() -> (
    None
):
    # (x - 1) / 4 for 3.5, 4.25, 2.75, 5 is 0.625, 0.8125, 0.4375, 1; their mean 0.71875.
    assert check_in_score(_items(3.5, 4.25, 2.75, 5.0)) == 0.71875
    # For 11/3, 4, 10/3, 13/3 (means of three answers): 2/3, 3/4, 7/12, 5/6; mean 17/24.
    assert check_in_score(_items(11 / 3, 4, 10 / 3, 13 / 3)) == pytest.approx(17 / 24, abs=1e-15)
    # Whole numbers score as before.
    assert check_in_score(_items(3, 4, 5, 2)) == 0.625


def test_a_rounds_check_in_counts_like_any_other() -> None:
    history = HistoryBuilder(("a", "b"))
    history.check_in("a", None, 1, day(1))
    open_round(history, "r1", day(2), day(9), {"a": 5, "b": 4})
    close_round(history, "r1", day(9), {"a": (5, 4), "b": (4, 3)})
    round_check_in(history, "r1", "a", None, (3.5, 4.25, 2.75, 5.0), 4, day(9))
    round_check_in(history, "r1", "b", "a", (11 / 3, 4, 10 / 3, 13 / 3), 3, day(9))
    trust = read(history, day(10)).trust
    assert trust.respondents == 2
    assert trust.perceived == pytest.approx((0.71875 + 17 / 24) / 2, abs=1e-15)
    # The latest check-in of a pair counts, whoever recorded it.
    history.check_in("a", None, 5, day(11))
    assert read(history, day(12)).trust.perceived == pytest.approx((1 + 17 / 24) / 2, abs=1e-15)
    # ... for 180 days.
    later = read(history, day(189)).trust
    assert later.respondents == 1
    assert read(history, day(191)).trust.respondents == 0


def test_a_rounds_check_in_by_a_partner_who_left_does_not_count() -> None:
    history = HistoryBuilder(("a", "b"))
    open_round(history, "r1", day(2), day(9), {"a": 5, "b": 4})
    close_round(history, "r1", day(9), {"a": (5, 4), "b": (4, 3)})
    round_check_in(history, "r1", "a", None, (4.5, 4.5, 4.5, 4.5), 4, day(9))
    round_check_in(history, "r1", "b", None, (2.5, 2.5, 2.5, 2.5), 3, day(9))
    history.leave("b", day(10))
    trust = read(history, day(11)).trust
    assert (trust.respondents, trust.perceived) == (1, 0.875)


def _two_rounds() -> HistoryBuilder:
    history = HistoryBuilder(("a", "b", "c"))
    open_round(history, "r1", day(10), day(20), {"a": 4, "b": 6})
    close_round(history, "r1", day(20), {"a": (4, 4), "b": (6, 2)})
    open_round(history, "r2", day(100), day(110), {"a": 10, "b": 6, "c": 4})
    close_round(history, "r2", day(110), {"a": (10, 7), "b": (6, 5), "c": (4, 2)})
    return history


def test_without_a_closed_round_the_trust_has_no_latest_round_and_no_line_about_one() -> None:
    history = HistoryBuilder(("a", "b"))
    open_round(history, "r1", day(10), day(20), {"a": 4, "b": 6})
    reading = read(history, day(30))
    assert reading.trust.latest_round is None
    assert not any("check-in round" in line for line in _trust_evidence(reading.check))


def test_the_latest_round_closed_by_the_reading_gives_its_response() -> None:
    history = _two_rounds()
    assert read(history, day(20) - timedelta(microseconds=1)).trust.latest_round is None
    assert read(history, day(50)).trust.latest_round == RoundResponse("r1", day(20), 10, 6, 0.6)
    latest = read(history, day(110)).trust.latest_round
    assert latest == RoundResponse("r2", day(110), 20, 14, 0.7)


def test_a_round_closed_before_the_window_is_not_the_latest() -> None:
    history = _two_rounds()
    assert read(history, day(110), window_days=90).trust.latest_round is not None
    assert read(history, day(110) + timedelta(days=90), window_days=90).trust.latest_round is None
    just_inside = day(110) + timedelta(days=90) - timedelta(microseconds=1)
    assert read(history, just_inside, window_days=90).trust.latest_round is not None


def test_the_latest_round_is_as_known_at_the_reading() -> None:
    history = _two_rounds()
    close_r2 = history.events[-1]
    before = close_r2.recorded_at - timedelta(microseconds=1)
    latest = read(history, day(200), known_at=before).trust.latest_round
    assert latest is not None and latest.round_id == "r1"


def test_of_two_rounds_closed_at_once_the_one_recorded_last_is_the_latest() -> None:
    history = _two_rounds()
    open_round(history, "r3", day(105), day(110), {"c": 3})
    close_round(history, "r3", day(110), {"c": (3, 3)})
    latest = read(history, day(120)).trust.latest_round
    assert latest is not None and latest.round_id == "r3"


def _trust_evidence(check: HealthCheck) -> list[str]:
    return [
        line for answer in check.answers if answer.question == "TRUST" for line in answer.evidence
    ]


def test_the_trust_evidence_names_the_latest_rounds_close_and_response() -> None:
    history = HistoryBuilder(("a", "b"))
    open_round(history, "r1", MARCH_5 - timedelta(days=14), MARCH_5, {"a": 12, "b": 8})
    close_round(history, "r1", MARCH_5, {"a": (12, 9), "b": (8, 5)})
    reading = read(history, MARCH_5 + timedelta(days=3))
    evidence = _trust_evidence(reading.check)
    assert evidence[1] == (
        "Latest check-in round (closed 5 Mar 2026): answered by 14 of 20 invited, 70%."
    )
    assert evidence[0].startswith("Perceived trust needs recent check-ins")


def test_the_report_gives_the_latest_round() -> None:
    history = HistoryBuilder(("a", "b"))
    open_round(history, "r1", MARCH_5 - timedelta(days=14), MARCH_5, {"a": 12, "b": 8})
    close_round(history, "r1", MARCH_5, {"a": (12, 9), "b": (8, 5)})
    report = render_report("Test", read(history, MARCH_5 + timedelta(days=3)))
    assert "    - Latest check-in round (closed 5 Mar 2026)" in report
    assert (
        "  rounds:   latest r1 closed 2026-03-05T17:00:00+00:00, 14 of 20 invited answered "
        "(response rate 0.70)"
    ) in report


def test_calendar_days_are_written_as_the_page_writes_them() -> None:
    assert calendar_day(MARCH_5) == "5 Mar 2026"
    assert calendar_day(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == "31 Dec 2025"


def test_the_latest_round_as_json() -> None:
    assert round_response_to_json(None) is None
    assert round_response_to_json(RoundResponse("r1", MARCH_5, 20, 14, 0.7)) == {
        "roundId": "r1",
        "closedAt": "2026-03-05T17:00:00+00:00",
        "invited": 20,
        "answered": 14,
        "responseRate": 0.7,
    }
    assert round_response_to_json(RoundResponse("r1", MARCH_5, 0, 0, None)) == {
        "roundId": "r1",
        "closedAt": "2026-03-05T17:00:00+00:00",
        "invited": 0,
        "answered": 0,
        "responseRate": None,
    }


def _random_rounds(seed: int) -> HistoryBuilder:
    """Partners joining and leaving, rounds closing now and then with decimal check-ins,
    manual check-ins between, some recorded late and some retracted."""
    rng = random.Random(seed)
    partners = ("a", "b", "c", "d")
    history = HistoryBuilder(partners)
    for number in range(12):
        opened = day(rng.uniform(0, 700))
        closed = opened + timedelta(days=rng.uniform(1, 30))
        late = rng.random() < 0.3
        recorded_at = KNOWN - timedelta(days=rng.uniform(1, 100)) if late else None
        invited = {p: rng.randint(0, 12) for p in partners if rng.random() < 0.8}
        round_id = f"r{number}"
        open_round(history, round_id, opened, closed, invited, recorded_at=recorded_at)
        answers = {p: (count, rng.randint(0, count)) for p, count in invited.items()}
        close_round(history, round_id, closed, answers, recorded_at=recorded_at)
        for respondent, (_, answered) in answers.items():
            if answered >= 3:
                about = rng.choice((None, *partners))
                about = None if about == respondent else about
                items = tuple(rng.randint(answered, 5 * answered) / answered for _ in range(4))
                round_check_in(history, round_id, respondent, about, items, answered, closed)  # type: ignore[arg-type]
        if rng.random() < 0.3:
            history.check_in(
                rng.choice(partners), None, rng.randint(1, 5), day(rng.uniform(0, 700))
            )
        if rng.random() < 0.1:
            who = rng.choice(partners)
            history.leave(who, day(rng.uniform(0, 700)))
    check_ins = [event for event in history.events if event.type == "TRUST_CHECK_IN_RECORDED"]
    for target in rng.sample(check_ins, min(3, len(check_ins))):
        history.retract(target, KNOWN - timedelta(days=rng.uniform(1, 50)))
    return history


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rounds_agree_with_a_naive_reading_of_the_metrics(seed: int) -> None:
    history = _random_rounds(seed)
    rng = random.Random(seed)
    closes = [
        event.occurred_at for event in history.events if event.type == "CHECK_IN_ROUND_CLOSED"
    ]
    instants = [day(rng.uniform(-10, 760)) for _ in range(8)] + rng.sample(closes, 4)
    instants += [moment - timedelta(microseconds=1) for moment in rng.sample(closes, 2)]
    mismatches: list[str] = []
    for known_at in (KNOWN, KNOWN - timedelta(days=40)):
        prepared = prepare(history.events, known_at)
        for as_of in instants:
            for window_days in (365, 30):
                reading = health_at(prepared, as_of, window_days)
                expected = reference_latest_round(history.events, as_of, known_at, window_days)
                got = reading.trust.latest_round
                actual = (
                    None
                    if got is None
                    else {
                        "roundId": got.round_id,
                        "closedAt": got.closed_at,
                        "invited": got.invited,
                        "answered": got.answered,
                        "responseRate": got.response_rate,
                    }
                )
                if actual != expected:
                    mismatches.append(
                        f"{as_of} k={known_at} W={window_days}: {actual} != {expected}"
                    )
                mismatches += [
                    f"{as_of} k={known_at} W={window_days}: {problem}"
                    for problem in compare_health_json(
                        health_to_json(reading),
                        reference_health(history.events, as_of, known_at, window_days),
                    )
                ]
    assert mismatches == []
    assert any(
        health(history.events, moment, KNOWN, 365).trust.perceived is not None
        for moment in instants
    )
