"""The event store's notification log, read on the views' own connection.

The views live in the same database as the event store (one SQLite file, or one
PostgreSQL database), so the projector reads the log inside the transaction that writes
the views: a consistent snapshot, and rows as plain tuples (no per-row objects), which
a rebuild of millions of events notices. The table is eventsourcing's own; its name
comes from the application's recorder.
"""

from __future__ import annotations

from typing import Any

# (position, partnership id, version, topic, stored state)
LogRecord = tuple[int, str, int, str, bytes]


class EventLog:
    """Selects stored events by notification position on a given connection."""

    def __init__(self, recorder: Any, kind: str) -> None:
        table = recorder.events_table_name
        if kind == "sqlite":
            self.select = (
                f'SELECT rowid, originator_id, originator_version, topic, state FROM "{table}" '
                "WHERE rowid >= ? ORDER BY rowid LIMIT ?"
            )
        else:
            schema = recorder.datastore.schema
            self.select = (
                "SELECT notification_id, originator_id::text, originator_version, topic, "
                f'state FROM "{schema}"."{table}" '
                "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
            )

    def read(self, connection: Any, start: int, limit: int) -> list[LogRecord]:
        """Up to `limit` records from position `start` on."""
        rows: list[LogRecord] = connection.execute(self.select, (start, limit)).fetchall()
        return rows
