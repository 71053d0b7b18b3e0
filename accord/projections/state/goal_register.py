"""The partnership's goals at an instant: statements, versions and endorsements.

A goal is active when set and not retired. Its current version starts at 1 and each
`GoalRevised` adds 1; endorsements belong to a version, so a revision needs new ones.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accord.projections import event_data
from accord.projections import event_types as types
from accord.projections.moments import FOREVER, micros
from accord.projections.records import IndexedEvent


@dataclass(frozen=True, slots=True)
class Endorsement:
    """A partner's latest endorsement of a goal."""

    partner_id: str
    version: int
    rating: int
    endorsed_at: datetime


@dataclass(frozen=True, slots=True)
class Goal:
    """An active goal as of an instant; `endorsements` are those of its current version
    by active partners (each partner's latest), in partner id order."""

    id: str
    statement: str
    version: int
    set_at: datetime
    revised_at: datetime | None
    endorsements: tuple[Endorsement, ...]


@dataclass(slots=True)
class _Endorsements:
    instants: list[int] = field(default_factory=list)
    endorsements: list[Endorsement] = field(default_factory=list)


@dataclass(slots=True)
class _GoalTrack:
    goal_id: str
    set_event: IndexedEvent | None = None
    set_at: int = FOREVER
    retired_at: int = FOREVER
    revision_instants: list[int] = field(default_factory=list)
    revisions: list[IndexedEvent] = field(default_factory=list)
    endorsements: dict[str, _Endorsements] = field(default_factory=dict)


class GoalIndex:
    """Every goal's history, ready to answer "which goals, which endorsements, at t"."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self._goals: dict[str, _GoalTrack] = {}
        self.setting_instants: list[int] = []
        """`occurredAt` of every GoalSet, GoalRevised and GoalReaffirmed, sorted."""
        self.revision_instants: list[int] = []
        """`occurredAt` of every GoalRevised, sorted."""
        for event in events:
            if event.type in types.GOAL_EVENTS:
                self._add(event, micros(event.occurred_at))
        self.setting_instants.sort()
        self.revision_instants.sort()

    def _add(self, event: IndexedEvent, at: int) -> None:
        goal_id = event_data.text(event.data, "goalId")
        track = self._goals.setdefault(goal_id, _GoalTrack(goal_id))
        if event.type == types.GOAL_SET:
            if track.set_event is None:
                track.set_event, track.set_at = event, at
            self.setting_instants.append(at)
        elif event.type == types.GOAL_REVISED:
            track.revision_instants.append(at)
            track.revisions.append(event)
            self.setting_instants.append(at)
            self.revision_instants.append(at)
        elif event.type == types.GOAL_REAFFIRMED:
            self.setting_instants.append(at)
        elif event.type == types.GOAL_RETIRED:
            track.retired_at = min(track.retired_at, at)
        elif event.type == types.GOAL_ENDORSED:
            partner_id = event_data.text(event.data, "partnerId")
            endorsements = track.endorsements.setdefault(partner_id, _Endorsements())
            endorsements.instants.append(at)
            endorsements.endorsements.append(
                Endorsement(
                    partner_id=partner_id,
                    version=event_data.integer(event.data, "version"),
                    rating=event_data.integer(event.data, "rating"),
                    endorsed_at=event.occurred_at,
                )
            )

    def active_goals(self, at: int, active_partners: Collection[str]) -> list[Goal]:
        """The goals active at `at`, in the order they were set."""
        goals = [
            self._goal_at(track, at, active_partners)
            for track in self._goals.values()
            if track.set_event is not None and track.set_at <= at < track.retired_at
        ]
        return sorted(goals, key=lambda goal: (goal.set_at, goal.id))

    def _goal_at(self, track: _GoalTrack, at: int, active_partners: Collection[str]) -> Goal:
        assert track.set_event is not None
        revised = bisect_right(track.revision_instants, at)
        latest = track.revisions[revised - 1] if revised else track.set_event
        version = 1 + revised
        current: list[Endorsement] = []
        for partner_id in sorted(track.endorsements):
            if partner_id not in active_partners:
                continue
            endorsements = track.endorsements[partner_id]
            index = bisect_right(endorsements.instants, at) - 1
            if index >= 0 and endorsements.endorsements[index].version == version:
                current.append(endorsements.endorsements[index])
        return Goal(
            id=track.goal_id,
            statement=event_data.text(latest.data, "statement"),
            version=version,
            set_at=track.set_event.occurred_at,
            revised_at=latest.occurred_at if revised else None,
            endorsements=tuple(current),
        )
