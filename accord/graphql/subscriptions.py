"""`partnershipEvents`: a partnership's events, replayed after a position, then live.

The stream reads the event index from the last position it delivered, so events are
delivered in order, none missed and none twice, also when events are recorded while
it replays. It reads again when the views move on (`ViewsFeed`), and at least every
`RECHECK_SECONDS` in case a wake-up was lost.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from accord.domain.errors import UNKNOWN_PARTNERSHIP
from accord.graphql.arguments import given
from accord.graphql.context import AccordContext, Info
from accord.graphql.decorators import subscription
from accord.graphql.errors import QueryError, bad_argument
from accord.graphql.types import Event

BATCH = 200
RECHECK_SECONDS = 1.0
POLL_SECONDS = 0.2
"""How often to read when no feed wakes the stream."""


def _not_found() -> QueryError:
    return QueryError(UNKNOWN_PARTNERSHIP, code="NOT_FOUND", argument="partnershipId")


async def _stream(
    context: AccordContext, partnership_id: str, last: int
) -> AsyncGenerator[Event, None]:
    while True:
        signal = context.feed.signal() if context.feed is not None else None
        if signal is not None and context.feed is not None:
            batch = await context.feed.events_after(signal, partnership_id, last, BATCH)
        else:
            batch = await context.reads.events_after(partnership_id, last, BATCH)
        for record in batch:
            yield Event.of(record)
            last = record.position
        if len(batch) == BATCH:
            continue
        if context.actor.enforce_access:
            if not await context.still_signed_in():
                raise QueryError("the token was revoked: sign in again", code="UNAUTHENTICATED")
            if not await context.can_see(partnership_id):
                raise _not_found()
        if signal is not None:
            await signal.wait(RECHECK_SECONDS)
        else:
            await asyncio.sleep(POLL_SECONDS)


@strawberry.type(description="Follow partnerships as events are recorded.")
class Subscription:
    @subscription(
        "The partnership's events in stream order: first those after `afterPosition` (if "
        "given), then each new one as it is recorded; none missed, none twice."
    )
    async def partnership_events(
        self,
        info: Info,
        partnership_id: Annotated[
            strawberry.ID, strawberry.argument(description="The partnership to follow.")
        ],
        after_position: Annotated[
            int | None,
            strawberry.argument(
                description=(
                    "Replay the events after this position first (0: the whole history). "
                    "Left out: only events recorded from now on."
                )
            ),
        ] = strawberry.UNSET,
    ) -> AsyncGenerator[Event, None]:
        context = info.context
        try:
            normal = str(uuid.UUID(partnership_id))
        except ValueError:
            raise _not_found() from None
        start = given(after_position)
        if start is not None and start < 0:
            raise bad_argument("afterPosition", "must not be negative")
        entry = await context.partnership(normal)
        if entry is None:
            raise _not_found()
        return _stream(context, normal, entry.version if start is None else start)
