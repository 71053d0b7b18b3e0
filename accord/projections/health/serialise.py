"""`Health` as the JSON of API.md's `health` field with every field selected.

Names are camelCase, instants `format_instant` strings, enums their names, and each
`partner` is given as `{"id": ...}`. Lists are in the API's orders: per-partner lists
by partner id, per-kind lists FUNDING, STAFF, IN_KIND (only kinds with a value),
roles by role, answers in `Question` order.
"""

from __future__ import annotations

from typing import Any

from accord.domain.instants import format_instant
from accord.projections.health.model import (
    Capacity,
    GoalHealth,
    Health,
    HealthCheck,
    KindAmount,
    Power,
    RoundResponse,
    Trust,
)


def health_to_json(health: Health) -> dict[str, Any]:
    return {
        "asOf": format_instant(health.as_of),
        "knownAt": format_instant(health.known_at),
        "windowDays": health.window_days,
        "power": power_to_json(health.power),
        "trust": trust_to_json(health.trust),
        "capacity": capacity_to_json(health.capacity),
        "goals": goals_to_json(health.goals),
        "check": check_to_json(health.check),
    }


def _partner(partner_id: str | None) -> dict[str, Any] | None:
    return None if partner_id is None else {"id": partner_id}


def power_to_json(power: Power) -> dict[str, Any]:
    return {
        "decisionCount": power.decision_count,
        "equality": power.equality,
        "equity": power.equity,
        "transparency": power.transparency,
        "consensusRate": power.consensus_rate,
        "governanceShare": power.governance_share,
        "shares": [
            {
                "partner": _partner(share.partner_id),
                "decisionShare": share.decision_share,
                "contributionShare": share.contribution_share,
                "riskShare": share.risk_share,
            }
            for share in sorted(power.shares, key=lambda share: share.partner_id)
        ],
    }


def trust_to_json(trust: Trust) -> dict[str, Any]:
    return {
        "index": trust.index,
        "perceived": trust.perceived,
        "respondents": trust.respondents,
        "reciprocityGap": trust.reciprocity_gap,
        "reliabilityMean": trust.reliability_mean,
        "reliabilityMin": trust.reliability_min,
        "bureaucracySignal": trust.bureaucracy_signal,
        "reliability": [
            {
                "partner": _partner(entry.partner_id),
                "kept": entry.kept,
                "broken": entry.broken,
                "reliability": entry.reliability,
            }
            for entry in sorted(trust.reliability, key=lambda entry: entry.partner_id)
        ],
        "latestRound": round_response_to_json(trust.latest_round),
    }


def round_response_to_json(response: RoundResponse | None) -> dict[str, Any] | None:
    """The latest closed check-in round of `Trust` (`latestRound`), or None."""
    if response is None:
        return None
    return {
        "roundId": response.round_id,
        "closedAt": format_instant(response.closed_at),
        "invited": response.invited,
        "answered": response.answered,
        "responseRate": response.response_rate,
    }


def _amounts(amounts: tuple[KindAmount, ...]) -> list[dict[str, Any]]:
    return [{"kind": str(entry.kind), "value": entry.value} for entry in amounts]


def capacity_to_json(capacity: Capacity) -> dict[str, Any]:
    return {
        "fulfilment": _amounts(capacity.fulfilment),
        "outstanding": _amounts(capacity.outstanding),
        "vacantRoles": capacity.vacant_roles,
        "longestVacancyDays": capacity.longest_vacancy_days,
        "leadershipChanges": capacity.leadership_changes,
        "roles": [
            {
                "role": role.role,
                "partner": _partner(role.partner_id),
                "person": role.person,
                "since": format_instant(role.since),
                "vacant": role.vacant,
            }
            for role in sorted(capacity.roles, key=lambda role: role.role)
        ],
    }


def goals_to_json(goals: GoalHealth) -> dict[str, Any]:
    return {
        "activeGoals": goals.active_goals,
        "coverage": goals.coverage,
        "agreement": goals.agreement,
        "stalenessDays": goals.staleness_days,
        "revisions": goals.revisions,
    }


def check_to_json(check: HealthCheck) -> dict[str, Any]:
    return {
        "classification": check.classification.value,
        "answers": [
            {
                "question": answer.question.value,
                "status": answer.status.value,
                "evidence": list(answer.evidence),
                "prompt": answer.prompt,
            }
            for answer in check.answers
        ],
    }
