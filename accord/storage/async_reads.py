"""The read interface async callers use: asyncpg on PostgreSQL, a worker thread on SQLite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from accord.projections.records import IndexedEvent
from accord.storage.reader import PartnershipEntry, ViewReader
from accord.threads import in_worker_thread

T = TypeVar("T")


class AsyncReads(Protocol):
    """Queries over the views, awaitable without blocking the event loop."""

    async def position(self) -> int: ...

    async def partnership(self, partnership_id: str) -> PartnershipEntry | None: ...

    async def partnerships(
        self, actor: str | None = None, *, after: tuple[str, str] | None = None, limit: int = 50
    ) -> list[PartnershipEntry]: ...

    async def count_partnerships(self, actor: str | None = None) -> int: ...

    async def role(self, partnership_id: str, actor: str) -> str | None: ...

    async def events(self, partnership_id: str) -> list[IndexedEvent]: ...

    async def event(self, event_id: str) -> IndexedEvent | None: ...

    async def events_after(
        self, partnership_id: str, position: int, limit: int = 500
    ) -> list[IndexedEvent]: ...


class ThreadedReads:
    """`ViewReader` (SQLite) with each query run in a worker thread."""

    def __init__(self, reader: ViewReader) -> None:
        self.reader = reader

    async def _run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await in_worker_thread(function, *args, **kwargs)

    async def position(self) -> int:
        return await self._run(self.reader.position)

    async def partnership(self, partnership_id: str) -> PartnershipEntry | None:
        return await self._run(self.reader.partnership, partnership_id)

    async def partnerships(
        self, actor: str | None = None, *, after: tuple[str, str] | None = None, limit: int = 50
    ) -> list[PartnershipEntry]:
        return await self._run(self.reader.partnerships, actor, after=after, limit=limit)

    async def count_partnerships(self, actor: str | None = None) -> int:
        return await self._run(self.reader.count_partnerships, actor)

    async def role(self, partnership_id: str, actor: str) -> str | None:
        return await self._run(self.reader.role, partnership_id, actor)

    async def events(self, partnership_id: str) -> list[IndexedEvent]:
        return await self._run(self.reader.events, partnership_id)

    async def event(self, event_id: str) -> IndexedEvent | None:
        return await self._run(self.reader.event, event_id)

    async def events_after(
        self, partnership_id: str, position: int, limit: int = 500
    ) -> list[IndexedEvent]:
        return await self._run(self.reader.events_after, partnership_id, position, limit)

    async def close(self) -> None:
        return None
