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

from eventsourcing.persistence import DataError, InternalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from ..domain.partnership import Partnership
from .stored import Projected, read_plainly
from .views import EVENT_COLUMNS

log = logging.getLogger("accord.views")
# Inserts of more events than this (imports) are left to the projector: hundreds of
# pipelined statements can stall psycopg's pipeline, and batches write them faster.
INLINE_LIMIT = 20

_ROW = ", ".join(["%s"] * 12)
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
    """eventsourcing's PostgreSQL recorder, writing the views of what it inserts.

    The views' statements go into the insert's pipeline ahead of the events' own, so
    they cost no extra round trip; each event's first statement returns the version
    it brought its partnership to (none where the views were not current)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def shown(self, partnership_id: str, position: int) -> bool:
        """Whether this thread's last insert left `position` in the views."""
        return bool(getattr(self._local, "shown", {}).get(partnership_id, 0) >= position)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        self._local.shown = {}
        entries: list[Projected] = []
        if len(stored_events) <= INLINE_LIMIT:  # not an import's chunk: see INLINE_LIMIT
            entries = [e for e in map(_record, stored_events) if e is not None]
        self._local.entries = entries
        try:
            return super().insert_events(stored_events, **kwargs)
        except (ProgrammingError, DataError, InternalError) as error:
            if not entries:
                raise
            # The views' statements failed (views missing, or a new views version not
            # yet built): the whole transaction rolled back; record without them.
            log.warning("views not written with the events (%s)", error)
            self._local.entries = []
            return super().insert_events(stored_events, **kwargs)

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **_: Any) -> None:
        connection = curs.connection
        probes = []
        for entry in self._local.entries:
            changes = statements(entry)
            probe = connection.cursor()
            probe.execute(*changes[0], prepare=True)
            probes.append((entry.row[0], probe))
            for sql, params in changes[1:]:
                curs.execute(sql, params, prepare=True)
        self._local.probes = probes

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        shown: dict[str, int] = {}
        for pid, probe in getattr(self._local, "probes", ()):  # their results are in
            row = probe.fetchone()
            if row is not None:
                shown[pid] = max(shown.get(pid, 0), int(row["version"]))
            probe.close()
        self._local.probes = []
        self._local.shown = shown
        return ids


def _record(stored: StoredEvent) -> Projected | None:
    originator_id = str(stored.originator_id)
    return read_plainly((0, originator_id, stored.originator_version, stored.topic, stored.state))
