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
    SYSTEM: ClassVar[tuple[str, ...]] = ()
    """Fields the service sets, never a mutation's input (what a check-in round adds to the
    check-ins it records): in `data`, and so in the hash, only when not None, so that
    events recorded before such a field existed keep their hashes."""
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

    @classmethod
    def system_names(cls) -> tuple[tuple[str, str], ...]:
        """(attribute, API name) for each of the event's SYSTEM fields."""
        return _system_names(cls)

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
        for name, key in _system_names(type(self)):
            value = getattr(self, name, None)
            if value is not None:
                data[key] = value
        return data

    def apply(self, aggregate: Any) -> None:
        aggregate._apply_event(self)


@cache
def _type_name(event_class: type[PartnershipEvent]) -> str:
    return event_type_name(event_class.__name__)


@cache
def _data_fields(event_class: type[PartnershipEvent]) -> tuple[str, ...]:
    skip = event_class.COMMON | event_class.INTERNAL | frozenset(event_class.SYSTEM)
    return tuple(f.name for f in dataclasses.fields(event_class) if f.name not in skip)


@cache
def _system_names(event_class: type[PartnershipEvent]) -> tuple[tuple[str, str], ...]:
    return tuple((name, camel(name)) for name in event_class.SYSTEM)


@cache
def _data_names(event_class: type[PartnershipEvent]) -> tuple[tuple[str, str], ...]:
    """(attribute, API name) for each data field."""
    return tuple(
        (name, event_class.DATA_NAMES.get(name, camel(name))) for name in _data_fields(event_class)
    )


def event_data(event_class: type[PartnershipEvent], values: dict[str, Any]) -> dict[str, Any]:
    """The event's input fields under their API names, instants as text (as `data`)."""
    data = {
        key: format_instant(value) if type(value) is datetime else value
        for name, key in _data_names(event_class)
        for value in (values[name],)
    }
    for name, key in _system_names(event_class):
        value = values.get(name)
        if value is not None:
            data[key] = value
    return data


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
    """A check-in: entered for a partner (whole-number items), or recorded by a check-in
    round at its close (each item the mean of the round's answers, `responses` of them)."""

    class_version: ClassVar[int] = 2
    SYSTEM: ClassVar[tuple[str, ...]] = ("responses", "round_id", "notes")
    respondent_id: str
    about_id: str | None
    reliability: float
    openness: float
    respect: float
    shared_ownership: float
    note: str | None
    responses: int | None
    round_id: str | None
    notes: list[str] | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 had no check-in rounds."""
        state["responses"] = state["round_id"] = state["notes"] = None


class CheckInRoundOpened(PartnershipEvent):
    """A check-in round opened: who is asked (partners and how many people each), until
    when, and the least number of answers that are reported; no names, no addresses."""

    round_id: str
    closes_at: datetime
    minimum_responses: int
    about_partners: bool
    keep_notes: bool
    invitations: list[dict[str, Any]]  # [{"partnerId", "count"}]


class CheckInRemindersSent(PartnershipEvent):
    """Reminders went to the people of a round who had not answered (a count only)."""

    round_id: str
    count: int


class CheckInRoundClosed(PartnershipEvent):
    """A check-in round closed: how many were asked and answered per partner (the answers
    themselves are in the check-ins the round recorded, and nowhere else)."""

    round_id: str
    partners: list[dict[str, Any]]  # [{"partnerId", "invited", "answered"}]


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
