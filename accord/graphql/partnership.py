"""`Partnership`: a partnership and everything asked about it as of a date."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, TypeVar

import strawberry

from accord.graphql.arguments import (
    After,
    AsOf,
    First,
    From,
    KnownAt,
    TimelineAsOf,
    To,
    WindowDays,
    given,
    lower_or_none,
    ordered_span,
    page_size,
    upper,
    upper_or_none,
    window,
)
from accord.graphql.connections import (
    DecisionConnection,
    DecisionEdge,
    EventConnection,
    EventEdge,
    PageInfo,
    encode_cursor,
    history_after,
    page_bounds,
    page_info,
)
from accord.graphql.context import AccordContext, Info
from accord.graphql.decorators import resolver
from accord.graphql.directory import PartnerDirectory
from accord.graphql.enums import AccessRole, DecisionCategory, EventType, Interval
from accord.graphql.errors import bad_argument
from accord.graphql.health_types import Health
from accord.graphql.limits import MAX_SERIES_SAMPLES
from accord.graphql.members import Member, access_at, my_role
from accord.graphql.partnership_reads import (
    LAST_SERIES_INSTANT,
    health_at,
    health_series_at,
    matching_decisions,
    matching_events,
    most_samples,
    timeline_at,
)
from accord.graphql.round_types import CheckInRound, rounds_of
from accord.graphql.timeline_types import Timeline
from accord.graphql.types import (
    AuditReport,
    Commitment,
    Decision,
    Event,
    Goal,
    LeadershipRole,
    Node,
    Partner,
)
from accord.projections import state
from accord.projections.records import IndexedEvent
from accord.storage.reader import PartnershipEntry

T = TypeVar("T")

Types = Annotated[
    list[EventType] | None,
    strawberry.argument(description="Only events of these types (default: every type)."),
]


async def _directory(
    context: AccordContext, partnership_id: str, events: Sequence[IndexedEvent], known_at: datetime
) -> PartnerDirectory:
    return await context.memo(
        ("directory", partnership_id, known_at), PartnerDirectory, events, known_at
    )


async def _as_of(
    context: AccordContext,
    partnership_id: str,
    as_of: datetime | None,
    known_at: datetime | None,
    read: Callable[[Sequence[IndexedEvent], datetime, datetime], list[T]],
) -> tuple[list[T], PartnerDirectory, datetime]:
    """A state read of the partnership as of a moment (in a worker thread), with the
    partner directory its items resolve partners from, and the moment itself."""
    moment, known = upper(context, as_of), upper(context, known_at)
    events = await context.events(partnership_id)
    found = await context.run(read, events, moment, known)
    return found, await _directory(context, partnership_id, events, known), moment


@strawberry.type(description="A health-and-care partnership and its recorded history.")
class Partnership(Node):
    name: str = strawberry.field(description="The partnership's name.")
    purpose: str = strawberry.field(description="What the partnership is for.")
    formed_at: datetime = strawberry.field(description="When it was formed.")
    version: int = strawberry.field(
        description="How many events its history holds: the value `expectedVersion` expects."
    )

    @classmethod
    def of(cls, entry: PartnershipEntry) -> Partnership:
        return cls(
            id=strawberry.ID(entry.id),
            name=entry.name,
            purpose=entry.purpose,
            formed_at=entry.formed_at,
            version=entry.version,
        )

    @resolver(
        "The caller's role in the partnership (ADMIN when access is not enforced, as under "
        "`accord serve --no-auth`): what the caller may do now."
    )
    async def my_role(self, info: Info) -> AccessRole | None:
        return await my_role(info.context, self.id)

    @resolver(
        "Every actor with a role, by actor name, as known at `knownAt` (roles take effect "
        "when recorded); null unless the caller is an ADMIN now."
    )
    async def members(
        self, info: Info, known_at: KnownAt = strawberry.UNSET
    ) -> list[Member] | None:
        context = info.context
        if await my_role(context, self.id) is not AccessRole.ADMIN:
            return None
        known = upper(context, known_at)
        events = await context.events(self.id)
        return [Member.of(access) for access in access_at(events, known)]

    @resolver("The partners active at `asOf`, by id.")
    async def partners(
        self, info: Info, as_of: AsOf = strawberry.UNSET, known_at: KnownAt = strawberry.UNSET
    ) -> list[Partner]:
        context = info.context
        moment, known = upper(context, as_of), upper(context, known_at)
        events = await context.events(self.id)
        found = await context.run(state.partners, events, moment, known)
        return [Partner.of(partner) for partner in found]

    @resolver(
        "The trust check-in rounds opened by `asOf`, in the order opened, with how many "
        "were invited and answered per partner (never what anyone answered)."
    )
    async def check_in_rounds(
        self, info: Info, as_of: AsOf = strawberry.UNSET, known_at: KnownAt = strawberry.UNSET
    ) -> list[CheckInRound]:
        context = info.context
        return await rounds_of(context, self.id, upper(context, as_of), upper(context, known_at))

    @resolver("The goals active at `asOf` (set and not retired), in the order they were set.")
    async def goals(
        self, info: Info, as_of: AsOf = strawberry.UNSET, known_at: KnownAt = strawberry.UNSET
    ) -> list[Goal]:
        found, directory, moment = await _as_of(info.context, self.id, as_of, known_at, state.goals)
        return [Goal.of(goal, directory, moment) for goal in found]

    @resolver(
        "Every commitment made by `asOf` and not retracted, in the order made, with what "
        "was delivered by then and its status then."
    )
    async def commitments(
        self, info: Info, as_of: AsOf = strawberry.UNSET, known_at: KnownAt = strawberry.UNSET
    ) -> list[Commitment]:
        found, directory, moment = await _as_of(
            info.context, self.id, as_of, known_at, state.commitments
        )
        return [Commitment.of(commitment, directory, moment) for commitment in found]

    @resolver("Every leadership role appointed by `asOf`, with its holder or vacancy, by role.")
    async def leadership(
        self, info: Info, as_of: AsOf = strawberry.UNSET, known_at: KnownAt = strawberry.UNSET
    ) -> list[LeadershipRole]:
        found, directory, moment = await _as_of(
            info.context, self.id, as_of, known_at, state.leadership
        )
        return [LeadershipRole.of(role, directory, moment) for role in found]

    @resolver(
        "Decisions by `occurredAt`, then position; retracted ones are listed, marked "
        "`retracted`. `from`/`to` are inclusive and filter on `occurredAt`."
    )
    async def decisions(
        self,
        info: Info,
        first: First = 50,
        after: After = strawberry.UNSET,
        from_: From = strawberry.UNSET,
        to: To = strawberry.UNSET,
        category: Annotated[
            DecisionCategory | None,
            strawberry.argument(description="Only decisions of this category."),
        ] = strawberry.UNSET,
        partner_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description=(
                    "Only decisions naming this partner in decidedBy, consulted or dissentedBy."
                )
            ),
        ] = strawberry.UNSET,
        known_at: KnownAt = strawberry.UNSET,
    ) -> DecisionConnection:
        context = info.context
        size = page_size(first, 50)
        cursor = history_after("decisions", given(after))
        known = upper(context, known_at)
        chosen = given(category)
        events = await context.events(self.id)
        found, keys, retracted = await context.run(
            matching_decisions,
            events,
            known,
            lower_or_none(from_),
            upper_or_none(to),
            chosen.name if chosen is not None else None,
            given(partner_id),
        )
        bounds = page_bounds(keys, cursor, size)
        directory = await _directory(context, self.id, events, known)
        edges = [
            DecisionEdge(
                cursor=encode_cursor("decisions", keys[index]),
                node=Decision.of(found[index], directory, found[index].event_id in retracted),
            )
            for index in bounds
        ]
        return DecisionConnection(
            edges=edges,
            page_info=page_info("decisions", keys, bounds, cursor),
            total_count=len(found),
        )

    @resolver(
        "Every recorded event by `occurredAt`, then position; retracted ones are listed "
        "(see `Event.retracted`). `from`/`to` are inclusive and filter on `occurredAt`."
    )
    async def history(
        self,
        info: Info,
        first: First = 100,
        after: After = strawberry.UNSET,
        types: Types = strawberry.UNSET,
        from_: From = strawberry.UNSET,
        to: To = strawberry.UNSET,
        known_at: KnownAt = strawberry.UNSET,
    ) -> EventConnection:
        context = info.context
        size = page_size(first, 100)
        cursor = history_after("history", given(after))
        known = upper(context, known_at)
        chosen = given(types)
        wanted = {kind.name for kind in chosen} if chosen is not None else None
        events = await context.events(self.id)
        found, keys = await context.run(
            matching_events, events, known, lower_or_none(from_), upper_or_none(to), wanted
        )
        bounds = page_bounds(keys, cursor, size)
        edges = [
            EventEdge(
                cursor=encode_cursor("history", keys[index]),
                node=Event.of(found[index], known_at=known),
            )
            for index in bounds
        ]
        return EventConnection(
            edges=edges,
            page_info=page_info("history", keys, bounds, cursor),
            total_count=len(found),
        )

    @resolver("The partnership's health at `asOf`, as known at `knownAt`.")
    async def health(
        self,
        info: Info,
        as_of: AsOf = strawberry.UNSET,
        known_at: KnownAt = strawberry.UNSET,
        window_days: WindowDays = 365,
    ) -> Health:
        context = info.context
        moment, known, days = upper(context, as_of), upper(context, known_at), window(window_days)
        events = await context.events(self.id)
        return await context.run(health_at, events, moment, known, days)

    @resolver(
        "The health at each sample from `from` to `to`: every day, week, month or quarter, "
        f"all as known at `knownAt`; at most {MAX_SERIES_SAMPLES:,} samples."
    )
    async def health_series(
        self,
        info: Info,
        from_: Annotated[
            datetime,
            strawberry.argument(
                name="from",
                description="The first sample; a bare date means the start of that day.",
            ),
        ],
        to: Annotated[
            datetime,
            strawberry.argument(
                description="No sample after this instant; a bare date means the end of that day."
            ),
        ],
        interval: Annotated[Interval, strawberry.argument(description="The spacing of samples.")],
        known_at: KnownAt = strawberry.UNSET,
        window_days: WindowDays = 365,
    ) -> list[Health]:
        context = info.context
        start, end = lower_or_none(from_), upper_or_none(to)
        assert start is not None and end is not None
        known, days = upper(context, known_at), window(window_days)
        if end >= LAST_SERIES_INSTANT:
            raise bad_argument("to", "must be before the year 9999")
        samples = most_samples(start, end, interval)
        if samples > MAX_SERIES_SAMPLES:
            raise bad_argument(
                "interval",
                f"{samples:,} samples; at most {MAX_SERIES_SAMPLES:,} (use a longer interval)",
            )
        events = await context.events(self.id)
        return await context.run(health_series_at, events, start, end, interval.name, known, days)

    @resolver("The history as lanes and items for vis-timeline (API.md, Timeline).")
    async def timeline(
        self,
        info: Info,
        from_: From = strawberry.UNSET,
        to: To = strawberry.UNSET,
        types: Types = strawberry.UNSET,
        known_at: KnownAt = strawberry.UNSET,
        as_of: TimelineAsOf = strawberry.UNSET,
    ) -> Timeline:
        context = info.context
        start, end = lower_or_none(from_), upper_or_none(to)
        ordered_span(start, end)
        known, moment = upper(context, known_at), upper(context, as_of)
        chosen = given(types)
        wanted = {kind.name for kind in chosen} if chosen is not None else None
        events = await context.events(self.id)
        return await context.run(timeline_at, events, start, end, wanted, known, moment)

    @resolver(
        "Recompute the hash chain from the stored events: an edit, deletion, insertion or "
        "reordering before the newest event makes it invalid."
    )
    async def audit(self, info: Info) -> AuditReport:
        report = await info.context.run(info.context.app.verify, uuid.UUID(self.id))
        return AuditReport(
            valid=report.valid,
            events_checked=report.events_checked,
            first_broken_position=report.first_broken_position,
            head_hash=report.head_hash,
        )


@strawberry.type(description="A partnership and its cursor.")
class PartnershipEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list what follows.")
    node: Partnership = strawberry.field(description="The partnership.")


@strawberry.type(description="A page of partnerships, by name then id.")
class PartnershipConnection:
    edges: list[PartnershipEdge] = strawberry.field(description="The partnerships on this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    total_count: int = strawberry.field(
        description="How many partnerships there are, on all pages."
    )
