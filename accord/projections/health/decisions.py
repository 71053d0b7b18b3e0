"""Decisions indexed for windowed counts and decision-right credits.

A decision of significance `s` credits each partner in its `decidedBy` list with
`s / |decidedBy|`. Credits are kept as exact integers of `1 / credit_scale` (the
least common multiple of every `|decidedBy|`), so window sums and shares are exact.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import micros
from accord.projections.records import IndexedEvent


@dataclass(slots=True)
class _Credits:
    instants: list[int] = field(default_factory=list)
    cumulative: list[int] = field(default_factory=lambda: [0])


@dataclass(frozen=True, slots=True)
class DecisionCounts:
    """Decisions in a window: how many, and how many of each kind METRICS.md counts."""

    total: int
    with_rationale: int
    by_consensus: int
    on_governance: int


class DecisionIndex:
    """Every known decision, ready for windowed reads."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        decisions = [event for event in events if event.type == types.DECISION_RECORDED]
        deciders = [event_data.id_list(event.data, "decidedBy") for event in decisions]
        self.credit_scale = math.lcm(1, *(len(names) for names in deciders if names))
        self._instants = [micros(event.occurred_at) for event in decisions]
        self._with_rationale = [0]
        self._by_consensus = [0]
        self._on_governance = [0]
        self._credits: dict[str, _Credits] = {}
        for event, at, names in zip(decisions, self._instants, deciders, strict=True):
            data = event.data
            explained = not event_data.is_blank(event_data.optional_text(data, "rationale"))
            self._with_rationale.append(self._with_rationale[-1] + explained)
            self._by_consensus.append(
                self._by_consensus[-1] + (event_data.optional_text(data, "method") == "CONSENSUS")
            )
            self._on_governance.append(
                self._on_governance[-1]
                + (event_data.optional_text(data, "category") == "GOVERNANCE")
            )
            if not names:
                continue
            significance = event_data.integer(data, "significance", default=1)
            credit = significance * self.credit_scale // len(names)
            for name in names:
                credits = self._credits.setdefault(name, _Credits())
                credits.instants.append(at)
                credits.cumulative.append(credits.cumulative[-1] + credit)

    def counts(self, start: int, end: int) -> DecisionCounts:
        """Decisions with `occurredAt` in `(start, end]`."""
        first = bisect_right(self._instants, start)
        last = bisect_right(self._instants, end)
        return DecisionCounts(
            total=last - first,
            with_rationale=self._with_rationale[last] - self._with_rationale[first],
            by_consensus=self._by_consensus[last] - self._by_consensus[first],
            on_governance=self._on_governance[last] - self._on_governance[first],
        )

    def credit(self, partner_id: str, start: int, end: int) -> int:
        """The partner's credit (in `1 / credit_scale`) from decisions in `(start, end]`."""
        credits = self._credits.get(partner_id)
        if credits is None:
            return 0
        return (
            credits.cumulative[bisect_right(credits.instants, end)]
            - credits.cumulative[bisect_right(credits.instants, start)]
        )
