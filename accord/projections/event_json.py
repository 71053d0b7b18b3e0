"""An indexed event as API.md's `Event` writes it in JSON (export, plain endpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord.domain.instants import format_instant
from accord.projections.records import IndexedEvent
from accord.projections.summary import summary


def event_json(event: IndexedEvent, known_at: datetime) -> dict[str, Any]:
    """Every field of API.md's `Event`, retraction as known at `known_at`."""
    return {
        "id": event.event_id,
        "type": event.type,
        "position": event.position,
        "occurredAt": format_instant(event.occurred_at),
        "recordedAt": format_instant(event.recorded_at),
        "recordedBy": event.recorded_by,
        "summary": summary(event),
        "data": event.data,
        "retracted": event.is_retracted(known_at),
        "hash": event.hash,
        "previousHash": event.previous_hash,
    }
