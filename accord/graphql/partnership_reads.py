"""The reads behind `Partnership`'s fields: pure functions of a partnership's indexed
events, run in a worker thread, that also build the API objects (off the event loop)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from accord.graphql.connections import HistoryKey
from accord.graphql.enums import Interval
from accord.graphql.health_types import Health, health_of
from accord.graphql.timeline_types import Timeline, timeline_of
from accord.projections import event_types
from accord.projections import health as health_model
from accord.projections import timeline as timeline_model
from accord.projections.moments import micros
from accord.projections.records import IndexedEvent
from accord.projections.visibility import in_history_order, retracted_ids


def _in_span(event: IndexedEvent, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or event.occurred_at >= start) and (
        end is None or event.occurred_at <= end
    )


def history_key(event: IndexedEvent) -> HistoryKey:
    return (micros(event.occurred_at), event.position)


def matching_decisions(
    events: Sequence[IndexedEvent],
    known_at: datetime,
    start: datetime | None,
    end: datetime | None,
    category: str | None,
    partner_id: str | None,
) -> tuple[list[IndexedEvent], list[HistoryKey], set[str]]:
    known = [event for event in events if event.recorded_at <= known_at]
    retracted = retracted_ids(known, known_at)
    found = []
    for event in in_history_order(known):
        if event.type != event_types.DECISION_RECORDED or not _in_span(event, start, end):
            continue
        data = event.data
        if category is not None and data.get("category") != category:
            continue
        if partner_id is not None and not any(
            partner_id in (data.get(key) or ()) for key in ("decidedBy", "consulted", "dissentedBy")
        ):
            continue
        found.append(event)
    return found, [history_key(event) for event in found], retracted


def matching_events(
    events: Sequence[IndexedEvent],
    known_at: datetime,
    start: datetime | None,
    end: datetime | None,
    types: set[str] | None,
) -> tuple[list[IndexedEvent], list[HistoryKey]]:
    found = [
        event
        for event in in_history_order(e for e in events if e.recorded_at <= known_at)
        if (types is None or event.type in types) and _in_span(event, start, end)
    ]
    return found, [history_key(event) for event in found]


LAST_SERIES_INSTANT = datetime(9999, 1, 1, tzinfo=UTC)
"""Samples are computed one interval past `to`: keep that representable."""


def most_samples(start: datetime, end: datetime, interval: Interval) -> int:
    """How many samples a series takes, at most, without listing them."""
    if end < start:
        return 0
    days = (end - start).days
    months = (end.year - start.year) * 12 + end.month - start.month
    per_interval = {
        Interval.DAY: days,
        Interval.WEEK: days // 7,
        Interval.MONTH: months,
        Interval.QUARTER: months // 3,
    }
    return per_interval[interval] + 1


def health_at(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime, window_days: int
) -> Health:
    return health_of(health_model.health(events, as_of, known_at, window_days))


def health_series_at(
    events: Sequence[IndexedEvent],
    start: datetime,
    end: datetime,
    interval: str,
    known_at: datetime,
    window_days: int,
) -> list[Health]:
    series = health_model.health_series(events, start, end, interval, known_at, window_days)
    return [health_of(sample) for sample in series]


def timeline_at(
    events: Sequence[IndexedEvent],
    start: datetime | None,
    end: datetime | None,
    types: set[str] | None,
    known_at: datetime,
    now: datetime,
) -> Timeline:
    return timeline_of(timeline_model.timeline(events, start, end, types, known_at, now))
