"""The health check: classification and the four answers, with thresholds judged at
nine decimal places and nulls that never trigger RED."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from accord.projections.health import (
    Capacity,
    Classification,
    GoalHealth,
    KindAmount,
    PartnerPower,
    Power,
    Question,
    Status,
    Trust,
    check,
)
from accord.projections.health.health_check import (
    classify,
    common_goals_status,
    true_partnership_status,
    trust_status,
    work_status,
)
from accord.projections.state import LeadershipRole

SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def _power(lead: float = 0.5, funding: float | None = 0.5, **figures: object) -> Power:
    power = Power(
        decision_count=10,
        equality=0.8,
        equity=0.8,
        transparency=1.0,
        consensus_rate=0.5,
        governance_share=0.1,
        shares=(
            PartnerPower("a", lead, 0.5, None, funding),
            PartnerPower("b", 1 - lead, 0.5, None, None if funding is None else 1 - funding),
        ),
    )
    return replace(power, **figures)  # type: ignore[arg-type]


def _goals(**figures: object) -> GoalHealth:
    goals = GoalHealth(
        active_goals=2, coverage=1.0, agreement=0.9, staleness_days=30.0, revisions=0
    )
    return replace(goals, **figures)  # type: ignore[arg-type]


def _trust(**figures: object) -> Trust:
    trust = Trust(
        index=0.8,
        perceived=0.8,
        respondents=3,
        reciprocity_gap=0.1,
        reliability_mean=0.8,
        reliability_min=0.8,
        bureaucracy_signal=False,
        reliability=(),
    )
    return replace(trust, **figures)  # type: ignore[arg-type]


def _capacity(*fulfilment: float, **figures: object) -> Capacity:
    capacity = Capacity(
        fulfilment=tuple(
            KindAmount(kind, value)
            for kind, value in zip(("FUNDING", "STAFF"), fulfilment, strict=False)
        ),
        outstanding=(),
        vacant_roles=0,
        longest_vacancy_days=None,
        leadership_changes=0,
        roles=(LeadershipRole("Chair", "a", "Ann", SINCE, False),),
    )
    return replace(capacity, **figures)  # type: ignore[arg-type]


def test_a_partner_with_four_fifths_of_the_decision_rights_and_funding_is_a_client() -> None:
    assert classify(_power(lead=0.8, funding=0.8)) is Classification.CLIENT_SUPPLIER


def test_a_dominant_partner_that_does_not_fund_makes_it_advisory() -> None:
    assert classify(_power(lead=0.8, funding=0.7)) is Classification.ADVISORY
    assert classify(_power(lead=0.8, funding=None)) is Classification.ADVISORY


def test_a_share_a_hair_under_the_threshold_counts_as_reaching_it() -> None:
    assert classify(_power(lead=0.7999999999999, funding=0.7999999999999)) is (
        Classification.CLIENT_SUPPLIER
    )
    assert classify(_power(lead=0.7999999, funding=0.9)) is Classification.PARTNERSHIP


def test_without_equality_the_classification_is_insufficient_data() -> None:
    power = _power(lead=1.0, funding=1.0, equality=None)
    assert classify(power) is Classification.INSUFFICIENT_DATA
    assert true_partnership_status(power, classify(power)) is Status.INSUFFICIENT_DATA


def test_true_partnership_is_red_for_a_client_supplier_or_advisory_pattern() -> None:
    power = _power(lead=0.9, funding=0.2)
    assert true_partnership_status(power, classify(power)) is Status.RED


def test_true_partnership_is_green_with_transparency_and_equity() -> None:
    power = _power(transparency=0.8999999999999, equity=0.7499999999999)
    assert true_partnership_status(power, classify(power)) is Status.GREEN
    power = _power(transparency=0.8999999, equity=0.8)
    assert true_partnership_status(power, classify(power)) is Status.AMBER
    power = _power(equity=0.74)
    assert true_partnership_status(power, classify(power)) is Status.AMBER


def test_without_equity_equality_decides_whether_true_partnership_is_green() -> None:
    power = _power(equity=None, equality=0.6)
    assert true_partnership_status(power, classify(power)) is Status.GREEN
    power = _power(equity=None, equality=0.59)
    assert true_partnership_status(power, classify(power)) is Status.AMBER


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        ({}, Status.GREEN),
        ({"active_goals": 0, "coverage": None}, Status.INSUFFICIENT_DATA),
        ({"coverage": 0.7499999999999}, Status.AMBER),
        ({"coverage": 0.7499999}, Status.RED),
        ({"coverage": 0.9999999999999}, Status.GREEN),
        ({"agreement": 0.4999999}, Status.RED),
        ({"agreement": 0.69}, Status.AMBER),
        ({"agreement": None}, Status.GREEN),
        ({"staleness_days": 548.0}, Status.AMBER),
        ({"staleness_days": 548.001}, Status.RED),
        ({"staleness_days": 365.0}, Status.GREEN),
        ({"staleness_days": 365.0000001}, Status.AMBER),
        ({"revisions": 4}, Status.GREEN),
        ({"revisions": 5}, Status.RED),
        ({"coverage": None}, Status.AMBER),
    ],
)
def test_common_goals_status(figures: dict[str, object], status: Status) -> None:
    assert common_goals_status(_goals(**figures)) is status


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        ({}, Status.GREEN),
        ({"perceived": None, "reliability_mean": None}, Status.INSUFFICIENT_DATA),
        ({"perceived": None}, Status.GREEN),
        ({"reliability_mean": None, "reliability_min": None}, Status.GREEN),
        ({"perceived": 0.4999999}, Status.RED),
        ({"perceived": 0.4999999999999}, Status.AMBER),
        ({"reliability_min": 0.49}, Status.RED),
        ({"bureaucracy_signal": True}, Status.RED),
        ({"reliability_min": 0.7499999999999}, Status.GREEN),
        ({"reliability_min": 0.74}, Status.AMBER),
        ({"reciprocity_gap": 0.25}, Status.AMBER),
        ({"reciprocity_gap": 0.2499999999999}, Status.AMBER),
        ({"reciprocity_gap": 0.2499999}, Status.GREEN),
        ({"reciprocity_gap": None}, Status.GREEN),
    ],
)
def test_trust_status(figures: dict[str, object], status: Status) -> None:
    assert trust_status(_trust(**figures)) is status


@pytest.mark.parametrize(
    ("fulfilment", "figures", "status"),
    [
        ((0.95, 1.0), {}, Status.GREEN),
        ((), {"roles": ()}, Status.INSUFFICIENT_DATA),
        ((), {}, Status.GREEN),
        ((0.8999999999999,), {}, Status.GREEN),
        ((0.8999999,), {}, Status.AMBER),
        ((0.7499999999999,), {}, Status.AMBER),
        ((0.7499999,), {}, Status.RED),
        ((1.0,), {"vacant_roles": 1, "longest_vacancy_days": 90.0}, Status.AMBER),
        ((1.0,), {"vacant_roles": 1, "longest_vacancy_days": 90.0001}, Status.RED),
        ((1.0,), {"leadership_changes": 1}, Status.AMBER),
        ((1.0,), {"leadership_changes": 2}, Status.RED),
    ],
)
def test_who_does_the_work_status(
    fulfilment: tuple[float, ...], figures: dict[str, object], status: Status
) -> None:
    assert work_status(_capacity(*fulfilment, **figures)) is status


def test_answers_come_in_question_order_with_evidence_and_the_question_as_prompt() -> None:
    result = check(_power(), _trust(), _capacity(1.0), _goals(), 365)
    assert [answer.question for answer in result.answers] == list(Question)
    assert result.classification is Classification.PARTNERSHIP
    questions = {
        Question.TRUE_PARTNERSHIP: "Is this a true partnership?",
        Question.COMMON_GOALS: "What are your common goals?",
        Question.TRUST: "Where is the trust?",
        Question.WHO_DOES_THE_WORK: "Who is doing the work?",
    }
    for answer in result.answers:
        assert answer.prompt.startswith(questions[answer.question])
        assert answer.evidence
        assert all(sentence.endswith(".") for sentence in answer.evidence)


def test_evidence_quotes_the_figures() -> None:
    result = check(
        _power(equality=0.7689), _trust(perceived=0.84375), _capacity(0.5676), _goals(), 365
    )
    evidence = {answer.question: " ".join(answer.evidence) for answer in result.answers}
    assert "0.77" in evidence[Question.TRUE_PARTNERSHIP]
    assert "0.84" in evidence[Question.TRUST]
    assert "57%" in evidence[Question.WHO_DOES_THE_WORK]
    assert "last 365 days" in evidence[Question.COMMON_GOALS]
