"""Agreed risk shares: the latest `RiskSharesAgreed` at an instant."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import micros
from accord.projections.records import IndexedEvent


class RiskShareIndex:
    """Every known risk-share agreement, in history order."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        agreements = [event for event in events if event.type == types.RISK_SHARES_AGREED]
        self._instants = [micros(event.occurred_at) for event in agreements]
        self._shares = [event_data.shares(event.data) for event in agreements]

    def latest(self, at: int) -> dict[str, float] | None:
        """Partner id -> agreed share, from the latest agreement at or before `at`."""
        index = bisect_right(self._instants, at) - 1
        return self._shares[index] if index >= 0 else None
