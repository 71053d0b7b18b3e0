"""The write side on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from accord.application.importing import recorder_writer
from accord.domain.errors import DomainError, ErrorCode, VersionConflict
from accord.runtime import Runtime
from tests.support.scenarios import SCENARIO_NAMES, load_steps


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    runtime = Runtime.open(database_url)
    yield runtime
    runtime.close()


def form(runtime: Runtime, **extra: Any) -> uuid.UUID:
    outcome = runtime.app.execute(
        "formPartnership",
        {"name": "Riverside", "purpose": "Joined-up care", "occurredAt": "2025-01-01", **extra},
        actor="alice",
    )
    runtime.app.execute(
        "joinPartner",
        {
            "partnershipId": str(outcome.partnership_id),
            "partnerId": "trust",
            "name": "Trust",
            "sector": "NHS_TRUST",
            "occurredAt": "2025-01-02",
        },
        actor="alice",
    )
    return outcome.partnership_id


def check_in(pid: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "partnershipId": str(pid),
        "respondentId": "trust",
        "reliability": 4,
        "openness": 4,
        "respect": 4,
        "sharedOwnership": 4,
        "occurredAt": "2025-02-01",
        **extra,
    }


def test_a_history_survives_a_restart(database_url: str) -> None:
    first = Runtime.open(database_url)
    pid = form(first)
    first.close()
    again = Runtime.open(database_url)
    try:
        assert again.app.partnership(pid).version == 2
        assert again.app.verify(pid).valid
    finally:
        again.close()


def test_eight_threads_of_two_hundred_commands_lose_nothing(runtime: Runtime) -> None:
    pid = form(runtime)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                runtime.app.execute("recordTrustCheckIn", check_in(pid), actor="alice")
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert runtime.app.partnership(pid).version == 2 + 8 * 200
    assert runtime.app.verify(pid).valid


def test_with_an_expected_version_the_losers_get_a_version_conflict(database_url: str) -> None:
    writers = [Runtime.open(database_url, project=False) for _ in range(2)]
    try:
        pid = form(writers[0])
        writers[1].app.partnership(pid)  # both have it cached at version 2
        results: list[str] = []
        barrier = threading.Barrier(8)

        def attempt(index: int) -> None:
            barrier.wait()
            try:
                writers[index % 2].app.execute(
                    "recordTrustCheckIn", check_in(pid, expectedVersion=2), actor="alice"
                )
                results.append("recorded")
            except VersionConflict as conflict:
                assert conflict.expected == 2 and conflict.current == 3
                results.append("conflict")

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["conflict"] * 7 + ["recorded"]
        assert writers[0].app.partnership(pid).version == 3
    finally:
        for writer in writers:
            writer.close()


def test_an_idempotent_retry_returns_the_first_result_and_records_nothing(runtime: Runtime) -> None:
    pid = form(runtime)
    first = runtime.app.execute(
        "recordTrustCheckIn", check_in(pid, idempotencyKey="k-1"), actor="alice"
    )
    again = runtime.app.execute(
        "recordTrustCheckIn", check_in(pid, idempotencyKey="k-1", expectedVersion=1), actor="alice"
    )
    assert again.replayed and again.event.event_id == first.event.event_id
    assert runtime.app.partnership(pid).version == 3
    with pytest.raises(DomainError) as caught:
        runtime.app.execute(
            "recordTrustCheckIn", check_in(pid, idempotencyKey="k-1", respect=1), actor="alice"
        )
    assert caught.value.code == ErrorCode.DUPLICATE and caught.value.field == "idempotencyKey"


def test_a_refused_command_leaves_its_key_free(runtime: Runtime) -> None:
    pid = form(runtime)
    with pytest.raises(DomainError):
        runtime.app.execute(
            "recordTrustCheckIn",
            check_in(pid, idempotencyKey="k-2", respondentId="nobody"),
            actor="alice",
        )
    runtime.app.execute("recordTrustCheckIn", check_in(pid, idempotencyKey="k-2"), actor="alice")


def test_forming_twice_with_one_key_finds_the_same_partnership(runtime: Runtime) -> None:
    body = {"name": "Riverside", "purpose": "Care", "idempotencyKey": "form-1"}
    first = runtime.app.execute("formPartnership", body, actor="alice")
    again = runtime.app.execute("formPartnership", body, actor="alice")
    assert again.partnership_id == first.partnership_id and again.replayed


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_the_shared_scenarios_are_recorded_through_the_service(runtime: Runtime, name: str) -> None:
    steps = load_steps(name)
    pid, notification = runtime.app.import_steps(steps, actor="importer")
    assert runtime.wait_for(notification)
    assert runtime.app.partnership(pid).version == len(steps)
    assert runtime.app.verify(pid).valid
    events = runtime.reader.events(str(pid))
    assert len(events) == len(steps)
    retracted = [e.position for e in events if e.retracted_by]
    refs = sorted(step["eventRef"] + 1 for step in steps if "eventRef" in step)
    assert retracted == refs


def test_an_invalid_step_stops_the_import_and_records_nothing(runtime: Runtime) -> None:
    steps = load_steps("hartmoor-a")
    broken = [
        *steps[:50],
        {
            "mutation": "recordDecision",
            "input": {
                "title": "x",
                "category": "STRATEGY",
                "method": "VOTE",
                "decidedBy": ["ghost"],
            },
        },
        *steps[50:],
    ]
    from accord.application.service import StepError

    with pytest.raises(StepError) as caught:
        runtime.app.import_steps(broken, actor="importer")
    assert caught.value.step == 50 and caught.value.error.field == "decidedBy.0"
    assert runtime.app.partnership_ids() == []


def test_an_import_into_postgresql_is_saved_in_chunks_that_make_the_whole_history(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One insert of ~10,000 events hangs in psycopg's pipeline mode; chunks stay small.
    steps = load_steps("hartmoor-a")
    runtime = Runtime.open(postgres_url)
    monkeypatch.setattr(runtime.app, "import_writer", recorder_writer(7))
    try:
        pid, notification = runtime.app.import_steps(steps, actor="importer")
        assert notification == runtime.app.recorder.max_notification_id() == len(steps)
        assert runtime.wait_for(notification)
        assert [e.position for e in runtime.app.stored_events(pid)] == list(
            range(1, len(steps) + 1)
        )
        assert runtime.app.verify(pid).valid
        assert len(runtime.reader.events(str(pid))) == len(steps)
    finally:
        runtime.close()


def test_a_command_whose_save_fails_leaves_no_trace_in_the_cached_partnership(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventsourcing.persistence import OperationalError

    pid = form(runtime)
    recorder = runtime.app.recorder
    insert = recorder.insert_events
    failures = iter([True])

    def insert_once_failing(*args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise OperationalError("the server closed the connection")
        return insert(*args, **kwargs)

    monkeypatch.setattr(recorder, "insert_events", insert_once_failing)
    with pytest.raises(OperationalError):
        runtime.app.execute("recordTrustCheckIn", check_in(pid, idempotencyKey="k"), actor="alice")
    # The retry records the event (it is not taken for a replay of one never stored), and
    # the next command follows it without a gap.
    retried = runtime.app.execute(
        "recordTrustCheckIn", check_in(pid, idempotencyKey="k"), actor="alice"
    )
    assert not retried.replayed and retried.version == 3
    runtime.app.execute("recordTrustCheckIn", check_in(pid), actor="alice")
    assert [e.position for e in runtime.app.stored_events(pid)] == [1, 2, 3, 4]
    assert runtime.app.verify(pid).valid


def test_a_command_judged_on_a_stale_cached_partnership_is_judged_again_on_a_fresh_load(
    database_url: str,
) -> None:
    here, there = (Runtime.open(database_url, project=False) for _ in range(2))
    try:
        pid = form(here)
        there.app.partnership(pid)  # cached in the other process at version 2
        here.app.execute(
            "setGoal",
            {"partnershipId": str(pid), "goalId": "g1", "statement": "Fewer delayed discharges"},
            actor="alice",
        )
        here.app.execute(
            "grantRole",
            {"partnershipId": str(pid), "actor": "bob", "role": "RECORDER"},
            actor="alice",
        )
        # Refused on the stale copy (no goal g1, no role for bob, version 2): each
        # refusal is confirmed on a fresh load, where none of them holds.
        endorsed = there.app.execute(
            "endorseGoal",
            {
                "partnershipId": str(pid),
                "goalId": "g1",
                "partnerId": "trust",
                "rating": 4,
                "version": 1,
                "expectedVersion": 4,
            },
            actor="bob",
        )
        assert endorsed.version == 5
        # A command that passes on a stale copy fails to insert its version, and is
        # judged again: it lands after the other process's event.
        here.app.execute("recordTrustCheckIn", check_in(pid), actor="alice")
        checked = there.app.execute("recordTrustCheckIn", check_in(pid), actor="alice")
        assert checked.version == 7
        assert [e.position for e in here.app.stored_events(pid)] == list(range(1, 8))
        # A refusal that holds on a fresh load still stands.
        with pytest.raises(VersionConflict) as conflict:
            here.app.execute("recordTrustCheckIn", check_in(pid, expectedVersion=6), actor="alice")
        assert conflict.value.current == 7
    finally:
        here.close()
        there.close()
