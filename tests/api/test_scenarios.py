"""The shared scenarios, replayed through the mutations over HTTP, read back through the API.

Each steps file is recorded as a client would: phase 1, note k1, phase 2 (backdated
decisions and retractions), note k2. Every figure of every probe must equal the API's
health within 1e-9; series, timeline, history and decisions are checked against the
recorded steps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from accord.domain.instants import format_instant, parse_instant
from tests.api.server import ApiServer, start_server
from tests.support.operations import HEALTH_FIELDS, HEALTH_QUERY
from tests.support.probes import Probe, check_probes, load_probes
from tests.support.scenarios import SCENARIO_NAMES, Replayed, replay_over_api

LANES = {
    "formPartnership": "PARTNERS",
    "joinPartner": "PARTNERS",
    "recordPartnerLeaving": "PARTNERS",
    "agreeRiskShares": "PARTNERS",
    "setGoal": "GOALS",
    "reviseGoal": "GOALS",
    "endorseGoal": "GOALS",
    "reaffirmGoal": "GOALS",
    "retireGoal": "GOALS",
    "recordDecision": "DECISIONS",
    "makeCommitment": "COMMITMENTS",
    "recordDelivery": "COMMITMENTS",
    "releaseCommitment": "COMMITMENTS",
    "appointLeader": "LEADERSHIP",
    "recordLeaderDeparture": "LEADERSHIP",
    "recordTrustCheckIn": "TRUST",
}


@pytest.fixture(scope="module")
def scenarios(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ApiServer, dict[str, Replayed]]]:
    database = tmp_path_factory.mktemp("scenarios") / "accord.db"
    api = start_server(f"sqlite:///{database}")
    try:
        yield api, {name: replay_over_api(api, name) for name in SCENARIO_NAMES}
    finally:
        api.stop()


SERIES_QUERY = f"""
query Series($id: ID!, $from: DateTime!, $to: DateTime!, $interval: Interval!,
             $knownAt: DateTime, $windowDays: Int) {{
  partnership(id: $id) {{
    healthSeries(from: $from, to: $to, interval: $interval, knownAt: $knownAt,
                 windowDays: $windowDays) {{ {HEALTH_FIELDS} }}
  }}
}}"""


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_every_probe_matches_the_api_health(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]

    def read(probe: Probe) -> Any:
        return api.data(
            HEALTH_QUERY,
            {
                "id": replayed.partnership_id,
                "asOf": probe.as_of,
                "knownAt": replayed.known_at[probe.known_phase],
                "windowDays": probe.window_days,
            },
        )["partnership"]["health"]

    for probe, health in check_probes(name, read):
        assert health["asOf"] == format_instant(parse_instant(probe.as_of))
        assert health["windowDays"] == probe.window_days
        assert [answer["question"] for answer in health["check"]["answers"]] == [
            "TRUE_PARTNERSHIP",
            "COMMON_GOALS",
            "TRUST",
            "WHO_DOES_THE_WORK",
        ]
        for answer in health["check"]["answers"]:
            assert answer["prompt"] and answer["evidence"]


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_a_health_series_samples_the_same_figures_as_single_healths(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]
    probes = load_probes(name)
    probe = probes[len(probes) // 2]
    start = parse_instant(probe.as_of)
    known_at = replayed.known_at[probe.known_phase]
    series = api.data(
        SERIES_QUERY,
        {
            "id": replayed.partnership_id,
            "from": probe.as_of,
            "to": format_instant(start + timedelta(days=14)),
            "interval": "WEEK",
            "knownAt": known_at,
            "windowDays": probe.window_days,
        },
    )["partnership"]["healthSeries"]
    assert [sample["asOf"] for sample in series] == [
        format_instant(start + timedelta(days=7 * i)) for i in range(3)
    ]
    assert not probe.mismatches(series[0])
    for sample in series[1:]:
        single = api.data(
            HEALTH_QUERY,
            {
                "id": replayed.partnership_id,
                "asOf": sample["asOf"],
                "knownAt": known_at,
                "windowDays": probe.window_days,
            },
        )["partnership"]["health"]
        assert sample == single


def test_monthly_samples_keep_the_day_of_month_clamped(
    scenarios: tuple[ApiServer, dict[str, Replayed]],
) -> None:
    api, replayed = scenarios[0], scenarios[1][SCENARIO_NAMES[0]]
    series = api.data(
        SERIES_QUERY.replace(HEALTH_FIELDS, "asOf goals { activeGoals }"),
        {
            "id": replayed.partnership_id,
            "from": "2024-01-31",
            "to": "2024-05-30",
            "interval": "MONTH",
        },
    )["partnership"]["healthSeries"]
    assert [sample["asOf"] for sample in series] == [
        "2024-01-31T00:00:00+00:00",
        "2024-02-29T00:00:00+00:00",
        "2024-03-31T00:00:00+00:00",
        "2024-04-30T00:00:00+00:00",
    ]


TIMELINE_QUERY = """
query Timeline($id: ID!, $knownAt: DateTime, $from: DateTime, $to: DateTime, $types: [EventType!]) {
  partnership(id: $id) {
    timeline(knownAt: $knownAt, from: $from, to: $to, types: $types) {
      groups { id content }
      items { id group content start end type className title eventId }
    }
  }
}"""


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_the_timeline_shows_every_recorded_step_in_its_lane(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]
    retracted_steps = {step["eventRef"] for step in replayed.steps if "eventRef" in step}
    for phase in (1, 2):
        timeline = api.data(
            TIMELINE_QUERY, {"id": replayed.partnership_id, "knownAt": replayed.known_at[phase]}
        )["partnership"]["timeline"]
        assert [group["id"] for group in timeline["groups"]] == [
            "GOALS",
            "DECISIONS",
            "COMMITMENTS",
            "LEADERSHIP",
            "PARTNERS",
            "TRUST",
        ]
        shown = {
            index
            for index in replayed.steps_known_at(phase)
            if replayed.steps[index]["mutation"] in LANES
        }
        items = {item["eventId"]: item for item in timeline["items"]}
        assert set(items) == {replayed.events[index]["id"] for index in shown}
        for index in shown:
            item = items[replayed.events[index]["id"]]
            mutation = replayed.steps[index]["mutation"]
            assert item["group"] == LANES[mutation]
            assert item["start"] == replayed.events[index]["occurredAt"]
            is_range = mutation in ("makeCommitment", "appointLeader")
            assert item["type"] == ("range" if is_range else "point")
            if is_range:
                assert parse_instant(item["end"]) >= parse_instant(item["start"])
            else:
                assert item["end"] is None
            retracted = phase == 2 and index in retracted_steps
            assert ("retracted" in item["className"].split()) == retracted, item
        starts = [parse_instant(item["start"]) for item in timeline["items"]]
        assert starts == sorted(starts)


def test_the_timeline_filters_by_type_and_span(
    scenarios: tuple[ApiServer, dict[str, Replayed]],
) -> None:
    api, replayed = scenarios[0], scenarios[1][SCENARIO_NAMES[0]]
    items = api.data(
        TIMELINE_QUERY,
        {
            "id": replayed.partnership_id,
            "types": ["DECISION_RECORDED"],
            "from": "2024-01-01",
            "to": "2024-06-30",
        },
    )["partnership"]["timeline"]["items"]
    expected = {
        replayed.events[i]["id"]
        for i, step in enumerate(replayed.steps)
        if step["mutation"] == "recordDecision"
        and parse_instant("2024-01-01")
        <= replayed.occurred(i)
        <= parse_instant("2024-06-30", end_of_day=True)
    }
    assert expected
    assert {item["eventId"] for item in items} == expected


HISTORY_QUERY = """
query History($id: ID!, $first: Int, $after: String, $types: [EventType!], $from: DateTime,
              $to: DateTime, $knownAt: DateTime) {
  partnership(id: $id) {
    history(first: $first, after: $after, types: $types, from: $from, to: $to, knownAt: $knownAt) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id position occurredAt type retracted } }
    }
  }
}"""


def all_pages(
    api: ApiServer, query: str, field: str, variables: dict[str, Any], size: int
) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        page = api.data(query, {**variables, "first": size, "after": after})["partnership"][field]
        pages += 1
        nodes.extend(edge["node"] for edge in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes, pages
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_history_pages_through_every_event_in_occurrence_order(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]
    nodes, pages = all_pages(api, HISTORY_QUERY, "history", {"id": replayed.partnership_id}, 37)
    assert pages == -(-len(replayed.steps) // 37)
    assert len(nodes) == len(replayed.steps)
    expected = sorted(range(len(replayed.steps)), key=lambda i: (replayed.occurred(i), i))
    assert [node["id"] for node in nodes] == [replayed.events[i]["id"] for i in expected]
    retracted = {
        replayed.events[step["eventRef"]]["id"] for step in replayed.steps if "eventRef" in step
    }
    assert {node["id"] for node in nodes if node["retracted"]} == retracted

    at_k1, _ = all_pages(
        api,
        HISTORY_QUERY,
        "history",
        {"id": replayed.partnership_id, "knownAt": replayed.known_at[1]},
        500,
    )
    assert {node["id"] for node in at_k1} == {
        replayed.events[i]["id"] for i in replayed.steps_known_at(1)
    }
    assert not any(node["retracted"] for node in at_k1)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_history_filters_by_type_and_occurrence(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]
    counts = Counter(step["mutation"] for step in replayed.steps)
    page = api.data(
        HISTORY_QUERY,
        {"id": replayed.partnership_id, "types": ["COMMITMENT_DELIVERED", "ENTRY_RETRACTED"]},
    )["partnership"]["history"]
    assert page["totalCount"] == counts["recordDelivery"] + counts["retractEntry"]
    assert {edge["node"]["type"] for edge in page["edges"]} == {
        "COMMITMENT_DELIVERED",
        "ENTRY_RETRACTED",
    }
    start, end = "2024-03-01", "2024-03-31"
    page = api.data(
        HISTORY_QUERY, {"id": replayed.partnership_id, "from": start, "to": end, "first": 500}
    )["partnership"]["history"]
    low, high = parse_instant(start), parse_instant(end, end_of_day=True)
    expected = {
        replayed.events[i]["id"]
        for i in range(len(replayed.steps))
        if low <= replayed.occurred(i) <= high
    }
    assert expected
    assert {edge["node"]["id"] for edge in page["edges"]} == expected


DECISIONS_QUERY = """
query Decisions($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime,
                $category: DecisionCategory, $partnerId: ID, $knownAt: DateTime) {
  partnership(id: $id) {
    decisions(first: $first, after: $after, from: $from, to: $to, category: $category,
              partnerId: $partnerId, knownAt: $knownAt) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node {
        id title category significance method rationale occurredAt recordedAt recordedBy
        retracted eventId
        decidedBy { id name sector } consulted { id } dissentedBy { id }
      } }
    }
  }
}"""


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_decisions_match_the_recorded_decisions(
    scenarios: tuple[ApiServer, dict[str, Replayed]], name: str
) -> None:
    api, replayed = scenarios[0], scenarios[1][name]
    decisions = [i for i, step in enumerate(replayed.steps) if step["mutation"] == "recordDecision"]
    nodes, _ = all_pages(api, DECISIONS_QUERY, "decisions", {"id": replayed.partnership_id}, 13)
    ordered = sorted(decisions, key=lambda i: (replayed.occurred(i), i))
    assert [node["eventId"] for node in nodes] == [replayed.events[i]["id"] for i in ordered]
    retracted = {
        replayed.events[step["eventRef"]]["id"] for step in replayed.steps if "eventRef" in step
    }
    for node, index in zip(nodes, ordered, strict=True):
        given = replayed.steps[index]["input"]
        assert node["id"] == given["decisionId"]
        assert node["title"] == given["title"]
        assert node["category"] == given["category"]
        assert node["method"] == given["method"]
        assert node["significance"] == given.get("significance", 1)
        assert [p["id"] for p in node["decidedBy"]] == given["decidedBy"]
        assert [p["id"] for p in node["consulted"]] == given.get("consulted", [])
        assert [p["id"] for p in node["dissentedBy"]] == given.get("dissentedBy", [])
        assert all(p["name"] and p["sector"] for p in node["decidedBy"])
        assert node["retracted"] == (node["eventId"] in retracted)

    for category in ("STRATEGY", "GOVERNANCE", "DELIVERY", "RESOURCING"):
        page = api.data(
            DECISIONS_QUERY, {"id": replayed.partnership_id, "category": category, "first": 0}
        )["partnership"]["decisions"]
        expected = sum(1 for i in decisions if replayed.steps[i]["input"]["category"] == category)
        assert page["totalCount"] == expected
        assert page["edges"] == [] and page["pageInfo"]["hasNextPage"] == (expected > 0)

    partner = replayed.steps[1]["input"]["partnerId"]
    page = api.data(
        DECISIONS_QUERY, {"id": replayed.partnership_id, "partnerId": partner, "first": 500}
    )["partnership"]["decisions"]
    naming = [
        i
        for i in decisions
        if any(
            partner in replayed.steps[i]["input"].get(key, [])
            for key in ("decidedBy", "consulted", "dissentedBy")
        )
    ]
    assert naming
    assert page["totalCount"] == len(naming)

    at_k1 = api.data(
        DECISIONS_QUERY,
        {"id": replayed.partnership_id, "knownAt": replayed.known_at[1], "first": 500},
    )["partnership"]["decisions"]
    phase_1 = [i for i in decisions if replayed.steps[i]["phase"] == 1]
    assert at_k1["totalCount"] == len(phase_1)
    assert not any(edge["node"]["retracted"] for edge in at_k1["edges"])


def test_the_chain_of_a_replayed_scenario_is_valid(
    scenarios: tuple[ApiServer, dict[str, Replayed]],
) -> None:
    api, replayed = scenarios[0], scenarios[1][SCENARIO_NAMES[0]]
    audit = api.data(
        """query($id: ID!) {
          partnership(id: $id) { audit { valid eventsChecked firstBrokenPosition headHash } }
        }""",
        {"id": replayed.partnership_id},
    )["partnership"]["audit"]
    assert audit == {
        "valid": True,
        "eventsChecked": len(replayed.steps),
        "firstBrokenPosition": None,
        "headHash": replayed.events[-1]["hash"],
    }
