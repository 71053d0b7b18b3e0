"""The things a partnership's history is about: partners, goals, commitments, roles,
decisions, and the events themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from accord.graphql.context import Info
from accord.graphql.decorators import resolver
from accord.graphql.directory import PartnerDirectory
from accord.graphql.enums import (
    CommitmentStatus,
    DecisionCategory,
    DecisionMethod,
    EventType,
    ResourceKind,
    Sector,
)
from accord.graphql.scalars import end_of
from accord.projections.records import IndexedEvent
from accord.projections.state import Commitment as CommitmentState
from accord.projections.state import Goal as GoalState
from accord.projections.state import LeadershipRole as RoleState
from accord.projections.state import Partner as PartnerState
from accord.projections.summary import summary


@strawberry.interface(
    description="Anything with a globally unique id that `node(id)` finds: partnerships and events."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The globally unique id (a UUID).")


@strawberry.type(description="A partner organisation, as of the date asked about.")
class Partner:
    id: strawberry.ID = strawberry.field(
        description="The partner's id within the partnership (chosen by the client or generated)."
    )
    name: str = strawberry.field(description="The organisation's name.")
    sector: Sector = strawberry.field(description="The sector the organisation belongs to.")
    joined_at: datetime = strawberry.field(
        description="When its current (or, if it has left, its last) membership began."
    )
    left_at: datetime | None = strawberry.field(
        description="When it left; null while it is a member."
    )

    @classmethod
    def of(cls, partner: PartnerState) -> Partner:
        return cls(
            id=strawberry.ID(partner.id),
            name=partner.name,
            sector=Sector(partner.sector),
            joined_at=partner.joined_at,
            left_at=partner.left_at,
        )


@strawberry.type(description="A partner's endorsement of a goal's current version.")
class Endorsement:
    partner: Partner = strawberry.field(description="The partner endorsing the goal.")
    version: int = strawberry.field(description="The goal version endorsed.")
    rating: int = strawberry.field(description="How strongly it agrees, from 1 to 5.")
    endorsed_at: datetime = strawberry.field(description="When it endorsed the goal.")


@strawberry.type(description="An active goal of the partnership, as of the date asked about.")
class Goal:
    id: strawberry.ID = strawberry.field(description="The goal's id within the partnership.")
    statement: str = strawberry.field(description="The goal as currently worded.")
    version: int = strawberry.field(
        description="The current version: 1 when set, plus one per revision."
    )
    set_at: datetime = strawberry.field(description="When the goal was set.")
    revised_at: datetime | None = strawberry.field(
        description="When it was last revised; null if never."
    )
    endorsements: list[Endorsement] = strawberry.field(
        description=(
            "Endorsements of the current version by partners active then, the latest of "
            "each partner, by partner id."
        )
    )

    @classmethod
    def of(cls, goal: GoalState, directory: PartnerDirectory, as_of: datetime) -> Goal:
        return cls(
            id=strawberry.ID(goal.id),
            statement=goal.statement,
            version=goal.version,
            set_at=goal.set_at,
            revised_at=goal.revised_at,
            endorsements=[
                Endorsement(
                    partner=Partner.of(directory.partner(e.partner_id, as_of)),
                    version=e.version,
                    rating=e.rating,
                    endorsed_at=e.endorsed_at,
                )
                for e in goal.endorsements
            ],
        )


@strawberry.type(description="Resources a partner committed, as of the date asked about.")
class Commitment:
    id: strawberry.ID = strawberry.field(description="The commitment's id within the partnership.")
    partner: Partner = strawberry.field(description="The partner that made the commitment.")
    kind: ResourceKind = strawberry.field(description="The kind of resource committed.")
    quantity: float = strawberry.field(description="How much was committed, in `unit`.")
    unit: str = strawberry.field(
        description="The kind's unit: GBP (FUNDING), FTE_MONTHS (STAFF) or DAYS (IN_KIND)."
    )
    due_at: datetime = strawberry.field(description="When it is due.")
    delivered: float = strawberry.field(description="How much had been delivered by then.")
    status: CommitmentStatus = strawberry.field(
        description="Open, kept, broken or released, by then (METRICS.md)."
    )

    @classmethod
    def of(
        cls, commitment: CommitmentState, directory: PartnerDirectory, as_of: datetime
    ) -> Commitment:
        return cls(
            id=strawberry.ID(commitment.id),
            partner=Partner.of(directory.partner(commitment.partner_id, as_of)),
            kind=ResourceKind(commitment.kind),
            quantity=commitment.quantity,
            unit=commitment.unit,
            due_at=commitment.due_at,
            delivered=commitment.delivered,
            status=CommitmentStatus(commitment.status.value),
        )


@strawberry.type(description="A leadership role: who holds it, or since when it is vacant.")
class LeadershipRole:
    role: str = strawberry.field(description="The role's name, as appointments give it.")
    partner: Partner | None = strawberry.field(
        description="The partner whose person holds the role; null while vacant."
    )
    person: str | None = strawberry.field(description="Who holds the role; null while vacant.")
    since: datetime = strawberry.field(
        description="When the holder was appointed, or when the role became vacant."
    )
    vacant: bool = strawberry.field(description="Whether nobody holds the role.")

    @classmethod
    def of(cls, role: RoleState, directory: PartnerDirectory, as_of: datetime) -> LeadershipRole:
        partner = None
        if role.partner_id is not None:
            partner = Partner.of(directory.partner(role.partner_id, as_of))
        return cls(
            role=role.role,
            partner=partner,
            person=role.person,
            since=role.since,
            vacant=role.vacant,
        )


@strawberry.type(description="A decision the partnership recorded.")
class Decision:
    id: strawberry.ID = strawberry.field(description="The decision's id within the partnership.")
    title: str = strawberry.field(description="What was decided, in a few words.")
    category: DecisionCategory = strawberry.field(description="What the decision is about.")
    significance: int = strawberry.field(
        description="How much it matters, from 1 to 3: its weight in decision shares."
    )
    method: DecisionMethod = strawberry.field(description="How it was decided.")
    decided_by: list[Partner] = strawberry.field(description="The partners who decided.")
    consulted: list[Partner] = strawberry.field(description="Partners consulted but not deciding.")
    dissented_by: list[Partner] = strawberry.field(description="Partners who disagreed.")
    rationale: str | None = strawberry.field(description="Why, as recorded; null if not given.")
    occurred_at: datetime = strawberry.field(description="When it was decided.")
    recorded_at: datetime = strawberry.field(description="When it was recorded.")
    recorded_by: str = strawberry.field(description="The actor who recorded it.")
    retracted: bool = strawberry.field(
        description="Whether the entry was retracted (as known at the list's `knownAt`)."
    )
    event_id: strawberry.ID = strawberry.field(description="The id of the event recording it.")

    @classmethod
    def of(cls, event: IndexedEvent, directory: PartnerDirectory, retracted: bool) -> Decision:
        data = event.data

        def partners(key: str) -> list[Partner]:
            ids = data.get(key) or []
            return [Partner.of(directory.partner(str(pid), event.occurred_at)) for pid in ids]

        rationale = data.get("rationale")
        return cls(
            id=strawberry.ID(str(data.get("decisionId", event.event_id))),
            title=str(data.get("title", "")),
            category=DecisionCategory(data["category"]),
            significance=int(data.get("significance") or 1),
            method=DecisionMethod(data["method"]),
            decided_by=partners("decidedBy"),
            consulted=partners("consulted"),
            dissented_by=partners("dissentedBy"),
            rationale=rationale if isinstance(rationale, str) else None,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            recorded_by=event.recorded_by,
            retracted=retracted,
            event_id=strawberry.ID(event.event_id),
        )


@strawberry.type(description="One recorded event of a partnership's history.")
class Event(Node):
    record: strawberry.Private[IndexedEvent]
    type: EventType = strawberry.field(description="What kind of event it is.")
    position: int = strawberry.field(
        description="Its 1-based index in the partnership's stream (recording order)."
    )
    occurred_at: datetime = strawberry.field(
        description="When it happened (given by whoever recorded it; defaults to when recorded)."
    )
    recorded_at: datetime = strawberry.field(description="When the store accepted it.")
    recorded_by: str = strawberry.field(description="The actor who recorded it.")
    hash: str = strawberry.field(
        description=(
            "SHA-256 (hex) of the RFC 8785 canonical JSON of {previousHash, partnershipId, "
            "position, type, occurredAt, recordedAt, recordedBy, data} (API.md, Audit)."
        )
    )
    previous_hash: str | None = strawberry.field(
        description="The previous event's `hash`; null for the first event."
    )
    partnership_id: strawberry.ID = strawberry.field(
        description="The partnership whose history holds the event."
    )
    default_known_at: strawberry.Private[datetime | None] = None

    @classmethod
    def of(cls, record: IndexedEvent, known_at: datetime | None = None) -> Event:
        return cls(
            record=record,
            default_known_at=known_at,
            id=strawberry.ID(record.event_id),
            type=EventType(record.type),
            position=record.position,
            occurred_at=record.occurred_at,
            recorded_at=record.recorded_at,
            recorded_by=record.recorded_by,
            hash=record.hash,
            previous_hash=record.previous_hash,
            partnership_id=strawberry.ID(record.partnership_id),
        )

    @resolver("One human sentence saying what the event records.")
    def summary(self) -> str:
        return summary(self.record)

    @resolver(
        "The event's input fields under their input names, with defaults and generated ids "
        "filled in, without partnershipId, occurredAt, expectedVersion and idempotencyKey; "
        "instants written as DateTime output."
    )
    def data(self) -> JSON:
        return JSON(self.record.data)

    @resolver("Whether a retraction recorded at or before `knownAt` takes the event out.")
    def retracted(
        self,
        info: Info,
        known_at: Annotated[
            datetime | None,
            strawberry.argument(
                description=(
                    "As known at this instant (default: the `knownAt` of the list the event "
                    "is in, else now); a bare date means the end of that day."
                )
            ),
        ] = strawberry.UNSET,
    ) -> bool:
        if known_at is not None and known_at is not strawberry.UNSET:
            moment = end_of(known_at)
        else:
            moment = self.default_known_at or info.context.now()
        return self.record.is_retracted(moment)


@strawberry.type(description="The result of recomputing a partnership's hash chain.")
class AuditReport:
    valid: bool = strawberry.field(
        description="Whether every stored event matches its hash and place in the chain."
    )
    events_checked: int = strawberry.field(description="How many events were checked.")
    first_broken_position: int | None = strawberry.field(
        description="The position of the first event that breaks the chain; null when valid."
    )
    head_hash: str = strawberry.field(
        description="The hash of the last event checked that still fits the chain."
    )
