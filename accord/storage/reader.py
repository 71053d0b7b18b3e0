"""Read interface over the persisted views (what the API and the command line query).

Reads are synchronous; async callers run them in a worker thread. A partnership's
indexed events are kept in memory by (partnership, version), so repeated health and
timeline questions about an unchanged partnership do not read the store again: the
most recently used histories, at most CACHED_PARTNERSHIPS of them and CACHED_EVENTS
events in all (a longer history is read each time), so a server's memory stays bounded
however large the store. Room is made before a history is read, so a long history
being read and the one it replaces are not both held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord.projections.records import IndexedEvent
from accord.storage.views import EVENT_COLUMNS, ViewDatabase, event_of, events_of

CACHED_PARTNERSHIPS = 64
CACHED_EVENTS = 100_000
"""About 120 MB of indexed events."""
DECODE_ROWS = 5_000
"""Rows read and decoded at a time: a long history is never held twice over as rows."""


@dataclass(frozen=True)
class PartnershipEntry:
    """A partnership as the directory lists it."""

    id: str
    name: str
    purpose: str
    formed_at: datetime
    version: int


class HistoryCache:
    """Recently read histories by partnership, each with the version it was read at."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[int, list[IndexedEvent]]] = OrderedDict()
        self._events = 0
        self._lock = threading.Lock()

    def get(self, partnership_id: str, version: int) -> list[IndexedEvent] | None:
        with self._lock:
            cached = self._entries.get(partnership_id)
            if cached is None or cached[0] != version:
                return None
            self._entries.move_to_end(partnership_id)
            return cached[1]

    def make_room(self, partnership_id: str, count: int) -> None:
        """Forget what a history of `count` events about to be read will replace."""
        with self._lock:
            self._forget(partnership_id)
            self._trim(count)

    def put(self, partnership_id: str, version: int, events: list[IndexedEvent]) -> None:
        with self._lock:
            self._forget(partnership_id)
            if len(events) > CACHED_EVENTS or CACHED_PARTNERSHIPS <= 0:
                return
            self._trim(len(events))
            self._entries[partnership_id] = (version, events)
            self._events += len(events)

    def _forget(self, partnership_id: str) -> None:
        replaced = self._entries.pop(partnership_id, None)
        if replaced is not None:
            self._events -= len(replaced[1])

    def _trim(self, incoming: int) -> None:
        while self._entries and (
            len(self._entries) >= CACHED_PARTNERSHIPS or self._events + incoming > CACHED_EVENTS
        ):
            _, (_, evicted) = self._entries.popitem(last=False)
            self._events -= len(evicted)


class ViewReader:
    """Queries over the views; one connection per thread."""

    def __init__(self, views: ViewDatabase) -> None:
        self.views = views
        self._local = threading.local()
        self._cache = HistoryCache()
        with self.views.transaction(self._connection()):
            self.views.create(self._connection())

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self.views.connect()
        return connection

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        connection = self._connection()
        try:
            return list(connection.execute(self.views.sql(sql), params).fetchall())
        except Exception:
            if not getattr(connection, "closed", False):
                raise
        # The server closed the connection (a PostgreSQL restart): this thread's reads
        # go on over a new one, and a read is safe to try again.
        self._local.connection = None
        return list(self._connection().execute(self.views.sql(sql), params).fetchall())

    def position(self) -> int:
        """The last notification the views include."""
        rows = self._rows("SELECT position FROM view_tracking")
        return int(rows[0][0]) if rows else 0

    def partnerships(
        self, actor: str | None = None, *, after: tuple[str, str] | None = None, limit: int = 50
    ) -> list[PartnershipEntry]:
        """Partnerships by name then id; only those `actor` has a role in, when given."""
        where, params = self._visible(actor)
        if after is not None:
            where.append("(p.name > ? OR (p.name = ? AND p.id > ?))")
            params.extend([after[0], after[0], after[1]])
        sql = (
            "SELECT p.id, p.name, p.purpose, p.formed_at, p.version FROM view_partnerships p"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY p.name, p.id LIMIT ?"
        )
        return [_entry(row) for row in self._rows(sql, (*params, limit))]

    def count_partnerships(self, actor: str | None = None) -> int:
        where, params = self._visible(actor)
        sql = "SELECT COUNT(*) FROM view_partnerships p" + (
            " WHERE " + " AND ".join(where) if where else ""
        )
        return int(self._rows(sql, tuple(params))[0][0])

    def _visible(self, actor: str | None) -> tuple[list[str], list[Any]]:
        if actor is None:
            return [], []
        return [
            "EXISTS (SELECT 1 FROM view_access a WHERE a.partnership_id = p.id AND a.actor = ?)"
        ], [actor]

    def partnership(self, partnership_id: str) -> PartnershipEntry | None:
        rows = self._rows(
            "SELECT id, name, purpose, formed_at, version FROM view_partnerships WHERE id = ?",
            (partnership_id,),
        )
        return _entry(rows[0]) if rows else None

    def role(self, partnership_id: str, actor: str) -> str | None:
        rows = self._rows(
            "SELECT role FROM view_access WHERE partnership_id = ? AND actor = ?",
            (partnership_id, actor),
        )
        return str(rows[0][0]) if rows else None

    def events(self, partnership_id: str) -> list[IndexedEvent]:
        """The partnership's whole indexed history, in recording order."""
        entry = self.partnership(partnership_id)
        if entry is None:
            return []
        cached = self._cache.get(partnership_id, entry.version)
        if cached is not None:
            return cached
        self._cache.make_room(partnership_id, entry.version)
        cursor = self._connection().execute(
            self.views.sql(
                f"SELECT {EVENT_COLUMNS} FROM view_events WHERE partnership_id = ? "
                "ORDER BY position"
            ),
            (partnership_id,),
        )
        events: list[IndexedEvent] = []
        shared: dict[str, str] = {}
        while rows := cursor.fetchmany(DECODE_ROWS):
            events += events_of(rows, shared)
        self._cache.put(partnership_id, entry.version, events)
        return events

    def event(self, event_id: str) -> IndexedEvent | None:
        rows = self._rows(
            f"SELECT {EVENT_COLUMNS} FROM view_events WHERE event_id = ?", (event_id,)
        )
        return event_of(rows[0]) if rows else None

    def events_after(
        self, partnership_id: str, position: int, limit: int = 500
    ) -> list[IndexedEvent]:
        """Events after a stream position, in order (for subscriptions)."""
        return [
            event_of(row)
            for row in self._rows(
                f"SELECT {EVENT_COLUMNS} FROM view_events WHERE partnership_id = ? "
                "AND position > ? ORDER BY position LIMIT ?",
                (partnership_id, position, limit),
            )
        ]


def _entry(row: Any) -> PartnershipEntry:
    return PartnershipEntry(
        id=row[0],
        name=row[1],
        purpose=row[2],
        formed_at=datetime.fromisoformat(row[3]),
        version=int(row[4]),
    )
