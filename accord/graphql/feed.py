"""Wakes subscribers when the views may hold new events.

One watcher thread per process: with a projector in this process it waits on the
projector's progress (so an event recorded here, or picked up from another process,
wakes subscribers as soon as it is in the views); without one, on PostgreSQL, it reads
the views' position whenever the process's listener hears a NOTIFY (the projection
worker announces every move of the views), and otherwise polls it. Subscribers take a
`Signal` before reading, then wait on it: a change that lands while they read still
wakes them, so nothing is missed. Followers of one partnership that wake together
share one read of its new events.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from accord.graphql.context import Services
from accord.projections.records import IndexedEvent

POLL_SECONDS = 0.1
"""How often the views' position is read when no projector runs in this process."""


class Signal:
    """Set once, at the next change after it was taken."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


class ViewsFeed:
    """Tells waiting subscribers that the views moved on."""

    def __init__(self, services: Services, poll_seconds: float = POLL_SECONDS) -> None:
        self.services = services
        self.poll_seconds = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signal: Signal | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._reading: dict[tuple[object, ...], asyncio.Future[list[IndexedEvent]]] = {}

    def start(self) -> None:
        """Start watching; call from the event loop that subscribers run on."""
        self._loop = asyncio.get_running_loop()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(self._stopping,), name="accord-feed", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching. The watcher thread (a daemon) ends by itself within a second:
        stopping does not wait for it."""
        self._stopping.set()
        self._thread = None

    def signal(self) -> Signal:
        """The signal the next change fires (take it before reading)."""
        if self._signal is None:
            self._signal = Signal()
        return self._signal

    async def events_after(
        self, signal: Signal, partnership_id: str, position: int, limit: int
    ) -> list[IndexedEvent]:
        """`reads.events_after(...)`, read once for every stream that asks the same while
        holding the same signal: a change wakes every follower of a partnership at once,
        and they share one read. (A read started under an older signal may predate a
        change its holder has not seen, so only holders of one signal share a read.)"""
        key = (id(signal), partnership_id, position, limit)
        reading = self._reading.get(key)
        if reading is None:
            reads = self.services.reads
            reading = asyncio.ensure_future(reads.events_after(partnership_id, position, limit))
            self._reading[key] = reading
            reading.add_done_callback(lambda _: self._reading.pop(key, None))
        return await asyncio.shield(reading)

    def _fire(self) -> None:
        signal, self._signal = self._signal, None
        if signal is not None:
            signal.fire()

    def _changed(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop is shutting down
                self._loop.call_soon_threadsafe(self._fire)

    def _watch(self, stopping: threading.Event) -> None:
        projector = self.services.projector_thread
        if projector is None and self._notified() is not None:
            self._watch_notified(stopping)
            return
        seen = projector.position if projector is not None else self._position()
        while not stopping.is_set():
            if projector is not None:
                projector.wait_for(seen + 1, timeout=1.0, hurry=False)
                current = projector.position
            else:
                stopping.wait(self.poll_seconds)
                current = self._position()
            if current != seen:
                seen = current
                self._changed()

    def _notified(self) -> threading.Condition | None:
        """The condition a PostgreSQL listener in this process notifies when the views
        (or the event store) move on; None without a listener."""
        if getattr(self.services, "listener", None) is None:
            return None
        moved = getattr(self.services, "views_moved", None)
        return moved if isinstance(moved, threading.Condition) else None

    def _watch_notified(self, stopping: threading.Event) -> None:
        """Without a projector here, on PostgreSQL: read the position when a NOTIFY says
        the views moved (and at least every poll). The position is read holding the
        condition, so a NOTIFY that arrives meanwhile waits for the `wait` below and
        wakes it: none is missed."""
        moved = self._notified()
        assert moved is not None
        seen = self._position()
        with moved:
            while not stopping.is_set():
                moved.wait(self.poll_seconds)
                current = self._position()
                if current != seen:
                    seen = current
                    self._changed()

    def _position(self) -> int:
        try:
            return self.services.reader.position()
        except Exception:  # a transient read failure: try again on the next poll
            return -1
