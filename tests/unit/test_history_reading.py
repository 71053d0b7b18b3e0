"""Reading histories from the views: decoding many rows at once gives exactly what
decoding them one by one gives, and the cache of recent histories stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accord.projections.records import IndexedEvent
from accord.storage import reader as reader_module
from accord.storage.reader import HistoryCache
from accord.storage.views import event_of, events_of, row_of

START = datetime(2024, 1, 1, 9, tzinfo=UTC)


def _history(count: int, partnership: str = "p-1") -> list[IndexedEvent]:
    events = []
    previous = None
    for position in range(1, count + 1):
        digest = f"{position:064x}"
        retracted = position % 7 == 0
        events.append(
            IndexedEvent(
                partnership_id=partnership,
                position=position,
                event_id=f"{partnership}-e{position}",
                type="DECISION_RECORDED" if position % 2 else "TRUST_CHECK_IN_RECORDED",
                occurred_at=START + timedelta(hours=position),
                recorded_at=START + timedelta(hours=position, microseconds=position),
                recorded_by="local",
                data={"title": f"decision {position}", "decidedBy": ["p00", "p01"], "n": 1.5},
                hash=digest,
                previous_hash=previous,
                retracted_by=f"{partnership}-r{position}" if retracted else None,
                retracted_at=START + timedelta(days=400) if retracted else None,
            )
        )
        previous = digest
    return events


def test_decoding_rows_together_gives_what_decoding_each_gives() -> None:
    rows = [row_of(event) for event in _history(50)]
    assert events_of(rows) == [event_of(row) for row in rows] == _history(50)


def test_decoded_events_share_their_repeated_strings() -> None:
    rows = [row_of(event) for event in _history(3)]
    shared: dict[str, str] = {}
    first, second, third = events_of(rows[:2], shared) + events_of(rows[2:], shared)
    assert first.partnership_id is second.partnership_id is third.partnership_id
    assert second.previous_hash is first.hash
    assert next(iter(first.data)) is next(iter(second.data))  # one key string


def test_no_rows_decode_to_no_events() -> None:
    assert events_of([]) == []


def test_the_cache_holds_at_most_its_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "CACHED_EVENTS", 100)
    cache = HistoryCache()
    cache.put("a", 40, _history(40, "a"))
    cache.put("b", 40, _history(40, "b"))
    cache.make_room("c", 40)  # the least recently used goes before "c" is read
    assert cache.get("a", 40) is None
    assert cache.get("b", 40) is not None
    cache.put("c", 40, _history(40, "c"))
    assert cache.get("b", 40) is not None and cache.get("c", 40) is not None


def test_a_history_longer_than_the_cache_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "CACHED_EVENTS", 100)
    cache = HistoryCache()
    cache.put("a", 10, _history(10, "a"))
    cache.put("big", 101, _history(101, "big"))
    assert cache.get("big", 101) is None
    assert cache.get("a", 10) is not None


def test_the_cache_answers_only_for_the_version_it_read() -> None:
    cache = HistoryCache()
    cache.put("a", 10, _history(10, "a"))
    assert cache.get("a", 11) is None
    assert cache.get("a", 10) == _history(10, "a")


def test_the_cache_holds_at_most_its_partnerships(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "CACHED_PARTNERSHIPS", 2)
    cache = HistoryCache()
    for name in "abc":
        cache.put(name, 1, _history(1, name))
    assert [cache.get(name, 1) is not None for name in "abc"] == [False, True, True]
