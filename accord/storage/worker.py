"""`accord project`: the projection worker as its own process.

On PostgreSQL the worker holds an advisory lock while it projects, so a second worker
waits as a hot standby and takes over as soon as the first one's session ends (the
server releases the lock when its connection dies). It wakes on the event store's
NOTIFY, tells API processes of new view positions with a NOTIFY of its own, and
reconnects by itself when the server restarts.
"""

from __future__ import annotations

import logging
import signal
import threading

from accord.application.service import AccordApplication
from accord.settings import Database, database_from_url, round_check_seconds
from accord.storage.event_store import open_application, open_views
from accord.storage.projector import Projector
from accord.storage.rounds import RoundCloser, open_rounds

log = logging.getLogger("accord.worker")


def run_worker(
    url: str | None, *, poll_seconds: float = 1.0, stop: threading.Event | None = None
) -> int:
    """Project until stopped (SIGTERM/SIGINT); returns the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    database = database_from_url(url)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    closer = _round_closer(database)
    while not stop.is_set():
        try:
            if database.kind == "postgresql":
                from accord.storage.postgres.worker import run_postgres

                run_postgres(database, _open, poll_seconds, stop)
            else:
                _run_sqlite(database, poll_seconds, stop)
        except Exception as error:  # the store went away: wait and reconnect
            log.warning("projection worker lost its store (%s); reconnecting", error)
            stop.wait(1.0)
    if closer is not None:
        closer.stop()
    return 0


def _round_closer(database: Database) -> RoundCloser | None:
    """Check-in rounds closed as their time comes, by this worker (its own connections)."""
    try:
        views = open_views(database)
        with views.schema_lock():
            app = open_application(database)
        rounds = open_rounds(app, views)  # takes the schema lock itself
    except Exception as error:  # the store is not there yet: projecting will say so
        log.warning("check-in rounds will not close from this worker (%s)", error)
        return None
    closer = RoundCloser(rounds, round_check_seconds())
    closer.start()
    return closer


def _open(database: Database) -> tuple[AccordApplication, Projector]:
    views = open_views(database)
    with views.schema_lock():
        app = open_application(database)
        return app, Projector(app, views)


def _run_sqlite(database: Database, poll_seconds: float, stop: threading.Event) -> None:
    app, projector = _open(database)
    try:
        while not stop.is_set():
            projector.run_until_current()
            stop.wait(poll_seconds / 4)
    finally:
        projector.close()
        app.close()
