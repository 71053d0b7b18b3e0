"""SQLite: the views (the same file as the event store, in WAL mode), and a large
import's events written by a second process while the first one judges them."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import (
    AggregateRecorder,
    IntegrityError,
    Mapper,
    OperationalError,
)
from eventsourcing.sqlite import SQLiteAggregateRecorder

from accord.application.importing import ImportWriter, ImportWriterFactory, RecorderWriter
from accord.domain.partnership import PartnershipEvent
from accord.storage.mapper import EventMapper
from accord.storage.sqlite_writer import ABORT, END, row_of, write_frame
from accord.storage.views import ViewDatabase


class SqliteViews(ViewDatabase):
    kind = "sqlite"

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.target, timeout=30, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # Views are copies of the event store, so zeroing their freed pages (this
        # SQLite's default) protects nothing and makes a rebuild's drop slower.
        connection.execute("PRAGMA secure_delete=FAST")
        return connection

    def private_connect(self) -> sqlite3.Connection:
        connection = self.connect()
        connection.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed in the file
        return connection

    def forget_deleted(self, connection: Any) -> None:
        # The write-ahead log still holds the pages as they were: copy it back and empty
        # it (best effort: a reader still using old pages keeps them until it is done).
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def transaction(self, connection: Any) -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def log_select(self, recorder: Any) -> str:
        return (
            "SELECT rowid, originator_id, originator_version, topic, state "
            f'FROM "{recorder.events_table_name}" WHERE rowid >= ? ORDER BY rowid LIMIT ?'
        )


PARALLEL_IMPORT_STEPS = 20_000
"""Imports of at least this many steps are written by a second process as they are
judged (below it, starting that process costs more than it saves)."""


def import_writer(path: str, parallel_from: int = PARALLEL_IMPORT_STEPS) -> ImportWriterFactory:
    """An import's writer for the store in the file `path`: a `WriterProcess` for an
    import of at least `parallel_from` steps, else eventsourcing's recorders once judged."""

    def build(
        mapper: Mapper[uuid.UUID],
        recorder: AggregateRecorder,
        snapshots: AggregateRecorder | None,
        steps: int,
    ) -> ImportWriter:
        in_file = path not in ("", ":memory:") and not path.startswith("file::memory:")
        if (
            steps < parallel_from
            or not in_file
            or not isinstance(mapper, EventMapper)  # the child maps as `import_mapper`
            or mapper.cipher is not None
            or mapper.compressor is not None
            or not isinstance(recorder, SQLiteAggregateRecorder)
            or not isinstance(snapshots, SQLiteAggregateRecorder | None)
        ):
            return RecorderWriter(mapper, recorder, snapshots)
        snapshot_statement = snapshots.insert_events_statement if snapshots else ""
        try:
            return WriterProcess(path, recorder.insert_events_statement, snapshot_statement, mapper)
        except OSError:  # no interpreter to start (an embedded Python): this process saves
            return RecorderWriter(mapper, recorder, snapshots)

    return build


_CHILD = "import sys; from accord.storage.sqlite_writer import main; main(*sys.argv[1:])"


class WriterProcess:
    """A second process that maps and inserts an import's events, in one transaction,
    while this one judges the rest: judging is Python on one core; mapping the events
    (the store's own mapper, `event_store.import_mapper`) and SQLite's insert
    (eventsourcing's statement, into its table) run on the other. The transaction takes
    the store's write lock at the start and commits only on `commit`; `abort`, a failure
    on either side, or this process's end rolls it back, so a refused or broken import
    records nothing. Other writers wait for the lock meanwhile (the busy timeout), as
    they wait for any import's one transaction.

    A plain subprocess (this interpreter, `-c`, `sqlite_writer.main`), not
    multiprocessing: its spawn would run the importing program's main module again, and
    a fork copies a threaded process. The events go over its stdin, pickled (a third of
    the time of mapping them here), its answer over its stdout."""

    def __init__(
        self, path: str, statement: str, snapshot_statement: str, mapper: Mapper[uuid.UUID]
    ) -> None:
        self._mapper = mapper
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-c", _CHILD, path, statement, snapshot_statement],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        with suppress(ImportError, AttributeError, OSError):  # Linux: room for more rows
            import fcntl

            fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        self._rows: IO[bytes] = self._process.stdin
        self._answers: IO[bytes] = self._process.stdout

    def write(self, events: Sequence[PartnershipEvent]) -> None:
        self._send(list(events))

    def commit(self, snapshot: Snapshot | None) -> int:
        row = None if snapshot is None else row_of(self._mapper.to_stored_event(snapshot))
        self._send((END, row))
        answer = self._answer()
        self._end()
        if answer[0] != "committed":
            _raise(answer)
        return int(answer[1])

    def abort(self) -> None:
        if self._process.returncode is None:  # not ended already by a failure
            with suppress(OSError, ValueError):
                write_frame(self._rows, ABORT)
            self._end()

    def _send(self, message: Any) -> None:
        try:
            write_frame(self._rows, message)
        except OSError:  # the writer has gone: its answer says why
            answer = self._answer()
            self._end()
            _raise(answer)

    def _answer(self) -> tuple[Any, ...]:
        try:
            answer: tuple[Any, ...] = pickle.load(self._answers)
        except (EOFError, OSError, pickle.UnpicklingError):
            answer = ("failed", "OperationalError", "the import's writer process ended")
        return answer

    def _end(self) -> None:
        with suppress(OSError):
            self._rows.close()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # pragma: no cover - a writer stuck past its timeout
            self._process.kill()
            self._process.wait()
        self._answers.close()


def _raise(answer: tuple[Any, ...]) -> None:
    _, name, message = answer
    raise (IntegrityError if name == "IntegrityError" else OperationalError)(message)
