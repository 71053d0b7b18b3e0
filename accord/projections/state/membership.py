"""Who is in the partnership at an instant: joins and departures of partners.

A partner is active at `t` when the latest of its `PartnerJoined` / `PartnerLeft`
with `occurredAt <= t` is a join (a partner may leave and join again).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import micros
from accord.projections.records import IndexedEvent


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner as of an instant: `joined_at` starts its current (or last) membership;
    `left_at` is null while it is active."""

    id: str
    name: str
    sector: str
    joined_at: datetime
    left_at: datetime | None


@dataclass(slots=True)
class _Track:
    """One partner's joins and departures in history order."""

    instants: list[int] = field(default_factory=list)
    events: list[IndexedEvent] = field(default_factory=list)


class MembershipIndex:
    """Joins and departures of every partner, ready to answer "who is active at t"."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self._tracks: dict[str, _Track] = {}
        for event in events:
            if event.type not in (types.PARTNER_JOINED, types.PARTNER_LEFT):
                continue
            partner_id = event_data.text(event.data, "partnerId")
            track = self._tracks.setdefault(partner_id, _Track())
            track.instants.append(micros(event.occurred_at))
            track.events.append(event)
        self._ids = sorted(self._tracks)

    def _latest(self, partner_id: str, at: int) -> IndexedEvent | None:
        track = self._tracks.get(partner_id)
        if track is None:
            return None
        index = bisect_right(track.instants, at) - 1
        return track.events[index] if index >= 0 else None

    def is_active(self, partner_id: str, at: int) -> bool:
        latest = self._latest(partner_id, at)
        return latest is not None and latest.type == types.PARTNER_JOINED

    def active_ids(self, at: int) -> list[str]:
        """Ids of the partners active at `at`, in id order."""
        return [partner_id for partner_id in self._ids if self.is_active(partner_id, at)]

    def partner(self, partner_id: str, at: int) -> Partner | None:
        """The partner's details as of `at`; None if it had not joined by then."""
        track = self._tracks.get(partner_id)
        if track is None:
            return None
        index = bisect_right(track.instants, at) - 1
        left: datetime | None = None
        while index >= 0 and track.events[index].type == types.PARTNER_LEFT:
            left = track.events[index].occurred_at  # the departure ending it
            index -= 1
        if index < 0:
            return None
        joined = track.events[index]
        return Partner(
            id=partner_id,
            name=event_data.text(joined.data, "name"),
            sector=event_data.text(joined.data, "sector"),
            joined_at=joined.occurred_at,
            left_at=left,
        )

    def active_partners(self, at: int) -> list[Partner]:
        """The partners active at `at`, in id order."""
        found = (self.partner(partner_id, at) for partner_id in self.active_ids(at))
        return [partner for partner in found if partner is not None]
