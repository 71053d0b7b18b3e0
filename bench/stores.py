"""Generated SQLite stores for the HTTP benchmarks, built once and kept in .bench-data.

`partnerships_store(count, events_each)` holds `count` partnerships of `events_each`
events each (seeds 0..count-1, so a smaller store's partnerships are also in a larger
one), recorded through `import_steps` (every step validated, hash-chained) and
projected, with the views current. Importing a large store takes long
(docs/PERFORMANCE.md, Measured figures), so it is built in several processes, each
importing and projecting its share into its own file, and the parts are then merged
with SQL: the event store's rows (their notification ids renumbered in order), the
snapshots and the views, whose position is set to the merged log's last notification.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from bench.common import DATA

# The tables a part's rows are copied from, in order (the event store's keep their order).
_TABLES = ("stored_events", "stored_snapshots", "view_partnerships", "view_access", "view_events")


def _unlink(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build_part(path: str, seeds: list[int], events_each: int) -> int:
    """Import the partnerships of `seeds` into a fresh store at `path`, then project it."""
    from accord.runtime import Runtime
    from accord.storage.projector import Projector
    from bench.generate import generate_history

    _unlink(Path(path))
    runtime = Runtime.open(f"sqlite:///{path}", project=False)
    started = time.monotonic()
    for done, seed in enumerate(seeds, 1):
        steps = generate_history(events_each, seed=seed)["steps"]
        runtime.app.import_steps(steps, actor="bench")
        if done % 500 == 0:
            rate = done * events_each / (time.monotonic() - started)
            print(
                f"   {Path(path).name}: {done}/{len(seeds)} ({rate:,.0f} events/s)", file=sys.stderr
            )
    Projector(runtime.app, runtime.views).run_until_current()
    runtime.close()
    return len(seeds)


def _merge(target: Path, parts: list[Path]) -> None:
    from accord.runtime import Runtime

    _unlink(target)
    Runtime.open(f"sqlite:///{target}", project=False).close()  # the tables, empty
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    for part in parts:
        connection.execute("ATTACH DATABASE ? AS part", (str(part),))
        connection.execute("BEGIN")
        for table in _TABLES:
            order = " ORDER BY rowid" if table == "stored_events" else ""
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM part.{table}{order}")
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE part")
    first = sqlite3.connect(parts[0])
    view, _, version = first.execute("SELECT view, position, version FROM view_tracking").fetchone()
    first.close()
    (last,) = connection.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
    connection.execute("DELETE FROM view_tracking")
    connection.execute("INSERT INTO view_tracking VALUES (?, ?, ?)", (view, last, version))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def partnerships_store(count: int, events_each: int = 300, workers: int | None = None) -> str:
    """The URL of a store of `count` partnerships of `events_each` events, views current."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"partnerships-{count}x{events_each}.db"
    marker = Path(f"{path}.complete")
    if marker.exists():
        return f"sqlite:///{path}"
    workers = workers or max(1, min(os.cpu_count() or 1, 4, count // 50))
    started = time.monotonic()
    print(
        f"   building {path.name}: {count:,} partnerships x {events_each} events "
        f"in {workers} processes (kept for later runs)",
        file=sys.stderr,
        flush=True,
    )
    if workers == 1:
        _build_part(str(path), list(range(count)), events_each)
    else:
        parts = [DATA / f"{path.stem}.part{k}.db" for k in range(workers)]
        shares = [list(range(k, count, workers)) for k in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            built = pool.map(_build_part, map(str, parts), shares, [events_each] * workers)
            assert sum(built) == count
        _merge(path, parts)
        for part in parts:
            _unlink(part)
    marker.write_text(f"built in {time.monotonic() - started:.0f} s\n")
    return f"sqlite:///{path}"


def sized_store(name: str, sizes: list[int], seed: int = 500) -> str:
    """The URL of a store (one process) with one partnership of each of `sizes` events,
    recorded in that order (seeds `seed`, `seed + 1`, ...), views current."""
    DATA.mkdir(parents=True, exist_ok=True)
    label = "-".join(str(size) for size in sizes)
    path = DATA / f"{name}-{label}.db"
    marker = Path(f"{path}.complete")
    if not marker.exists():
        print(f"   building {path.name} (kept for later runs)", file=sys.stderr, flush=True)
        _build_sized(str(path), sizes, seed)
        marker.write_text("ok\n")
    return f"sqlite:///{path}"


def _build_sized(path: str, sizes: list[int], seed: int) -> None:
    from accord.runtime import Runtime
    from accord.storage.projector import Projector
    from bench.generate import generate_history

    _unlink(Path(path))
    runtime = Runtime.open(f"sqlite:///{path}", project=False)
    for offset, size in enumerate(sizes):
        steps = generate_history(size, seed=seed + offset)["steps"]
        runtime.app.import_steps(steps, actor="bench")
    Projector(runtime.app, runtime.views).run_until_current()
    runtime.close()


def partnership_ids(url: str) -> list[str]:
    """The store's partnership ids, in the order their events were recorded."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        rows = connection.execute(
            "SELECT partnership_id FROM view_events WHERE position = 1 ORDER BY rowid"
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


if __name__ == "__main__":  # python -m bench.stores COUNT [EVENTS_EACH]
    print(partnerships_store(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 300))
