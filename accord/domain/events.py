"""The events of a partnership's history: one class per kind, named in the past tense.

Each carries `occurred_at`, `recorded_at`, `recorded_by`, its own `event_id`, and its
place in the audit chain (`hash`, `previous_hash`) beside its own fields. The catalogue
(`accord.domain.catalogue`) says what each kind means; the aggregate
(`accord.domain.partnership`) keeps them as its nested classes (`Partnership.GoalSet`).

Stored events name their class by its topic, `accord.domain.partnership:Partnership.<Name>`
(where the classes were first declared): each class keeps that topic, so every store
written before keeps loading, and stores written now can be read by older releases.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from accord.domain.chain import event_type_name
from accord.domain.instants import format_instant

_SNAKE_BOUNDARY = re.compile(r"_([a-z])")
TOPIC_PREFIX = "accord.domain.partnership:Partnership."
"""Where stored events say their classes are: keep it (see the module's docstring)."""


@cache
def camel(name: str) -> str:
    """`decided_by` -> `decidedBy`."""
    return _SNAKE_BOUNDARY.sub(lambda match: match.group(1).upper(), name)


class PartnershipEvent(Aggregate.Event):
    """What every partnership event carries beside its own fields."""

    class_version: ClassVar[int] = 1
    TOPIC: ClassVar[str]
    COMMON: ClassVar[frozenset[str]] = frozenset(
        {
            "originator_id",
            "originator_version",
            "timestamp",
            "originator_topic",
            "occurred_at",
            "recorded_at",
            "recorded_by",
            "event_id",
            "hash",
            "previous_hash",
            "idempotency_key",
            "fingerprint",
            "seal",
        }
    )
    INTERNAL: ClassVar[frozenset[str]] = frozenset()
    DATA_NAMES: ClassVar[dict[str, str]] = {}

    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    event_id: str
    hash: str
    previous_hash: str | None
    idempotency_key: str | None
    fingerprint: str | None
    seal: str | None  # HMAC of `hash` under the server's audit key (kept outside the store)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TOPIC = TOPIC_PREFIX + cls.__name__  # eventsourcing's get_topic reads TOPIC
        register_topic(cls.TOPIC, cls)

    @classmethod
    def type_name(cls) -> str:
        return _type_name(cls)

    @classmethod
    def data_names(cls) -> tuple[tuple[str, str], ...]:
        """(attribute, API name) for each of the event's input fields."""
        return _data_names(cls)

    @property
    def position(self) -> int:
        return int(self.originator_version)

    @property
    def data(self) -> dict[str, Any]:
        """The event's input fields under their API names (API.md, Conventions)."""
        data: dict[str, Any] = {}
        for name, key in _data_names(type(self)):
            value = getattr(self, name)
            data[key] = format_instant(value) if type(value) is datetime else value
        return data

    def apply(self, aggregate: Any) -> None:
        aggregate._apply_event(self)


@cache
def _type_name(event_class: type[PartnershipEvent]) -> str:
    return event_type_name(event_class.__name__)


@cache
def _data_fields(event_class: type[PartnershipEvent]) -> tuple[str, ...]:
    skip = event_class.COMMON | event_class.INTERNAL
    return tuple(f.name for f in dataclasses.fields(event_class) if f.name not in skip)


@cache
def _data_names(event_class: type[PartnershipEvent]) -> tuple[tuple[str, str], ...]:
    """(attribute, API name) for each data field."""
    return tuple(
        (name, event_class.DATA_NAMES.get(name, camel(name))) for name in _data_fields(event_class)
    )


def event_data(event_class: type[PartnershipEvent], values: dict[str, Any]) -> dict[str, Any]:
    """The event's input fields under their API names, instants as text (as `data`)."""
    return {
        key: format_instant(value) if type(value) is datetime else value
        for name, key in _data_names(event_class)
        for value in (values[name],)
    }


class PartnershipFormed(PartnershipEvent, Aggregate.Created):
    name: str
    purpose: str


class PartnerJoined(PartnershipEvent):
    partner_id: str
    name: str
    sector: str


class PartnerLeft(PartnershipEvent):
    partner_id: str
    reason: str | None


class GoalSet(PartnershipEvent):
    goal_id: str
    statement: str


class GoalRevised(PartnershipEvent):
    goal_id: str
    statement: str
    reason: str


class GoalEndorsed(PartnershipEvent):
    goal_id: str
    partner_id: str
    version: int
    rating: int


class GoalReaffirmed(PartnershipEvent):
    goal_id: str
    note: str | None


class GoalRetired(PartnershipEvent):
    goal_id: str
    reason: str


class DecisionRecorded(PartnershipEvent):
    decision_id: str
    title: str
    category: str
    significance: int
    method: str
    decided_by: list[str]
    consulted: list[str]
    dissented_by: list[str]
    rationale: str | None


class CommitmentMade(PartnershipEvent):
    commitment_id: str
    partner_id: str
    kind: str
    quantity: float
    unit: str
    due_at: datetime
    description: str | None


class CommitmentDelivered(PartnershipEvent):
    commitment_id: str
    quantity: float


class CommitmentReleased(PartnershipEvent):
    commitment_id: str
    by_agreement: bool
    reason: str


class RiskSharesAgreed(PartnershipEvent):
    shares: list[dict[str, Any]]


class LeaderAppointed(PartnershipEvent):
    role: str
    partner_id: str
    person: str


class LeaderDeparted(PartnershipEvent):
    role: str
    reason: str | None


class TrustCheckInRecorded(PartnershipEvent):
    respondent_id: str
    about_id: str | None
    reliability: int
    openness: int
    respect: int
    shared_ownership: int
    note: str | None


class EntryRetracted(PartnershipEvent):
    INTERNAL: ClassVar[frozenset[str]] = frozenset(
        {"target_position", "target_at", "target_subjects"}
    )
    DATA_NAMES: ClassVar[dict[str, str]] = {"target_event_id": "eventId"}
    target_event_id: str
    reason: str
    target_position: int
    target_at: int  # the target's occurredAt, in microseconds
    target_subjects: list[str]  # the timelines the target has entries in


class RoleGranted(PartnershipEvent):
    actor: str
    role: str


class RoleRevoked(PartnershipEvent):
    actor: str
