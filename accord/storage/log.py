"""The event store's notification log, read on the views' own connection.

The views live in the same database as the event store (one SQLite file, or one
PostgreSQL database), so the projector reads the log inside the transaction that writes
the views: a consistent snapshot, and rows as plain tuples (no per-row objects), which
a rebuild of millions of events notices. The table is eventsourcing's own; its name
comes from the application's recorder.
"""

from __future__ import annotations

from typing import Any

from accord.storage.views import ViewDatabase

# (position, partnership id, version, topic, stored state)
LogRecord = tuple[int, str, int, str, bytes]


class EventLog:
    """Selects stored events by notification position on a given connection."""

    def __init__(self, recorder: Any, views: ViewDatabase) -> None:
        self.select = views.log_select(recorder)

    def read(self, connection: Any, start: int, limit: int) -> list[LogRecord]:
        """Up to `limit` records from position `start` on."""
        rows: list[LogRecord] = connection.execute(self.select, (start, limit)).fetchall()
        return rows
