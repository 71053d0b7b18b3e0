"""A large import into SQLite is written by a second process while it is judged
(`accord.storage.sqlite.WriterProcess`): the same history as any import, in one
transaction that no one sees before it commits, and nothing at all when a step is
refused or either process fails."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.application.importing import RecorderWriter
from accord.application.service import StepError
from accord.runtime import Runtime
from accord.settings import database_from_url
from accord.storage import sqlite as sqlite_storage
from accord.storage.sqlite import WriterProcess, import_writer
from bench.generate import generate_history
from tests.support.scenarios import load_steps

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "accord.db"


@pytest.fixture
def runtime(path: Path) -> Iterator[Runtime]:
    """A runtime whose every import, however small, goes through the writer process."""
    runtime = Runtime.open(f"sqlite:///{path}")
    runtime.app.import_writer = import_writer(str(path), parallel_from=1)
    yield runtime
    runtime.close()


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[WriterProcess]:
    """The writer processes started, as they start."""
    started: list[WriterProcess] = []
    original = WriterProcess.__init__

    def init(self: WriterProcess, *args: Any) -> None:
        original(self, *args)
        started.append(self)

    monkeypatch.setattr(sqlite_storage.WriterProcess, "__init__", init)
    return started


def stored_rows(path: Path) -> tuple[int, int]:
    """(events, snapshots) in the store, read by a connection of its own."""
    with sqlite3.connect(path) as database:
        events = database.execute("SELECT count(*) FROM stored_events").fetchone()[0]
        snapshots = database.execute("SELECT count(*) FROM stored_snapshots").fetchone()[0]
    return events, snapshots


def write_lock_is_free(path: Path, wait: float = 0.0) -> bool:
    database = sqlite3.connect(path, timeout=wait, isolation_level=None)
    try:
        database.execute("BEGIN IMMEDIATE")
        database.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        database.close()


def test_a_large_import_is_written_by_a_second_process(
    runtime: Runtime, path: Path, writers: list[WriterProcess]
) -> None:
    steps = load_steps("hartmoor-a")
    pid, notification = runtime.app.import_steps(steps, actor="importer")
    assert len(writers) == 1 and writers[0]._process.returncode == 0
    assert notification == runtime.app.recorder.max_notification_id() == len(steps)
    assert runtime.wait_for(notification)
    assert [e.position for e in runtime.app.stored_events(pid)] == list(range(1, len(steps) + 1))
    assert runtime.app.verify(pid).valid
    assert len(runtime.reader.events(str(pid))) == len(steps)
    assert stored_rows(path) == (len(steps), 1)  # the whole history's snapshot with it
    snapshot = next(iter(runtime.app.snapshots.get(pid)))  # type: ignore[union-attr]
    assert snapshot.originator_version == len(steps)


def test_the_writer_process_records_what_the_importing_process_would(
    runtime: Runtime, tmp_path: Path
) -> None:
    steps = generate_history(5_000, seed=3)["steps"]
    pid, _ = runtime.app.import_steps(steps, actor="importer")
    alone = Runtime.open(f"sqlite:///{tmp_path / 'alone.db'}")
    try:
        assert isinstance(
            alone.app.import_writer(alone.app.mapper, alone.app.recorder, None, 1), RecorderWriter
        )
        other, _ = alone.app.import_steps(steps, actor="importer")
        ours = [vars(e) for e in runtime.app.stored_events(pid)]
        theirs = [vars(e) for e in alone.app.stored_events(other)]
        assert len(ours) == len(theirs) == len(steps)
        differ = {"originator_id", "event_id", "hash", "previous_hash", "seal", "timestamp"}
        differ |= {"recorded_at", "target_event_id"}  # ids carry the partnership
        for mine, yours in zip(ours, theirs, strict=True):
            assert {k: v for k, v in mine.items() if k not in differ} == {
                k: v for k, v in yours.items() if k not in differ
            }
        assert runtime.app.verify(pid).valid and alone.app.verify(other).valid
    finally:
        alone.close()


def test_until_it_commits_no_one_sees_the_import_and_other_writers_wait(
    runtime: Runtime, path: Path
) -> None:
    steps = generate_history(6_000, seed=5)["steps"]
    seen: list[tuple[int, int]] = []
    locked: list[bool] = []

    def progress(done: int) -> None:
        if done == 5_000:  # two batches of rows sent to the writer by now
            locked.append(not write_lock_is_free(path))
            seen.append(stored_rows(path))

    runtime.app.import_steps(steps, actor="importer", progress=progress)
    assert locked == [True] and seen == [(0, 0)]
    assert stored_rows(path) == (len(steps), 1)


def test_a_refused_step_after_rows_were_written_records_nothing(
    runtime: Runtime, path: Path, writers: list[WriterProcess]
) -> None:
    steps = generate_history(6_000, seed=5)["steps"]
    broken = [*steps[:5_500], {"mutation": "recordTrustCheckIn", "input": {"reliability": 9}}]
    with pytest.raises(StepError) as caught:
        runtime.app.import_steps(broken, actor="importer")
    assert caught.value.step == 5_500
    assert writers[0]._process.returncode == 0  # rolled back and gone
    assert stored_rows(path) == (0, 0)
    assert write_lock_is_free(path, wait=5) and runtime.app.partnership_ids() == []


def test_a_writer_process_that_dies_fails_the_import_and_records_nothing(
    runtime: Runtime, path: Path, writers: list[WriterProcess]
) -> None:
    steps = generate_history(6_000, seed=5)["steps"]

    def progress(done: int) -> None:
        if done == 3_000:
            writers[0]._process.kill()

    from eventsourcing.persistence import OperationalError

    with pytest.raises(OperationalError, match="writer process ended"):
        runtime.app.import_steps(steps, actor="importer", progress=progress)
    assert stored_rows(path) == (0, 0)
    assert write_lock_is_free(path, wait=5) and runtime.app.partnership_ids() == []


def test_an_importing_process_that_dies_leaves_nothing_and_frees_the_store(path: Path) -> None:
    Runtime.open(f"sqlite:///{path}").close()  # the store's tables
    program = textwrap.dedent(
        f"""
        import os
        from accord.settings import database_from_url
        from accord.storage.event_store import open_application
        from bench.generate import generate_history

        app = open_application(database_from_url({f"sqlite:///{path}"!r}), key=b"k")
        steps = generate_history(25_000, seed=5)["steps"]

        def progress(done):
            if done == 12_000:
                os._exit(3)  # no clean-up of any kind: as if killed

        app.import_steps(steps, actor="importer", progress=progress)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, "-c", program], env=env, timeout=300)
    assert finished.returncode == 3
    assert write_lock_is_free(path, wait=10)  # the writer saw its input end and rolled back
    assert stored_rows(path) == (0, 0)


def test_small_imports_and_memory_stores_are_written_by_the_importing_process(
    path: Path,
) -> None:
    runtime = Runtime.open(f"sqlite:///{path}")
    try:
        build = runtime.app.import_writer
        mapper, recorder = runtime.app.mapper, runtime.app.recorder
        assert isinstance(build(mapper, recorder, None, 19_999), RecorderWriter)
        writer = build(mapper, recorder, None, 20_000)
        assert isinstance(writer, WriterProcess)
        writer.abort()
    finally:
        runtime.close()
    memory = import_writer(database_from_url("sqlite:///:memory:").path, parallel_from=1)
    assert isinstance(memory(mapper, recorder, None, 50_000), RecorderWriter)


def test_an_error_in_the_writer_process_is_raised_by_the_import(path: Path) -> None:
    from eventsourcing.persistence import OperationalError

    runtime = Runtime.open(f"sqlite:///{path}")
    try:
        app = runtime.app
        partnership = app.partnership(
            app.execute(
                "formPartnership", {"name": "Riverside", "purpose": "Care"}, actor="alice"
            ).partnership_id
        )
        writer = WriterProcess(str(path), "INSERT INTO nowhere VALUES (?,?,?,?)", "", app.mapper)
        writer.write(list(app.stored_events(partnership.id)))
        with pytest.raises(OperationalError, match="no such table: nowhere"):
            writer.commit(None)
        assert writer._process.returncode == 0
        assert stored_rows(path) == (1, 0)
    finally:
        runtime.close()


def test_without_an_interpreter_to_start_the_import_is_saved_by_the_importing_process(
    runtime: Runtime, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(path.parent / "no-such-python"))
    writer = runtime.app.import_writer(runtime.app.mapper, runtime.app.recorder, None, 50_000)
    assert isinstance(writer, RecorderWriter)
    steps = load_steps("hartmoor-a")
    pid, notification = runtime.app.import_steps(steps, actor="importer")
    assert notification == len(steps) and runtime.app.verify(pid).valid
