"""The event index record: one recorded event as every read model sees it.

This is the seam between the event store and the pure read functions (health,
timeline, state as of a date). Everything here is plain data: the projection runner
builds these from stored events, the views persist them, and the pure functions
never touch I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.domain.partnership import PartnershipEvent


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """One event of a partnership's history, as API.md's `Event` describes it.

    - `type` is the UPPER_SNAKE event type (`DECISION_RECORDED`).
    - `position` is the 1-based index of the event in its partnership's stream.
    - `occurred_at` / `recorded_at` are timezone-aware UTC datetimes.
    - `data` holds the input fields under their API names (camelCase), defaults and
      generated ids filled in; instants in it are ISO-8601 strings in UTC with
      `+00:00` (`2025-03-31T09:30:00+00:00`, fractional seconds only when not zero).
    - `retracted_by` / `retracted_at`: the id and the `recorded_at` of the
      `ENTRY_RETRACTED` event that retracted this one, when there is one. Whether the
      event counts as retracted "as known at k" is `retracted_at <= k`.
    """

    partnership_id: str
    position: int
    event_id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    data: dict[str, Any]
    hash: str
    previous_hash: str | None
    retracted_by: str | None = None
    retracted_at: datetime | None = None

    def is_retracted(self, known_at: datetime) -> bool:
        """Whether a retraction recorded at or before `known_at` applies to this event."""
        return self.retracted_at is not None and self.retracted_at <= known_at


def indexed(event: PartnershipEvent) -> IndexedEvent:
    """A stored domain event as the event index holds it."""
    return IndexedEvent(
        partnership_id=str(event.originator_id),
        position=event.position,
        event_id=event.event_id,
        type=event.type_name(),
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by,
        data=event.data,
        hash=event.hash,
        previous_hash=event.previous_hash,
    )
