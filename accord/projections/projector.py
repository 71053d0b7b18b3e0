"""The projection runner: follows the event store's notification log into the views.

Each batch of notifications is written to the views with the position it reaches in
one transaction: exactly once, restart-safe. A changed views version is rebuilt from
position 0. `ProjectorThread` keeps one process's views current: it wakes when this
process records an event and polls for events recorded by other processes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from ..domain.partnership import Partnership, PartnershipEvent
from ..domain.service import AccordApplication
from .records import IndexedEvent
from .views import EVENT_COLUMNS, VIEW_NAME, VIEWS_VERSION, ViewDatabase

BATCH = 2000


def indexed(event: PartnershipEvent) -> IndexedEvent:
    """A stored domain event as the event index holds it."""
    return IndexedEvent(
        partnership_id=str(event.originator_id),
        position=event.position,
        event_id=event.event_id,
        type=event.type_name(),
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by,
        data=event.data,
        hash=event.hash,
        previous_hash=event.previous_hash,
    )


_JSON = json.JSONEncoder(separators=(",", ":")).encode


def event_row(event: PartnershipEvent) -> tuple[Any, ...]:
    """The event index row of a stored event (as `row_of(indexed(event))`, faster)."""
    return (
        str(event.originator_id),
        event.originator_version,
        event.event_id,
        event.type_name(),
        event.occurred_at.isoformat(timespec="microseconds"),
        event.recorded_at.isoformat(timespec="microseconds"),
        event.recorded_by,
        _JSON(event.data),
        event.hash,
        event.previous_hash,
        None,
        None,
    )


class Projector:
    """Brings the views up to date with the event store."""

    def __init__(self, app: AccordApplication, views: ViewDatabase) -> None:
        self.app = app
        self.views = views
        self.connection = views.connect()
        self._prepare()

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
            notifications = self.app.recorder.select_notifications(start=start, limit=limit)
            if not notifications:
                return 0
            events = [self.app.mapper.to_domain_event(n) for n in notifications]
            self._write(events)
            self._track(int(notifications[-1].id))
        return len(notifications)

    def _locked_position(self) -> int:
        self.connection.execute(
            self.views.sql(
                "INSERT INTO view_tracking (view, position, version) VALUES (?, 0, ?) "
                "ON CONFLICT (view) DO NOTHING"
            ),
            (VIEW_NAME, VIEWS_VERSION),
        )
        lock = " FOR UPDATE" if self.views.kind == "postgresql" else ""
        row = self.connection.execute(
            self.views.sql(f"SELECT position FROM view_tracking WHERE view = ?{lock}"),
            (VIEW_NAME,),
        ).fetchone()
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

    def _write(self, events: list[Any]) -> None:
        sql = self.views.sql
        execute = self.connection.execute
        rows = [event_row(e) for e in events if isinstance(e, PartnershipEvent)]
        placeholders = ", ".join("?" * 12)
        insert = sql(
            f"INSERT INTO view_events ({EVENT_COLUMNS}) VALUES ({placeholders}) "
            "ON CONFLICT (partnership_id, position) DO NOTHING"
        )
        if self.views.kind == "sqlite":
            self.connection.executemany(insert, rows)
        else:
            with self.connection.cursor() as cursor:
                cursor.executemany(insert, rows)
        versions: dict[str, int] = {}
        for event in events:
            if not isinstance(event, PartnershipEvent):
                continue
            pid = str(event.originator_id)
            versions[pid] = max(versions.get(pid, 0), event.position)
            if isinstance(event, Partnership.PartnershipFormed):
                execute(
                    sql(
                        "INSERT INTO view_partnerships (id, name, purpose, formed_at, version) "
                        "VALUES (?, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING"
                    ),
                    (pid, event.name, event.purpose, event.occurred_at.isoformat()),
                )
                self._grant(pid, event.recorded_by, "ADMIN")
            elif isinstance(event, Partnership.EntryRetracted):
                execute(
                    sql(
                        "UPDATE view_events SET retracted_by = ?, retracted_at = ? "
                        "WHERE partnership_id = ? AND position = ?"
                    ),
                    (
                        event.event_id,
                        event.recorded_at.isoformat(timespec="microseconds"),
                        pid,
                        event.target_position,
                    ),
                )
            elif isinstance(event, Partnership.RoleGranted):
                self._grant(pid, event.actor, event.role)
            elif isinstance(event, Partnership.RoleRevoked):
                execute(
                    sql("DELETE FROM view_access WHERE partnership_id = ? AND actor = ?"),
                    (pid, event.actor),
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
    ) -> None:
        self.projector = projector
        self.on_progress = on_progress
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
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

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Wait until the views include `position`; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
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
                while self.projector.run_batch():
                    self._advance()
                self._advance()
                self.error = None  # recovered (healthz reports only a current failure)
            except Exception as exc:  # keep projecting after a transient failure
                self.error = exc
                time.sleep(self.poll_seconds)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _advance(self) -> None:
        position = self.projector.position()
        with self._progress:
            moved = position != self._position
            self._position = position
            self._progress.notify_all()
        if moved and self.on_progress is not None:
            self.on_progress(position)
