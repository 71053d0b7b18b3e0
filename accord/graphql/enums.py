"""The API's enums. Values are UPPER_SNAKE and equal the domain's and read models' values
(a unit test keeps them in step); `EventType` is built from the catalogue of event kinds."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, cast

import strawberry

from accord.domain.catalogue import ALL_KINDS


def _event_type() -> type[Enum]:
    """One value per kind of the catalogue, in its order, described by it."""
    values = {
        kind.type_name: strawberry.enum_value(kind.type_name, description=kind.event_description)
        for kind in ALL_KINDS
    }
    members = cast("type[Enum]", Enum("EventType", values))
    return strawberry.enum(members, description="The kind of an event in a partnership's history.")


if TYPE_CHECKING:

    class EventType(Enum):
        """The catalogue's kinds (`accord.domain.catalogue`), by type name."""

else:
    EventType = _event_type()


@strawberry.enum(description="The sector a partner organisation belongs to.")
class Sector(Enum):
    NHS_TRUST = strawberry.enum_value("NHS_TRUST", description="An NHS trust.")
    LOCAL_AUTHORITY = strawberry.enum_value(
        "LOCAL_AUTHORITY", description="A local authority (council)."
    )
    PRIMARY_CARE = strawberry.enum_value(
        "PRIMARY_CARE", description="Primary care: GP practices, federations, networks."
    )
    VOLUNTARY_SECTOR = strawberry.enum_value(
        "VOLUNTARY_SECTOR", description="A charity or community organisation."
    )
    ACADEMIC = strawberry.enum_value("ACADEMIC", description="A university or research body.")
    PRIVATE = strawberry.enum_value("PRIVATE", description="A private company.")
    OTHER = strawberry.enum_value("OTHER", description="Any other kind of organisation.")


@strawberry.enum(description="What a decision is about.")
class DecisionCategory(Enum):
    STRATEGY = strawberry.enum_value("STRATEGY", description="Direction and priorities.")
    GOVERNANCE = strawberry.enum_value(
        "GOVERNANCE", description="How the partnership runs itself: rules, boards, process."
    )
    DELIVERY = strawberry.enum_value("DELIVERY", description="Doing the work.")
    RESOURCING = strawberry.enum_value("RESOURCING", description="Money, staff and assets.")


@strawberry.enum(description="How a decision was taken.")
class DecisionMethod(Enum):
    CONSENSUS = strawberry.enum_value("CONSENSUS", description="Everyone deciding agreed.")
    VOTE = strawberry.enum_value("VOTE", description="A vote among those deciding.")
    SINGLE_PARTNER = strawberry.enum_value(
        "SINGLE_PARTNER", description="One partner decided alone."
    )
    DELEGATED = strawberry.enum_value(
        "DELEGATED", description="Decided by those it was delegated to."
    )


@strawberry.enum(description="A kind of resource a partner commits; each has one unit.")
class ResourceKind(Enum):
    FUNDING = strawberry.enum_value("FUNDING", description="Money, in GBP.")
    STAFF = strawberry.enum_value("STAFF", description="Staff time, in FTE_MONTHS.")
    IN_KIND = strawberry.enum_value("IN_KIND", description="Anything else given in kind, in DAYS.")


@strawberry.enum(description="Where a commitment stands as of a date (METRICS.md).")
class CommitmentStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Not yet due, or due and still pending.")
    KEPT = strawberry.enum_value(
        "KEPT", description="Delivered in full by 14 days after it was due."
    )
    BROKEN = strawberry.enum_value(
        "BROKEN",
        description="Not delivered in full 14 days after it was due, or released unilaterally.",
    )
    RELEASED = strawberry.enum_value("RELEASED", description="Released by agreement.")


@strawberry.enum(
    description="What an actor may do in a partnership; each includes the ones before."
)
class AccessRole(Enum):
    VIEWER = strawberry.enum_value("VIEWER", description="May query the partnership.")
    RECORDER = strawberry.enum_value("RECORDER", description="May also record entries.")
    ADMIN = strawberry.enum_value(
        "ADMIN", description="May also retract entries and grant and revoke roles."
    )


@strawberry.enum(description="What kind of relationship the decision pattern shows (METRICS.md).")
class Classification(Enum):
    PARTNERSHIP = strawberry.enum_value(
        "PARTNERSHIP", description="No partner holds 80% or more of decision rights."
    )
    CLIENT_SUPPLIER = strawberry.enum_value(
        "CLIENT_SUPPLIER",
        description="One partner takes most decisions and provides most of the funding.",
    )
    ADVISORY = strawberry.enum_value(
        "ADVISORY",
        description="One partner takes most decisions without providing most of the funding.",
    )
    INSUFFICIENT_DATA = strawberry.enum_value(
        "INSUFFICIENT_DATA", description="Too few decisions or partners to say."
    )


@strawberry.enum(description="The four questions of the health check, in the order answered.")
class Question(Enum):
    TRUE_PARTNERSHIP = strawberry.enum_value(
        "TRUE_PARTNERSHIP", description="Is this a true partnership?"
    )
    COMMON_GOALS = strawberry.enum_value("COMMON_GOALS", description="What are your common goals?")
    TRUST = strawberry.enum_value("TRUST", description="Where is the trust?")
    WHO_DOES_THE_WORK = strawberry.enum_value(
        "WHO_DOES_THE_WORK", description="Who is doing the work?"
    )


@strawberry.enum(description="The answer to one health-check question.")
class Status(Enum):
    GREEN = strawberry.enum_value("GREEN", description="Healthy.")
    AMBER = strawberry.enum_value("AMBER", description="Worth a conversation.")
    RED = strawberry.enum_value("RED", description="A problem to address.")
    INSUFFICIENT_DATA = strawberry.enum_value(
        "INSUFFICIENT_DATA", description="Too little recorded to say."
    )


@strawberry.enum(description="The spacing of a health series' samples.")
class Interval(Enum):
    DAY = strawberry.enum_value("DAY", description="Every day.")
    WEEK = strawberry.enum_value("WEEK", description="Every 7 days.")
    MONTH = strawberry.enum_value(
        "MONTH",
        description="Every calendar month, on `from`'s day of the month (or the month's last day).",
    )
    QUARTER = strawberry.enum_value("QUARTER", description="Every 3 calendar months.")


@strawberry.enum(description="Why a command was refused, or a query could not be answered.")
class ErrorCode(Enum):
    VALIDATION = strawberry.enum_value(
        "VALIDATION", description="An input value breaks a rule; `field` names it."
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="An id names nothing this actor can see; `field` names it."
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE",
        description="An id or idempotency key is already in use; `field` names it.",
    )
    VERSION_CONFLICT = strawberry.enum_value(
        "VERSION_CONFLICT",
        description="`expectedVersion` is not the partnership's current version.",
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN", description="The actor's role in the partnership does not allow this."
    )
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="No valid bearer token was given."
    )
