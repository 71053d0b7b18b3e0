"""Check-in rounds in the API: `openCheckInRound`, `closeCheckInRound`,
`remindCheckInRound`, and the `CheckInRound` a partnership's `checkInRounds` lists.

The three mutations are the round kinds' own (`Kind.own_mutation`): their input is not
their event's data (the e-mail addresses, for one, are never recorded), so each is
resolved here through `application.rounds.CheckInRounds` rather than by the catalogue's
generic table; they answer the same unions, with the round beside the event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from accord.application.rounds import OpenedRound
from accord.application.service import Outcome
from accord.domain import catalogue
from accord.domain.errors import DomainError, Forbidden, VersionConflict, invalid
from accord.graphql.context import AccordContext, Info, Services
from accord.graphql.decorators import mutation
from accord.graphql.directory import PartnerDirectory
from accord.graphql.errors import (
    ForbiddenError,
    ValidationError,
    VersionConflictError,
    command_error,
)
from accord.graphql.inputs import PartnershipInput, raw_input
from accord.graphql.mutations import READ_YOUR_WRITES_SECONDS, Recorded, recorded_of
from accord.graphql.partnership import Partnership
from accord.graphql.round_types import CheckInRound, rounds_of
from accord.graphql.types import Event, Partner
from accord.projections.records import indexed
from accord.settings import public_url

# ------------------------------------------------------------------ mutations


@strawberry.input(description="The people of one partner asked in a check-in round.")
class CheckInInvitationInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner (active now).")
    count: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "How many links to make for its people (default: the number of `emails`; not "
            "fewer than that)."
        ),
    )
    emails: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Addresses to e-mail a link each to, when the server sends e-mail; never "
            "recorded, deleted when the round closes."
        ),
    )


@strawberry.input(description="Open a trust check-in round (ADMIN only).")
class OpenCheckInRoundInput(PartnershipInput):
    closes_at: datetime = strawberry.field(
        description="When it closes by itself (in the future, within 366 days)."
    )
    invitations: list[CheckInInvitationInput] = strawberry.field(
        description="Whom to ask: for each partner, how many of its people."
    )
    minimum_responses: int | None = strawberry.field(
        default=3,
        description="The fewest answers for which a check-in is recorded (default 3; >= 3).",
    )
    about_partners: bool | None = strawberry.field(
        default=False,
        description="Also ask about each other partner active now (default false).",
    )
    keep_notes: bool | None = strawberry.field(
        default=False,
        description="Put the notes on the record, unnamed and shuffled (default false).",
    )


@strawberry.input(description="Close a check-in round now (ADMIN only).")
class CloseCheckInRoundInput:
    partnership_id: strawberry.ID = strawberry.field(description="The partnership.")
    round_id: strawberry.ID = strawberry.field(description="The round.")


@strawberry.input(description="Remind those of an open round who have not answered (ADMIN only).")
class RemindCheckInRoundInput:
    partnership_id: strawberry.ID = strawberry.field(description="The partnership.")
    round_id: strawberry.ID = strawberry.field(description="The round.")


@strawberry.type(description="One person's private link to answer a check-in round.")
class CheckInLink:
    partner: Partner = strawberry.field(description="The partner whose person it is for.")
    url: str = strawberry.field(
        description="The link (absolute with ACCORD_PUBLIC_URL, else root-relative)."
    )


@strawberry.type(description="`openCheckInRound` opened the round.")
class OpenCheckInRoundSuccess(Recorded):
    round: CheckInRound = strawberry.field(description="The round, as it is now.")
    links: list[CheckInLink] = strawberry.field(
        description=(
            "A private link for each person asked who has not answered yet (all of them, "
            "when just opened; a retry with the same idempotencyKey gives the same links)."
        )
    )
    emailed: int = strawberry.field(description="How many links were e-mailed just now.")


@strawberry.type(description="`closeCheckInRound` closed the round.")
class CloseCheckInRoundSuccess(Recorded):
    round: CheckInRound = strawberry.field(description="The round, closed.")
    check_ins: list[Event] = strawberry.field(
        description="The check-ins the round recorded (one per partner and pair with enough)."
    )


@strawberry.type(description="`remindCheckInRound` e-mailed those who have not answered.")
class RemindCheckInRoundSuccess(Recorded):
    round: CheckInRound = strawberry.field(description="The round, as it is now.")


_INPUT = strawberry.argument(description="The mutation's input.")
Refused = ValidationError | VersionConflictError | ForbiddenError


def _origin(context: AccordContext) -> str:
    configured = public_url()
    if configured:
        return configured
    request = context.request
    if request is None or not hasattr(request, "base_url"):
        return ""
    return str(request.base_url).rstrip("/")


def _wait(services: Services, outcome: Outcome) -> None:
    if outcome.notification_id and not services.shown(outcome):
        services.wait_for(outcome.notification_id, READ_YOUR_WRITES_SECONDS)


async def _names(context: AccordContext, partnership_id: str) -> tuple[str, dict[str, str]]:
    events = await context.events(partnership_id)
    entry = await context.reads.partnership(partnership_id)
    directory = PartnerDirectory(events, context.now())
    ids = {
        str(event.data.get("partnerId"))
        for event in events
        if event.type == "PARTNER_JOINED" and event.data.get("partnerId")
    }
    names = {pid: directory.partner(pid, context.now()).name for pid in ids}
    return (entry.name if entry else ""), names


async def _round_after(
    context: AccordContext, outcome: Outcome, round_id: str
) -> tuple[Event, Partnership, CheckInRound]:
    event, entry = recorded_of(context.services, outcome)
    context.recorded(outcome.event.recorded_at)
    moment = context.now()
    partnership_id = str(outcome.partnership_id)
    found = await rounds_of(context, partnership_id, moment, moment, round_id)
    if not found:  # the views have not caught up (no projector running): the store has it
        stored = await context.run(
            lambda: [indexed(e) for e in context.app.stored_events(outcome.partnership_id)]
        )
        found = await rounds_of(context, partnership_id, moment, moment, round_id, stored)
    return Event.of(event), Partnership.of(entry), found[0]


def _links(
    opened: OpenedRound, directory: PartnerDirectory, origin: str, at: datetime
) -> list[CheckInLink]:
    return [
        CheckInLink(
            partner=Partner.of(directory.partner(link.partner_id, at)), url=origin + link.path
        )
        for link in opened.links
    ]


OpenResult = Annotated[
    OpenCheckInRoundSuccess | ValidationError | VersionConflictError | ForbiddenError,
    strawberry.union("OpenCheckInRoundResult", description="What `openCheckInRound` did."),
]
CloseResult = Annotated[
    CloseCheckInRoundSuccess | ValidationError | VersionConflictError | ForbiddenError,
    strawberry.union("CloseCheckInRoundResult", description="What `closeCheckInRound` did."),
]
RemindResult = Annotated[
    RemindCheckInRoundSuccess | ValidationError | VersionConflictError | ForbiddenError,
    strawberry.union("RemindCheckInRoundResult", description="What `remindCheckInRound` did."),
]


@strawberry.type
class RoundMutations:
    @mutation(catalogue.CHECK_IN_ROUND_OPENED.mutation_description)
    async def open_check_in_round(
        self, info: Info, input: Annotated[OpenCheckInRoundInput, _INPUT]
    ) -> OpenResult:
        context = info.context
        raw = raw_input(input)
        partnership_id = str(raw.get("partnershipId"))
        name, names = (
            await _names(context, partnership_id)
            if await context.can_see(partnership_id)
            else ("", {})
        )
        origin = _origin(context)
        actor = context.actor

        def open_() -> OpenedRound:
            opened = context.services.rounds.open(
                raw,
                actor=actor.name,
                enforce_access=actor.enforce_access,
                names=names,
                partnership_name=name,
                public_url=origin,
            )
            _wait(context.services, opened.outcome)
            return opened

        try:
            opened = await context.run(open_)
        except (DomainError, VersionConflict, Forbidden) as error:
            return command_error(error)
        event, partnership, found = await _round_after(context, opened.outcome, opened.round_id)
        events = await context.events(partnership_id)
        directory = PartnerDirectory(events, context.now())
        return OpenCheckInRoundSuccess(
            event=event,
            partnership=partnership,
            round=found,
            links=_links(opened, directory, origin, context.now()),
            emailed=opened.emailed,
        )

    @mutation(catalogue.CHECK_IN_ROUND_CLOSED.mutation_description)
    async def close_check_in_round(
        self, info: Info, input: Annotated[CloseCheckInRoundInput, _INPUT]
    ) -> CloseResult:
        context = info.context
        raw = raw_input(input)
        actor = context.actor

        def close() -> list[Outcome]:
            outcomes = context.services.rounds.close(
                raw, actor=actor.name, enforce_access=actor.enforce_access
            )
            if outcomes:
                _wait(context.services, outcomes[-1])
            return outcomes

        try:
            outcomes = await context.run(close)
        except (DomainError, VersionConflict, Forbidden) as error:
            return command_error(error)
        if not outcomes:
            return command_error(invalid("roundId", "the check-in round has closed"))
        _, partnership, found = await _round_after(context, outcomes[-1], str(raw["roundId"]))
        first = recorded_of(context.services, outcomes[0])[0]
        check_ins = [Event.of(indexed(outcome.event)) for outcome in outcomes[1:]]
        return CloseCheckInRoundSuccess(
            event=Event.of(first), partnership=partnership, round=found, check_ins=check_ins
        )

    @mutation(catalogue.CHECK_IN_REMINDERS_SENT.mutation_description)
    async def remind_check_in_round(
        self, info: Info, input: Annotated[RemindCheckInRoundInput, _INPUT]
    ) -> RemindResult:
        context = info.context
        raw = raw_input(input)
        actor = context.actor
        origin = _origin(context)

        def remind() -> Outcome:
            outcome = context.services.rounds.remind(
                raw, actor=actor.name, enforce_access=actor.enforce_access, public_url=origin
            )
            _wait(context.services, outcome)
            return outcome

        try:
            outcome = await context.run(remind)
        except (DomainError, VersionConflict, Forbidden) as error:
            return command_error(error)
        event, partnership, found = await _round_after(context, outcome, str(raw["roundId"]))
        return RemindCheckInRoundSuccess(event=event, partnership=partnership, round=found)
