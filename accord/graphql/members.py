"""Who has access to a partnership: the caller's own role (`Partnership.myRole`) and, for
its ADMINs, every actor with a role (`Partnership.members`).

Roles come from the partnership's own history, in recording order, as access itself is
applied (the view of access is built the same way): whoever formed it is its ADMIN, a
`RoleGranted` gives its actor a role (replacing any), a `RoleRevoked` takes it away. A
grant takes effect when it is recorded, whatever its `occurredAt`, so a member's `since`
is the `recordedAt` of the event that gave the current role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import strawberry

from accord.graphql.context import AccordContext
from accord.graphql.enums import AccessRole
from accord.projections import event_types as types
from accord.projections.records import IndexedEvent


@dataclass(frozen=True)
class Access:
    """One actor's role, and when it was given."""

    actor: str
    role: str
    since: datetime


def access_at(events: Sequence[IndexedEvent], known_at: datetime) -> list[Access]:
    """Every actor with a role as known at `known_at`, by actor name."""
    given: dict[str, Access] = {}
    for event in sorted(events, key=lambda e: e.position):
        if event.recorded_at > known_at:
            continue
        if event.type == types.PARTNERSHIP_FORMED:
            given[event.recorded_by] = Access(
                event.recorded_by, AccessRole.ADMIN.name, event.recorded_at
            )
        elif event.type == types.ROLE_GRANTED:
            actor = str(event.data["actor"])
            given[actor] = Access(actor, str(event.data["role"]), event.recorded_at)
        elif event.type == types.ROLE_REVOKED:
            given.pop(str(event.data["actor"]), None)
    return [given[actor] for actor in sorted(given)]


async def my_role(context: AccordContext, partnership_id: str) -> AccessRole | None:
    """The caller's role: ADMIN when access is not enforced (`--no-auth`)."""
    actor = context.actor
    if not actor.enforce_access:
        return AccessRole.ADMIN
    role = await context.reads.role(partnership_id, actor.name)
    return AccessRole[role] if role is not None else None


@strawberry.type(description="An actor with a role in the partnership.")
class Member:
    actor: str = strawberry.field(description="The actor, as their access token names them.")
    role: AccessRole = strawberry.field(description="The role they have.")
    since: datetime = strawberry.field(
        description=(
            "When they were given this role: when the latest `grantRole` for them was "
            "recorded (`recordedAt`, which is when a role takes effect), or when the "
            "partnership was formed, for the actor who formed it and has not been given "
            "another role since."
        )
    )

    @classmethod
    def of(cls, access: Access) -> Member:
        return cls(actor=access.actor, role=AccessRole[access.role], since=access.since)
