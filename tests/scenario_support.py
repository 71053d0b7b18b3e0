"""Replaying the shared scenarios without a database, and comparing health with them.

`tests/scenarios/*.steps.json` record a partnership as API mutations in recording
order (phase 1, then the backdated phase 2); `*.expected.json` hold probes of every
health figure. This module turns steps into `IndexedEvent`s exactly as the event index
would hold them (positions 1..N in step order, data with defaults filled, retraction
fields set on the targets), and maps the API-shaped `health` JSON to the probes' keyed
shape, so any suite (pure, storage, API) can check a health against a probe.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from accord.domain.instants import format_instant, parse_instant
from accord.projections.records import IndexedEvent

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SCENARIO_NAMES = ("hartmoor-a", "hartmoor-b")
TOLERANCE = 1e-9

PHASE_1_KNOWN_AT = datetime(2027, 1, 1, tzinfo=UTC)
"""k1: every phase-1 step is recorded (one second apart) before it."""

_NAMESPACE = uuid.UUID("6d1f6f5e-8c44-4b8e-9a53-1c2f0b7c1d10")

EVENT_TYPES: dict[str, str] = {
    "formPartnership": "PARTNERSHIP_FORMED",
    "joinPartner": "PARTNER_JOINED",
    "recordPartnerLeaving": "PARTNER_LEFT",
    "setGoal": "GOAL_SET",
    "reviseGoal": "GOAL_REVISED",
    "endorseGoal": "GOAL_ENDORSED",
    "reaffirmGoal": "GOAL_REAFFIRMED",
    "retireGoal": "GOAL_RETIRED",
    "recordDecision": "DECISION_RECORDED",
    "makeCommitment": "COMMITMENT_MADE",
    "recordDelivery": "COMMITMENT_DELIVERED",
    "releaseCommitment": "COMMITMENT_RELEASED",
    "agreeRiskShares": "RISK_SHARES_AGREED",
    "appointLeader": "LEADER_APPOINTED",
    "recordLeaderDeparture": "LEADER_DEPARTED",
    "recordTrustCheckIn": "TRUST_CHECK_IN_RECORDED",
    "retractEntry": "ENTRY_RETRACTED",
    "grantRole": "ROLE_GRANTED",
    "revokeRole": "ROLE_REVOKED",
}
"""Mutation -> the event type it records."""

_REQUIRED = object()
_GENERATED = object()
UNITS = {"FUNDING": "GBP", "STAFF": "FTE_MONTHS", "IN_KIND": "DAYS"}

# Mutation -> its data fields in input order, each with its default (_REQUIRED: must be
# given; _GENERATED: an id made up when omitted).
DATA_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "formPartnership": (("name", _REQUIRED), ("purpose", _REQUIRED)),
    "joinPartner": (("partnerId", _GENERATED), ("name", _REQUIRED), ("sector", _REQUIRED)),
    "recordPartnerLeaving": (("partnerId", _REQUIRED), ("reason", None)),
    "setGoal": (("goalId", _GENERATED), ("statement", _REQUIRED)),
    "reviseGoal": (("goalId", _REQUIRED), ("statement", _REQUIRED), ("reason", _REQUIRED)),
    "endorseGoal": (
        ("goalId", _REQUIRED),
        ("partnerId", _REQUIRED),
        ("version", _REQUIRED),
        ("rating", _REQUIRED),
    ),
    "reaffirmGoal": (("goalId", _REQUIRED), ("note", None)),
    "retireGoal": (("goalId", _REQUIRED), ("reason", _REQUIRED)),
    "recordDecision": (
        ("decisionId", _GENERATED),
        ("title", _REQUIRED),
        ("category", _REQUIRED),
        ("significance", 1),
        ("method", _REQUIRED),
        ("decidedBy", _REQUIRED),
        ("consulted", ()),
        ("dissentedBy", ()),
        ("rationale", None),
    ),
    "makeCommitment": (
        ("commitmentId", _GENERATED),
        ("partnerId", _REQUIRED),
        ("kind", _REQUIRED),
        ("quantity", _REQUIRED),
        ("unit", None),
        ("dueAt", _REQUIRED),
        ("description", None),
    ),
    "recordDelivery": (("commitmentId", _REQUIRED), ("quantity", _REQUIRED)),
    "releaseCommitment": (
        ("commitmentId", _REQUIRED),
        ("byAgreement", _REQUIRED),
        ("reason", _REQUIRED),
    ),
    "agreeRiskShares": (("shares", _REQUIRED),),
    "appointLeader": (("role", _REQUIRED), ("partnerId", _REQUIRED), ("person", _REQUIRED)),
    "recordLeaderDeparture": (("role", _REQUIRED), ("reason", None)),
    "recordTrustCheckIn": (
        ("respondentId", _REQUIRED),
        ("aboutId", None),
        ("reliability", _REQUIRED),
        ("openness", _REQUIRED),
        ("respect", _REQUIRED),
        ("sharedOwnership", _REQUIRED),
        ("note", None),
    ),
    "retractEntry": (("eventId", _REQUIRED), ("reason", _REQUIRED)),
    "grantRole": (("actor", _REQUIRED), ("role", _REQUIRED)),
    "revokeRole": (("actor", _REQUIRED), ("role", None)),
}


@dataclass(frozen=True)
class ScenarioHistory:
    """A replayed steps file: its events, and the instant each phase was known at."""

    name: str
    partnership_id: str
    events: list[IndexedEvent]
    known_at: dict[int, datetime]
    """Phase -> k: everything of that phase and before is recorded by then."""


def load_steps(name: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = json.loads((SCENARIOS / f"{name}.steps.json").read_text())[
        "steps"
    ]
    return steps


def load_probes(name: str) -> list[dict[str, Any]]:
    probes: list[dict[str, Any]] = json.loads((SCENARIOS / f"{name}.expected.json").read_text())
    return probes


def event_data(
    mutation: str, given: Mapping[str, Any], position: int, event_ids: Sequence[str]
) -> dict[str, Any]:
    """A step's input as `Event.data`: input names, defaults and generated ids filled
    in, instants written as DateTime output, `eventRef` resolved to an event id."""
    data: dict[str, Any] = {}
    for field, default in DATA_FIELDS[mutation]:
        if field in given:
            value = given[field]
        elif default is _GENERATED:
            value = f"{field.removesuffix('Id')}-{position}"
        elif default is _REQUIRED:
            raise ValueError(f"step {position - 1}: {mutation} needs '{field}'")
        else:
            value = list(default) if isinstance(default, tuple) else default
        data[field] = value
    if mutation == "makeCommitment":
        data["unit"] = data["unit"] or UNITS[data["kind"]]
        data["dueAt"] = format_instant(parse_instant(data["dueAt"]))
    return data


def build_history(
    steps: Sequence[Mapping[str, Any]],
    name: str = "scenario",
    phase_1_known_at: datetime = PHASE_1_KNOWN_AT,
) -> ScenarioHistory:
    """Index every step as recorded: phase-1 steps one second apart ending before k1,
    later phases one second apart after it, positions 1..N in step order."""
    partnership_id = str(uuid.uuid5(_NAMESPACE, name))
    event_ids = [str(uuid.uuid5(_NAMESPACE, f"{name}:{index + 1}")) for index in range(len(steps))]
    first_phase = [index for index, step in enumerate(steps) if step.get("phase", 1) == 1]
    recorded = [
        phase_1_known_at - timedelta(seconds=len(first_phase) - index)
        if step.get("phase", 1) == 1
        else phase_1_known_at + timedelta(seconds=index - len(first_phase) + 1)
        for index, step in enumerate(steps)
    ]
    if recorded != sorted(recorded):
        raise ValueError("phase-1 steps must all come before later phases")
    events: list[IndexedEvent] = []
    previous_hash: str | None = None
    for index, step in enumerate(steps):
        mutation = step["mutation"]
        given = dict(step["input"])
        if "eventRef" in step:
            given["eventId"] = event_ids[step["eventRef"]]
        occurred = given.pop("occurredAt", None)
        occurred_at = parse_instant(occurred) if occurred else recorded[index]
        digest = uuid.uuid5(_NAMESPACE, f"hash:{event_ids[index]}").hex * 2
        events.append(
            IndexedEvent(
                partnership_id=partnership_id,
                position=index + 1,
                event_id=event_ids[index],
                type=EVENT_TYPES[mutation],
                occurred_at=occurred_at,
                recorded_at=recorded[index],
                recorded_by="scenario",
                data=event_data(mutation, given, index + 1, event_ids),
                hash=digest,
                previous_hash=previous_hash,
            )
        )
        previous_hash = digest
    events = _mark_retractions(events)
    phases = sorted({int(step.get("phase", 1)) for step in steps})
    known_at = {
        phase: max(
            (recorded[index] for index, step in enumerate(steps) if step.get("phase", 1) <= phase),
            default=phase_1_known_at,
        )
        + timedelta(milliseconds=500)
        for phase in phases
    }
    return ScenarioHistory(name, partnership_id, events, known_at)


def _mark_retractions(events: list[IndexedEvent]) -> list[IndexedEvent]:
    by_id = {event.event_id: index for index, event in enumerate(events)}
    marked = list(events)
    for event in events:
        if event.type == "ENTRY_RETRACTED":
            target = by_id[event.data["eventId"]]
            marked[target] = replace(
                marked[target], retracted_by=event.event_id, retracted_at=event.recorded_at
            )
    return marked


def load_history(name: str) -> ScenarioHistory:
    return build_history(load_steps(name), name)


def to_expected_shape(health_json: Mapping[str, Any]) -> dict[str, Any]:
    """API.md's `health` JSON in the probes' shape: per-partner lists keyed by partner
    id, per-kind lists by kind, roles as role -> person (null when vacant), answers as
    question -> status, and `active` the partners the shares cover."""
    power, trust, capacity = health_json["power"], health_json["trust"], health_json["capacity"]
    return {
        "active": [share["partner"]["id"] for share in power["shares"]],
        "power": {
            **{key: value for key, value in power.items() if key != "shares"},
            "shares": {
                share["partner"]["id"]: {
                    key: value for key, value in share.items() if key != "partner"
                }
                for share in power["shares"]
            },
        },
        "trust": {
            **{key: value for key, value in trust.items() if key != "reliability"},
            "reliability": {
                entry["partner"]["id"]: {
                    key: value for key, value in entry.items() if key != "partner"
                }
                for entry in trust["reliability"]
            },
        },
        "capacity": {
            "fulfilment": {entry["kind"]: entry["value"] for entry in capacity["fulfilment"]},
            "outstanding": {entry["kind"]: entry["value"] for entry in capacity["outstanding"]},
            "vacantRoles": capacity["vacantRoles"],
            "longestVacancyDays": capacity["longestVacancyDays"],
            "leadershipChanges": capacity["leadershipChanges"],
            "roles": {
                role["role"]: None if role["vacant"] else role["person"]
                for role in capacity["roles"]
            },
        },
        "goals": dict(health_json["goals"]),
        "check": {
            "classification": health_json["check"]["classification"],
            "answers": {
                answer["question"]: answer["status"] for answer in health_json["check"]["answers"]
            },
        },
    }


def compare_health_json(
    actual_health_json: Mapping[str, Any],
    expected: Mapping[str, Any],
    tolerance: float = TOLERANCE,
) -> list[str]:
    """Every difference between an API-shaped `health` JSON and a probe's `expected`
    (numbers within `tolerance`), as `path: expected X, got Y`; empty when they agree."""
    mismatches: list[str] = []
    _compare(to_expected_shape(actual_health_json), expected, "", tolerance, mismatches)
    return mismatches


def _compare(actual: Any, expected: Any, path: str, tolerance: float, out: list[str]) -> None:
    where = path or "."
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            out.append(f"{where}: expected an object, got {actual!r}")
            return
        for key in expected.keys() - actual.keys():
            out.append(f"{path}.{key}: missing (expected {expected[key]!r})")
        for key in actual.keys() - expected.keys():
            out.append(f"{path}.{key}: unexpected (got {actual[key]!r})")
        for key in expected.keys() & actual.keys():
            _compare(actual[key], expected[key], f"{path}.{key}", tolerance, out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
            return
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            _compare(got, want, f"{path}.{index}", tolerance, out)
    elif isinstance(expected, bool) or isinstance(actual, bool):
        if actual is not expected:
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, int | float) and isinstance(actual, int | float):
        if not math.isclose(actual, expected, rel_tol=0.0, abs_tol=tolerance):
            out.append(f"{where}: expected {expected!r}, got {actual!r}")
    elif actual != expected:
        out.append(f"{where}: expected {expected!r}, got {actual!r}")
