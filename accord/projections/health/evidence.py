"""The evidence for each answer of the health check: plain sentences quoting the
figures the status rests on."""

from __future__ import annotations

from collections.abc import Mapping

from accord.projections.health.model import (
    Capacity,
    Classification,
    GoalHealth,
    Power,
    RoundResponse,
    Trust,
)
from accord.projections.state.commitment_ledger import UNITS
from accord.projections.wording import KIND_WORDS, amount, calendar_day, count, figure, percent


def _name(partner_id: str, names: Mapping[str, str]) -> str:
    name = names.get(partner_id)
    return f"{name} ({partner_id})" if name else partner_id


def true_partnership(
    power: Power, classification: Classification, window_days: int, names: Mapping[str, str]
) -> list[str]:
    sentences = [
        f"{count(power.decision_count, 'decision')} recorded in the last {window_days} days."
    ]
    if power.equality is None:
        sentences.append(
            "Equality of decision rights needs at least 5 decisions in the window, "
            "taken by at least 2 active partners."
        )
        return sentences
    sentences.append(
        f"Equality of decision rights is {figure(power.equality)} "
        "(1.00 = every active partner holds an equal share)."
    )
    leader = max(power.shares, key=lambda share: share.decision_share)
    sentences.append(
        f"{_name(leader.partner_id, names)} holds the largest decision share, "
        f"{figure(leader.decision_share)}."
    )
    if power.equity is None:
        sentences.append(
            "Equity cannot be judged: no active partner delivered resources in the window."
        )
    else:
        sentences.append(
            f"Equity is {figure(power.equity)} (1.00 = each partner's say in decisions "
            "matches what it contributes and risks)."
        )
    if power.transparency is not None:
        sentences.append(
            f"{percent(power.transparency)} of the decisions recorded a rationale "
            f"(transparency {figure(power.transparency)})."
        )
    if classification is Classification.CLIENT_SUPPLIER:
        sentences.append(
            f"{_name(leader.partner_id, names)} takes most decisions and delivered "
            f"{figure(leader.funding_share or 0.0)} of the funding: this works as client and "
            "supplier rather than as a partnership."
        )
    elif classification is Classification.ADVISORY:
        sentences.append(
            f"{_name(leader.partner_id, names)} takes most decisions without providing "
            "most of the funding: the others act as advisers rather than partners."
        )
    else:
        sentences.append("No single partner dominates the decisions.")
    return sentences


def common_goals(goals: GoalHealth, window_days: int) -> list[str]:
    if goals.active_goals == 0:
        return ["No goal is active."]
    sentences = [f"{count(goals.active_goals, 'goal')} active."]
    if goals.coverage is not None:
        sentences.append(
            f"Coverage is {figure(goals.coverage)}: on average {percent(goals.coverage)} of "
            "active partners endorse each goal as it now stands."
        )
    if goals.agreement is None:
        sentences.append("Agreement needs ratings from at least 3 partners on a goal.")
    else:
        sentences.append(
            f"Agreement between partners' ratings of the goals is {figure(goals.agreement)}."
        )
    if goals.staleness_days is not None:
        sentences.append(
            f"The goals were last set, revised or reaffirmed {goals.staleness_days:.0f} days ago."
        )
    sentences.append(
        f"Goals were revised {count(goals.revisions, 'time')} in the last {window_days} days."
        if goals.revisions
        else f"No goal was revised in the last {window_days} days."
    )
    return sentences


def trust(trust: Trust, names: Mapping[str, str]) -> list[str]:
    sentences: list[str] = []
    if trust.perceived is None:
        sentences.append(
            f"Perceived trust needs recent check-ins from two thirds of the active partners; "
            f"{count(trust.respondents, 'partner')} responded in the last 180 days."
        )
    else:
        sentences.append(
            f"Perceived trust is {figure(trust.perceived)} from "
            f"{count(trust.respondents, 'respondent')} in the last 180 days."
        )
    if trust.latest_round is not None:
        sentences.append(latest_round(trust.latest_round))
    if trust.reliability_mean is None or trust.reliability_min is None:
        sentences.append("No commitment has been kept or broken yet in the window.")
    else:
        weakest = min(
            (entry for entry in trust.reliability if entry.kept + entry.broken),
            key=lambda entry: entry.reliability,
            default=None,
        )
        lowest = f"the lowest is {figure(trust.reliability_min)}"
        if weakest is not None:
            lowest = (
                f"the lowest is {_name(weakest.partner_id, names)}, at "
                f"{figure(trust.reliability_min)} with {weakest.kept} kept and "
                f"{weakest.broken} broken"
            )
        sentences.append(
            "Reliability in keeping commitments averages "
            f"{figure(trust.reliability_mean)}; {lowest}."
        )
    if trust.reciprocity_gap is not None:
        sentences.append(
            "The largest gap between how two partners see each other is "
            f"{figure(trust.reciprocity_gap)}."
        )
    if trust.bureaucracy_signal and trust.perceived is not None:
        before = trust.perceived_before if trust.perceived_before is not None else 0.0
        sentences.append(
            f"Perceived trust fell from {figure(before)} to {figure(trust.perceived)} in 180 "
            "days while half or more of the decisions were about governance: process may be "
            "standing in for relationships."
        )
    return sentences


def latest_round(response: RoundResponse) -> str:
    """`Latest check-in round (closed 5 Mar 2026): answered by 14 of 20 invited, 70%.`"""
    rate = "" if response.response_rate is None else f", {percent(response.response_rate)}"
    return (
        f"Latest check-in round (closed {calendar_day(response.closed_at)}): answered by "
        f"{response.answered} of {response.invited} invited{rate}."
    )


def work(capacity: Capacity, window_days: int) -> list[str]:
    sentences: list[str] = []
    if not capacity.fulfilment:
        sentences.append(f"No commitment fell due in the last {window_days} days.")
    for entry in capacity.fulfilment:
        sentences.append(
            f"Commitments of {KIND_WORDS.get(entry.kind, entry.kind)} due in the last "
            f"{window_days} days are {percent(entry.value)} fulfilled ({figure(entry.value)})."
        )
    if capacity.outstanding:
        still_owed = ", ".join(
            f"{amount(entry.value, UNITS.get(entry.kind, ''))} of "
            f"{KIND_WORDS.get(entry.kind, entry.kind)}"
            for entry in capacity.outstanding
        )
        sentences.append(f"Still to come from commitments not yet due: {still_owed}.")
    if not capacity.roles:
        sentences.append("No leadership role has been appointed.")
    elif capacity.vacant_roles == 0:
        filled = len(capacity.roles)
        sentences.append(
            f"All {filled} leadership roles are filled."
            if filled > 1
            else "The one leadership role is filled."
        )
    else:
        longest = capacity.longest_vacancy_days or 0.0
        sentences.append(
            f"{capacity.vacant_roles} of {count(len(capacity.roles), 'leadership role')} "
            f"vacant, the longest for {longest:.0f} days."
        )
    sentences.append(
        f"{count(capacity.leadership_changes, 'leadership change')} in the last {window_days} days."
    )
    return sentences
