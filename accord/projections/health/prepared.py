"""A partnership's history prepared once per (events, knownAt) for reads at any instant.

Preparing does the costly part once: hiding what is not known, reading event data,
ordering, and building per-concept indexes of sorted arrays. Each health sample then
reads those indexes with `bisect`, so a series of samples costs little more than one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from accord.projections.health.checkins import CheckInIndex
from accord.projections.health.decisions import DecisionIndex
from accord.projections.health.risk_shares import RiskShareIndex
from accord.projections.health.round_responses import RoundResponseIndex
from accord.projections.moments import micros, window_start
from accord.projections.records import IndexedEvent
from accord.projections.state.commitment_ledger import CommitmentLedger
from accord.projections.state.goal_register import GoalIndex
from accord.projections.state.membership import MembershipIndex
from accord.projections.state.role_register import RoleIndex
from accord.projections.visibility import known_events


@dataclass(frozen=True, slots=True)
class PreparedHistory:
    """Every fact known at `known_at`, indexed by concept."""

    known_at: datetime
    membership: MembershipIndex
    goals: GoalIndex
    commitments: CommitmentLedger
    roles: RoleIndex
    decisions: DecisionIndex
    check_ins: CheckInIndex
    risk_shares: RiskShareIndex
    rounds: RoundResponseIndex

    def sample(self, as_of: datetime, window_days: int) -> Sample:
        """The instant and window one health reading is taken at."""
        if window_days < 1:
            raise ValueError("windowDays must be at least 1")
        at = micros(as_of)
        active = self.membership.active_ids(at)
        return Sample(
            as_of=as_of,
            at=at,
            window_days=window_days,
            window_start=window_start(at, window_days),
            active=tuple(active),
            active_set=frozenset(active),
        )


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading: the instant `at` (micros), its window `(window_start, at]`, and the
    partners active then (in id order)."""

    as_of: datetime
    at: int
    window_days: int
    window_start: int
    active: tuple[str, ...]
    active_set: frozenset[str]


def prepare(events: Sequence[IndexedEvent], known_at: datetime) -> PreparedHistory:
    """Index a partnership's events (any order, retractions included) as known at
    `known_at`."""
    known = known_events(events, known_at)
    return PreparedHistory(
        known_at=known_at,
        membership=MembershipIndex(known),
        goals=GoalIndex(known),
        commitments=CommitmentLedger(known),
        roles=RoleIndex(known),
        decisions=DecisionIndex(known),
        check_ins=CheckInIndex(known),
        risk_shares=RiskShareIndex(known),
        rounds=RoundResponseIndex(known),
    )
