"""The demo history and the benchmark generator's histories obey API.md's rules.

No database: a small checker, written here independently of the domain, replays a
steps file (`tests/scenarios/README.md` format) and reports every step that the API
would refuse, judging each step as of its `occurredAt` on what was recorded before it,
and refusing a backdated step that makes an already-recorded one invalid.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate_history, main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "accord" / "demo" / "demo.steps.json"

SECTORS = {
    "NHS_TRUST",
    "LOCAL_AUTHORITY",
    "PRIMARY_CARE",
    "VOLUNTARY_SECTOR",
    "ACADEMIC",
    "PRIVATE",
    "OTHER",
}
CATEGORIES = {"STRATEGY", "GOVERNANCE", "DELIVERY", "RESOURCING"}
METHODS = {"CONSENSUS", "VOTE", "SINGLE_PARTNER", "DELEGATED"}
UNITS = {"FUNDING": "GBP", "STAFF": "FTE_MONTHS", "IN_KIND": "DAYS"}
CHECK_IN_ITEMS = ("reliability", "openness", "respect", "sharedOwnership")
ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SHORT, LONG = 200, 5000

# mutation -> (required fields, optional fields); occurredAt is checked for every step
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "formPartnership": ({"name", "purpose"}, set()),
    "joinPartner": ({"name", "sector"}, {"partnerId"}),
    "recordPartnerLeaving": ({"partnerId"}, {"reason"}),
    "setGoal": ({"statement"}, {"goalId"}),
    "reviseGoal": ({"goalId", "statement", "reason"}, set()),
    "endorseGoal": ({"goalId", "partnerId", "version", "rating"}, set()),
    "reaffirmGoal": ({"goalId"}, {"note"}),
    "retireGoal": ({"goalId", "reason"}, set()),
    "recordDecision": (
        {"title", "category", "method", "decidedBy"},
        {"decisionId", "significance", "consulted", "dissentedBy", "rationale"},
    ),
    "makeCommitment": (
        {"partnerId", "kind", "quantity", "dueAt"},
        {"commitmentId", "unit", "description"},
    ),
    "recordDelivery": ({"commitmentId", "quantity"}, set()),
    "releaseCommitment": ({"commitmentId", "byAgreement", "reason"}, set()),
    "agreeRiskShares": ({"shares"}, set()),
    "appointLeader": ({"role", "partnerId", "person"}, set()),
    "recordLeaderDeparture": ({"role"}, {"reason"}),
    "recordTrustCheckIn": ({"respondentId", *CHECK_IN_ITEMS}, {"aboutId", "note"}),
    "retractEntry": ({"reason"}, set()),
}
SHORT_FIELDS = {"name", "title", "role", "person"}
LONG_FIELDS = {"purpose", "statement", "rationale", "reason", "note", "description"}
NOT_RETRACTABLE = {"formPartnership", "retractEntry", "grantRole", "revokeRole"}
# Retracting these changes nothing another event's validity could depend on.
LEAF_EVENTS = {"recordDecision", "recordTrustCheckIn"}


def parse_instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def instant(text: str) -> datetime:
    """An instant already known to be valid."""
    moment = parse_instant(text)
    assert moment is not None, text
    return moment


def named_partners(mutation: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, partner id) of every partner that must be active at occurredAt."""
    if mutation == "recordDecision":
        return [
            (f"{key}.{i}", pid)
            for key in ("decidedBy", "consulted", "dissentedBy")
            for i, pid in enumerate(data.get(key) or [])
        ]
    if mutation == "agreeRiskShares":
        return [(f"shares.{i}.partnerId", s.get("partnerId")) for i, s in enumerate(data["shares"])]
    if mutation == "recordTrustCheckIn":
        named = [("respondentId", data["respondentId"])]
        if data.get("aboutId") is not None:
            named.append(("aboutId", data["aboutId"]))
        return named
    if mutation in {"endorseGoal", "makeCommitment", "appointLeader", "recordPartnerLeaving"}:
        return [("partnerId", data["partnerId"])]
    return []


def intrinsic_problems(index: int, step: dict[str, Any]) -> list[str]:
    """What is wrong with a step on its own: shape, ranges, enums, units, lists."""
    mutation = step.get("mutation")
    data = step.get("input")
    if mutation not in FIELDS or not isinstance(data, dict):
        return [f"step {index}: unknown mutation or no input"]
    problems: list[str] = []

    def bad(field_: str, what: str) -> None:
        problems.append(f"step {index} ({mutation}): {field_}: {what}")

    required, optional = FIELDS[mutation]
    for key in required:
        if data.get(key) is None or (isinstance(data[key], str) and not data[key].strip()):
            bad(key, "required")
    for key in set(data) - required - optional - {"occurredAt"}:
        bad(key, "not an input field of this mutation")
    if problems:
        return problems
    if parse_instant(data.get("occurredAt")) is None:
        bad("occurredAt", "missing, or without an offset")
    if step.get("phase") not in (1, 2):
        bad("phase", "must be 1 or 2")
    for key, value in data.items():
        limit = SHORT if key in SHORT_FIELDS else LONG if key in LONG_FIELDS else None
        if limit and (not isinstance(value, str) or len(value) > limit):
            bad(key, f"not a string of at most {limit} characters")
    for key in ("partnerId", "goalId", "decisionId", "commitmentId", "respondentId", "aboutId"):
        if key in data and not (isinstance(data[key], str) and ID.match(data[key])):
            bad(key, "not a valid id")

    if mutation == "joinPartner" and data["sector"] not in SECTORS:
        bad("sector", "unknown sector")
    elif mutation == "endorseGoal":
        if data["rating"] not in range(1, 6):
            bad("rating", "out of 1-5")
        if not isinstance(data["version"], int) or data["version"] < 1:
            bad("version", "not a version")
    elif mutation == "recordDecision":
        if data["category"] not in CATEGORIES:
            bad("category", "unknown")
        if data["method"] not in METHODS:
            bad("method", "unknown")
        if data.get("significance", 1) not in (1, 2, 3):
            bad("significance", "out of 1-3")
        if not data["decidedBy"]:
            bad("decidedBy", "empty")
        names = [pid for _, pid in named_partners(mutation, data)]
        for path, pid in named_partners(mutation, data):
            if not isinstance(pid, str) or not ID.match(pid):
                bad(path, "not a valid id")
        if len(names) != len(set(names)):
            bad("decidedBy", "a partner named twice")
        if data["method"] == "SINGLE_PARTNER" and len(data["decidedBy"]) != 1:
            bad("decidedBy", "SINGLE_PARTNER needs exactly one decider")
    elif mutation == "makeCommitment":
        if data["kind"] not in UNITS:
            bad("kind", "unknown")
        elif "unit" in data and data["unit"] != UNITS[data["kind"]]:
            bad("unit", f"not the unit of {data['kind']}")
        if not isinstance(data["quantity"], int | float) or not data["quantity"] > 0:
            bad("quantity", "not > 0")
        if parse_instant(data["dueAt"]) is None:
            bad("dueAt", "not an instant with an offset")
    elif mutation == "recordDelivery":
        if not isinstance(data["quantity"], int | float) or not data["quantity"] > 0:
            bad("quantity", "not > 0")
    elif mutation == "releaseCommitment":
        if not isinstance(data["byAgreement"], bool):
            bad("byAgreement", "not a boolean")
    elif mutation == "agreeRiskShares":
        shares = data["shares"]
        ids = [s.get("partnerId") for s in shares]
        if not shares or len(ids) != len(set(ids)):
            bad("shares", "empty, or a partner twice")
        values = [s.get("share") for s in shares]
        if any(not isinstance(v, int | float) or v < 0 for v in values):
            bad("shares", "a share that is not a number >= 0")
        elif not math.isclose(sum(values), 1.0, abs_tol=1e-6):
            bad("shares", f"sum to {sum(values)}, not 1")
    elif mutation == "recordTrustCheckIn":
        for item in CHECK_IN_ITEMS:
            if data[item] not in range(1, 6):
                bad(item, "out of 1-5")
        if data.get("aboutId") == data["respondentId"]:
            bad("aboutId", "a check-in about the respondent itself")
    return problems


@dataclass
class Walk:
    """The partnership's state while its events are taken in occurredAt order."""

    formed: datetime | None = None
    active: set[str] = field(default_factory=set)
    goals: dict[str, list[Any]] = field(default_factory=dict)  # id -> [version, retired]
    commitments: dict[str, bool] = field(default_factory=dict)  # id -> released
    made: set[str] = field(default_factory=set)
    holders: dict[str, str | None] = field(default_factory=dict)

    def apply(self, index: int, step: dict[str, Any], at: datetime) -> list[str]:
        mutation, data = step["mutation"], step["input"]
        problems: list[str] = []

        def bad(field_: str, what: str) -> None:
            problems.append(f"step {index} ({mutation}): {field_}: {what}")

        if mutation == "formPartnership":
            self.formed = at
            return problems
        if self.formed is None or at < self.formed:
            bad("occurredAt", "before the partnership was formed")
        for path, pid in named_partners(mutation, data):
            if pid not in self.active:
                bad(path, f"{pid} is not active at {at.isoformat()}")
        goal = self.goals.get(data.get("goalId", ""))
        if mutation in {"reviseGoal", "endorseGoal", "reaffirmGoal", "retireGoal"}:
            if goal is None:
                bad("goalId", "unknown goal")
                return problems
            if goal[1]:
                bad("goalId", "the goal is retired")
        commitment = data.get("commitmentId", "")
        if mutation in {"recordDelivery", "releaseCommitment"}:
            if commitment not in self.commitments:
                bad("commitmentId", "unknown, or made after this step's occurredAt")
            elif self.commitments[commitment]:
                bad("commitmentId", "already released")

        if mutation == "joinPartner":
            if data["partnerId"] in self.active:
                bad("partnerId", "already active")
            self.active.add(data["partnerId"])
        elif mutation == "recordPartnerLeaving":
            self.active.discard(data["partnerId"])
        elif mutation == "setGoal":
            self.goals[data["goalId"]] = [1, False]
        elif mutation == "reviseGoal" and goal is not None:
            goal[0] += 1
        elif mutation == "endorseGoal" and goal is not None and data["version"] != goal[0]:
            bad("version", f"{data['version']} is not the current version {goal[0]}")
        elif mutation == "retireGoal" and goal is not None:
            goal[1] = True
        elif mutation == "makeCommitment":
            self.commitments[data["commitmentId"]] = False
        elif mutation == "releaseCommitment":
            self.commitments[commitment] = True
        elif mutation == "appointLeader":
            self.holders[data["role"]] = data["partnerId"]
        elif mutation == "recordLeaderDeparture":
            if self.holders.get(data["role"]) is None:
                bad("role", "no holder to depart")
            self.holders[data["role"]] = None
        return problems


def check_history(history: dict[str, Any]) -> list[str]:
    """Every reason the API would refuse a step of `history`, recorded in order."""
    steps = history["steps"]
    problems: list[str] = []
    if not isinstance(history.get("name"), str) or not steps:
        return ["a history needs a name and steps"]
    if steps[0].get("mutation") != "formPartnership":
        return ["the first step must form the partnership"]
    for index, step in enumerate(steps):
        problems += intrinsic_problems(index, step)
        if index and step.get("mutation") == "formPartnership":
            problems.append(f"step {index}: a second formPartnership")
    if problems:
        return problems

    # Client ids: unique within the partnership (a partner that left may join again).
    seen: dict[str, int] = {}
    for index, step in enumerate(steps):
        data = step["input"]
        for key in ("goalId", "decisionId", "commitmentId"):
            if key in data and step["mutation"] in ("setGoal", "recordDecision", "makeCommitment"):
                if data[key] in seen:
                    problems.append(f"step {index}: {key}: {data[key]} already used")
                seen[data[key]] = index
        for mutation, key in (
            ("joinPartner", "partnerId"),
            ("setGoal", "goalId"),
            ("makeCommitment", "commitmentId"),
        ):
            if step["mutation"] == mutation and key not in data:
                problems.append(f"step {index}: {key}: give it, so later steps can name it")

    # Retractions: of an earlier step, not of a formation or a retraction, not twice.
    retracted: set[int] = set()
    for index, step in enumerate(steps):
        if step["mutation"] != "retractEntry":
            continue
        target = step.get("eventRef")
        if not isinstance(target, int) or not 0 <= target < index:
            problems.append(f"step {index}: eventRef must name an earlier step")
        elif steps[target]["mutation"] in NOT_RETRACTABLE or target in retracted:
            problems.append(f"step {index}: eventRef {target} cannot be retracted")
        retracted.add(target if isinstance(target, int) else -1)
    if problems:
        return problems

    # Validity as of occurredAt, on what was known when each step was recorded. Steps
    # appended after the latest occurredAt extend the walk; a backdated step, or the
    # retraction of anything but a leaf event, replays the whole prefix in order.
    at = [instant(step["input"]["occurredAt"]) for step in steps]
    now = datetime.now(UTC)
    walk = Walk()
    latest: datetime | None = None
    retracted = set()
    found: dict[str, None] = {}
    for index, step in enumerate(steps):
        moment = at[index]
        if moment > now + timedelta(days=1):
            found[f"step {index}: occurredAt: more than a day in the future"] = None
        replay = latest is not None and moment < latest
        if step["mutation"] == "retractEntry":
            retracted.add(step["eventRef"])
            replay = replay or steps[step["eventRef"]]["mutation"] not in LEAF_EVENTS
        if replay:
            walk = Walk()
            order = sorted(
                (i for i in range(index + 1) if i not in retracted), key=lambda i: (at[i], i)
            )
            for i in order:
                for problem in walk.apply(i, steps[i], at[i]):
                    found[f"{problem} (when step {index} was recorded)"] = None
        else:
            for problem in walk.apply(index, step, moment):
                found[problem] = None
        latest = moment if latest is None else max(latest, moment)
    return problems + list(found)


def load_demo() -> dict[str, Any]:
    demo: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return demo


def decisions_between(history: dict[str, Any], start: str, end: str) -> list[dict[str, Any]]:
    retracted = {s["eventRef"] for s in history["steps"] if s["mutation"] == "retractEntry"}
    low, high = instant(start), instant(end)
    return [
        step["input"]
        for i, step in enumerate(history["steps"])
        if step["mutation"] == "recordDecision"
        and i not in retracted
        and low < instant(step["input"]["occurredAt"]) <= high
    ]


# -- the checker itself --------------------------------------------------------------


def _step(mutation: str, occurred: str, **data: Any) -> dict[str, Any]:
    return {"mutation": mutation, "input": {**data, "occurredAt": occurred}, "phase": 1}


def _tiny_history() -> dict[str, Any]:
    return {
        "name": "tiny",
        "steps": [
            _step("formPartnership", "2024-01-01T09:00:00+00:00", name="P", purpose="Q"),
            _step(
                "joinPartner", "2024-01-02T09:00:00+00:00", partnerId="a", name="A", sector="OTHER"
            ),
            _step(
                "joinPartner", "2024-01-02T10:00:00+00:00", partnerId="b", name="B", sector="OTHER"
            ),
            _step("setGoal", "2024-01-03T09:00:00+00:00", goalId="g1", statement="S"),
            _step(
                "recordDecision",
                "2024-02-01T09:00:00+00:00",
                decisionId="d1",
                title="T",
                category="DELIVERY",
                method="CONSENSUS",
                decidedBy=["a", "b"],
            ),
            _step(
                "makeCommitment",
                "2024-02-01T10:00:00+00:00",
                commitmentId="c1",
                partnerId="a",
                kind="FUNDING",
                quantity=1000,
                dueAt="2024-06-30",
            ),
        ],
    }


def test_the_checker_accepts_a_valid_tiny_history() -> None:
    assert check_history(_tiny_history()) == []


MARCH = "2024-03-01T09:00:00+00:00"
RETIRED = _step("retireGoal", MARCH, goalId="g1", reason="Done")


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ([_step("recordPartnerLeaving", "2024-01-20T09:00:00+00:00", partnerId="b")], "not active"),
        ([_step("joinPartner", MARCH, partnerId="c", name="C")], "required"),
        ([_step("joinPartner", MARCH, partnerId="a", name="A", sector="OTHER")], "already active"),
        ([_step("setGoal", MARCH, goalId="d1", statement="S")], "already used"),
        (
            [
                _step(
                    "makeCommitment",
                    MARCH,
                    partnerId="a",
                    commitmentId="c2",
                    kind="STAFF",
                    quantity=2,
                    unit="DAYS",
                    dueAt="2024-06-01",
                )
            ],
            "unit",
        ),
        (
            [
                _step(
                    "recordDecision",
                    MARCH,
                    title="T",
                    category="DELIVERY",
                    method="SINGLE_PARTNER",
                    decidedBy=["a", "b"],
                )
            ],
            "exactly one",
        ),
        (
            [
                _step(
                    "recordDecision",
                    MARCH,
                    title="T",
                    category="DELIVERY",
                    method="VOTE",
                    decidedBy=["a"],
                    consulted=["a"],
                )
            ],
            "twice",
        ),
        (
            [
                _step(
                    "recordTrustCheckIn",
                    MARCH,
                    respondentId="a",
                    aboutId="a",
                    **dict.fromkeys(CHECK_IN_ITEMS, 3),
                )
            ],
            "itself",
        ),
        (
            [
                _step(
                    "agreeRiskShares",
                    MARCH,
                    shares=[{"partnerId": "a", "share": 0.5}, {"partnerId": "b", "share": 0.4}],
                )
            ],
            "sum",
        ),
        ([_step("recordLeaderDeparture", MARCH, role="Chair")], "no holder"),
        ([_step("endorseGoal", MARCH, goalId="g1", partnerId="a", version=2, rating=4)], "current"),
        ([RETIRED, _step("reaffirmGoal", "2024-03-02", goalId="g1")], "retired"),
        ([_step("recordDelivery", "2024-01-15", commitmentId="c1", quantity=5)], "made after"),
        (
            [
                _step("releaseCommitment", MARCH, commitmentId="c1", byAgreement=True, reason="R"),
                _step("recordDelivery", "2024-03-02", commitmentId="c1", quantity=5),
            ],
            "released",
        ),
        ([_step("recordDelivery", "2999-01-01", commitmentId="c1", quantity=5)], "future"),
    ],
)
def test_the_checker_catches_what_the_api_would_refuse(
    extra: list[dict[str, Any]], complaint: str
) -> None:
    history = _tiny_history()
    history["steps"] += extra
    problems = check_history(history)
    assert problems and any(complaint in p for p in problems), problems


def test_the_checker_catches_a_backdated_step_that_invalidates_a_recorded_one() -> None:
    history = _tiny_history()  # b leaves before the decision that names it
    history["steps"].append(
        {
            "mutation": "recordPartnerLeaving",
            "input": {"partnerId": "b", "occurredAt": "2024-01-20T09:00:00+00:00"},
            "phase": 1,
        }
    )
    assert any("decidedBy.1" in p for p in check_history(history))


# -- the demo --------------------------------------------------------------------------


def test_the_demo_history_obeys_every_rule_the_checker_knows() -> None:
    assert check_history(load_demo()) == []


def test_the_demo_history_names_only_active_partners() -> None:
    problems = check_history(load_demo())
    assert not [p for p in problems if "not active" in p]


def test_the_demo_history_is_three_and_a_half_years_of_phase_one_steps() -> None:
    demo = load_demo()
    steps = demo["steps"]
    assert demo["name"] and 250 <= len(steps) <= 400
    assert {step["phase"] for step in steps} == {1}
    instants = [step["input"]["occurredAt"] for step in steps]
    assert all(text.endswith("+00:00") for text in instants)
    moments = [instant(text) for text in instants]
    assert min(moments) == instant("2023-04-03T09:00:00+00:00")
    assert max(moments).date().isoformat() == "2026-10-31"
    assert all("partnershipId" not in step["input"] for step in steps)


def test_the_demo_history_uses_every_mutation_but_role_grants() -> None:
    used = Counter(step["mutation"] for step in load_demo()["steps"])
    assert set(used) == set(FIELDS)
    assert used["agreeRiskShares"] == 2
    assert used["retractEntry"] >= 1


def test_the_demo_history_has_every_partner_endorse_every_goal_version() -> None:
    steps = load_demo()["steps"]
    joined = {s["input"]["partnerId"] for s in steps if s["mutation"] == "joinPartner"}
    endorsed: dict[tuple[str, int], set[str]] = {}
    for step in steps:
        if step["mutation"] == "endorseGoal":
            key = (step["input"]["goalId"], step["input"]["version"])
            endorsed.setdefault(key, set()).add(step["input"]["partnerId"])
    founders = joined - {"uni-calderbrook"}
    assert all(founders <= partners for (_, version), partners in endorsed.items() if version == 1)
    assert all(partners == joined for (_, version), partners in endorsed.items() if version == 2)


def test_the_demo_history_shows_governance_creeping_in_its_last_year() -> None:
    demo = load_demo()

    def governance_share(start: str, end: str) -> float:
        decisions = decisions_between(demo, start, end)
        assert len(decisions) >= 10
        governance = [d for d in decisions if d["category"] == "GOVERNANCE"]
        return len(governance) / len(decisions)

    last_year = governance_share("2025-10-31T00:00:00+00:00", "2026-10-31T23:59:59+00:00")
    first_year = governance_share("2023-04-01T00:00:00+00:00", "2024-04-01T00:00:00+00:00")
    second_year = governance_share("2024-04-01T00:00:00+00:00", "2025-04-01T00:00:00+00:00")
    assert last_year >= 0.5 > max(first_year, second_year) * 2


def test_the_demo_history_has_fewer_trust_check_ins_in_its_last_year() -> None:
    steps = load_demo()["steps"]
    by_year = Counter(
        "last" if step["input"]["occurredAt"] > "2025-11" else "before"
        for step in steps
        if step["mutation"] == "recordTrustCheckIn"
    )
    # the two and a half years before had about five times as many
    assert by_year["last"] * 4 < by_year["before"]


def test_the_demo_history_has_late_commitments_partly_delivered_or_released() -> None:
    steps = load_demo()["steps"]
    releases = [s["input"] for s in steps if s["mutation"] == "releaseCommitment"]
    assert any(not r["byAgreement"] for r in releases)
    assert any(r["byAgreement"] for r in releases)


# -- the generator -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_a_generated_history_obeys_every_rule_the_checker_knows(seed: int) -> None:
    history = generate_history(3000, seed=seed)
    assert len(history["steps"]) == 3000
    assert check_history(history) == []


@pytest.mark.parametrize("seed", range(40))
def test_small_generated_histories_obey_the_rules(seed: int) -> None:
    history = generate_history(60, seed=seed, partners=2 + seed % 6)
    assert check_history(history) == []


@pytest.mark.parametrize("seed", range(40))
def test_small_shuffled_histories_are_valid_at_every_recording(seed: int) -> None:
    history = generate_history(60, seed=seed, shuffle_recording=True)
    assert check_history(history) == []


def test_shuffled_histories_do_record_some_steps_backdated() -> None:
    backdated = 0
    for seed in range(20):
        steps = generate_history(60, seed=seed, shuffle_recording=True)["steps"]
        instants = [step["input"]["occurredAt"] for step in steps]
        backdated += any(b < a for a, b in itertools.pairwise(instants))
    assert backdated >= 15


def test_an_unshuffled_history_has_strictly_increasing_occurred_at() -> None:
    instants = [s["input"]["occurredAt"] for s in generate_history(5000, seed=3)["steps"]]
    assert all(a < b for a, b in itertools.pairwise(instants))


def test_a_generated_history_has_every_kind_of_step() -> None:
    used = Counter(s["mutation"] for s in generate_history(5000, seed=2)["steps"])
    assert set(used) == set(FIELDS)


def test_the_generator_is_deterministic_for_a_seed() -> None:
    assert generate_history(500, seed=7) == generate_history(500, seed=7)
    assert generate_history(500, seed=7) != generate_history(500, seed=8)


def test_a_hundred_thousand_events_span_some_years_quickly() -> None:
    started = time.perf_counter()
    steps = generate_history(100_000, seed=1)["steps"]
    elapsed = time.perf_counter() - started
    assert len(steps) == 100_000
    first = instant(steps[0]["input"]["occurredAt"])
    last = instant(steps[-1]["input"]["occurredAt"])
    assert 3 * 365 < (last - first).days < 6 * 365
    assert elapsed < 15


def test_the_command_line_writes_a_history_file(tmp_path: Path) -> None:
    out = tmp_path / "history.json"
    assert main(["--events", "200", "--seed", "1", "-o", str(out)]) == 0
    history = json.loads(out.read_text())
    assert history == generate_history(200, seed=1)
    result = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--events", "30", "--seed", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == generate_history(30, seed=2)
