"""Partners by id, from events already loaded: lists of `Partner` need no store reads.

Read models name partners by id; the API returns `Partner` objects. A directory is
built once per (partnership, knownAt) in a request and answers "who was this partner
as of t" from memory. A partner named by an event whose join was later retracted is
still described (from its retracted join), so every listed id resolves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from accord.projections.moments import FOREVER, micros
from accord.projections.records import IndexedEvent
from accord.projections.state.membership import MembershipIndex, Partner
from accord.projections.visibility import in_history_order, known_events


class PartnerDirectory:
    """The partners of one partnership as known at one instant."""

    def __init__(self, events: Sequence[IndexedEvent], known_at: datetime) -> None:
        self._events = events
        self._known_at = known_at
        self._index = MembershipIndex(known_events(events, known_at))
        self._everything: MembershipIndex | None = None

    def partner(self, partner_id: str, at: datetime) -> Partner:
        """The partner as of `at` (its latest details if it had not joined by then)."""
        instant = micros(at)
        found = self._index.partner(partner_id, instant) or self._index.partner(partner_id, FOREVER)
        if found is not None:
            return found
        if self._everything is None:  # joins since retracted still describe the partner
            recorded = [e for e in self._events if e.recorded_at <= self._known_at]
            self._everything = MembershipIndex(in_history_order(recorded))
        found = self._everything.partner(partner_id, instant) or self._everything.partner(
            partner_id, FOREVER
        )
        if found is not None:
            return found
        return Partner(id=partner_id, name=partner_id, sector="OTHER", joined_at=at, left_at=None)
