"""PostgreSQL LISTEN/NOTIFY: each process learns of new events and views at once.

eventsourcing NOTIFYs `accord_events` whenever events are inserted (by any process);
projectors NOTIFY `accord_views` when the views move on. A listener thread in each
process turns those into wake-ups: its projector projects at once, and waiters (read
your writes, subscriptions) look again. It reconnects by itself if the server restarts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

EVENTS_CHANNEL = "accord_events"
VIEWS_CHANNEL = "accord_views"
log = logging.getLogger("accord.listener")


class PostgresListener:
    """Calls `on_notify()` for every NOTIFY on the event and view channels."""

    def __init__(self, conninfo: str, on_notify: Callable[[], None]) -> None:
        self.conninfo = conninfo
        self.on_notify = on_notify
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        import psycopg

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {EVENTS_CHANNEL}")
                    connection.execute(f"LISTEN {VIEWS_CHANNEL}")
                    self.on_notify()  # anything missed while (re)connecting
                    while not self._stopping.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            self.on_notify()
            except Exception as error:  # the server went away: try again shortly
                log.warning("listener lost PostgreSQL (%s); reconnecting", error)
                self._stopping.wait(0.5)


def announce_views(connection: object, position: int) -> None:
    """Tell every process that the views now include `position`."""
    connection.execute(  # type: ignore[attr-defined]
        f"SELECT pg_notify('{VIEWS_CHANNEL}', %s)", (str(position),)
    )
