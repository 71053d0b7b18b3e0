"""The health of a partnership at a moment (METRICS.md gives every formula)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry

from accord.graphql.enums import Classification, Question, ResourceKind, Status
from accord.graphql.types import LeadershipRole, Partner
from accord.projections import health as model
from accord.projections.state.membership import Partner as PartnerState


@strawberry.type(description="One active partner's say, contribution and risk.")
class PartnerPower:
    partner: Partner = strawberry.field(description="The partner.")
    decision_share: float = strawberry.field(
        description="Its share of decision credit in the window (0 if it decided nothing)."
    )
    contribution_share: float | None = strawberry.field(
        description=(
            "Its share of what active partners delivered in the window, averaged over "
            "resource kinds; null when nothing was delivered."
        )
    )
    risk_share: float | None = strawberry.field(
        description=(
            "Its share of the latest agreed risk shares among active partners; null if none."
        )
    )


@strawberry.type(description="Transparent and equitable power distribution.")
class Power:
    decision_count: int = strawberry.field(description="Decisions in the window.")
    equality: float | None = strawberry.field(
        description=(
            "1 minus the normalised Gini coefficient of decision shares (1 = equal say); "
            "null with fewer than 5 decisions or 2 partners."
        )
    )
    equity: float | None = strawberry.field(
        description=(
            "How closely say follows contribution and risk (1 = exactly proportional); "
            "null when equality or contribution is."
        )
    )
    transparency: float | None = strawberry.field(
        description="Share of decisions in the window with a rationale; null without decisions."
    )
    consensus_rate: float | None = strawberry.field(
        description="Share of decisions in the window taken by consensus; null without decisions."
    )
    governance_share: float | None = strawberry.field(
        description="Share of decisions in the window about governance; null without decisions."
    )
    shares: list[PartnerPower] = strawberry.field(
        description="Every active partner's shares, by partner id."
    )


@strawberry.type(description="How reliably a partner keeps its commitments.")
class PartnerReliability:
    partner: Partner = strawberry.field(description="The partner.")
    kept: int = strawberry.field(description="Commitments kept (due in the window).")
    broken: int = strawberry.field(description="Commitments broken (due in the window).")
    reliability: float = strawberry.field(
        description="(kept + 1) / (kept + broken + 2): 0.5 means no evidence yet."
    )


@strawberry.type(
    description="The latest check-in round closed in the window, and how many answered."
)
class LatestCheckInRound:
    round_id: strawberry.ID = strawberry.field(description="The round.")
    closed_at: datetime = strawberry.field(description="When it closed.")
    invited: int = strawberry.field(description="How many people it asked, all partners.")
    answered: int = strawberry.field(description="How many answered.")
    response_rate: float | None = strawberry.field(
        description="answered / invited, a fraction from 0 to 1 (null when nobody was asked)."
    )


@strawberry.type(description="Positive culture and strong relationships.")
class Trust:
    index: float | None = strawberry.field(
        description="Mean of `perceived` and `reliabilityMean` (those not null)."
    )
    perceived: float | None = strawberry.field(
        description=(
            "Mean check-in score over the last 180 days (0..1); null unless at least two "
            "thirds of active partners responded."
        )
    )
    respondents: int = strawberry.field(description="Partners who answered a check-in.")
    reciprocity_gap: float | None = strawberry.field(
        description="The largest difference between two partners' scores of each other."
    )
    reliability_mean: float | None = strawberry.field(
        description="Mean reliability of partners with a kept or broken commitment."
    )
    reliability_min: float | None = strawberry.field(
        description="Lowest reliability of partners with a kept or broken commitment."
    )
    bureaucracy_signal: bool = strawberry.field(
        description=(
            "Governance is half the decisions or more while perceived trust fell by 0.10 "
            "or more in 180 days: process may be compensating for the relationships."
        )
    )
    reliability: list[PartnerReliability] = strawberry.field(
        description="Every active partner's reliability, by partner id."
    )
    latest_round: LatestCheckInRound | None = strawberry.field(
        description=(
            "The latest check-in round closed in the window (at or before asOf), with its "
            "response rate; null when none."
        )
    )


@strawberry.type(description="A figure for one resource kind.")
class KindAmount:
    kind: ResourceKind = strawberry.field(description="The resource kind.")
    value: float = strawberry.field(
        description=(
            "The figure: a ratio for fulfilment, a quantity in the kind's unit for outstanding."
        )
    )


@strawberry.type(description="Adequate resourcing: who is doing the work.")
class Capacity:
    fulfilment: list[KindAmount] = strawberry.field(
        description=(
            "Per kind: delivered / committed over commitments due in the window and not "
            "released by agreement (only kinds with such commitments)."
        )
    )
    outstanding: list[KindAmount] = strawberry.field(
        description="Per kind: what is still to deliver on commitments not yet due."
    )
    vacant_roles: int = strawberry.field(description="Leadership roles vacant now.")
    longest_vacancy_days: float | None = strawberry.field(
        description="Days the longest-vacant role has been vacant; null when none is."
    )
    leadership_changes: int = strawberry.field(
        description="Appointments in the window to a role that had a holder before."
    )
    roles: list[LeadershipRole] = strawberry.field(
        description="Every role appointed by then, with its holder or vacancy, by role."
    )


@strawberry.type(description="Clear and common goals.")
class GoalHealth:
    active_goals: int = strawberry.field(description="Goals set and not retired.")
    coverage: float | None = strawberry.field(
        description=(
            "Mean over active goals of the share of active partners endorsing its current "
            "version; null with no active goal."
        )
    )
    agreement: float | None = strawberry.field(
        description="Mean rwg agreement of endorsement ratings (goals with 3 or more)."
    )
    staleness_days: float | None = strawberry.field(
        description="Days since a goal was last set, revised or reaffirmed."
    )
    revisions: int = strawberry.field(description="Goal revisions in the window.")


@strawberry.type(description="The answer to one of the four questions.")
class HealthAnswer:
    question: Question = strawberry.field(description="The question answered.")
    status: Status = strawberry.field(description="Green, amber, red or insufficient data.")
    evidence: list[str] = strawberry.field(
        description="The figures the status rests on, as sentences."
    )
    prompt: str = strawberry.field(
        description="The question put to the partnership, to open the conversation."
    )


@strawberry.type(description="The four questions of a healthy partnership, answered.")
class HealthCheck:
    classification: Classification = strawberry.field(
        description="What kind of relationship the decision pattern shows."
    )
    answers: list[HealthAnswer] = strawberry.field(description="One per question, in order.")


@strawberry.type(description="A partnership's health at `asOf`, as known at `knownAt`.")
class Health:
    as_of: datetime = strawberry.field(description="The moment described.")
    known_at: datetime = strawberry.field(
        description="What was recorded by this instant is taken into account."
    )
    window_days: int = strawberry.field(
        description="The trailing window, in days, for windowed figures."
    )
    power: Power = strawberry.field(description="Who decides, against who contributes.")
    trust: Trust = strawberry.field(description="Perceived trust and kept commitments.")
    capacity: Capacity = strawberry.field(description="Resources delivered, and leadership.")
    goals: GoalHealth = strawberry.field(description="Agreement on goals.")
    check: HealthCheck = strawberry.field(description="The four questions, answered.")


class _Partners:
    """Partner objects for one health, from the partners it carries."""

    def __init__(self, partners: Mapping[str, PartnerState], as_of: datetime) -> None:
        self._partners = partners
        self._as_of = as_of
        self._made: dict[str, Partner] = {}

    def get(self, partner_id: str) -> Partner:
        made = self._made.get(partner_id)
        if made is None:
            state = self._partners.get(partner_id) or PartnerState(
                id=partner_id, name=partner_id, sector="OTHER", joined_at=self._as_of, left_at=None
            )
            made = self._made[partner_id] = Partner.of(state)
        return made


def _amounts(amounts: tuple[model.KindAmount, ...]) -> list[KindAmount]:
    return [KindAmount(kind=ResourceKind(a.kind), value=a.value) for a in amounts]


def health_of(health: model.Health) -> Health:
    """The API object for a computed health."""
    partners = _Partners(health.partners, health.as_of)
    power, trust, capacity, goals = health.power, health.trust, health.capacity, health.goals
    return Health(
        as_of=health.as_of,
        known_at=health.known_at,
        window_days=health.window_days,
        power=Power(
            decision_count=power.decision_count,
            equality=power.equality,
            equity=power.equity,
            transparency=power.transparency,
            consensus_rate=power.consensus_rate,
            governance_share=power.governance_share,
            shares=[
                PartnerPower(
                    partner=partners.get(share.partner_id),
                    decision_share=share.decision_share,
                    contribution_share=share.contribution_share,
                    risk_share=share.risk_share,
                )
                for share in sorted(power.shares, key=lambda share: share.partner_id)
            ],
        ),
        trust=Trust(
            index=trust.index,
            perceived=trust.perceived,
            respondents=trust.respondents,
            reciprocity_gap=trust.reciprocity_gap,
            reliability_mean=trust.reliability_mean,
            reliability_min=trust.reliability_min,
            bureaucracy_signal=trust.bureaucracy_signal,
            reliability=[
                PartnerReliability(
                    partner=partners.get(entry.partner_id),
                    kept=entry.kept,
                    broken=entry.broken,
                    reliability=entry.reliability,
                )
                for entry in sorted(trust.reliability, key=lambda entry: entry.partner_id)
            ],
            latest_round=LatestCheckInRound(
                round_id=strawberry.ID(trust.latest_round.round_id),
                closed_at=trust.latest_round.closed_at,
                invited=trust.latest_round.invited,
                answered=trust.latest_round.answered,
                response_rate=trust.latest_round.response_rate,
            )
            if trust.latest_round is not None
            else None,
        ),
        capacity=Capacity(
            fulfilment=_amounts(capacity.fulfilment),
            outstanding=_amounts(capacity.outstanding),
            vacant_roles=capacity.vacant_roles,
            longest_vacancy_days=capacity.longest_vacancy_days,
            leadership_changes=capacity.leadership_changes,
            roles=[
                LeadershipRole(
                    role=role.role,
                    partner=None if role.partner_id is None else partners.get(role.partner_id),
                    person=role.person,
                    since=role.since,
                    vacant=role.vacant,
                )
                for role in sorted(capacity.roles, key=lambda role: role.role)
            ],
        ),
        goals=GoalHealth(
            active_goals=goals.active_goals,
            coverage=goals.coverage,
            agreement=goals.agreement,
            staleness_days=goals.staleness_days,
            revisions=goals.revisions,
        ),
        check=HealthCheck(
            classification=Classification(health.check.classification.value),
            answers=[
                HealthAnswer(
                    question=Question(answer.question.value),
                    status=Status(answer.status.value),
                    evidence=list(answer.evidence),
                    prompt=answer.prompt,
                )
                for answer in health.check.answers
            ],
        ),
    )
