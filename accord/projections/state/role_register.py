"""Leadership roles at an instant: who holds each, and which are vacant.

`LeaderAppointed {role, partnerId, person}` fills a role, replacing any holder;
`LeaderDeparted {role}` leaves it vacant. A partner leaving the partnership does not
vacate the roles its people hold.
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
class LeadershipRole:
    """A role as of an instant: its holder, or its vacancy; `since` = appointed, or
    vacant since (the departure that left it vacant)."""

    role: str
    partner_id: str | None
    person: str | None
    since: datetime
    vacant: bool


@dataclass(slots=True)
class _RoleTrack:
    instants: list[int] = field(default_factory=list)
    events: list[IndexedEvent] = field(default_factory=list)


class RoleIndex:
    """Every role's appointments and departures, ready for reads at any instant."""

    def __init__(self, events: Iterable[IndexedEvent]) -> None:
        """`events`: known events in history order (other types are skipped)."""
        self._roles: dict[str, _RoleTrack] = {}
        self.change_instants: list[int] = []
        """`occurredAt` of every appointment to a role that had a holder before, sorted."""
        filled: set[str] = set()
        for event in events:
            if event.type not in types.LEADERSHIP_EVENTS:
                continue
            role = event_data.text(event.data, "role")
            track = self._roles.get(role)
            appointed_before = role in filled
            if event.type == types.LEADER_DEPARTED and not appointed_before:
                continue  # a departure from a role never filled changes nothing
            if track is None:
                track = self._roles[role] = _RoleTrack()
            at = micros(event.occurred_at)
            track.instants.append(at)
            track.events.append(event)
            if event.type == types.LEADER_APPOINTED:
                if appointed_before:
                    self.change_instants.append(at)
                filled.add(role)
        self.change_instants.sort()
        self._names = sorted(self._roles)

    def changes_between(self, start: int, end: int) -> int:
        """Leadership changes (appointments replacing an earlier holder) in `(start, end]`."""
        return bisect_right(self.change_instants, end) - bisect_right(self.change_instants, start)

    def roles_at(self, at: int) -> list[LeadershipRole]:
        """Every role appointed by `at`, with its holder or vacancy, in role order."""
        roles: list[LeadershipRole] = []
        for name in self._names:
            track = self._roles[name]
            index = bisect_right(track.instants, at) - 1
            if index < 0:
                continue
            latest = track.events[index]
            if latest.type == types.LEADER_APPOINTED:
                roles.append(
                    LeadershipRole(
                        role=name,
                        partner_id=event_data.text(latest.data, "partnerId"),
                        person=event_data.text(latest.data, "person"),
                        since=latest.occurred_at,
                        vacant=False,
                    )
                )
                continue
            while index > 0 and track.events[index - 1].type == types.LEADER_DEPARTED:
                index -= 1  # the departure that made it vacant
            roles.append(
                LeadershipRole(
                    role=name,
                    partner_id=None,
                    person=None,
                    since=track.events[index].occurred_at,
                    vacant=True,
                )
            )
        return roles
