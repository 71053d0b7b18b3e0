"""Write-side benchmarks: `accord import` against eventsourcing's own batched saves, and
one command's latency as a partnership's history grows."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from accord.application.service import AccordApplication
from accord.runtime import Runtime
from accord.settings import database_from_url
from accord.storage.event_store import open_application
from bench.common import Results, fresh_sqlite, scaled, stock_app, timed
from bench.generate import generate_history

BATCH = 100


def _app(url: str) -> AccordApplication:
    """The application as Accord's processes open it."""
    return open_application(database_from_url(url), key=b"bench")


def import_ratio(
    results: Results, label: str, fresh: Callable[[], str], events: int, rounds: int = 3
) -> float:
    """`accord import` events/s over eventsourcing saving the same events in batches of
    100 with its own mapper, without validation, into a fresh store of the same kind.
    Each round measures both sides back to back, which goes first alternating from round
    to round; the ratio is the median of the rounds' ratios, so that a slow moment of the
    machine (or of its disk) moves one round, not the result."""
    steps = generate_history(events, seed=7)["steps"]
    ours: list[float] = []
    theirs: list[float] = []
    recorded: list[Any] = []  # the events of an import: what the baseline saves
    for round_ in range(rounds):
        first, second = (_accord_import, _baseline_import)[:: -1 if round_ % 2 else 1]
        speeds = {first: first(fresh(), steps, recorded), second: second(fresh(), steps, recorded)}
        ours.append(speeds[_accord_import])
        theirs.append(speeds[_baseline_import])
    ratios = [mine / baseline for mine, baseline in zip(ours, theirs, strict=True)]
    results.figure(f"import {label}: accord import", "events/s", ours)
    results.figure(f"import {label}: eventsourcing batched save", "events/s", theirs)
    results.figure(f"import {label}: ratio per round", "ratio", ratios)
    return statistics.median(ratios)


def _accord_import(url: str, steps: list[dict[str, Any]], recorded: list[Any]) -> float:
    """Events/s of `import_steps`; keeps the events it recorded in `recorded`."""
    importing = _app(url)
    started = time.perf_counter()
    importing.import_steps(steps, actor="bench")
    elapsed = time.perf_counter() - started
    if not recorded:
        recorded += importing.events.get(importing.partnership_ids()[0])
    importing.close()
    return len(steps) / elapsed


def _baseline_import(url: str, steps: list[dict[str, Any]], recorded: list[Any]) -> float:
    """Events/s of eventsourcing saving `recorded` (the first round's import's events)
    in batches of 100 with its own mapper."""
    assert recorded, "the first round imports first"
    app = stock_app(url)

    def save_batches() -> None:
        for start in range(0, len(recorded), BATCH):
            app.events.put(recorded[start : start + BATCH])

    elapsed = timed(save_batches)
    app.close()
    return len(recorded) / elapsed


def _command(pid: uuid.UUID) -> dict[str, Any]:
    return {
        "partnershipId": str(pid),
        "respondentId": "p0",
        "reliability": 4,
        "openness": 3,
        "respect": 4,
        "sharedOwnership": 3,
    }


def _partnership_at(app: AccordApplication, version: int) -> uuid.UUID:
    steps = generate_history(version, seed=11, partners=4)["steps"]
    pid, _ = app.import_steps(steps, actor="bench")
    return pid


def command_latency(results: Results, url: str) -> float:
    """One command at version 10,000 over one at version 100, warm, in one process."""
    runtime = Runtime.open(url, project=False)
    app = runtime.app
    small = _partnership_at(app, 100)
    large = _partnership_at(app, scaled(10_000, 1_000))
    member = {pid: _first_partner(app, pid) for pid in (small, large)}
    samples: dict[uuid.UUID, list[float]] = {small: [], large: []}
    for round_ in range(260):
        for pid in (small, large):
            body = _command(pid) | {"respondentId": member[pid]}
            start = time.perf_counter()
            app.execute("recordTrustCheckIn", body, actor="bench")
            if round_ >= 60:  # warm-up: cache filled, snapshots taken
                samples[pid].append(time.perf_counter() - start)
    runtime.close()
    ms = {pid: [s * 1000 for s in values] for pid, values in samples.items()}
    results.figure("command at version ~100 (warm)", "ms", ms[small])
    results.figure("command at version ~10,000 (warm)", "ms", ms[large])
    cold = _cold_command(url, large, member[large])
    results.figure("command at version ~10,000 (cold process, incl. start-up)", "ms", cold)
    return statistics.median(ms[large]) / statistics.median(ms[small])


def _first_partner(app: AccordApplication, pid: uuid.UUID) -> str:
    partnership = app.partnership(pid)
    for subject, timeline in partnership.timelines.items():
        if subject.startswith("partner:") and timeline["tail"].get("active"):
            return subject.removeprefix("partner:")
    raise RuntimeError("no active partner")


def _cold_command(url: str, pid: uuid.UUID, partner: str) -> list[float]:
    code = (
        "import time,sys;t=time.perf_counter();"
        "from accord.application.service import AccordApplication;"
        "from accord.settings import database_from_url;"
        f"a=AccordApplication(database_from_url({url!r}).eventsourcing_env);"
        "t1=time.perf_counter();"
        f"a.execute('recordTrustCheckIn',{{'partnershipId':{str(pid)!r},'respondentId':{partner!r},"
        "'reliability':4,'openness':3,'respect':4,'sharedOwnership':3},actor='bench');"
        "print((time.perf_counter()-t1)*1000)"
    )
    samples = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        samples.append(float(out.stdout.strip()))
    return samples


def run(results: Results, postgres_url: str | None) -> None:
    events = scaled(100_000, 2_000)
    ratio = import_ratio(results, "SQLite", lambda: fresh_sqlite("import.db"), events, rounds=7)
    results.target("import_ratio_sqlite", ratio, ">=", 0.5)
    if postgres_url is not None:
        from bench.postgres import fresh_database

        ratio_pg = import_ratio(results, "PostgreSQL", fresh_database, events, rounds=1)
        results.figure("import ratio PostgreSQL", "ratio", [ratio_pg])
    growth = command_latency(results, fresh_sqlite("latency.db"))
    results.target("command_latency_growth", growth, "<=", 2.0)
