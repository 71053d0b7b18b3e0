"""What a resolver gets: the services, who is asking, and a request-scoped cache.

Every read and every command goes through `run` (a worker thread), so nothing
synchronous touches the event loop. Who is asking is an `Actor`: the local actor
(everything visible, access not enforced) until bearer tokens are in use, when the web
layer puts the token's actor here and access is enforced.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import strawberry

from accord.application.accounts import Accounts
from accord.application.rounds import CheckInRounds
from accord.application.service import AccordApplication, Outcome
from accord.projections.records import IndexedEvent
from accord.storage.async_reads import AsyncReads
from accord.storage.projector import ProjectorThread
from accord.storage.reader import PartnershipEntry, ViewReader
from accord.threads import in_worker_thread

if TYPE_CHECKING:
    from accord.graphql.feed import ViewsFeed

T = TypeVar("T")
RECHECK_SECONDS = 1.0


class Services(Protocol):
    """The parts of `accord.runtime.Runtime` the API uses."""

    app: AccordApplication
    reader: ViewReader
    rounds: CheckInRounds
    accounts: Accounts
    projector_thread: ProjectorThread | None

    @property
    def reads(self) -> AsyncReads: ...

    def wait_for(self, notification_id: int, timeout: float = 5.0) -> bool: ...

    def shown(self, outcome: Outcome) -> bool: ...


@dataclass(frozen=True)
class Actor:
    """Who is asking. With `enforce_access` false every partnership is visible and every
    command allowed (the local, unauthenticated mode)."""

    name: str
    enforce_access: bool
    # Who the credentials name now (None: nobody, e.g. a revoked token), for the
    # long-lived websocket streams to ask again; None for credentials checked once.
    recheck: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)

    @property
    def visibility_filter(self) -> str | None:
        """The actor to filter the directory by, or None for every partnership."""
        return self.name if self.enforce_access else None


LOCAL_ACTOR = Actor("local", enforce_access=False)


class AccordContext:
    """The GraphQL context of one HTTP request, or of one websocket connection."""

    def __init__(
        self,
        services: Services,
        actor: Actor = LOCAL_ACTOR,
        *,
        feed: ViewsFeed | None = None,
        request: Any = None,
        response: Any = None,
        per_request: bool = True,
        request_id: str | None = None,
    ) -> None:
        self.services = services
        # Names the request (or websocket connection) in the log and in masked errors.
        self.request_id = request_id or uuid.uuid4().hex
        self.actor = actor
        self._rechecked_at = time.monotonic()  # the credentials were just checked
        self._signed_in = True
        self.feed = feed
        self.request = request
        self.response = response
        # A websocket connection lives long: it caches nothing and reads the clock anew.
        self.per_request = per_request
        self.over_websocket = not per_request
        self._now = datetime.now(UTC) if per_request else None
        self._memo: dict[Hashable, asyncio.Future[Any]] = {}
        self.connection_params: dict[str, Any] | None = None

    @property
    def app(self) -> AccordApplication:
        return self.services.app

    @property
    def reader(self) -> ViewReader:
        return self.services.reader

    @property
    def reads(self) -> AsyncReads:
        """The views, read without blocking the event loop (asyncpg on PostgreSQL)."""
        return self.services.reads

    def now(self) -> datetime:
        """The default for `asOf` and `knownAt`: one instant for the whole request."""
        return self._now if self._now is not None else datetime.now(UTC)

    def recorded(self, at: datetime) -> None:
        """A command recorded an event at `at`: "now" moves past it, cached reads are stale."""
        if self._now is not None:
            self._now = max(datetime.now(UTC), at)
        self._memo.clear()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking or heavy work in a worker thread."""
        return await in_worker_thread(function, *args)

    async def memo(self, key: Hashable, function: Callable[..., T], *args: Any) -> T:
        """`run(function, *args)` once per request for `key` (concurrent callers share it)."""
        if not self.per_request:
            return await self.run(function, *args)
        return await self._shared(key, lambda: self.run(function, *args))

    async def _shared(self, key: Hashable, read: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """`read()` once per request for `key`, shared by concurrent callers.

        The read runs as a task of its own: when GraphQL cancels one field (because a
        sibling failed), the others still get the result instead of its cancellation."""
        task = self._memo.get(key)
        if task is None:
            task = asyncio.ensure_future(read())
            self._memo[key] = task
            task.add_done_callback(lambda done: self._forget_failed(key, done))
        result: T = await asyncio.shield(task)
        return result

    def _forget_failed(self, key: Hashable, task: asyncio.Future[Any]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._memo.get(key) is task:
            del self._memo[key]

    async def events(self, partnership_id: str) -> list[IndexedEvent]:
        """The partnership's indexed events (shared, never mutated)."""
        key = ("events", partnership_id)
        if not self.per_request:
            return await self.reads.events(partnership_id)
        return await self._shared(key, lambda: self.reads.events(partnership_id))

    async def partnership(self, partnership_id: str) -> PartnershipEntry | None:
        """The partnership, if it exists and the actor may see it."""
        entry = await self.reads.partnership(partnership_id)
        if entry is None or not await self.can_see(partnership_id):
            return None
        return entry

    async def still_signed_in(self) -> bool:
        """Whether the actor's credentials still name it (a token can be revoked while
        a websocket stream runs); asked of the token store at most every
        RECHECK_SECONDS."""
        recheck = self.actor.recheck
        if recheck is None:
            return True
        now = time.monotonic()
        if now - self._rechecked_at >= RECHECK_SECONDS:
            self._signed_in = await self.run(recheck) == self.actor.name
            self._rechecked_at = now
        return self._signed_in

    async def can_see(self, partnership_id: str) -> bool:
        if not self.actor.enforce_access:
            return True
        role = await self.reads.role(partnership_id, self.actor.name)
        return role is not None


Info = strawberry.Info[AccordContext, None]
