"""Views written in the same transaction as the events they show (PostgreSQL).

A mutation's answer must not go out before the views hold its event (read-your-writes,
in this process and every other). Waiting for the projector costs a dozen round trips
after the insert; this recorder writes the event's index row, its directory and access
changes, and the partnership's new version inside the insert's own transaction.

It writes them only where the views are current for that partnership (their version is
the event's position - 1): otherwise the projector, which skips whatever a partnership's
version already covers, writes them in order later. If the views' statements fail (the
views missing, say), the insert is made again without them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

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

from ..domain.partnership import Partnership
from .group_commit import GroupCommit
from .stored import Projected, read_plainly
from .views import EVENT_COLUMNS

log = logging.getLogger("accord.views")
# Inserts of more events than this (imports) are left to the projector: hundreds of
# pipelined statements can stall psycopg's pipeline, and batches write them faster.
INLINE_LIMIT = 20

_ROW = ", ".join(["%s"] * 12)
_EVENT_ROW = "(%s, %s, %s, %s)"
_CURRENT = "EXISTS (SELECT 1 FROM view_partnerships WHERE id = %s AND version = %s)"
NEXT_EVENT = f"""
    WITH advanced AS (
        UPDATE view_partnerships SET version = %s WHERE id = %s AND version = %s
        RETURNING version
    ), indexed AS (
        INSERT INTO view_events ({EVENT_COLUMNS}) SELECT {_ROW}
        WHERE EXISTS (SELECT 1 FROM advanced) ON CONFLICT (partnership_id, position) DO NOTHING
    )
    SELECT version FROM advanced"""
FORMED = f"""
    WITH formed AS (
        INSERT INTO view_partnerships (id, name, purpose, formed_at, version)
        VALUES (%s, %s, %s, %s, 1) ON CONFLICT (id) DO NOTHING RETURNING version
    ), indexed AS (
        INSERT INTO view_events ({EVENT_COLUMNS}) SELECT {_ROW}
        WHERE EXISTS (SELECT 1 FROM formed) ON CONFLICT (partnership_id, position) DO NOTHING
    )
    SELECT version FROM formed"""
GRANT = f"""
    INSERT INTO view_access (partnership_id, actor, role) SELECT %s, %s, %s WHERE {_CURRENT}
    ON CONFLICT (partnership_id, actor) DO UPDATE SET role = excluded.role"""
REVOKE = f"DELETE FROM view_access WHERE partnership_id = %s AND actor = %s AND {_CURRENT}"
RETRACT = f"""
    UPDATE view_events SET retracted_by = %s, retracted_at = %s
    WHERE partnership_id = %s AND position = %s AND {_CURRENT}"""


def statements(entry: Projected) -> list[tuple[str, tuple[Any, ...]]]:
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
    with its own trip through psycopg's Python machinery, about a millisecond of this
    process's CPU per transaction. Here the same statements (the views' first, then
    eventsourcing's lock, notify and insert, as its pipeline sends them) go as one
    simple query, parameters bound by psycopg on the client: about a tenth of that.
    Each event's first view statement returns the version it brought its partnership to
    (none where the views were not current)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()
        self._group: GroupCommit[StoredEvent, _Inserted] = GroupCommit(
            lambda events: self._insert_groups([events])[0], self._insert_groups, INLINE_LIMIT
        )
        self._texts: dict[str, str] = {}

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
        texts: list[str] = ["BEGIN", self._text("timeout")]
        params: list[Any] = []
        probes: dict[int, str] = {}  # statement index -> partnership id
        for entry in entries:
            for number, (sql, values) in enumerate(statements(entry)):
                if number == 0:
                    probes[len(texts)] = entry.row[0]
                texts.append(sql)
                params.extend(values)
        texts.append(self._text("lock"))
        texts.append(self._text("notify"))
        inserting = len(texts)
        rows = ", ".join([_EVENT_ROW] * len(stored_events))
        texts.append(f"{self._text('insert')}{rows} RETURNING notification_id")
        texts.append("COMMIT")
        for event in stored_events:
            params += (event.originator_id, event.originator_version, event.topic, event.state)
        written: dict[str, int] = {}
        ids: list[int] = []
        with self.datastore.get_connection() as connection:
            cursor = ClientCursor(connection, row_factory=tuple_row)
            try:
                cursor.execute("; ".join(texts), params)
                for index in range(len(texts) - 1):  # the results, in order
                    if cursor.description is None:  # a statement without rows
                        pass
                    elif index == inserting:
                        ids = [row[0] for row in cursor.fetchall()]
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
        if len(ids) != len(stored_events):  # committed, but the answer is not understood
            msg = f"got {len(ids)} notification ids for {len(stored_events)} events"
            raise RuntimeError(msg)
        return ids, written

    def _text(self, name: str) -> str:
        """eventsourcing's statements for this table, as text."""
        text = self._texts.get(name)
        if text is None:
            schema, table = Identifier(self.datastore.schema), Identifier(self.events_table_name)
            composed = {
                "timeout": SQL("SET LOCAL lock_timeout = '{0}s'").format(
                    self.datastore.lock_timeout
                ),
                "lock": SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(schema, table),
                "notify": SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
                "insert": SQL(
                    "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state) VALUES "
                ).format(schema, table),
            }[name]
            with self.datastore.get_connection() as connection:
                text = self._texts[name] = composed.as_string(connection)
        return text


_Inserted = tuple[list[int] | None, dict[str, int]]
"""One caller's notification ids, and the versions its partnerships' views reached."""


def _record(stored: StoredEvent) -> Projected | None:
    originator_id = str(stored.originator_id)
    return read_plainly((0, originator_id, stored.originator_version, stored.topic, stored.state))
