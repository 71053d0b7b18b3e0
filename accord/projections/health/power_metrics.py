"""Power: transparent and equitable power distribution (METRICS.md, Power).

Decision shares come from decisions in the window, contribution shares from
deliveries in the window, risk shares from the latest agreement; all are over the
partners active at the sample instant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from accord.projections.health.model import PartnerPower, Power
from accord.projections.health.prepared import PreparedHistory, Sample
from accord.projections.state.commitment_ledger import KINDS

MIN_DECISIONS = 5
"""Equality needs at least this many decisions in the window."""


@dataclass(frozen=True, slots=True)
class Contributions:
    """Each active partner's contribution share and its FUNDING term."""

    shares: dict[str, float]
    funding: dict[str, float] | None


def power(history: PreparedHistory, sample: Sample) -> Power:
    """Decision, contribution and risk shares of the active partners, and the
    equality, equity, transparency, consensus and governance figures."""
    counts = history.decisions.counts(sample.window_start, sample.at)
    credits = {
        partner_id: history.decisions.credit(partner_id, sample.window_start, sample.at)
        for partner_id in sample.active
    }
    total_credit = sum(credits.values())
    decision_shares = {
        partner_id: credit / total_credit if total_credit else 0.0
        for partner_id, credit in credits.items()
    }
    equality = (
        None
        if counts.total < MIN_DECISIONS or len(sample.active) < 2 or total_credit == 0
        else _equality(list(credits.values()), total_credit)
    )
    contributions = _contributions(history, sample)
    risks = _risk_shares(history, sample)
    equity = (
        None
        if equality is None or contributions is None
        else _equity(decision_shares, contributions.shares, risks)
    )

    def share_of_decisions(count: int) -> float | None:
        return count / counts.total if counts.total else None

    return Power(
        decision_count=counts.total,
        equality=equality,
        equity=equity,
        transparency=share_of_decisions(counts.with_rationale),
        consensus_rate=share_of_decisions(counts.by_consensus),
        governance_share=share_of_decisions(counts.on_governance),
        shares=tuple(
            PartnerPower(
                partner_id=partner_id,
                decision_share=decision_shares[partner_id],
                contribution_share=contributions.shares[partner_id] if contributions else None,
                risk_share=risks[partner_id] if risks else None,
                funding_share=(
                    contributions.funding[partner_id]
                    if contributions and contributions.funding
                    else None
                ),
            )
            for partner_id in sample.active
        ),
    )


def _equality(credits: Sequence[int], total: int) -> float:
    """`1 - G*`, G* = sum_i sum_j |p_i - p_j| / (2 (n - 1)), computed exactly.

    With credits sorted ascending, sum_i sum_j |c_i - c_j| = 2 sum_k (2k - n + 1) c_k,
    so G* = sum_k (2k - n + 1) c_k / (total (n - 1)): one integer division.
    """
    n = len(credits)
    spread = sum((2 * k - n + 1) * credit for k, credit in enumerate(sorted(credits)))
    scale = total * (n - 1)
    return (scale - spread) / scale


def _contributions(history: PreparedHistory, sample: Sample) -> Contributions | None:
    """Mean over kinds delivered in the window of each partner's share of that kind;
    None when no active partner delivered anything in the window."""
    ledger = history.commitments
    per_kind: dict[str, tuple[dict[str, int], int]] = {}
    for kind in KINDS:
        delivered: dict[str, int] = {}
        for partner_id in sample.active:
            track = ledger.delivery_track(partner_id, kind)
            delivered[partner_id] = (
                track.units_between(sample.window_start, sample.at) if track else 0
            )
        kind_total = sum(delivered.values())
        if kind_total > 0:
            per_kind[kind] = (delivered, kind_total)
    if not per_kind:
        return None
    shares = {
        partner_id: math.fsum(
            delivered[partner_id] / kind_total for delivered, kind_total in per_kind.values()
        )
        / len(per_kind)
        for partner_id in sample.active
    }
    funding = None
    if "FUNDING" in per_kind:
        delivered, kind_total = per_kind["FUNDING"]
        funding = {partner_id: delivered[partner_id] / kind_total for partner_id in sample.active}
    return Contributions(shares=shares, funding=funding)


def _risk_shares(history: PreparedHistory, sample: Sample) -> dict[str, float] | None:
    """The latest agreed shares, restricted to active partners and renormalised."""
    agreed = history.risk_shares.latest(sample.at)
    if agreed is None:
        return None
    shares = {partner_id: agreed.get(partner_id, 0.0) for partner_id in sample.active}
    total = math.fsum(shares.values())
    if total == 0:
        return None
    return {partner_id: share / total for partner_id, share in shares.items()}


def _equity(
    decision_shares: Mapping[str, float],
    contribution_shares: Mapping[str, float],
    risk_shares: Mapping[str, float] | None,
) -> float:
    """`1 - 0.5 * sum_i |p_i - q_i|`, q_i = (c_i + r_i) / 2, or c_i without risk shares."""
    gaps = []
    for partner_id, decision_share in decision_shares.items():
        owed = contribution_shares[partner_id]
        if risk_shares is not None:
            owed = (owed + risk_shares[partner_id]) / 2
        gaps.append(abs(decision_share - owed))
    return 1 - 0.5 * math.fsum(gaps)
