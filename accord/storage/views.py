"""Persisted views: the partnership directory, access grants and the event index.

One schema for SQLite and PostgreSQL; each backend's connections are in a module named
for it (`storage.sqlite`, `storage.postgres.views`). Each change to the views is written
in the same transaction as the position it brings them to (`view_tracking`), so a
projection that dies mid-batch leaves nothing half-written and resumes where it stopped.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, Protocol

import orjson

from accord.projections.records import IndexedEvent

VIEWS_VERSION = 3
VIEW_NAME = "accord"

TABLES = (
    """CREATE TABLE IF NOT EXISTS view_tracking (
        view TEXT PRIMARY KEY, position BIGINT NOT NULL, version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS view_partnerships (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, purpose TEXT NOT NULL,
        formed_at TEXT NOT NULL, version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS view_access (
        partnership_id TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
        PRIMARY KEY (partnership_id, actor))""",
    """CREATE TABLE IF NOT EXISTS view_events (
        partnership_id TEXT NOT NULL, position INTEGER NOT NULL, event_id TEXT NOT NULL,
        type TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL, data TEXT NOT NULL, hash TEXT NOT NULL,
        previous_hash TEXT, retracted_by TEXT, retracted_at TEXT,
        PRIMARY KEY (partnership_id, position))""",
    "CREATE UNIQUE INDEX IF NOT EXISTS view_events_by_id ON view_events (event_id)",
    "CREATE INDEX IF NOT EXISTS view_partnerships_by_name ON view_partnerships (name, id)",
    "CREATE INDEX IF NOT EXISTS view_access_by_actor ON view_access (actor)",
)
DROP = ("view_events", "view_access", "view_partnerships", "view_tracking")
EVENT_COLUMNS = (
    "partnership_id, position, event_id, type, occurred_at, recorded_at, recorded_by, "
    "data, hash, previous_hash, retracted_by, retracted_at"
)


class Connection(Protocol):
    """The part of a DB-API connection the views use."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


def data_json(data: dict[str, Any]) -> str:
    """An event's data as the index keeps it: compact JSON (UTF-8 text, not escaped)."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:  # what orjson refuses (a lone surrogate, an integer past 64 bits)
        return json.dumps(data, separators=(",", ":"))


def _iso(moment: datetime) -> str:
    # Fixed-width UTC text sorts as time does, in both engines.
    return moment.isoformat(timespec="microseconds")


def row_of(event: IndexedEvent) -> tuple[Any, ...]:
    return (
        event.partnership_id,
        event.position,
        event.event_id,
        event.type,
        _iso(event.occurred_at),
        _iso(event.recorded_at),
        event.recorded_by,
        data_json(event.data),
        event.hash,
        event.previous_hash,
        event.retracted_by,
        _iso(event.retracted_at) if event.retracted_at else None,
    )


def event_of(row: Sequence[Any]) -> IndexedEvent:
    return IndexedEvent(
        partnership_id=row[0],
        position=int(row[1]),
        event_id=row[2],
        type=row[3],
        occurred_at=datetime.fromisoformat(row[4]),
        recorded_at=datetime.fromisoformat(row[5]),
        recorded_by=row[6],
        data=json.loads(row[7]),
        hash=row[8],
        previous_hash=row[9],
        retracted_by=row[10],
        retracted_at=datetime.fromisoformat(row[11]) if row[11] else None,
    )


def events_of(
    rows: Sequence[Sequence[Any]], shared: dict[str, str] | None = None
) -> list[IndexedEvent]:
    """`[event_of(row) for row in rows]`, faster and smaller: the rows' data are decoded
    in one call, so the events share their key strings, and the strings events repeat
    (partnership id, type, actor) are shared, through `shared` across calls, as is each
    event's previous hash with the hash of the event before it."""
    if not rows:
        return []
    shared = {} if shared is None else shared
    share = shared.setdefault
    parse = datetime.fromisoformat
    data = json.loads("[" + ",".join([row[7] for row in rows]) + "]")
    events = []
    last_hash = ""
    for row, fields in zip(rows, data, strict=True):
        previous = row[9]
        event = IndexedEvent(
            partnership_id=share(row[0], row[0]),
            position=int(row[1]),
            event_id=row[2],
            type=share(row[3], row[3]),
            occurred_at=parse(row[4]),
            recorded_at=parse(row[5]),
            recorded_by=share(row[6], row[6]),
            data=fields,
            hash=row[8],
            previous_hash=last_hash if previous == last_hash else previous,
            retracted_by=row[10],
            retracted_at=parse(row[11]) if row[11] else None,
        )
        last_hash = event.hash
        events.append(event)
    return events


class ViewDatabase(ABC):
    """A connection factory for the views; `storage.sqlite` and `storage.postgres.views`
    say how for each backend (statements here are written with `?` placeholders)."""

    kind: str  # "sqlite" or "postgresql", as `settings.Database.kind`
    row_lock = ""  # appended to a SELECT that must lock the rows it reads
    row_id = "rowid"  # a table's hidden row identity

    def __init__(self, target: str) -> None:
        self.target = target  # a file path, or a psycopg conninfo

    def sql(self, text: str) -> str:
        return text

    @abstractmethod
    def connect(self) -> Any: ...

    @abstractmethod
    def transaction(self, connection: Any) -> AbstractContextManager[None]: ...

    def private_connect(self) -> Any:
        """A connection for data that must not outlive its deletion (check-in answers)."""
        return self.connect()

    def forget_deleted(self, connection: Any) -> None:  # noqa: B027 (most backends: nothing)
        """Do what the backend can so that rows just deleted are gone from its files."""

    def lock_names(self, connection: Any, names: Sequence[str]) -> None:  # noqa: B027
        """Inside a transaction: wait until no other transaction holds any of `names`,
        then hold them to the transaction's end (taken in the order given: callers give
        one order). By default nothing to take: the backend's transaction already
        excludes every other writer (SQLite's `BEGIN IMMEDIATE`)."""

    def schema_lock(self) -> AbstractContextManager[None]:
        """Held while a process creates the tables it needs (nothing to hold by default)."""
        return nullcontext()

    @abstractmethod
    def log_select(self, recorder: Any) -> str:
        """Stored events by notification position, from `?` on, at most `?` of them, as
        (position, partnership id, version, topic, state); the table is the recorder's."""

    def insert_many(self, connection: Any, statement: str, rows: list[tuple[Any, ...]]) -> None:
        connection.executemany(statement, rows)

    def create(self, connection: Any) -> None:
        for statement in TABLES:
            connection.execute(statement)

    def drop(self, connection: Any) -> None:
        for table in DROP:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
