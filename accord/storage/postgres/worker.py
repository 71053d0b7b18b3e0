"""The projection worker on PostgreSQL: one projects, others wait on an advisory lock.

The worker holding the lock wakes on the event store's NOTIFY and tells API processes of
new view positions with a NOTIFY of its own; the server releases the lock when the
holder's session ends, so a standby takes over at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from accord.application.service import AccordApplication
from accord.settings import Database
from accord.storage.postgres.listener import EVENTS_CHANNEL, announce_views
from accord.storage.projector import Projector

LOCK_KEY = 7_316_452_019  # "accord projector": any constant shared by all workers
log = logging.getLogger("accord.worker")


def run_postgres(
    database: Database,
    open_: Callable[[Database], tuple[AccordApplication, Projector]],
    poll_seconds: float,
    stop: threading.Event,
) -> None:
    """Wait for the projector lock, then project on each NOTIFY until stopped."""
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
        app, projector = open_(database)
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
