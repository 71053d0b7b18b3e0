"""The views: incremental projection equals a rebuild from position 0, and a projection
worker killed in the middle of its work resumes without counting anything twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.runtime import Runtime
from accord.storage.projector import Projector
from bench.generate import generate_history
from tests.support.scenarios import record_steps

TABLES = ("view_events", "view_partnerships", "view_access")


def view_rows(url: str) -> dict[str, list[Any]]:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in TABLES
        }
    finally:
        connection.close()


def rebuilt_rows(url: str) -> dict[str, list[Any]]:
    runtime = Runtime.open(url, project=False)
    try:
        projector = Projector(runtime.app, runtime.views)
        projector.reset()
        projector.run_until_current()
    finally:
        runtime.close()
    return view_rows(url)


def record_step_by_step(runtime: Runtime, steps: list[dict[str, Any]], chunks: list[int]) -> None:
    """Record through the service one command at a time, projecting in uneven batches."""
    projector = Projector(runtime.app, runtime.views)
    chunk_sizes = iter(chunks * (len(steps) // max(1, len(chunks)) + 1))
    pending = 0
    for _ in record_steps(runtime.app, steps):
        pending += 1
        if pending >= next(chunk_sizes):
            projector.run_batch(limit=pending)
            pending = 0
    projector.run_until_current()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    size=st.integers(min_value=20, max_value=160),
    chunks=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
)
def test_views_after_incremental_projection_equal_a_rebuild(
    tmp_path_factory: Any, seed: int, size: int, chunks: list[int]
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('views') / 'accord.db'}"
    steps = generate_history(size, seed=seed, shuffle_recording=True)["steps"]
    runtime = Runtime.open(url, project=False)
    try:
        record_step_by_step(runtime, steps, chunks)
    finally:
        runtime.close()
    incremental = view_rows(url)
    assert len(incremental["view_events"]) == len(steps)
    assert incremental == rebuilt_rows(url)


def _position(url: str) -> int:
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
    try:
        row = connection.execute("SELECT position FROM view_tracking").fetchone()
        return int(row[0]) if row else 0
    except sqlite3.OperationalError:
        return 0
    finally:
        connection.close()


def test_a_worker_killed_mid_batch_and_restarted_leaves_the_views_equal_to_a_rebuild(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    history = tmp_path / "history.steps.json"
    history.write_text(json.dumps(generate_history(12_000, seed=5)))
    imported = subprocess.run(
        [sys.executable, "-m", "accord", "import", str(history), "--database", url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    assert imported.stdout.strip()
    # The import projected everything: start again from nothing, as a worker would.
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    for table in (*TABLES, "view_tracking"):
        connection.execute(f"DELETE FROM {table}")
    connection.commit()
    connection.close()

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "accord", "project", "--database", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    first = worker()
    deadline = time.monotonic() + 60
    while _position(url) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait()
    stopped_at = _position(url)
    assert 0 < stopped_at < 12_000, "the worker should be killed part-way"
    second = worker()
    try:
        deadline = time.monotonic() + 120
        while _position(url) < 12_000 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    resumed = view_rows(url)
    assert len(resumed["view_events"]) == 12_000
    assert resumed == rebuilt_rows(url)
