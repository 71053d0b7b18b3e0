"""Which events a read sees, as of an instant `t` and as known at an instant `k`.

METRICS.md, Time model: an event is seen when it was recorded at or before `k`, it
occurred at or before `t`, and no retraction recorded at or before `k` takes it out.
Retracting a `CommitmentMade` also takes out that commitment's deliveries and release.
Whenever order matters, events are taken by `occurredAt`, then by `position`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from accord.projections import event_types as types
from accord.projections.records import IndexedEvent


def in_history_order(events: Iterable[IndexedEvent]) -> list[IndexedEvent]:
    """Events by `occurredAt`, equal instants in recording order (`position`)."""
    return sorted(events, key=lambda event: (event.occurred_at, event.position))


def retracted_ids(events: Sequence[IndexedEvent], known_at: datetime) -> set[str]:
    """Ids of the events retracted as known at `known_at`.

    Read from each event's `retracted_at`, and also from the `ENTRY_RETRACTED` events
    themselves, so a list whose retraction fields were not filled in is read alike.
    """
    retracted = {event.event_id for event in events if event.is_retracted(known_at)}
    for event in events:
        if event.type == types.ENTRY_RETRACTED and event.recorded_at <= known_at:
            target = event.data.get("eventId")
            if isinstance(target, str):
                retracted.add(target)
    return retracted


def retracted_commitment_ids(events: Sequence[IndexedEvent], retracted: set[str]) -> set[str]:
    """Commitments whose `CommitmentMade` is retracted (and not made again under the id)."""
    gone: set[str] = set()
    standing: set[str] = set()
    for event in events:
        if event.type != types.COMMITMENT_MADE:
            continue
        commitment_id = event.data.get("commitmentId")
        if not isinstance(commitment_id, str):
            continue
        (gone if event.event_id in retracted else standing).add(commitment_id)
    return gone - standing


def known_events(events: Sequence[IndexedEvent], known_at: datetime) -> list[IndexedEvent]:
    """Every fact known at `known_at`, in history order.

    Leaves out what was recorded later, what is retracted as known then (with the
    deliveries and release of a retracted commitment) and the retractions themselves.
    """
    known = [event for event in events if event.recorded_at <= known_at]
    retracted = retracted_ids(known, known_at)
    withdrawn = retracted_commitment_ids(known, retracted)
    return in_history_order(
        event
        for event in known
        if event.event_id not in retracted
        and event.type != types.ENTRY_RETRACTED
        and not _follows_withdrawn_commitment(event, withdrawn)
    )


def visible_events(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> list[IndexedEvent]:
    """The events seen as of `as_of`, as known at `known_at`, in history order."""
    return [event for event in known_events(events, known_at) if event.occurred_at <= as_of]


def is_withdrawn(event: IndexedEvent, retracted: set[str], withdrawn_commitments: set[str]) -> bool:
    """Whether `event` is out of every figure: retracted, or part of a retracted commitment."""
    return event.event_id in retracted or _follows_withdrawn_commitment(
        event, withdrawn_commitments
    )


def _follows_withdrawn_commitment(event: IndexedEvent, withdrawn: set[str]) -> bool:
    return (
        bool(withdrawn)
        and event.type in (types.COMMITMENT_DELIVERED, types.COMMITMENT_RELEASED)
        and event.data.get("commitmentId") in withdrawn
    )
