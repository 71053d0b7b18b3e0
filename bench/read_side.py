"""Read-side benchmarks: projection rebuild against a bare read of the log, and a health
series against one health call."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from pathlib import Path

from accord.domain.instants import parse_instant
from accord.projections.health import health, health_series
from accord.runtime import Runtime
from accord.storage.projector import Projector
from bench.common import DATA, Results, repeat, scaled, timed
from bench.generate import generate_history


def rebuild_store(events: int, per_partnership: int = 100_000) -> str:
    """A SQLite store of `events` events, kept between runs in .bench-data."""
    path = DATA / f"rebuild-{events}.db"
    url = f"sqlite:///{path}"
    marker = Path(f"{path}.complete")
    if marker.exists():
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    runtime = Runtime.open(url, project=False)
    remaining, seed = events, 0
    while remaining > 0:
        size = min(per_partnership, remaining)
        runtime.app.import_steps(generate_history(size, seed=100 + seed)["steps"], actor="bench")
        remaining -= size
        seed += 1
    runtime.close()
    marker.write_text("ok")
    return url


def rebuild_ratio(results: Results, events: int, rounds: int = 1) -> float:
    url = rebuild_store(events, per_partnership=min(100_000, events))
    runtime = Runtime.open(url, project=False)
    app = runtime.app

    def read_and_decode() -> None:
        start = 1
        while True:
            page = app.recorder.select_notifications(start=start, limit=500)
            if not page:
                return
            for notification in page:
                app.mapper.to_domain_event(notification)
            start = page[-1].id + 1

    projector = Projector(app, runtime.views)

    def rebuild() -> None:
        projector.reset()
        projector.run_until_current()

    raws: list[float] = []
    ourss: list[float] = []
    for _ in range(rounds):  # alternating: this machine's speed drifts
        raws.append(timed(read_and_decode))
        ourss.append(timed(rebuild))
    runtime.close()
    raw, ours = statistics.median(raws), statistics.median(ourss)
    results.figure(f"rebuild {events:,} events: projector", "events/s", [events / t for t in ourss])
    results.figure(
        f"rebuild {events:,} events: read + decode only", "events/s", [events / t for t in raws]
    )
    results.series.setdefault("rebuild seconds by store size", []).append((events, ours))
    return raw / ours


def series_ratio(results: Results) -> float:
    """healthSeries of 48 monthly samples over one health call, 10,000 events."""
    steps = generate_history(scaled(10_000, 1_000), seed=3)["steps"]
    url = f"sqlite:///{DATA / 'series.db'}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATA / 'series.db'}{suffix}").unlink(missing_ok=True)
    runtime = Runtime.open(url, project=False)
    pid, _ = runtime.app.import_steps(steps, actor="bench")
    Projector(runtime.app, runtime.views).run_until_current()
    events = runtime.reader.events(str(pid))
    runtime.close()
    now = datetime.now(UTC)
    last = max(e.occurred_at for e in events)
    start = parse_instant(f"{last.year - 4}-{last.month:02d}-01")
    one = repeat(lambda: health(events, last, now, 365), 9)
    series = repeat(lambda: health_series(events, start, last, "MONTH", now, 365), 5)
    results.figure("health, 10,000 events", "ms", [s * 1000 for s in one])
    results.figure("healthSeries 48 months, 10,000 events", "ms", [s * 1000 for s in series])
    return statistics.median(series) / statistics.median(one)


def run(results: Results) -> None:
    results.target("series_ratio", series_ratio(results), "<=", 3.0)
    largest = scaled(1_000_000, 5_000)
    for events in sorted({scaled(10_000, 1_000), scaled(100_000, 2_000)} - {largest}):
        rebuild_ratio(results, events)  # points of the rebuild-time series
    results.target("rebuild_ratio", rebuild_ratio(results, largest, rounds=2), ">=", 0.5)
