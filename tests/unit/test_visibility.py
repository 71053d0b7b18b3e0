"""What a read sees: as of t, as known at k, without retracted entries."""

from __future__ import annotations

from datetime import timedelta

from accord.projections.visibility import known_events, visible_events
from tests.unit.history_builder import KNOWN, RECORDING_STARTS, HistoryBuilder, day


def _ids(events: list) -> list[str]:  # type: ignore[type-arg]
    return [event.event_id for event in events]


def test_an_event_recorded_after_known_at_is_not_seen() -> None:
    history = HistoryBuilder(("a",))
    late = history.decide(day(1), ["a"], recorded_at=KNOWN + timedelta(days=1))
    assert late.event_id not in _ids(visible_events(history.events, day(2), KNOWN))
    assert late.event_id in _ids(visible_events(history.events, day(2), late.recorded_at))


def test_an_event_at_exactly_as_of_is_seen_and_one_a_microsecond_later_is_not() -> None:
    history = HistoryBuilder(("a",))
    on_time = history.decide(day(1), ["a"])
    later = history.decide(day(1) + timedelta(microseconds=1), ["a"])
    seen = _ids(visible_events(history.events, day(1), KNOWN))
    assert on_time.event_id in seen
    assert later.event_id not in seen


def test_a_retraction_applies_from_when_it_was_recorded_whatever_its_occurred_at() -> None:
    history = HistoryBuilder(("a",))
    decision = history.decide(day(1), ["a"])
    retraction = history.retract(decision, recorded_at=RECORDING_STARTS + timedelta(days=30))
    before = retraction.recorded_at - timedelta(microseconds=1)
    assert decision.event_id in _ids(visible_events(history.events, day(400), before))
    assert decision.event_id not in _ids(
        visible_events(history.events, day(400), retraction.recorded_at)
    )


def test_retractions_themselves_are_not_facts_of_the_partnership() -> None:
    history = HistoryBuilder(("a",))
    retraction = history.retract(history.decide(day(1), ["a"]))
    assert retraction.event_id not in _ids(known_events(history.events, KNOWN))


def test_a_retraction_is_read_from_the_retraction_event_when_the_target_is_unmarked() -> None:
    history = HistoryBuilder(("a",))
    decision = history.decide(day(1), ["a"])
    history.retract(decision, mark=False)
    assert decision.event_id not in _ids(known_events(history.events, KNOWN))


def test_a_retracted_commitment_takes_its_deliveries_and_release_with_it() -> None:
    history = HistoryBuilder(("a",))
    made = history.commit("c1", "a", "FUNDING", 100, day(30), day(1))
    delivery = history.deliver("c1", 50, day(2))
    release = history.release("c1", day(3), by_agreement=True)
    other = history.commit("c2", "a", "FUNDING", 100, day(30), day(1))
    other_delivery = history.deliver("c2", 50, day(2))
    history.retract(made)
    seen = _ids(known_events(history.events, KNOWN))
    assert made.event_id not in seen
    assert delivery.event_id not in seen
    assert release.event_id not in seen
    assert other.event_id in seen
    assert other_delivery.event_id in seen


def test_events_with_equal_occurred_at_are_taken_in_recording_order() -> None:
    history = HistoryBuilder()
    first = history.join("b", day(1))
    second = history.join("a", day(1))
    earlier = history.join("c", day(0))
    assert _ids(known_events(history.events, KNOWN))[-3:] == [
        earlier.event_id,
        first.event_id,
        second.event_id,
    ]
