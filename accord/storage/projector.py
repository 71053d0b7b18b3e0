"""The projection runner: follows the event store's notification log into the views.

Each batch of notifications is written to the views with the position it reaches in
one transaction: exactly once, restart-safe. A changed views version is rebuilt from
position 0. `ProjectorThread` keeps one process's views current: it wakes when this
process records an event and polls for events recorded by other processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from accord.application.service import AccordApplication
from accord.domain.partnership import Partnership
from accord.storage.log import EventLog
from accord.storage.stored import EXTRA_NAMES, Projected, projected
from accord.storage.views import EVENT_COLUMNS, VIEW_NAME, VIEWS_VERSION, ViewDatabase

BATCH = 2000
DIRECTORY_KINDS = frozenset(EXTRA_NAMES)  # the kinds that change more than the index


class Projector:
    """Brings the views up to date with the event store."""

    def __init__(self, app: AccordApplication, views: ViewDatabase) -> None:
        self.app = app
        self.views = views
        self.connection = views.connect()
        self.log = EventLog(app.recorder, views)
        self._prepare()
        self.last_position = self.position()  # as of the last batch

    def _prepare(self) -> None:
        self.views.create(self.connection)
        row = self.connection.execute(
            self.views.sql("SELECT version FROM view_tracking WHERE view = ?"), (VIEW_NAME,)
        ).fetchone()
        if row is not None and int(row[0]) != VIEWS_VERSION:
            self.reset()

    def reset(self) -> None:
        """Drop the views; the next run rebuilds them from position 0."""
        with self.views.transaction(self.connection):
            self.views.drop(self.connection)
            self.views.create(self.connection)

    def _reconnect_if_lost(self) -> None:
        """A new views connection if the server closed this one (a PostgreSQL restart):
        without it, a long-lived projector would fail for good after one restart."""
        if getattr(self.connection, "closed", False):
            self.connection = self.views.connect()

    def position(self) -> int:
        self._reconnect_if_lost()
        row = self.connection.execute(
            self.views.sql("SELECT position FROM view_tracking WHERE view = ?"), (VIEW_NAME,)
        ).fetchone()
        return int(row[0]) if row else 0

    def run_batch(self, limit: int = BATCH) -> int:
        """Project the next notifications; how many were projected.

        The position is read inside the transaction, under a lock on the tracking row
        (SQLite: the write lock), so several projectors on one database never apply a
        notification twice.
        """
        self._reconnect_if_lost()
        with self.views.transaction(self.connection):
            start = self._locked_position() + 1
            self.last_position = start - 1
            records = self.log.read(self.connection, start, limit)
            if not records:
                return 0
            mapper = self.app.mapper
            entries = [p for r in records if (p := projected(r, mapper)) is not None]
            self._write(entries)
            self._track(int(records[-1][0]))
        self.last_position = int(records[-1][0])
        return len(records)

    def _locked_position(self) -> int:
        select = self.views.sql(
            f"SELECT position FROM view_tracking WHERE view = ?{self.views.row_lock}"
        )
        row = self.connection.execute(select, (VIEW_NAME,)).fetchone()
        if row is None:  # new (or just rebuilt) views
            self.connection.execute(
                self.views.sql(
                    "INSERT INTO view_tracking (view, position, version) VALUES (?, 0, ?) "
                    "ON CONFLICT (view) DO NOTHING"
                ),
                (VIEW_NAME, VIEWS_VERSION),
            )
            row = self.connection.execute(select, (VIEW_NAME,)).fetchone()
        return int(row[0])

    def run_until_current(self, progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while count := self.run_batch():
            total += count
            if progress is not None:
                progress(count)
        return total

    def max_position(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def _track(self, position: int) -> None:
        self.connection.execute(
            self.views.sql(
                "INSERT INTO view_tracking (view, position, version) VALUES (?, ?, ?) "
                "ON CONFLICT (view) DO UPDATE SET position = excluded.position, "
                "version = excluded.version"
            ),
            (VIEW_NAME, position, VIEWS_VERSION),
        )

    def _unshown(self, entries: list[Projected]) -> list[Projected]:
        """The entries the views do not hold yet: a partnership's version covers those
        written with their events (`inline`), or by a projector before."""
        pids = sorted({entry.row[0] for entry in entries})
        shown: dict[str, int] = {}
        for start in range(0, len(pids), 500):
            chunk = pids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.connection.execute(
                self.views.sql(f"SELECT id, version FROM view_partnerships WHERE id IN ({marks})"),
                chunk,
            ).fetchall()
            shown.update({row[0]: int(row[1]) for row in rows})
        if not shown:
            return entries
        return [e for e in entries if e.row[1] > shown.get(e.row[0], 0)]

    def _write(self, entries: list[Projected]) -> None:
        entries = self._unshown(entries)
        sql = self.views.sql
        execute = self.connection.execute
        rows = [entry.row for entry in entries]
        placeholders = ", ".join("?" * 12)
        insert = sql(
            f"INSERT INTO view_events ({EVENT_COLUMNS}) VALUES ({placeholders}) "
            "ON CONFLICT (partnership_id, position) DO NOTHING"
        )
        self.views.insert_many(self.connection, insert, rows)
        # The log holds each partnership's events in position order: its last row here
        # is its newest.
        versions = {row[0]: row[1] for row in rows}
        for entry in entries:
            kind = entry.kind
            if kind not in DIRECTORY_KINDS:
                continue
            pid, extra = entry.row[0], entry.extra
            if kind is Partnership.PartnershipFormed:
                name, purpose, formed_at = extra
                execute(
                    sql(
                        "INSERT INTO view_partnerships (id, name, purpose, formed_at, version) "
                        "VALUES (?, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING"
                    ),
                    (pid, name, purpose, formed_at),
                )
                self._grant(pid, entry.row[6], "ADMIN")
            elif kind is Partnership.EntryRetracted:
                execute(
                    sql(
                        "UPDATE view_events SET retracted_by = ?, retracted_at = ? "
                        "WHERE partnership_id = ? AND position = ?"
                    ),
                    (entry.row[2], entry.row[5], pid, extra[0]),
                )
            elif kind is Partnership.RoleGranted:
                self._grant(pid, extra[0], extra[1])
            elif kind is Partnership.RoleRevoked:
                execute(
                    sql("DELETE FROM view_access WHERE partnership_id = ? AND actor = ?"),
                    (pid, extra[0]),
                )
        for pid, version in versions.items():
            execute(
                sql("UPDATE view_partnerships SET version = ? WHERE id = ? AND version < ?"),
                (version, pid, version),
            )

    def _grant(self, pid: str, actor: str, role: str) -> None:
        self.connection.execute(
            self.views.sql(
                "INSERT INTO view_access (partnership_id, actor, role) VALUES (?, ?, ?) "
                "ON CONFLICT (partnership_id, actor) DO UPDATE SET role = excluded.role"
            ),
            (pid, actor, role),
        )

    def close(self) -> None:
        self.connection.close()


class ProjectorThread:
    """Keeps this process's views current, and lets a command wait for its own event."""

    def __init__(
        self,
        projector: Projector,
        poll_seconds: float = 0.25,
        on_progress: Callable[[int], None] | None = None,
        gather_seconds: float = 0.02,
    ) -> None:
        self.projector = projector
        self.gather_seconds = gather_seconds
        self.on_progress = on_progress
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._urgent = threading.Event()  # someone waits for the views
        self._progress = threading.Condition()
        self._position = projector.position()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="accord-projector", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=10)

    @property
    def position(self) -> int:
        return self._position

    def wait_for(self, position: int, timeout: float = 5.0, *, hurry: bool = True) -> bool:
        """Wait until the views include `position`; False after `timeout` seconds.
        Without `hurry` (a watcher, not a reader of its own write), the projector may
        gather a moment's writes into one batch first."""
        deadline = time.monotonic() + timeout
        if hurry:
            self._urgent.set()
            self.wake()
        with self._progress:
            while self._position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._progress.wait(remaining)
        return True

    def _run(self) -> None:
        while not self._stopping:
            try:
                while self.projector.run_batch() == BATCH:  # a full batch: more may follow
                    self._advance()
                self._advance()
                self.error = None  # recovered (healthz reports only a current failure)
            except Exception as exc:  # keep projecting after a transient failure
                self.error = exc
                time.sleep(self.poll_seconds)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if not self._urgent.is_set():
                # Nobody waits (their views were written with their events): gather the
                # writes of the next moment into one batch.
                self._urgent.wait(self.gather_seconds)
            self._urgent.clear()

    def _advance(self) -> None:
        position = self.projector.last_position
        with self._progress:
            moved = position != self._position
            self._position = position
            self._progress.notify_all()
        if moved and self.on_progress is not None:
            self.on_progress(position)
