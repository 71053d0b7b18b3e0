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
import time
from typing import Any

from accord.application.service import AccordApplication
from accord.settings import Database, database_from_url
from accord.storage.event_store import open_application
from accord.storage.postgres.listener import EVENTS_CHANNEL, announce_views
from accord.storage.projector import Projector
from accord.storage.views import ViewDatabase

LOCK_KEY = 7_316_452_019  # "accord projector": any constant shared by all workers
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
    while not stop.is_set():
        try:
            if database.kind == "postgresql":
                _run_postgres(database, poll_seconds, stop)
            else:
                _run_sqlite(database, poll_seconds, stop)
        except Exception as error:  # the store went away: wait and reconnect
            log.warning("projection worker lost its store (%s); reconnecting", error)
            stop.wait(1.0)
    return 0


def _open(database: Database) -> tuple[AccordApplication, Projector]:
    target = database.path if database.kind == "sqlite" else database.psycopg_conninfo
    views = ViewDatabase(database.kind, target)
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


def _run_postgres(database: Database, poll_seconds: float, stop: threading.Event) -> None:
    import psycopg

    with psycopg.connect(database.psycopg_conninfo, autocommit=True) as lock:
        log.info("waiting for the projector lock (another worker may be active)")
        while not stop.is_set():
            held = lock.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
            if held and held[0]:
                break
            stop.wait(0.5)
        if stop.is_set():
            return
        log.info("holding the projector lock: projecting")
        app, projector = _open(database)
        try:
            lock.execute(f"LISTEN {EVENTS_CHANNEL}")
            while not stop.is_set():
                if projector.run_until_current():
                    announce_views(lock, projector.position())
                _wait_for_notify(lock, poll_seconds)
        finally:
            projector.close()
            app.close()


def _wait_for_notify(connection: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for _ in connection.notifies(timeout=timeout, stop_after=1):
        break
    # Drain whatever else arrived meanwhile, without waiting.
    if time.monotonic() < deadline:
        for _ in connection.notifies(timeout=0.001):
            pass
