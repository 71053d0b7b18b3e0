"""Check-in rounds' responses: how many were asked and answered, from each round's
`CHECK_IN_ROUND_CLOSED` (METRICS.md, Check-in rounds).

The trust evidence reads the latest round closed in the window; `accord.projections.rounds`
reads every round.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.health.model import RoundResponse
from accord.projections.moments import micros
from accord.projections.records import IndexedEvent


@dataclass(frozen=True, slots=True)
class PartnerResponse:
    """How many of one partner's people a round asked, and how many answered."""

    partner_id: str
    invited: int
    answered: int


def closed_partners(data: event_data.Data) -> list[PartnerResponse]:
    """The `partners` of a `CHECK_IN_ROUND_CLOSED`, in the order it gives them."""
    return [
        PartnerResponse(
            partner_id=event_data.text(item, "partnerId"),
            invited=event_data.integer(item, "invited"),
            answered=event_data.integer(item, "answered"),
        )
        for item in event_data.objects(data, "partners")
    ]


def rate(answered: int, invited: int) -> float | None:
    """`answered / invited`; null when nobody was invited."""
    return answered / invited if invited else None


def round_response(event: IndexedEvent) -> RoundResponse:
    """A `CHECK_IN_ROUND_CLOSED` as the round's overall response."""
    partners = closed_partners(event.data)
    invited = sum(partner.invited for partner in partners)
    answered = sum(partner.answered for partner in partners)
    return RoundResponse(
        round_id=event_data.text(event.data, "roundId"),
        closed_at=event.occurred_at,
        invited=invited,
        answered=answered,
        response_rate=rate(answered, invited),
    )


class RoundResponseIndex:
    """Every known closed round, by the instant it closed."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self._instants: list[int] = []
        self._rounds: list[RoundResponse] = []
        for event in events:
            if event.type == types.CHECK_IN_ROUND_CLOSED:
                self._instants.append(micros(event.occurred_at))
                self._rounds.append(round_response(event))

    def latest(self, start: int, at: int) -> RoundResponse | None:
        """The round that closed last in `(start, at]` (of rounds closed at the same
        instant, the one recorded last); None when none did."""
        index = bisect_right(self._instants, at) - 1
        if index >= 0 and self._instants[index] > start:
            return self._rounds[index]
        return None
