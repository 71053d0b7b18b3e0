"""Check-in rounds' events, added to a `HistoryBuilder` as a round records them.

The builder records events from mutations' input; a round's events come from its own
mutations (opened, reminded, closed) and its check-ins carry fields only a round sets
(`responses`, `roundId`, decimal items), so they are written here as the event index
holds them (API.md's `Event.data`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from accord.domain.instants import format_instant
from accord.projections import event_types as types
from accord.projections.records import IndexedEvent
from tests.unit.history_builder import RECORDING_STARTS, HistoryBuilder


def add_event(
    history: HistoryBuilder,
    type_name: str,
    at: datetime,
    data: dict[str, Any],
    *,
    recorded_by: str = "tester",
    recorded_at: datetime | None = None,
) -> IndexedEvent:
    position = len(history.events) + 1
    event = IndexedEvent(
        partnership_id="test-partnership",
        position=position,
        event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"round-history/{position}")),
        type=type_name,
        occurred_at=at,
        recorded_at=recorded_at or RECORDING_STARTS + timedelta(seconds=position),
        recorded_by=recorded_by,
        data=data,
        hash="0" * 64,
        previous_hash=None,
    )
    history.events.append(event)
    return event


def open_round(
    history: HistoryBuilder,
    round_id: str,
    at: datetime,
    closes_at: datetime,
    invitations: dict[str, int],
    *,
    minimum: int = 3,
    about_partners: bool = False,
    keep_notes: bool = False,
    recorded_at: datetime | None = None,
) -> IndexedEvent:
    return add_event(
        history,
        types.CHECK_IN_ROUND_OPENED,
        at,
        {
            "roundId": round_id,
            "closesAt": format_instant(closes_at),
            "minimumResponses": minimum,
            "aboutPartners": about_partners,
            "keepNotes": keep_notes,
            "invitations": [
                {"partnerId": partner, "count": count} for partner, count in invitations.items()
            ],
        },
        recorded_at=recorded_at,
    )


def remind(history: HistoryBuilder, round_id: str, count: int, at: datetime) -> IndexedEvent:
    return add_event(
        history, types.CHECK_IN_REMINDERS_SENT, at, {"roundId": round_id, "count": count}
    )


def close_round(
    history: HistoryBuilder,
    round_id: str,
    at: datetime,
    partners: dict[str, tuple[int, int]],
    *,
    recorded_at: datetime | None = None,
) -> IndexedEvent:
    """`partners`: partner id -> (invited, answered)."""
    return add_event(
        history,
        types.CHECK_IN_ROUND_CLOSED,
        at,
        {
            "roundId": round_id,
            "partners": [
                {"partnerId": partner, "invited": invited, "answered": answered}
                for partner, (invited, answered) in partners.items()
            ],
        },
        recorded_at=recorded_at,
    )


def round_check_in(
    history: HistoryBuilder,
    round_id: str,
    respondent: str,
    about: str | None,
    items: tuple[float, float, float, float],
    responses: int,
    at: datetime,
    notes: list[str] | None = None,
) -> IndexedEvent:
    """A check-in a round recorded at its close: each item the mean of the answers."""
    data: dict[str, Any] = {
        "respondentId": respondent,
        "aboutId": about,
        "reliability": items[0],
        "openness": items[1],
        "respect": items[2],
        "sharedOwnership": items[3],
        "note": None,
        "responses": responses,
        "roundId": round_id,
    }
    if notes is not None:
        data["notes"] = notes
    return add_event(
        history,
        types.TRUST_CHECK_IN_RECORDED,
        at,
        data,
        recorded_by=f"check-in-round:{round_id}",
    )
