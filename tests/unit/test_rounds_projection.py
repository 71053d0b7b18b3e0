"""Check-in rounds as of an instant, as known at an instant (`check_in_rounds`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accord.projections.rounds import RoundPartnerView, RoundStatus, check_in_rounds
from tests.unit.history_builder import KNOWN, RECORDING_STARTS, HistoryBuilder, day
from tests.unit.round_history import close_round, open_round, remind, round_check_in


def _round_history() -> HistoryBuilder:
    history = HistoryBuilder(("council", "trust", "gp"))
    open_round(
        history,
        "r1",
        day(10),
        day(24),
        {"trust": 8, "council": 12, "gp": 2},
        minimum=3,
        about_partners=True,
        keep_notes=True,
    )
    remind(history, "r1", 9, day(15))
    remind(history, "r1", 4, day(20))
    close_round(history, "r1", day(24), {"trust": (8, 6), "council": (12, 8), "gp": (2, 1)})
    round_check_in(history, "r1", "council", None, (3.5, 4.0, 4.25, 3.0), 8, day(24))
    round_check_in(history, "r1", "trust", "council", (4.5, 4.0, 4.0, 3.5), 6, day(24))
    return history


def test_an_open_round_gives_its_settings_and_invitations_but_no_answers() -> None:
    history = _round_history()
    [view] = check_in_rounds(history.events, day(16), KNOWN)
    assert view.id == "r1"
    assert view.status is RoundStatus.OPEN
    assert (view.opened_at, view.closes_at, view.closed_at) == (day(10), day(24), None)
    assert (view.minimum_responses, view.about_partners, view.keep_notes) == (3, True, True)
    assert view.reminders == 9
    assert view.partners == (
        RoundPartnerView("trust", 8, None, None, None, None),
        RoundPartnerView("council", 12, None, None, None, None),
        RoundPartnerView("gp", 2, None, None, None, None),
    )
    assert (view.invited, view.answered, view.response_rate) == (22, None, None)
    assert view.check_ins == 0


def test_a_round_past_its_closing_time_stays_open_until_it_is_closed() -> None:
    history = HistoryBuilder(("council", "trust"))
    open_round(history, "r1", day(10), day(24), {"trust": 3, "council": 3})
    [view] = check_in_rounds(history.events, day(40), KNOWN)
    assert view.status is RoundStatus.OPEN
    assert view.answered is None


def test_a_closed_round_gives_each_partners_response_and_whether_it_was_enough() -> None:
    history = _round_history()
    [view] = check_in_rounds(history.events, day(30), KNOWN)
    assert view.status is RoundStatus.CLOSED
    assert view.closed_at == day(24)
    assert view.reminders == 13
    assert view.partners == (
        # trust answered enough, but its only check-in of the round is about council.
        RoundPartnerView("trust", 8, 6, 0.75, True, False),
        RoundPartnerView("council", 12, 8, pytest.approx(2 / 3, abs=1e-15), True, True),
        RoundPartnerView("gp", 2, 1, 0.5, False, False),
    )
    assert (view.invited, view.answered) == (22, 15)
    assert view.response_rate == pytest.approx(15 / 22, abs=1e-15)
    assert view.check_ins == 2


def test_enough_is_judged_against_the_rounds_own_minimum() -> None:
    history = HistoryBuilder(("council", "trust"))
    open_round(history, "r1", day(10), day(24), {"trust": 6, "council": 6}, minimum=5)
    close_round(history, "r1", day(24), {"trust": (6, 5), "council": (6, 4)})
    [view] = check_in_rounds(history.events, day(30), KNOWN)
    assert [partner.enough for partner in view.partners] == [True, False]


def test_the_round_is_seen_as_of_an_instant() -> None:
    history = _round_history()
    assert check_in_rounds(history.events, day(10) - timedelta(microseconds=1), KNOWN) == []
    assert check_in_rounds(history.events, day(10), KNOWN)[0].status is RoundStatus.OPEN
    just_before = check_in_rounds(history.events, day(24) - timedelta(microseconds=1), KNOWN)
    assert just_before[0].status is RoundStatus.OPEN
    assert check_in_rounds(history.events, day(24), KNOWN)[0].status is RoundStatus.CLOSED


def test_the_round_is_seen_as_known_at_an_instant() -> None:
    history = _round_history()
    close = next(event for event in history.events if event.type == "CHECK_IN_ROUND_CLOSED")
    before_close_known = close.recorded_at - timedelta(microseconds=1)
    [view] = check_in_rounds(history.events, day(30), before_close_known)
    assert view.status is RoundStatus.OPEN
    assert view.reminders == 13
    assert check_in_rounds(history.events, day(30), RECORDING_STARTS) == []


def test_a_retracted_check_in_of_the_round_no_longer_counts_but_the_round_stands() -> None:
    history = _round_history()
    check_in = history.events[-1]
    retraction = history.retract(check_in)
    [view] = check_in_rounds(history.events, day(30), KNOWN)
    assert (view.status, view.check_ins, view.answered) == (RoundStatus.CLOSED, 1, 15)
    [before] = check_in_rounds(
        history.events, day(30), retraction.recorded_at - timedelta(microseconds=1)
    )
    assert before.check_ins == 2


def test_a_retraction_known_only_by_its_event_is_respected_too() -> None:
    history = _round_history()
    history.retract(history.events[-1], mark=False)
    assert check_in_rounds(history.events, day(30), KNOWN)[0].check_ins == 1


def test_rounds_are_listed_in_the_order_they_opened_whatever_the_recording_order() -> None:
    history = HistoryBuilder(("council", "trust"))
    open_round(history, "later", day(40), day(50), {"trust": 3})
    open_round(history, "earlier", day(10), day(20), {"council": 4})
    remind(history, "earlier", 2, day(15))
    close_round(history, "earlier", day(20), {"council": (4, 0)})
    views = check_in_rounds(history.events, day(45), KNOWN)
    assert [(view.id, view.status) for view in views] == [
        ("earlier", RoundStatus.CLOSED),
        ("later", RoundStatus.OPEN),
    ]
    assert views[0].response_rate == 0.0
    assert (views[0].reminders, views[1].reminders) == (2, 0)


def test_a_check_in_entered_by_hand_belongs_to_no_round() -> None:
    history = _round_history()
    history.check_in("gp", None, 4, day(24))
    assert check_in_rounds(history.events, day(30), KNOWN)[0].check_ins == 2


def test_a_retracted_check_in_about_the_partnership_is_no_longer_recorded() -> None:
    history = _round_history()
    council = history.events[-2]
    assert council.data["respondentId"] == "council" and council.data["aboutId"] is None
    history.retract(council)
    [view] = check_in_rounds(history.events, day(30), KNOWN)
    assert [(p.partner_id, p.enough, p.recorded) for p in view.partners] == [
        ("trust", True, False),
        ("council", True, False),
        ("gp", False, False),
    ]
