"""Wiring: the write side, the views and the projector for one database."""

from __future__ import annotations

from dataclasses import dataclass

from .domain.service import AccordApplication
from .projections.projector import Projector, ProjectorThread
from .projections.reader import ViewReader
from .projections.views import ViewDatabase
from .settings import Database, audit_key, database_from_url


@dataclass
class Runtime:
    """Everything a command-line command or a server process needs for one database."""

    database: Database
    app: AccordApplication
    views: ViewDatabase
    reader: ViewReader
    projector_thread: ProjectorThread | None = None

    @classmethod
    def open(cls, url: str | None = None, *, project: bool = True) -> Runtime:
        database = database_from_url(url)
        app = AccordApplication(database.eventsourcing_env, audit_key=audit_key())
        target = database.path if database.kind == "sqlite" else database.psycopg_conninfo
        views = ViewDatabase(database.kind, target)
        runtime = cls(database, app, views, ViewReader(views))
        if project:
            thread = ProjectorThread(Projector(app, views))
            app.listeners.append(thread.wake)
            thread.start()
            runtime.projector_thread = thread
        return runtime

    def wait_for(self, notification_id: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: wait until the views include a recorded event."""
        if self.projector_thread is not None:
            return self.projector_thread.wait_for(notification_id, timeout)
        import time

        deadline = time.monotonic() + timeout
        while self.reader.position() < notification_id:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        if self.projector_thread is not None:
            self.projector_thread.stop()
        self.app.close()
