"""`health_to_json` gives exactly the JSON of API.md's `health` field."""

from __future__ import annotations

from datetime import timedelta

from accord.domain.instants import format_instant
from accord.projections.health import health_to_json
from tests.unit.history_builder import KNOWN, HistoryBuilder, day, read


def _history() -> HistoryBuilder:
    history = HistoryBuilder(("b", "a", "c"))
    history.commit("c1", "c", "IN_KIND", 5, day(10), day(1))
    history.commit("c2", "a", "FUNDING", 500, day(10), day(1))
    history.deliver("c2", 500, day(2))
    history.appoint("Treasurer", "b", "Tom", day(1))
    history.appoint("Chair", "a", "Ann", day(1) + timedelta(seconds=0.5))
    history.depart("Treasurer", day(5))
    return history


def test_every_field_is_given_under_its_api_name() -> None:
    reading = health_to_json(read(_history(), day(20), 200))
    assert list(reading) == [
        "asOf", "knownAt", "windowDays", "power", "trust", "capacity", "goals", "check"
    ]  # fmt: skip
    assert list(reading["power"]) == [
        "decisionCount", "equality", "equity", "transparency", "consensusRate",
        "governanceShare", "shares",
    ]  # fmt: skip
    assert list(reading["power"]["shares"][0]) == [
        "partner", "decisionShare", "contributionShare", "riskShare"
    ]  # fmt: skip
    assert list(reading["trust"]) == [
        "index", "perceived", "respondents", "reciprocityGap", "reliabilityMean",
        "reliabilityMin", "bureaucracySignal", "reliability", "latestRound",
    ]  # fmt: skip
    assert list(reading["trust"]["reliability"][0]) == [
        "partner", "kept", "broken", "reliability"
    ]  # fmt: skip
    assert list(reading["capacity"]) == [
        "fulfilment", "outstanding", "vacantRoles", "longestVacancyDays",
        "leadershipChanges", "roles",
    ]  # fmt: skip
    assert list(reading["capacity"]["roles"][0]) == [
        "role", "partner", "person", "since", "vacant"
    ]  # fmt: skip
    assert list(reading["goals"]) == [
        "activeGoals", "coverage", "agreement", "stalenessDays", "revisions"
    ]  # fmt: skip
    assert list(reading["check"]) == ["classification", "answers"]
    assert list(reading["check"]["answers"][0]) == ["question", "status", "evidence", "prompt"]


def test_instants_are_api_datetimes_and_the_window_is_echoed() -> None:
    reading = health_to_json(read(_history(), day(20), 200))
    assert reading["asOf"] == "2024-01-21T09:00:00+00:00"
    assert reading["knownAt"] == format_instant(KNOWN)
    assert reading["windowDays"] == 200
    assert reading["capacity"]["roles"][0]["since"] == "2024-01-02T09:00:00.500000+00:00"


def test_partners_are_given_by_id_in_id_order_and_roles_in_role_order() -> None:
    reading = health_to_json(read(_history(), day(20)))
    assert [share["partner"] for share in reading["power"]["shares"]] == [
        {"id": "a"},
        {"id": "b"},
        {"id": "c"},
    ]
    assert [entry["partner"]["id"] for entry in reading["trust"]["reliability"]] == ["a", "b", "c"]
    assert reading["capacity"]["roles"] == [
        {
            "role": "Chair",
            "partner": {"id": "a"},
            "person": "Ann",
            "since": "2024-01-02T09:00:00.500000+00:00",
            "vacant": False,
        },
        {
            "role": "Treasurer",
            "partner": None,
            "person": None,
            "since": "2024-01-06T09:00:00+00:00",
            "vacant": True,
        },
    ]


def test_per_kind_lists_hold_only_kinds_with_a_value_in_api_order() -> None:
    reading = health_to_json(read(_history(), day(20)))
    assert reading["capacity"]["fulfilment"] == [
        {"kind": "FUNDING", "value": 1.0},
        {"kind": "IN_KIND", "value": 0.0},
    ]
    assert reading["capacity"]["outstanding"] == []


def test_enums_are_their_names_and_answers_follow_the_question_enum() -> None:
    reading = health_to_json(read(_history(), day(20)))
    assert reading["check"]["classification"] == "INSUFFICIENT_DATA"
    assert [answer["question"] for answer in reading["check"]["answers"]] == [
        "TRUE_PARTNERSHIP",
        "COMMON_GOALS",
        "TRUST",
        "WHO_DOES_THE_WORK",
    ]
    assert all(type(answer["status"]) is str for answer in reading["check"]["answers"])


def test_the_health_names_every_partner_it_refers_to() -> None:
    history = _history()
    history.leave("a", day(3))
    reading = read(history, day(20))
    assert sorted(reading.partners) == ["a", "b", "c"]
    assert reading.partners["a"].left_at == day(3)
    assert reading.partners["b"].left_at is None
