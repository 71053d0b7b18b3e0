"""The entry points for reading: the partnership directory, one partnership, any node."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from accord.graphql.arguments import After, First, given, page_size
from accord.graphql.connections import PageInfo, decode_cursor, encode_cursor
from accord.graphql.context import Info
from accord.graphql.decorators import resolver
from accord.graphql.errors import bad_argument
from accord.graphql.partnership import Partnership, PartnershipConnection, PartnershipEdge
from accord.graphql.types import Event, Node


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _partnerships_after(cursor: str) -> tuple[str, str]:
    """The (name, id) a `partnerships` cursor holds. Cursors are opaque but not secret: one
    made up by a client reaches the store as query parameters, so it must hold what a
    cursor this list gave out holds (a name the store can keep, a partnership id)."""
    key = decode_cursor("partnerships", cursor)
    if len(key) != 2 or not all(isinstance(part, str) for part in key):
        raise bad_argument("after", "not a cursor of this list")
    name, partnership_id = key
    if not _is_uuid(partnership_id) or "\x00" in name or not _is_unicode(name):
        raise bad_argument("after", "not a cursor of this list")
    return name, partnership_id


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@strawberry.type(description="Read partnerships and their histories.")
class Query:
    @resolver("The partnerships the actor can see, by name, then id.")
    async def partnerships(
        self, info: Info, first: First = 50, after: After = strawberry.UNSET
    ) -> PartnershipConnection:
        context = info.context
        size = page_size(first, 50)
        cursor = given(after)
        start: tuple[str, str] | None = None
        if cursor is not None:
            start = _partnerships_after(cursor)
        actor = context.actor.visibility_filter
        # One more than asked for says whether another page follows.
        entries = await context.reads.partnerships(actor, after=start, limit=size + 1)
        total = await context.reads.count_partnerships(actor)
        shown = entries[:size]
        edges = [
            PartnershipEdge(
                cursor=encode_cursor("partnerships", [entry.name, entry.id]),
                node=Partnership.of(entry),
            )
            for entry in shown
        ]
        return PartnershipConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(entries) > size,
                has_previous_page=start is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )

    @resolver("The partnership with this id; null if none the actor can see.")
    async def partnership(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The partnership's id.")],
    ) -> Partnership | None:
        if not _is_uuid(id):
            return None
        entry = await info.context.partnership(str(uuid.UUID(id)))
        return Partnership.of(entry) if entry is not None else None

    @resolver(
        "The partnership or event with this id (both are UUIDs, unique across both); "
        "null if none the actor can see."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A partnership's or an event's id.")
        ],
    ) -> Node | None:
        if not _is_uuid(id):
            return None
        context = info.context
        normal = str(uuid.UUID(id))
        entry = await context.partnership(normal)
        if entry is not None:
            return Partnership.of(entry)
        event = await context.reads.event(normal)
        if event is None or not await context.can_see(event.partnership_id):
            return None
        return Event.of(event)
