"""Resource commitments: what each partner promised, delivered, and when.

Quantities are kept exactly as integers of one common unit (every float is a dyadic
rational, so a power of two scales them all to integers): sums, windows and
differences of quantities are then exact, and each figure is rounded only once.
A commitment's deadline is `dueAt + 14 days` (METRICS.md, Commitment outcomes).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import DAY, FOREVER, micros
from accord.projections.records import IndexedEvent

KINDS: Final = ("FUNDING", "STAFF", "IN_KIND")
"""Resource kinds in the order per-kind lists use."""

UNITS: Final = {"FUNDING": "GBP", "STAFF": "FTE_MONTHS", "IN_KIND": "DAYS"}
"""The one unit of each resource kind."""

GRACE: Final = 14 * DAY
"""How long after `dueAt` a commitment may still be kept."""


class CommitmentStatus(StrEnum):
    """API.md `CommitmentStatus`: OPEN = pending or not yet due."""

    OPEN = "OPEN"
    KEPT = "KEPT"
    BROKEN = "BROKEN"
    RELEASED = "RELEASED"


@dataclass(frozen=True, slots=True)
class Commitment:
    """A commitment as of an instant: `delivered` is the quantity delivered by then."""

    id: str
    partner_id: str
    kind: str
    quantity: float
    unit: str
    due_at: datetime
    delivered: float
    status: CommitmentStatus


def _units(ratio: tuple[int, int], scale: int) -> int:
    """An exact `numerator / denominator` as a whole number of `1 / scale`."""
    numerator, denominator = ratio
    return numerator * (scale // denominator)


def reaches(delivered: float, quantity: float) -> bool:
    """Whether a delivered sum reaches its quantity, compared at 9 decimal places."""
    return round(delivered, 9) >= round(quantity, 9)


@dataclass(slots=True)
class CommitmentRecord:
    """One commitment with its deliveries and release, and the instants at which its
    outcome changes (`FOREVER` when it never does)."""

    id: str
    partner_id: str
    kind: str
    quantity: float
    unit: str
    due_at: datetime
    made: int
    due: int
    quantity_units: int = 0
    delivery_instants: list[int] = field(default_factory=list)
    delivered_units: list[int] = field(default_factory=list)
    """Cumulative units after each delivery."""
    released: int = FOREVER
    released_by_agreement: bool = False
    kept_from: int = FOREVER
    """From when it counts as kept: its deliveries reached the quantity by the deadline."""
    broken_from: int = FOREVER
    """From when it counts as broken unless kept: the deadline, or a release without
    agreement."""
    excused_from: int = FOREVER
    """From when it is out of the reckoning: released by agreement."""

    @property
    def deadline(self) -> int:
        return self.due + GRACE

    def units_delivered_by(self, at: int) -> int:
        count = bisect_right(self.delivery_instants, at)
        return self.delivered_units[count - 1] if count else 0

    def outcome_at(self, at: int) -> CommitmentStatus | None:
        """KEPT, BROKEN, or None (pending, not yet due, or released by agreement) at
        `at`, leaving aside whether `dueAt` is in the window."""
        if self.due > at or self.excused_from <= at:
            return None
        if self.kept_from <= at:
            return CommitmentStatus.KEPT
        if self.broken_from <= at:
            return CommitmentStatus.BROKEN
        return None


@dataclass(slots=True)
class DeliveryTrack:
    """One partner's deliveries of one kind: instants and cumulative units (from 0)."""

    instants: list[int] = field(default_factory=list)
    cumulative: list[int] = field(default_factory=lambda: [0])

    def units_between(self, start: int, end: int) -> int:
        """Units delivered in `(start, end]`."""
        return (
            self.cumulative[bisect_right(self.instants, end)]
            - self.cumulative[bisect_right(self.instants, start)]
        )


class CommitmentLedger:
    """Every commitment known, ready for reads at any instant."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self.records: list[CommitmentRecord] = []
        self._by_id: dict[str, CommitmentRecord] = {}
        deliveries: list[tuple[CommitmentRecord, int, tuple[int, int]]] = []
        for event in events:
            if event.type == types.COMMITMENT_MADE:
                self._make(event)
            elif event.type in (types.COMMITMENT_DELIVERED, types.COMMITMENT_RELEASED):
                record = self._by_id.get(event_data.text(event.data, "commitmentId"))
                if record is None:
                    continue
                at = micros(event.occurred_at)
                if event.type == types.COMMITMENT_DELIVERED:
                    quantity = event_data.number(event.data, "quantity").as_integer_ratio()
                    deliveries.append((record, at, quantity))
                elif record.released == FOREVER:
                    record.released = at
                    record.released_by_agreement = event_data.flag(event.data, "byAgreement")
        quantities = [record.quantity.as_integer_ratio() for record in self.records]
        self.scale = math.lcm(
            1, *(ratio[1] for ratio in quantities), *(ratio[1] for _, _, ratio in deliveries)
        )
        """Units per unit of quantity: quantity = units / scale."""
        for record, quantity in zip(self.records, quantities, strict=True):
            record.quantity_units = _units(quantity, self.scale)
        self._tracks: dict[tuple[str, str], DeliveryTrack] = {}
        for record, at, quantity in deliveries:
            units = _units(quantity, self.scale)
            total = record.delivered_units[-1] if record.delivered_units else 0
            record.delivery_instants.append(at)
            record.delivered_units.append(total + units)
            track = self._tracks.setdefault((record.partner_id, record.kind), DeliveryTrack())
            track.instants.append(at)
            track.cumulative.append(track.cumulative[-1] + units)
        for record in self.records:
            self._settle(record)
        self.made_instants = [record.made for record in self.records]
        self.by_due = sorted(self.records, key=lambda record: record.due)
        self.due_instants = [record.due for record in self.by_due]
        self.longest_lead = max((record.due - record.made for record in self.records), default=0)
        """The longest time from making a commitment to its `dueAt`."""

    def _make(self, event: IndexedEvent) -> None:
        data = event.data
        kind = event_data.text(data, "kind")
        due_at = event_data.instant(data, "dueAt")
        record = CommitmentRecord(
            id=event_data.text(data, "commitmentId"),
            partner_id=event_data.text(data, "partnerId"),
            kind=kind,
            quantity=event_data.number(data, "quantity"),
            unit=event_data.optional_text(data, "unit") or UNITS.get(kind, ""),
            due_at=due_at,
            made=micros(event.occurred_at),
            due=micros(due_at),
        )
        self.records.append(record)
        self._by_id[record.id] = record

    def _settle(self, record: CommitmentRecord) -> None:
        for at, units in zip(record.delivery_instants, record.delivered_units, strict=True):
            if reaches(units / self.scale, record.quantity):
                if at <= record.deadline:
                    record.kept_from = at
                break
        record.broken_from = record.deadline
        if record.released_by_agreement:
            record.excused_from = record.released
        else:
            record.broken_from = min(record.broken_from, record.released)

    def quantity(self, units: int) -> float:
        """Units back to a quantity, correctly rounded."""
        return units / self.scale

    def delivery_track(self, partner_id: str, kind: str) -> DeliveryTrack | None:
        return self._tracks.get((partner_id, kind))

    def due_between(self, start: int, end: int) -> list[CommitmentRecord]:
        """Commitments with `dueAt` in `(start, end]`."""
        return self.by_due[
            bisect_right(self.due_instants, start) : bisect_right(self.due_instants, end)
        ]

    def made_by(self, at: int) -> list[CommitmentRecord]:
        """Commitments made at or before `at`, in history order."""
        return self.records[: bisect_right(self.made_instants, at)]

    def status_at(self, record: CommitmentRecord, at: int) -> CommitmentStatus:
        if record.released <= at:
            return CommitmentStatus.RELEASED
        return record.outcome_at(at) or CommitmentStatus.OPEN

    def commitments_at(self, at: int) -> list[Commitment]:
        """Every commitment made by `at`, as it stands then."""
        return [
            Commitment(
                id=record.id,
                partner_id=record.partner_id,
                kind=record.kind,
                quantity=record.quantity,
                unit=record.unit,
                due_at=record.due_at,
                delivered=self.quantity(record.units_delivered_by(at)),
                status=self.status_at(record, at),
            )
            for record in self.made_by(at)
        ]
