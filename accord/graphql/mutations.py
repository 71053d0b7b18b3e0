"""Mutations: one per event type, each `input: <Mutation>Input!` returning
`<Mutation>Result = <Mutation>Success | ValidationError | VersionConflictError | ForbiddenError`.

A success is returned only once the views include its event (read-your-writes), so a
query sent after the response sees the write. A refused command is a union member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from accord.application.service import Outcome
from accord.domain.catalogue import KINDS
from accord.domain.errors import DomainError, Forbidden, VersionConflict
from accord.domain.instants import from_micros
from accord.graphql import inputs
from accord.graphql.context import AccordContext, Info, Services
from accord.graphql.errors import (
    ForbiddenError,
    ValidationError,
    VersionConflictError,
    command_error,
)
from accord.graphql.partnership import Partnership
from accord.graphql.types import Event
from accord.projections.records import IndexedEvent, indexed
from accord.storage.reader import PartnershipEntry

READ_YOUR_WRITES_SECONDS = 5.0


@dataclass(frozen=True)
class MutationSpec:
    name: str
    input: type
    description: str

    @property
    def type_stem(self) -> str:
        return self.name[0].upper() + self.name[1:]


MUTATIONS: tuple[MutationSpec, ...] = tuple(
    MutationSpec(
        kind.mutation,
        getattr(inputs, f"{kind.mutation[0].upper()}{kind.mutation[1:]}Input"),
        kind.mutation_description,
    )
    for kind in KINDS
)
"""One per kind of the catalogue, in its order; the input types are `inputs`'."""


@strawberry.type(description="What a mutation recorded.")
class Recorded:
    event: Event = strawberry.field(
        description="The event recorded (for a retry with the same idempotency key: the first one)."
    )
    partnership: Partnership = strawberry.field(
        description="The partnership as it is now, its `version` included."
    )


def recorded_of(services: Services, outcome: Outcome) -> tuple[IndexedEvent, PartnershipEntry]:
    """The event and the partnership as the command left them: what the views hold once
    the read-your-writes wait is over (a replay's event is read from the views, which
    know whether it has since been retracted)."""
    event = indexed(outcome.event)
    if outcome.replayed:
        event = services.reader.event(outcome.event.event_id) or event
    entry = PartnershipEntry(
        id=str(outcome.partnership_id),
        name=outcome.name,
        purpose=outcome.purpose,
        formed_at=from_micros(outcome.formed_at),
        version=outcome.version,
    )
    return event, entry


def _execute(
    services: Services, mutation: str, raw: dict[str, Any], actor: Any
) -> tuple[Outcome, tuple[IndexedEvent, PartnershipEntry]]:
    """The command, then (unless its event went into the views with it) the wait for
    the views: in one worker thread."""
    outcome = services.app.execute(
        mutation, raw, actor=actor.name, enforce_access=actor.enforce_access
    )
    if outcome.notification_id and not services.shown(outcome):
        services.wait_for(outcome.notification_id, READ_YOUR_WRITES_SECONDS)
    return outcome, recorded_of(services, outcome)


async def record(
    context: AccordContext, mutation: str, raw: dict[str, Any], success: type[Recorded]
) -> Recorded | ValidationError | VersionConflictError | ForbiddenError:
    """Run one mutation (its input as the service reads it) for the context's actor and
    answer as its result union does."""
    try:
        outcome, (event, entry) = await context.run(
            _execute, context.services, mutation, raw, context.actor
        )
    except (DomainError, VersionConflict, Forbidden) as error:
        return command_error(error)
    context.recorded(outcome.event.recorded_at)
    return success(event=Event.of(event), partnership=Partnership.of(entry))


SUCCESSES: dict[str, type[Recorded]] = {}
"""Each mutation's success type, by mutation name."""


def _field(spec: MutationSpec) -> Any:
    stem = spec.type_stem
    success = strawberry.type(
        type(f"{stem}Success", (Recorded,), {}),
        name=f"{stem}Success",
        description=f"`{spec.name}` recorded its event.",
    )
    result = Annotated[
        success | ValidationError | VersionConflictError | ForbiddenError,  # type: ignore[valid-type]
        strawberry.union(
            f"{stem}Result",
            description=f"What `{spec.name}` did: recorded its event, or refused the input.",
        ),
    ]

    async def resolve(info: Info, input: Any) -> Any:
        return await record(info.context, spec.name, inputs.raw_input(input), success)

    SUCCESSES[spec.name] = success

    resolve.__annotations__ = {
        "info": Info,
        "input": Annotated[spec.input, strawberry.argument(description="The mutation's input.")],
        "return": result,
    }
    resolve.__name__ = spec.name
    return strawberry.mutation(resolver=resolve, name=spec.name, description=spec.description)


Mutation = strawberry.type(
    type("Mutation", (), {spec.name: _field(spec) for spec in MUTATIONS}),
    name="Mutation",
    description="Record what happened in a partnership: one mutation per event type.",
)
