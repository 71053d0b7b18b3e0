"""The health of a partnership at an instant: API.md's `Health` as plain data.

Attributes mirror the GraphQL fields in snake_case. Partners are referred to by id;
`Health.partners` holds the details of every partner named anywhere in it, so a
caller can render `Partner` objects without another read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from accord.projections.state.membership import Partner
from accord.projections.state.role_register import LeadershipRole


class Classification(StrEnum):
    PARTNERSHIP = "PARTNERSHIP"
    CLIENT_SUPPLIER = "CLIENT_SUPPLIER"
    ADVISORY = "ADVISORY"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class Question(StrEnum):
    """The four questions, in the order answers are listed."""

    TRUE_PARTNERSHIP = "TRUE_PARTNERSHIP"
    COMMON_GOALS = "COMMON_GOALS"
    TRUST = "TRUST"
    WHO_DOES_THE_WORK = "WHO_DOES_THE_WORK"


class Status(StrEnum):
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


@dataclass(frozen=True, slots=True)
class PartnerPower:
    """One active partner's shares. `funding_share` (not in the API) is the FUNDING
    term of `contribution_share`, which the classification reads."""

    partner_id: str
    decision_share: float
    contribution_share: float | None
    risk_share: float | None
    funding_share: float | None = None


@dataclass(frozen=True, slots=True)
class Power:
    decision_count: int
    equality: float | None
    equity: float | None
    transparency: float | None
    consensus_rate: float | None
    governance_share: float | None
    shares: tuple[PartnerPower, ...]
    """Active partners, in id order."""


@dataclass(frozen=True, slots=True)
class PartnerReliability:
    partner_id: str
    kept: int
    broken: int
    reliability: float


@dataclass(frozen=True, slots=True)
class RoundResponse:
    """A closed check-in round's response: how many people were asked and answered."""

    round_id: str
    closed_at: datetime
    invited: int
    answered: int
    response_rate: float | None
    """`answered / invited`; null when nobody was invited."""


@dataclass(frozen=True, slots=True)
class Trust:
    index: float | None
    perceived: float | None
    respondents: int
    reciprocity_gap: float | None
    reliability_mean: float | None
    reliability_min: float | None
    bureaucracy_signal: bool
    reliability: tuple[PartnerReliability, ...]
    """Active partners, in id order."""
    perceived_before: float | None = None
    """`perceived` 180 days earlier (not in the API; the bureaucracy signal reads it)."""
    latest_round: RoundResponse | None = None
    """The latest check-in round closed in the window, at or before the reading."""


@dataclass(frozen=True, slots=True)
class KindAmount:
    kind: str
    value: float


@dataclass(frozen=True, slots=True)
class Capacity:
    fulfilment: tuple[KindAmount, ...]
    """Ratios, only for kinds that have one, in the order FUNDING, STAFF, IN_KIND."""
    outstanding: tuple[KindAmount, ...]
    """Quantities, only for kinds that have one, in the order FUNDING, STAFF, IN_KIND."""
    vacant_roles: int
    longest_vacancy_days: float | None
    leadership_changes: int
    roles: tuple[LeadershipRole, ...]
    """Every role appointed by then, in role order."""


@dataclass(frozen=True, slots=True)
class GoalHealth:
    active_goals: int
    coverage: float | None
    agreement: float | None
    staleness_days: float | None
    revisions: int


@dataclass(frozen=True, slots=True)
class HealthAnswer:
    question: Question
    status: Status
    evidence: tuple[str, ...]
    """Plain sentences quoting the figures the status rests on."""
    prompt: str
    """The question put to the partnership, to open the conversation."""


@dataclass(frozen=True, slots=True)
class HealthCheck:
    classification: Classification
    answers: tuple[HealthAnswer, ...]
    """In `Question` order."""


@dataclass(frozen=True, slots=True)
class Health:
    as_of: datetime
    known_at: datetime
    window_days: int
    power: Power
    trust: Trust
    capacity: Capacity
    goals: GoalHealth
    check: HealthCheck
    partners: Mapping[str, Partner]
    """Details, as of `as_of`, of every partner this health names."""
