"""Trust: positive culture and strong relationships (METRICS.md, Trust).

The perceived side comes from check-ins; the behavioural side from whether partners
keep the commitments that fell due in the window.
"""

from __future__ import annotations

import math
from fractions import Fraction

from accord.projections.health.checkins import CHECK_IN_WINDOW, Pair
from accord.projections.health.model import PartnerReliability, Trust
from accord.projections.health.prepared import PreparedHistory, Sample
from accord.projections.health.thresholds import at_least
from accord.projections.state.commitment_ledger import CommitmentStatus

BUREAUCRACY_GOVERNANCE_SHARE = 0.5
BUREAUCRACY_DROP = 0.10


def trust(history: PreparedHistory, sample: Sample) -> Trust:
    """Perceived trust, reciprocity, reliability in keeping commitments, the
    bureaucracy signal, and the latest check-in round closed in the window."""
    perception = history.check_ins.perception(sample.at, sample.active_set)
    reliability = _reliability(history, sample)
    evidenced = [
        Fraction(entry.kept + 1, entry.kept + entry.broken + 2)
        for entry in reliability
        if entry.kept + entry.broken > 0
    ]
    reliability_mean = float(sum(evidenced) / len(evidenced)) if evidenced else None
    reliability_min = float(min(evidenced)) if evidenced else None
    present = [value for value in (perception.perceived, reliability_mean) if value is not None]
    perceived_before = None
    if perception.perceived is not None:
        before = sample.at - CHECK_IN_WINDOW
        active_before = history.membership.active_ids(before)
        perceived_before = history.check_ins.perception(before, set(active_before)).perceived
    return Trust(
        index=math.fsum(present) / len(present) if present else None,
        perceived=perception.perceived,
        respondents=perception.respondents,
        reciprocity_gap=_reciprocity_gap(perception.scores),
        reliability_mean=reliability_mean,
        reliability_min=reliability_min,
        bureaucracy_signal=_bureaucracy_signal(
            history, sample, perception.perceived, perceived_before
        ),
        reliability=reliability,
        perceived_before=perceived_before,
        latest_round=history.rounds.latest(sample.window_start, sample.at),
    )


def _reliability(history: PreparedHistory, sample: Sample) -> tuple[PartnerReliability, ...]:
    """Kept and broken commitments due in the window, per active partner, with the
    Beta reputation estimate `(kept + 1) / (kept + broken + 2)`."""
    kept = dict.fromkeys(sample.active, 0)
    broken = dict.fromkeys(sample.active, 0)
    for record in history.commitments.due_between(sample.window_start, sample.at):
        if record.partner_id not in kept:
            continue
        outcome = record.outcome_at(sample.at)
        if outcome is CommitmentStatus.KEPT:
            kept[record.partner_id] += 1
        elif outcome is CommitmentStatus.BROKEN:
            broken[record.partner_id] += 1
    return tuple(
        PartnerReliability(
            partner_id=partner_id,
            kept=kept[partner_id],
            broken=broken[partner_id],
            reliability=(kept[partner_id] + 1) / (kept[partner_id] + broken[partner_id] + 2),
        )
        for partner_id in sample.active
    )


def _reciprocity_gap(scores: dict[Pair, float]) -> float | None:
    """The largest difference between how two partners see each other."""
    gaps = [
        abs(score - scores[(about, respondent)])
        for (respondent, about), score in scores.items()
        if about is not None and respondent < about and (about, respondent) in scores
    ]
    return max(gaps) if gaps else None


def _bureaucracy_signal(
    history: PreparedHistory,
    sample: Sample,
    perceived: float | None,
    perceived_before: float | None,
) -> bool:
    """Much governance while perceived trust fell by 0.10 or more in 180 days."""
    if perceived is None or perceived_before is None:
        return False
    governance = history.decisions.counts(sample.window_start, sample.at)
    governance_share = governance.on_governance / governance.total if governance.total else None
    return at_least(governance_share, BUREAUCRACY_GOVERNANCE_SHARE) and at_least(
        perceived_before - perceived, BUREAUCRACY_DROP
    )
