"""Group commit: inserts that arrive while another is being written share the next
transaction.

On PostgreSQL most of a transaction's cost to this process's CPU is per transaction
(the pipeline, the table lock, the notify, the commit), little is per event
(docs/PERFORMANCE.md, Measured figures); concurrent commands (each holding its own
partnership's lock) would otherwise each pay the whole cost, and queue for the events
table's lock anyway.

The first caller to find no transaction in progress writes its own events at once (no
waiting when the store is quiet). Callers arriving meanwhile queue; when the writer is
done, the first of them writes everything queued by then, up to `limit` events, in one
transaction. If that transaction fails, each caller's events are written again on their
own, so one caller's conflict (another process recorded the same version first) is its
own error and no one else's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Waiting(Generic[T, R]):
    """One caller's events, and what came of them."""

    items: Sequence[T]
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    result: R | None = None
    error: BaseException | None = None

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[T, R]):
    """`write(items)` for one caller's items, grouped with concurrent callers'.

    `write_group` writes one or more callers' items in one transaction and returns each
    caller's result in order."""

    def __init__(self, write_group: Callable[[Sequence[Sequence[T]]], list[R]], limit: int) -> None:
        self._write_group = write_group
        self._limit = limit
        self._lock = threading.Lock()
        self._queue: list[_Waiting[T, R]] = []
        self._writing = False

    def write(self, items: Sequence[T]) -> R:
        waiting: _Waiting[T, R] = _Waiting(items)
        with self._lock:
            self._queue.append(waiting)
            lead = not self._writing
            self._writing = True
        if not lead:
            waiting.wake.wait()
            if waiting.finished:
                return waiting.outcome()
            # Woken to write: it heads the queue, so it is in the group it takes.
        try:
            self._write_next_group()
        finally:
            self._hand_on()
        return waiting.outcome()

    def _write_next_group(self) -> None:
        with self._lock:
            group = [self._queue.pop(0)]
            count = len(group[0].items)
            while self._queue and count + len(self._queue[0].items) <= self._limit:
                count += len(self._queue[0].items)
                group.append(self._queue.pop(0))
        try:
            if len(group) > 1:
                try:
                    results = self._write_group([waiting.items for waiting in group])
                except Exception:
                    results = None  # each on its own, so each gets its own error
                except BaseException as error:  # interrupted: nobody's events are known
                    for waiting in group:
                        waiting.error = error
                    raise
                if results is not None:
                    for waiting, result in zip(group, results, strict=True):
                        waiting.result = result
                    return
            for waiting in group:
                try:
                    (waiting.result,) = self._write_group([waiting.items])
                except BaseException as error:  # the caller's own, raised in its thread
                    waiting.error = error
        finally:
            for waiting in group:
                waiting.finished = True
                waiting.wake.set()

    def _hand_on(self) -> None:
        """The next queued caller writes, or nobody is writing."""
        with self._lock:
            if self._queue:
                self._queue[0].wake.set()
            else:
                self._writing = False
