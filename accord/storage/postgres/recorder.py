"""Views written in the same transaction as the events they show (PostgreSQL).

A mutation's answer must not go out before the views hold its event (read-your-writes,
in this process and every other). Waiting for the projector costs a dozen round trips
after the insert; this recorder writes the event's index row, its directory and access
changes, and the partnership's new version inside the insert's own transaction.

It writes them only where the views are current for that partnership (their version is
the event's position - 1): otherwise the projector, which skips whatever a partnership's
version already covers, writes them in order later. If the views' statements fail (the
views missing, say), the insert is made again without them.

The whole transaction is one round trip: one simple query of prepared statements (each
connection prepares them the first time it is used), and concurrent inserts share it
(`group_commit`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import (
    DataError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import ClientCursor
from psycopg.pq import TransactionStatus
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from accord.domain.partnership import Partnership
from accord.storage.postgres.group_commit import GroupCommit
from accord.storage.stored import Projected, read_plainly
from accord.storage.views import EVENT_COLUMNS

log = logging.getLogger("accord.views")
# Inserts of more events than this (imports) are left to the projector, which writes
# batches faster, and eventsourcing's own insert; so is a transaction's group at most.
IMPORT_CHUNK = 500
"""Events per insert when an import is recorded in PostgreSQL. eventsourcing inserts
through psycopg's pipeline mode, which stops flushing once the last command of a
pipeline is queued: a single insert of many megabytes (~10,000 events) never reaches
the server in full, and both sides then wait for each other forever."""
INLINE_LIMIT = 20


@dataclass(frozen=True)
class Prepared:
    """A statement prepared once on each connection, then run by name (planning the
    views' statements took PostgreSQL longer than running them)."""

    name: str
    types: tuple[str, ...]
    sql: str  # with $1, $2, ...

    @property
    def prepare(self) -> str:
        return f"PREPARE {self.name} ({', '.join(self.types)}) AS {self.sql}"

    @property
    def execute(self) -> str:
        return f"EXECUTE {self.name} ({', '.join(['%s'] * len(self.types))})"


def _numbered(sql: str, start: int = 1) -> str:
    """`{}` placeholders as $start, $start+1, ..."""
    count = sql.count("{}")
    return sql.format(*(f"${n}" for n in range(start, start + count)))


_ROW_TYPES = ("text", "integer", *["text"] * 10)
_CURRENT = "EXISTS (SELECT 1 FROM view_partnerships WHERE id = {} AND version = {})"
_CURRENT_TYPES = ("text", "integer")


def _row(start: int) -> str:
    return ", ".join(f"${n}" for n in range(start, start + len(_ROW_TYPES)))


def _indexing(name: str, change: str, row_start: int) -> str:
    """`change` (a statement returning the partnership's new version) as the CTE `name`,
    the event's index row inserted only where it changed something, and that version."""
    return f"""WITH {name} AS ({change}), indexed AS (
        INSERT INTO view_events ({EVENT_COLUMNS}) SELECT {_row(row_start)}
        WHERE EXISTS (SELECT 1 FROM {name}) ON CONFLICT (partnership_id, position) DO NOTHING
    )
    SELECT version FROM {name}"""


NEXT_EVENT = Prepared(
    "accord_next_event",
    ("integer", "text", "integer", *_ROW_TYPES),
    _indexing(
        "advanced",
        "UPDATE view_partnerships SET version = $1 WHERE id = $2 AND version = $3 "
        "RETURNING version",
        4,
    ),
)
FORMED = Prepared(
    "accord_formed",
    ("text", "text", "text", "text", *_ROW_TYPES),
    _indexing(
        "formed",
        "INSERT INTO view_partnerships (id, name, purpose, formed_at, version) "
        "VALUES ($1, $2, $3, $4, 1) ON CONFLICT (id) DO NOTHING RETURNING version",
        5,
    ),
)
GRANT = Prepared(
    "accord_grant",
    ("text", "text", "text", *_CURRENT_TYPES),
    _numbered(
        "INSERT INTO view_access (partnership_id, actor, role) SELECT {}, {}, {} "
        f"WHERE {_CURRENT} ON CONFLICT (partnership_id, actor) DO UPDATE SET role = excluded.role"
    ),
)
REVOKE = Prepared(
    "accord_revoke",
    ("text", "text", *_CURRENT_TYPES),
    _numbered(
        f"DELETE FROM view_access WHERE partnership_id = {{}} AND actor = {{}} AND {_CURRENT}"
    ),
)
RETRACT = Prepared(
    "accord_retract",
    ("text", "text", "text", "integer", *_CURRENT_TYPES),
    _numbered(
        "UPDATE view_events SET retracted_by = {}, retracted_at = {} "
        f"WHERE partnership_id = {{}} AND position = {{}} AND {_CURRENT}"
    ),
)
VIEW_STATEMENTS = (NEXT_EVENT, FORMED, GRANT, REVOKE, RETRACT)


def statements(entry: Projected) -> list[tuple[Prepared, tuple[Any, ...]]]:
    """What one event changes in the views, each change guarded by the views being
    current for its partnership."""
    row, kind, extra = entry
    pid, position = row[0], row[1]
    if kind is Partnership.PartnershipFormed:
        name, purpose, formed_at = extra
        return [
            (FORMED, (pid, name, purpose, formed_at, *row)),
            (GRANT, (pid, row[6], "ADMIN", pid, 1)),
        ]
    changes = [(NEXT_EVENT, (position, pid, position - 1, *row))]
    current = (pid, position)
    if kind is Partnership.EntryRetracted:
        changes.append((RETRACT, (row[2], row[5], pid, extra[0], *current)))
    elif kind is Partnership.RoleGranted:
        changes.append((GRANT, (pid, extra[0], extra[1], *current)))
    elif kind is Partnership.RoleRevoked:
        changes.append((REVOKE, (pid, extra[0], *current)))
    return changes


class ViewingPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL recorder, writing the views of what it inserts, in one
    round trip, and grouping concurrent inserts into one transaction (`group_commit`).

    eventsourcing inserts through psycopg's pipeline: half a dozen statements, each
    with its own trip through psycopg's Python machinery, most of this process's CPU per
    transaction. Here the same statements (the views' first, then eventsourcing's lock,
    notify and insert, as its pipeline sends them) go as one simple query, parameters
    bound by psycopg on the client, for a fraction of that (docs/PERFORMANCE.md,
    Measured figures).
    Each event's first view statement returns the version it brought its partnership to
    (none where the views were not current)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()
        self._group: GroupCommit[StoredEvent, _Inserted] = GroupCommit(
            self._insert_groups, INLINE_LIMIT
        )
        # The statements each connection has prepared (forgotten with the connection).
        self._prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()

    def shown(self, partnership_id: str, position: int) -> bool:
        """Whether this thread's last insert left `position` in the views."""
        return bool(getattr(self._local, "shown", {}).get(partnership_id, 0) >= position)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        self._local.shown = {}
        extra = {name: value for name, value in kwargs.items() if value is not None}
        if extra or len(stored_events) > INLINE_LIMIT:  # an import's chunk: see INLINE_LIMIT
            return super().insert_events(stored_events, **extra)
        ids, shown = self._group.write(stored_events)
        self._local.shown = shown
        return ids

    def _insert_groups(self, groups: Sequence[Sequence[StoredEvent]]) -> list[_Inserted]:
        """Several callers' events in one transaction, with their views: each caller's
        notification ids, and the versions its partnerships' views reached."""
        stored_events = [event for group in groups for event in group]
        entries = [e for e in map(_record, stored_events) if e is not None]
        try:
            ids, written = self._insert_at_once(stored_events, entries)
        except (ProgrammingError, DataError, InternalError) as error:
            if not entries:
                raise
            # The views' statements failed (views missing, or a new views version not
            # yet built): the whole transaction rolled back; record without them.
            log.warning("views not written with the events (%s)", error)
            ids, written = self._insert_at_once(stored_events, [])
        inserted: list[_Inserted] = []
        start = 0
        for group in groups:
            mine = {str(event.originator_id) for event in group}
            inserted.append(
                (
                    ids[start : start + len(group)],
                    {pid: version for pid, version in written.items() if pid in mine},
                )
            )
            start += len(group)
        return inserted

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_at_once(
        self, stored_events: Sequence[StoredEvent], entries: Sequence[Projected]
    ) -> tuple[list[int], dict[str, int]]:
        """One transaction in one round trip: the events' notification ids, and the
        version each partnership's views reached."""
        texts: list[str] = ["BEGIN"]
        params: list[Any] = []
        probes: dict[int, str] = {}  # statement index -> partnership id
        for entry in entries:
            for number, (statement, values) in enumerate(statements(entry)):
                if number == 0:
                    probes[len(texts)] = entry.row[0]
                texts.append(statement.execute)
                params.extend(values)
        texts += self._locking  # after the views, as eventsourcing's pipeline sends them
        first_insert = len(texts)
        for event in stored_events:
            texts.append(self._insert.execute)
            params += (event.originator_id, event.originator_version, event.topic, event.state)
        texts.append("COMMIT")
        with self.datastore.get_connection() as connection:
            for attempt in range(2):
                self._prepare(connection, with_views=bool(entries))
                try:
                    ids, written = self._send(connection, texts, params, probes, first_insert)
                    break
                except psycopg.errors.InvalidSqlStatementName:
                    # psycopg deallocates every prepared statement of a connection when
                    # a rollback follows its own: prepare them again, once.
                    self._prepared.pop(connection, None)
                    if attempt:
                        raise
        if len(ids) != len(stored_events):  # committed, but the answer is not understood
            msg = f"got {len(ids)} notification ids for {len(stored_events)} events"
            raise RuntimeError(msg)
        return ids, written

    def _send(
        self,
        connection: Any,
        texts: list[str],
        params: list[Any],
        probes: dict[int, str],
        first_insert: int,
    ) -> tuple[list[int], dict[str, int]]:
        """The transaction's statements as one simple query; the notification ids, and
        the versions the probes report."""
        written: dict[str, int] = {}
        ids: list[int] = []
        cursor = ClientCursor(connection, row_factory=tuple_row)
        try:
            cursor.execute("; ".join(texts), params)
            for index in range(len(texts) - 1):  # the results, in order
                if cursor.description is None:  # a statement without rows
                    pass
                elif index >= first_insert:
                    ids += [row[0] for row in cursor.fetchall()]
                elif index in probes:
                    row = cursor.fetchone()
                    if row is not None:
                        pid = probes[index]
                        written[pid] = max(written.get(pid, 0), int(row[0]))
                cursor.nextset()
        except BaseException:
            if connection.info.transaction_status != TransactionStatus.IDLE:
                connection.rollback()
            raise
        finally:
            cursor.close()
        return ids, written

    @functools.cached_property
    def _locking(self) -> tuple[str, ...]:
        """eventsourcing's statements before an insert: a lock timeout (unless none),
        the table lock that keeps notification ids in commit order, the notify."""
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        composed = [
            SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(schema, table),
            SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
        ]
        if self.datastore.lock_timeout:
            timeout = SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout)
            composed.insert(0, timeout)
        with self.datastore.get_connection() as connection:
            return tuple(statement.as_string(connection) for statement in composed)

    @functools.cached_property
    def _insert(self) -> Prepared:
        """eventsourcing's insert of one event, as a prepared statement."""
        schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
        with self.datastore.get_connection() as connection:
            target = SQL("{0}.{1}").format(schema, table).as_string(connection)
        return Prepared(
            "accord_insert_event",
            (self.datastore.originator_id_type, "integer", "text", "bytea"),
            f"INSERT INTO {target} (originator_id, originator_version, topic, state) "
            "VALUES ($1, $2, $3, $4) RETURNING notification_id",
        )

    def _prepare(self, connection: Any, *, with_views: bool) -> None:
        """Prepare this connection's statements, the first time it is used for them (a
        connection the pool replaces is new, and is prepared again)."""
        prepared = self._prepared.setdefault(connection, set())
        wanted = [self._insert, *(VIEW_STATEMENTS if with_views else ())]
        missing = [statement for statement in wanted if statement.name not in prepared]
        for statement in missing:  # each its own statement: one failing spoils no other
            with contextlib.suppress(psycopg.errors.DuplicatePreparedStatement):
                connection.execute(statement.prepare, prepare=False)
            prepared.add(statement.name)


_Inserted = tuple[list[int] | None, dict[str, int]]
"""One caller's notification ids, and the versions its partnerships' views reached."""


def _record(stored: StoredEvent) -> Projected | None:
    originator_id = str(stored.originator_id)
    return read_plainly((0, originator_id, stored.originator_version, stored.topic, stored.state))
