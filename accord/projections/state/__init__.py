"""A partnership's state as of an instant, as known at an instant.

Each read takes the partnership's indexed events (any order, retractions included)
and sees them as METRICS.md's time model says (`accord.projections.visibility`).
The indexes behind these reads are the ones the health metrics use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from accord.projections.moments import micros
from accord.projections.records import IndexedEvent
from accord.projections.state.commitment_ledger import (
    Commitment,
    CommitmentLedger,
    CommitmentStatus,
)
from accord.projections.state.goal_register import Endorsement, Goal, GoalIndex
from accord.projections.state.membership import MembershipIndex, Partner
from accord.projections.state.role_register import LeadershipRole, RoleIndex
from accord.projections.visibility import known_events

__all__ = [
    "Commitment",
    "CommitmentStatus",
    "Endorsement",
    "Goal",
    "LeadershipRole",
    "Partner",
    "commitments",
    "goals",
    "leadership",
    "partners",
]


def partners(events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime) -> list[Partner]:
    """The partners active at `as_of`, in id order (`left_at` is null for each)."""
    return MembershipIndex(known_events(events, known_at)).active_partners(micros(as_of))


def goals(events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime) -> list[Goal]:
    """The goals active at `as_of`, in the order they were set, each with the
    endorsements of its current version by partners active then."""
    known = known_events(events, known_at)
    at = micros(as_of)
    active = set(MembershipIndex(known).active_ids(at))
    return GoalIndex(known).active_goals(at, active)


def commitments(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> list[Commitment]:
    """Every commitment made by `as_of` and not retracted, in the order made, with what
    was delivered by then and its status then."""
    return CommitmentLedger(known_events(events, known_at)).commitments_at(micros(as_of))


def leadership(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> list[LeadershipRole]:
    """Every role appointed by `as_of`, with its holder or vacancy, in role order."""
    return RoleIndex(known_events(events, known_at)).roles_at(micros(as_of))
