"""The readable health report `accord health` prints: the four questions first."""

from __future__ import annotations

from accord.domain.instants import format_instant
from accord.projections.health import Health

QUESTION_TEXT = {
    "TRUE_PARTNERSHIP": "Is this a true partnership?",
    "COMMON_GOALS": "What are your common goals?",
    "TRUST": "Where is the trust?",
    "WHO_DOES_THE_WORK": "Who is doing the work?",
}


def _figure(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_report(name: str, health: Health) -> str:
    """A plain-text report of the health check and the key figures behind it."""
    lines = [
        f"{name}",
        f"as of {format_instant(health.as_of)}, as known at {format_instant(health.known_at)}, "
        f"over the {health.window_days} days before",
        f"classification: {health.check.classification.value}",
        "",
    ]
    for answer in health.check.answers:
        lines.append(f"[{answer.status.value}] {QUESTION_TEXT[answer.question.value]}")
        lines.extend(f"    - {sentence}" for sentence in answer.evidence)
        lines.append(f"    Ask: {answer.prompt}")
        lines.append("")
    power, trust, capacity, goals = health.power, health.trust, health.capacity, health.goals
    lines += [
        "Key figures",
        f"  power:    {power.decision_count} decisions; equality {_figure(power.equality)}, "
        f"equity {_figure(power.equity)}, transparency {_figure(power.transparency)}, "
        f"governance share {_figure(power.governance_share)}",
        f"  trust:    index {_figure(trust.index)}, perceived {_figure(trust.perceived)} "
        f"({trust.respondents} respondents), reliability mean {_figure(trust.reliability_mean)}, "
        f"min {_figure(trust.reliability_min)}",
        "  capacity: "
        + ", ".join(f"{k.kind} fulfilment {_figure(k.value)}" for k in capacity.fulfilment)
        + (", " if capacity.fulfilment else "")
        + f"{capacity.vacant_roles} vacant roles, {capacity.leadership_changes} leadership changes",
        f"  goals:    {goals.active_goals} active, coverage {_figure(goals.coverage)}, "
        f"agreement {_figure(goals.agreement)}, {_figure(goals.staleness_days, 0)} days since "
        f"last revisited, {goals.revisions} revisions",
    ]
    if trust.latest_round is not None:
        latest = trust.latest_round
        lines.append(
            f"  rounds:   latest {latest.round_id} closed {format_instant(latest.closed_at)}, "
            f"{latest.answered} of {latest.invited} invited answered "
            f"(response rate {_figure(latest.response_rate)})"
        )
    for share in power.shares:
        partner = health.partners.get(share.partner_id)
        label = partner.name if partner is not None else share.partner_id
        lines.append(
            f"    {label}: decision share {_figure(share.decision_share)}, "
            f"contribution {_figure(share.contribution_share)}, risk {_figure(share.risk_share)}"
        )
    return "\n".join(lines)
