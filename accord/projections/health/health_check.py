"""The health check: the four questions, answered by the rules of METRICS.md.

Each rule list is applied in the order written; the first that matches wins. A
figure is compared rounded to 9 decimal places, and a null compared with a number
is false (except where a rule names the null).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from accord.projections.health import evidence
from accord.projections.health.model import (
    Capacity,
    Classification,
    GoalHealth,
    HealthAnswer,
    HealthCheck,
    Power,
    Question,
    Status,
    Trust,
)
from accord.projections.health.thresholds import above, at_least, at_most, below, equals
from accord.projections.state.membership import Partner

PROMPTS: Final = {
    Question.TRUE_PARTNERSHIP: (
        "Is this a true partnership? Does every partner have a real say in the decisions, "
        "in proportion to what it contributes and risks, or is one partner commissioning "
        "or advising the others?"
    ),
    Question.COMMON_GOALS: (
        "What are your common goals? Does every partner still endorse the goals as they "
        "now stand, and when did you last revisit them together?"
    ),
    Question.TRUST: (
        "Where is the trust? Can partners rely on one another to keep their commitments, "
        "and do they feel able to speak openly and share ownership of the work?"
    ),
    Question.WHO_DOES_THE_WORK: (
        "Who is doing the work? Are the money, staff and time each partner promised "
        "arriving, and are the leadership roles filled and stable?"
    ),
}
"""The question put to the partnership for each answer: the four questions the Q
community asks of a partnership, each opened up for the board's conversation."""

DOMINANT_SHARE = 0.8


def classify(power: Power) -> Classification:
    """PARTNERSHIP, or CLIENT_SUPPLIER / ADVISORY when one partner holds `>= 0.8` of
    the decision rights (CLIENT_SUPPLIER when it also delivered `>= 0.8` of the funding)."""
    if power.equality is None or not power.shares:
        return Classification.INSUFFICIENT_DATA
    leader = max(power.shares, key=lambda share: share.decision_share)
    if not at_least(leader.decision_share, DOMINANT_SHARE):
        return Classification.PARTNERSHIP
    if at_least(leader.funding_share, DOMINANT_SHARE):
        return Classification.CLIENT_SUPPLIER
    return Classification.ADVISORY


def true_partnership_status(power: Power, classification: Classification) -> Status:
    if power.equality is None:
        return Status.INSUFFICIENT_DATA
    if classification in (Classification.CLIENT_SUPPLIER, Classification.ADVISORY):
        return Status.RED
    fair = at_least(power.equity, 0.75) or (power.equity is None and at_least(power.equality, 0.6))
    if at_least(power.transparency, 0.9) and fair:
        return Status.GREEN
    return Status.AMBER


def common_goals_status(goals: GoalHealth) -> Status:
    if goals.active_goals == 0:
        return Status.INSUFFICIENT_DATA
    if (
        below(goals.coverage, 0.75)
        or below(goals.agreement, 0.5)
        or above(goals.staleness_days, 548)
        or goals.revisions > 4
    ):
        return Status.RED
    if (
        equals(goals.coverage, 1)
        and (goals.agreement is None or at_least(goals.agreement, 0.7))
        and at_most(goals.staleness_days, 365)
    ):
        return Status.GREEN
    return Status.AMBER


def trust_status(trust: Trust) -> Status:
    if trust.perceived is None and trust.reliability_mean is None:
        return Status.INSUFFICIENT_DATA
    if below(trust.perceived, 0.5) or below(trust.reliability_min, 0.5) or trust.bureaucracy_signal:
        return Status.RED
    if (
        (trust.perceived is None or at_least(trust.perceived, 0.75))
        and (trust.reliability_min is None or at_least(trust.reliability_min, 0.75))
        and (trust.reciprocity_gap is None or below(trust.reciprocity_gap, 0.25))
    ):
        return Status.GREEN
    return Status.AMBER


def work_status(capacity: Capacity) -> Status:
    if not capacity.fulfilment and not capacity.roles:
        return Status.INSUFFICIENT_DATA
    if (
        any(below(entry.value, 0.75) for entry in capacity.fulfilment)
        or above(capacity.longest_vacancy_days, 90)
        or capacity.leadership_changes >= 2
    ):
        return Status.RED
    if (
        all(at_least(entry.value, 0.9) for entry in capacity.fulfilment)
        and capacity.vacant_roles == 0
        and capacity.leadership_changes == 0
    ):
        return Status.GREEN
    return Status.AMBER


def check(
    power: Power,
    trust: Trust,
    capacity: Capacity,
    goals: GoalHealth,
    window_days: int,
    partners: Mapping[str, Partner] | None = None,
) -> HealthCheck:
    """Classify the partnership and answer the four questions, with the evidence for
    each answer and the question to put to the partnership. `partners` (id -> details)
    lets the evidence name partners."""
    names = {partner_id: partner.name for partner_id, partner in (partners or {}).items()}
    classification = classify(power)
    statuses = {
        Question.TRUE_PARTNERSHIP: (
            true_partnership_status(power, classification),
            evidence.true_partnership(power, classification, window_days, names),
        ),
        Question.COMMON_GOALS: (
            common_goals_status(goals),
            evidence.common_goals(goals, window_days),
        ),
        Question.TRUST: (trust_status(trust), evidence.trust(trust, names)),
        Question.WHO_DOES_THE_WORK: (
            work_status(capacity),
            evidence.work(capacity, window_days),
        ),
    }
    return HealthCheck(
        classification=classification,
        answers=tuple(
            HealthAnswer(
                question=question,
                status=statuses[question][0],
                evidence=tuple(statuses[question][1]),
                prompt=PROMPTS[question],
            )
            for question in Question
        ),
    )
