"""`CheckInRound`: a trust check-in round as a partnership's `checkInRounds` lists it
(`accord.graphql.rounds` has the mutations)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from accord.application.rounds import CheckInRounds
from accord.graphql.context import AccordContext
from accord.graphql.directory import PartnerDirectory
from accord.graphql.types import Partner
from accord.projections.records import IndexedEvent
from accord.projections.rounds import RoundView, check_in_rounds


@strawberry.enum(description="Whether a check-in round still takes answers.")
class RoundStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="It takes answers until it closes.")
    CLOSED = strawberry.enum_value(
        "CLOSED", description="It has closed and recorded its check-ins."
    )


@strawberry.type(description="One partner's part in a check-in round.")
class RoundPartner:
    partner: Partner = strawberry.field(description="The partner whose people were asked.")
    invited: int = strawberry.field(description="How many of its people were asked.")
    answered: int | None = strawberry.field(
        description=(
            "How many answered: counted as answers arrive while the round is open (null when "
            "read as of a time the round was open but it is no longer), fixed at the close."
        )
    )
    response_rate: float | None = strawberry.field(
        description="answered / invited, a fraction from 0 to 1 (null with `answered`)."
    )
    enough: bool | None = strawberry.field(
        description=(
            "Whether answered >= the round's minimumResponses: only then does the round "
            "record a check-in for this partner (null with `answered`)."
        )
    )
    recorded: bool | None = strawberry.field(
        description=(
            "Whether the round's check-in of this partner about the partnership stands: "
            "false for too few answers, a partner no longer active at the close, or a "
            "retracted check-in; null while the round is open."
        )
    )


@strawberry.type(
    description=(
        "A trust check-in round: the people of each invited partner were each sent a "
        "private link to answer anonymously; at the close, each partner (and each pair of "
        "partners, with aboutPartners) with at least minimumResponses answers gets one "
        "check-in, the mean of its answers. What anyone answered is never shown."
    )
)
class CheckInRound:
    id: strawberry.ID = strawberry.field(description="The round's id.")
    opens_at: datetime = strawberry.field(description="When it opened.")
    closes_at: datetime = strawberry.field(description="When it closes (or was due to).")
    closed_at: datetime | None = strawberry.field(description="When it closed; null while open.")
    status: RoundStatus = strawberry.field(description="OPEN or CLOSED, as of the read.")
    minimum_responses: int = strawberry.field(
        description="The fewest answers for which a partner's check-in is recorded (>= 3)."
    )
    about_partners: bool = strawberry.field(
        description="Whether people were also asked about each other active partner."
    )
    keep_notes: bool = strawberry.field(
        description="Whether the notes go on the record (with no names, in random order)."
    )
    reminders: int = strawberry.field(description="How many reminders were e-mailed.")
    invited: int = strawberry.field(description="How many people were asked, all partners.")
    answered: int | None = strawberry.field(description="How many answered (see RoundPartner).")
    response_rate: float | None = strawberry.field(description="answered / invited (0 to 1).")
    partners: list[RoundPartner] = strawberry.field(
        description="Each invited partner's part, in the order the round named them."
    )

    @classmethod
    def of(
        cls,
        view: RoundView,
        directory: PartnerDirectory,
        live: dict[str, int] | None,
    ) -> CheckInRound:
        """`live`: the answers counted so far, by partner, for a round open now."""
        open_ = view.status == "OPEN"
        partners = []
        for part in view.partners:
            answered = part.answered if not open_ else (live or {}).get(part.partner_id, 0)
            if open_ and live is None:
                answered = None
            partners.append(
                RoundPartner(
                    partner=Partner.of(directory.partner(part.partner_id, view.opened_at)),
                    invited=part.invited,
                    answered=answered,
                    response_rate=answered / part.invited if answered is not None else None,
                    enough=answered >= view.minimum_responses if answered is not None else None,
                    recorded=part.recorded,
                )
            )
        counted = [p.answered for p in partners]
        answered_all = None if None in counted else sum(c or 0 for c in counted)
        return cls(
            id=strawberry.ID(view.id),
            opens_at=view.opened_at,
            closes_at=view.closes_at,
            closed_at=view.closed_at,
            status=RoundStatus(view.status),
            minimum_responses=view.minimum_responses,
            about_partners=view.about_partners,
            keep_notes=view.keep_notes,
            reminders=view.reminders,
            invited=view.invited,
            answered=answered_all,
            response_rate=answered_all / view.invited
            if answered_all is not None and view.invited
            else None,
            partners=partners,
        )


async def rounds_of(
    context: AccordContext,
    partnership_id: str,
    as_of: datetime,
    known_at: datetime,
    round_id: str | None = None,
    events: list[IndexedEvent] | None = None,
) -> list[CheckInRound]:
    """The partnership's rounds as of `as_of`, as known at `known_at` (one, by id), from
    the views (or from `events`)."""
    if events is None:
        events = await context.events(partnership_id)
    views = await context.run(check_in_rounds, events, as_of, known_at)
    if round_id is not None:
        views = [view for view in views if view.id == round_id]
    directory = PartnerDirectory(events, known_at)
    rounds: CheckInRounds = context.services.rounds
    found = []
    for view in views:
        live = None
        if view.status == "OPEN":
            live = await context.run(rounds.answered, view.id)
        found.append(CheckInRound.of(view, directory, live))
    return found
