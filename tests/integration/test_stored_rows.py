"""The projector reads stored events' JSON directly: every kind of event gives the same
index row and extras as decoding it into a domain object first."""

from __future__ import annotations

from collections import Counter

from accord.domain.partnership import PartnershipEvent
from accord.runtime import Runtime
from accord.storage.log import EventLog, LogRecord
from accord.storage.stored import from_event, projected, read_plainly
from bench.generate import generate_history


def log_records(runtime: Runtime) -> list[LogRecord]:
    connection = runtime.views.connect()
    try:
        return EventLog(runtime.app.recorder, runtime.views).read(connection, 1, 10_000)
    finally:
        connection.close()


def test_every_stored_event_reads_plainly_to_the_row_its_domain_event_gives(
    database_url: str,
) -> None:
    runtime = Runtime.open(database_url, project=False)
    try:
        app = runtime.app
        pid, _ = app.import_steps(generate_history(3_000, seed=5)["steps"], actor="admin")
        for mutation, extra in (
            ("grantRole", {"actor": "viewer-1", "role": "VIEWER"}),
            ("grantRole", {"actor": "viewer-1", "role": "RECORDER"}),
            ("revokeRole", {"actor": "viewer-1"}),
        ):
            app.execute(mutation, {"partnershipId": str(pid), **extra}, actor="admin")
        records = log_records(runtime)
        notifications = app.recorder.select_notifications(start=1, limit=10_000)
        assert [r[0] for r in records] == [n.id for n in notifications]
        kinds: Counter[str] = Counter()
        for record, stored in zip(records, notifications, strict=True):
            event = app.mapper.to_domain_event(stored)
            assert isinstance(event, PartnershipEvent)
            fast = read_plainly(record)
            assert fast is not None, stored.topic
            assert fast == from_event(event)
            assert projected(record, app.mapper) == fast
            kinds[event.type_name()] += 1
    finally:
        runtime.close()
    assert len(kinds) == 19, kinds  # every kind of event was compared


def test_an_event_the_fast_reading_does_not_recognise_is_left_to_the_mapper(
    sqlite_url: str,
) -> None:
    runtime = Runtime.open(sqlite_url, project=False)
    try:
        app = runtime.app
        app.import_steps(generate_history(40, seed=9)["steps"], actor="admin")
        record = log_records(runtime)[2]
        position, originator_id, version, topic, state = record
        upcast = (
            position,
            originator_id,
            version,
            topic,
            state.replace(b'{"timestamp"', b'{"class_version":0,"timestamp"', 1),
        )
        assert read_plainly(upcast) is None
        foreign = (position, originator_id, version, "accord.storage.tokens:NotAnEvent", state)
        assert read_plainly(foreign) is None
        assert projected(record, app.mapper) == read_plainly(record)
    finally:
        runtime.close()
