"""Blocking work, run off the event loop in a pool of worker threads.

anyio's `to_thread.run_sync` costs the event loop more per call (a cancel scope, a
capacity limiter, checkpoints) than a mutation's own reply; asyncio's executor hand-off
costs a fraction of that (docs/PERFORMANCE.md, Measured figures). The pool is as large
as anyio's default limiter (40 threads); work already begun runs to its end even if the
awaiting task is cancelled, and its result is then dropped.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
WORKERS = 40
_pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="accord-worker")


async def in_worker_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a worker thread, awaited."""
    call = functools.partial(function, *args, **kwargs) if args or kwargs else function
    return await asyncio.get_running_loop().run_in_executor(_pool, call)
