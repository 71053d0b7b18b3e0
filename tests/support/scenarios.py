"""Replaying steps files: the one way the tests record a history step by step.

`tests/scenarios/*.steps.json` record a partnership as API mutations in recording
order (phase 1, then the backdated phase 2; `eventRef` N names step N's event).
`replay_steps` drives any recorder through them; on it stand `build_history` (the
`IndexedEvent`s the event index would hold, without a database: positions 1..N in step
order, data with defaults filled, retraction fields set on the targets),
`record_steps` (through the service, one command at a time) and `replay_over_api`
(through the HTTP API, noting when each phase was known). `tests.support.probes`
checks a health against the `*.expected.json` probes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from accord.domain.instants import format_instant, parse_instant
from accord.projections.records import IndexedEvent
from tests.support.graphql_client import GraphQLClient
from tests.support.operations import Recorder, now_text

if TYPE_CHECKING:
    from accord.application.service import AccordApplication, Outcome

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_NAMES = ("hartmoor-a", "hartmoor-b")

PHASE_1_KNOWN_AT = datetime(2027, 1, 1, tzinfo=UTC)
"""k1: every phase-1 step is recorded (one second apart) before it."""

T = TypeVar("T")

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


def replay_steps(
    steps: Sequence[Mapping[str, Any]],
    record: Callable[[str, dict[str, Any]], T],
    ids: Callable[[T], tuple[str, str]],
    before_phase: Callable[[int], object] = lambda phase: None,
) -> Iterator[T]:
    """What `record(mutation, input)` gives for each step, recorded in step order.

    The input is the step's own, with `partnershipId` (from the second step on) the
    partnership the previous step recorded into, and `eventId` the event of the step that
    `eventRef` names; `ids(recorded)` says which (partnership id, event id) a step
    recorded. `before_phase(p)` runs before the first step of each later phase p (a step
    without `phase` is of phase 1)."""
    event_ids: list[str] = []
    partnership_id = ""
    phase = 1
    for index, step in enumerate(steps):
        if int(step.get("phase", 1)) > phase:
            phase = int(step["phase"])
            before_phase(phase)
        given = dict(step["input"])
        if index:
            given["partnershipId"] = partnership_id
        if "eventRef" in step:
            given["eventId"] = event_ids[step["eventRef"]]
        recorded = record(step["mutation"], given)
        partnership_id, event_id = ids(recorded)
        event_ids.append(event_id)
        yield recorded


def event_data(mutation: str, given: Mapping[str, Any], position: int) -> dict[str, Any]:
    """A step's input as `Event.data`: input names, defaults and generated ids filled
    in, instants written as DateTime output."""
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

    def index(mutation: str, given: dict[str, Any]) -> IndexedEvent:
        position = len(events) + 1
        event_id = str(uuid.uuid5(_NAMESPACE, f"{name}:{position}"))
        occurred = given.pop("occurredAt", None)
        event = IndexedEvent(
            partnership_id=partnership_id,
            position=position,
            event_id=event_id,
            type=EVENT_TYPES[mutation],
            occurred_at=parse_instant(occurred) if occurred else recorded[position - 1],
            recorded_at=recorded[position - 1],
            recorded_by="scenario",
            data=event_data(mutation, given, position),
            hash=uuid.uuid5(_NAMESPACE, f"hash:{event_id}").hex * 2,
            previous_hash=events[-1].hash if events else None,
        )
        events.append(event)
        return event

    for _ in replay_steps(steps, index, lambda event: (partnership_id, event.event_id)):
        pass
    phases = sorted({int(step.get("phase", 1)) for step in steps})
    known_at = {
        phase: max(
            (recorded[index] for index, step in enumerate(steps) if step.get("phase", 1) <= phase),
            default=phase_1_known_at,
        )
        + timedelta(milliseconds=500)
        for phase in phases
    }
    return ScenarioHistory(name, partnership_id, _mark_retractions(events), known_at)


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


def record_steps(
    app: AccordApplication, steps: Sequence[Mapping[str, Any]], actor: str = "recorder"
) -> Iterator[Outcome]:
    """Each step's outcome as it is recorded through the service, one command at a time
    (as clients do), rather than as one import."""
    return replay_steps(
        steps,
        lambda mutation, given: app.execute(mutation, given, actor=actor),
        lambda outcome: (str(outcome.partnership_id), outcome.event.event_id),
    )


@dataclass
class Replayed:
    """A scenario recorded through the HTTP API."""

    name: str
    partnership_id: str
    steps: list[dict[str, Any]]
    events: list[dict[str, Any]]
    """The event each step recorded, in step order."""
    known_at: dict[int, str]
    """Phase -> k (DateTime text): everything of that phase and before is recorded by then."""

    def occurred(self, index: int) -> datetime:
        return parse_instant(self.events[index]["occurredAt"])

    def steps_known_at(self, phase: int) -> list[int]:
        return [i for i, step in enumerate(self.steps) if step["phase"] <= phase]


def replay_over_api(api: GraphQLClient, name: str) -> Replayed:
    """Record a scenario's steps through the mutations, as a client would: phase 1, note
    k1, phase 2 (backdated decisions and retractions), note k2."""
    steps = load_steps(name)
    recorder = Recorder(api)
    events: list[dict[str, Any]] = []
    known_at: dict[int, str] = {}

    def record(mutation: str, given: dict[str, Any]) -> dict[str, Any]:
        result = recorder.result(mutation, given)
        assert result["__typename"].endswith("Success"), (len(events), result)
        assert result["event"]["position"] == len(events) + 1
        events.append(result["event"])
        return result

    def note_known_at(phase: int) -> None:
        known_at[phase - 1] = now_text()
        time.sleep(0.02)  # the next phase is recorded strictly after it

    results = list(
        replay_steps(
            steps, record, lambda r: (r["partnership"]["id"], r["event"]["id"]), note_known_at
        )
    )
    known_at.setdefault(1, now_text())
    known_at[2] = now_text()
    return Replayed(name, results[-1]["partnership"]["id"], steps, events, known_at)
