"""The asyncpg read path: the same queries as `ViewReader`, without a thread hop.

In PostgreSQL mode each API process keeps one asyncpg pool; resolvers await these
reads directly on the event loop. Parsing a whole history into `IndexedEvent`s is CPU
work, so that part still runs in a worker thread, and the result is cached by
(partnership, version) exactly as `ViewReader` does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from accord.projections.records import IndexedEvent
from accord.storage.reader import HistoryCache, PartnershipEntry, _entry
from accord.storage.views import EVENT_COLUMNS, event_of, events_of
from accord.threads import in_worker_thread

PARTNERSHIP_COLUMNS = "p.id, p.name, p.purpose, p.formed_at, p.version"


def _numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, ...`."""
    parts = sql.split("?")
    return "".join(
        part + (f"${i + 1}" if i < len(parts) - 1 else "") for i, part in enumerate(parts)
    )


class AsyncViewReader:
    """Queries over the views through an asyncpg pool."""

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        self._pool: Any = None
        self._lock = asyncio.Lock()
        self._cache = HistoryCache()

    async def pool(self) -> Any:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    import asyncpg

                    self._pool = await asyncpg.create_pool(
                        self.dsn, min_size=self.min_size, max_size=self.max_size
                    )
        return self._pool

    async def _rows(self, sql: str, *params: Any) -> list[Any]:
        pool = await self.pool()
        return list(await pool.fetch(_numbered(sql), *params))

    async def position(self) -> int:
        rows = await self._rows("SELECT position FROM view_tracking")
        return int(rows[0][0]) if rows else 0

    async def partnership(self, partnership_id: str) -> PartnershipEntry | None:
        rows = await self._rows(
            f"SELECT {PARTNERSHIP_COLUMNS} FROM view_partnerships p WHERE p.id = ?",
            partnership_id,
        )
        return _entry(rows[0]) if rows else None

    async def partnerships(
        self, actor: str | None = None, *, after: tuple[str, str] | None = None, limit: int = 50
    ) -> list[PartnershipEntry]:
        where: list[str] = []
        params: list[Any] = []
        if actor is not None:
            where.append(
                "EXISTS (SELECT 1 FROM view_access a WHERE a.partnership_id = p.id AND a.actor = ?)"
            )
            params.append(actor)
        if after is not None:
            where.append("(p.name > ? OR (p.name = ? AND p.id > ?))")
            params.extend([after[0], after[0], after[1]])
        sql = (
            f"SELECT {PARTNERSHIP_COLUMNS} FROM view_partnerships p"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY p.name, p.id LIMIT ?"
        )
        return [_entry(row) for row in await self._rows(sql, *params, limit)]

    async def count_partnerships(self, actor: str | None = None) -> int:
        if actor is None:
            rows = await self._rows("SELECT COUNT(*) FROM view_partnerships")
        else:
            rows = await self._rows(
                "SELECT COUNT(*) FROM view_partnerships p WHERE EXISTS (SELECT 1 FROM "
                "view_access a WHERE a.partnership_id = p.id AND a.actor = ?)",
                actor,
            )
        return int(rows[0][0])

    async def role(self, partnership_id: str, actor: str) -> str | None:
        rows = await self._rows(
            "SELECT role FROM view_access WHERE partnership_id = ? AND actor = ?",
            partnership_id,
            actor,
        )
        return str(rows[0][0]) if rows else None

    async def events(self, partnership_id: str) -> list[IndexedEvent]:
        entry = await self.partnership(partnership_id)
        if entry is None:
            return []
        cached = self._cache.get(partnership_id, entry.version)
        if cached is not None:
            return cached
        self._cache.make_room(partnership_id, entry.version)
        rows = await self._rows(
            f"SELECT {EVENT_COLUMNS} FROM view_events WHERE partnership_id = ? ORDER BY position",
            partnership_id,
        )
        events = await in_worker_thread(events_of, rows)
        self._cache.put(partnership_id, entry.version, events)
        return events

    async def event(self, event_id: str) -> IndexedEvent | None:
        rows = await self._rows(
            f"SELECT {EVENT_COLUMNS} FROM view_events WHERE event_id = ?", event_id
        )
        return event_of(rows[0]) if rows else None

    async def events_after(
        self, partnership_id: str, position: int, limit: int = 500
    ) -> list[IndexedEvent]:
        rows = await self._rows(
            f"SELECT {EVENT_COLUMNS} FROM view_events WHERE partnership_id = ? "
            "AND position > ? ORDER BY position LIMIT ?",
            partnership_id,
            position,
            limit,
        )
        return [event_of(row) for row in rows]

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
