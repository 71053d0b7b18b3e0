"""Check-in rounds in words: each event's summary sentence and its timeline item."""

from __future__ import annotations

from accord.projections.summary import summary
from accord.projections.timeline import TimelineItem, timeline
from tests.unit.history_builder import KNOWN, HistoryBuilder, day
from tests.unit.round_history import close_round, open_round, remind, round_check_in


def _history() -> HistoryBuilder:
    history = HistoryBuilder()
    history.add("joinPartner", day(-5), partnerId="council", name="Council", sector="OTHER")
    history.join("trust", day(-5))
    open_round(history, "r1", day(10), day(24), {"council": 12, "trust": 8})
    remind(history, "r1", 9, day(15))
    close_round(history, "r1", day(24), {"council": (12, 12), "trust": (8, 2)})
    round_check_in(history, "r1", "council", None, (3.5, 4.0, 4.25, 3.0), 12, day(24))
    round_check_in(history, "r1", "council", "trust", (4.5, 4.0, 4.0, 3.5), 1, day(24))
    history.check_in("trust", "council", 4, day(30))
    return history


def _items() -> list[TimelineItem]:
    history = _history()
    return list(timeline(history.events, None, None, None, KNOWN, day(100)).items)


def test_each_round_event_has_a_sentence_of_its_own() -> None:
    sentences = [summary(event) for event in _history().events[3:]]
    assert sentences == [
        "Check-in round r1 opened until 2024-01-25: 20 people asked across 2 partners; "
        "a check-in is recorded from 3 answers",
        "Reminders sent to 9 people who had not answered check-in round r1",
        "Check-in round r1 closed: 14 of 20 invited answered (70%)",
        "Trust check-in by council about the partnership from check-in round r1: "
        "the mean of 12 responses (score 0.67)",
        "Trust check-in by council about trust from check-in round r1: "
        "the mean of 1 response (score 0.75)",
        "Trust check-in by trust about council (score 0.75)",
    ]


def test_round_items_are_in_the_trust_lane_and_name_partners() -> None:
    items = _items()[3:]
    assert {item.group for item in items} == {"TRUST"}
    assert [item.content for item in items] == [
        "Check-in round opened: Council, trust name (20 people asked)",
        "Check-in reminders: 9 sent",
        "Check-in round closed: 14 of 20 answered (70%)",
        "Check-in round: Council on the partnership (12 responses)",
        "Check-in round: Council on trust name (1 response)",
        "Check-in: trust name on Council",
    ]
    assert [item.class_name for item in items[:3]] == [
        "check-in-round-opened",
        "check-in-reminders-sent",
        "check-in-round-closed",
    ]
    assert all(item.type == "point" for item in items)


def test_a_round_opened_for_many_partners_names_the_first_three() -> None:
    history = HistoryBuilder(("a", "b", "c", "d", "e"))
    open_round(history, "r1", day(10), day(24), {p: 1 for p in ("a", "b", "c", "d", "e")})
    [item] = [
        entry
        for entry in timeline(history.events, None, None, None, KNOWN, day(100)).items
        if entry.group == "TRUST"
    ]
    assert item.content.startswith("Check-in round opened: ")
    assert item.content.endswith(" and 2 more (5 people asked)")


def test_incomplete_round_data_still_reads() -> None:
    history = HistoryBuilder()
    close_round(history, "r1", day(24), {})
    assert summary(history.events[-1]) == "Check-in round r1 closed"
    [item] = [
        entry
        for entry in timeline(history.events, None, None, None, KNOWN, day(100)).items
        if entry.group == "TRUST"
    ]
    assert item.content == "Check-in round closed: 0 of 0 answered"
