"""The health of a partnership: power, trust, capacity, goals and the health check.

Pure functions of a partnership's indexed events (METRICS.md is binding):

- `health(events, as_of, known_at, window_days)` -> one `Health`;
- `health_series(events, from_, to, interval, known_at, window_days)` -> samples;
- `prepare(events, known_at)` + `health_at(history, as_of, window_days)` for callers
  that read several instants from the same knowledge;
- `power`, `trust`, `capacity`, `goals`, `check`: the parts, from a prepared history
  and a `Sample` (`history.sample(as_of, window_days)`);
- `health_to_json(health)`: the JSON of API.md's `health` field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from accord.projections.health.capacity_metrics import capacity
from accord.projections.health.goal_metrics import goals
from accord.projections.health.health_check import check, classify
from accord.projections.health.model import (
    Capacity,
    Classification,
    GoalHealth,
    Health,
    HealthAnswer,
    HealthCheck,
    KindAmount,
    PartnerPower,
    PartnerReliability,
    Power,
    Question,
    RoundResponse,
    Status,
    Trust,
)
from accord.projections.health.power_metrics import power
from accord.projections.health.prepared import PreparedHistory, Sample, prepare
from accord.projections.health.serialise import health_to_json
from accord.projections.health.series import Interval, sample_instants
from accord.projections.health.trust_metrics import trust
from accord.projections.records import IndexedEvent
from accord.projections.state.membership import Partner

DEFAULT_WINDOW_DAYS = 365

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "Capacity",
    "Classification",
    "GoalHealth",
    "Health",
    "HealthAnswer",
    "HealthCheck",
    "Interval",
    "KindAmount",
    "PartnerPower",
    "PartnerReliability",
    "Power",
    "PreparedHistory",
    "Question",
    "RoundResponse",
    "Sample",
    "Status",
    "Trust",
    "capacity",
    "check",
    "classify",
    "goals",
    "health",
    "health_at",
    "health_series",
    "health_to_json",
    "power",
    "prepare",
    "sample_instants",
    "trust",
]


def health_at(
    history: PreparedHistory, as_of: datetime, window_days: int = DEFAULT_WINDOW_DAYS
) -> Health:
    """The health at `as_of` with a trailing window of `window_days`, from a history
    prepared for one knownAt."""
    sample = history.sample(as_of, window_days)
    power_now = power(history, sample)
    trust_now = trust(history, sample)
    capacity_now = capacity(history, sample)
    goals_now = goals(history, sample)
    named = set(sample.active)
    named.update(role.partner_id for role in capacity_now.roles if role.partner_id is not None)
    partners: dict[str, Partner] = {}
    for partner_id in sorted(named):
        partner = history.membership.partner(partner_id, sample.at)
        if partner is not None:
            partners[partner_id] = partner
    return Health(
        as_of=as_of,
        known_at=history.known_at,
        window_days=window_days,
        power=power_now,
        trust=trust_now,
        capacity=capacity_now,
        goals=goals_now,
        check=check(power_now, trust_now, capacity_now, goals_now, window_days, partners),
        partners=partners,
    )


def health(
    events: Sequence[IndexedEvent],
    as_of: datetime,
    known_at: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Health:
    """The health of a partnership at `as_of`, as known at `known_at`."""
    return health_at(prepare(events, known_at), as_of, window_days)


def health_series(
    events: Sequence[IndexedEvent],
    from_: datetime,
    to: datetime,
    interval: Interval | str,
    known_at: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[Health]:
    """The health at each sample instant from `from_` to `to` (METRICS.md, Series), all
    as known at `known_at`; the history is prepared once for every sample."""
    history = prepare(events, known_at)
    return [
        health_at(history, moment, window_days) for moment in sample_instants(from_, to, interval)
    ]
