"""Stored events name their classes by topic (`accord.domain.partnership:Partnership.GoalSet`,
where the classes were first declared): stores written before the events moved to
`accord.domain.events` keep loading, and new events are stored under the same topics."""

from __future__ import annotations

import subprocess
import sys
import uuid

from eventsourcing.persistence import StoredEvent

from accord.domain.catalogue import KINDS
from accord.domain.partnership import Partnership
from accord.settings import database_from_url
from accord.storage.event_store import open_application

PID = uuid.UUID("3eeff02d-f343-4d46-a5f2-65d410a83d8d")
OLD = "accord.domain.partnership:Partnership."

# Two events exactly as the release before the catalogue stored them.
FORMED = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-04T21:08:02.449712+00:00"},'
    b'"originator_topic":"accord.domain.partnership:Partnership",'
    b'"occurred_at":{"_type_":"datetime_iso","_data_":"2023-03-09T09:00:00+00:00"},'
    b'"recorded_at":{"_type_":"datetime_iso","_data_":"2026-12-04T21:08:02.449712+00:00"},'
    b'"recorded_by":"t","event_id":"020f71d0-ec15-8db6-be05-000000000001",'
    b'"hash":"3a014cfa9b05ca1fb4ea66336e319d2b0892df10840a1cdfe23e8f94e57e52fc",'
    b'"previous_hash":null,"idempotency_key":null,'
    b'"fingerprint":"54d0946e28f62a55e34d750296a90e710c542e3c35e84a27bf0c80a2bc54fce1",'
    b'"seal":null,"name":"Hartmoor Partnership 23",'
    b'"purpose":"Join up discharge and home care for older people"}'
)
GOAL_SET = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-04T21:08:02.449718+00:00"},'
    b'"occurred_at":{"_type_":"datetime_iso","_data_":"2023-03-11T09:00:00+00:00"},'
    b'"recorded_at":{"_type_":"datetime_iso","_data_":"2026-12-04T21:08:02.449718+00:00"},'
    b'"recorded_by":"t","event_id":"020f71d0-ec15-8db6-be05-000000000002",'
    b'"previous_hash":"3a014cfa9b05ca1fb4ea66336e319d2b0892df10840a1cdfe23e8f94e57e52fc",'
    b'"hash":"e6f1bfdcbd2acb3fc5cd110ce22d0704390b9855a043371c0a3e7431870d768d",'
    b'"seal":null,"idempotency_key":null,"fingerprint":null,'
    b'"goal_id":"goal-0","statement":"Shared goal 0: fewer delayed discharges"}'
)


def test_events_stored_under_the_old_topics_load_and_new_ones_keep_them(sqlite_url: str) -> None:
    app = open_application(database_from_url(sqlite_url), key=b"k")
    try:
        app.recorder.insert_events(
            [
                StoredEvent(PID, 1, OLD + "PartnershipFormed", FORMED),
                StoredEvent(PID, 2, OLD + "GoalSet", GOAL_SET),
            ]
        )
        partnership = app.partnership(PID)
        assert partnership.ids["goal"] == {"goal-0": 2}
        assert partnership.timelines["goal:goal-0"]["tail"]["set"] is True
        assert [type(event) for event in app.stored_events(PID)] == [
            Partnership.PartnershipFormed,
            Partnership.GoalSet,
        ]
        app.execute("reaffirmGoal", {"partnershipId": str(PID), "goalId": "goal-0"}, actor="t")
        topics = [stored.topic for stored in app.recorder.select_events(PID)]
        assert topics[-1] == OLD + "GoalReaffirmed"
    finally:
        app.close()


def test_a_fresh_process_resolves_every_old_topic() -> None:
    topics = [OLD + kind.event_class.__name__ for kind in KINDS]
    code = (
        "import sys\n"
        "from eventsourcing.utils import resolve_topic\n"
        "for topic in sys.argv[1:]:\n"
        "    print(resolve_topic(topic).__qualname__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *topics], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [kind.event_class.__name__ for kind in KINDS]
