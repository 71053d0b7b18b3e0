"""Shared helpers for the benchmarks: timing, stores kept between runs, results."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.application.service import AccordApplication
from accord.settings import database_from_url

DATA = Path(
    os.environ.get("ACCORD_BENCH_DATA", Path(__file__).resolve().parents[1] / ".bench-data")
)
SCALE = float(os.environ.get("ACCORD_BENCH_SCALE", "1"))


def scaled(n: int, minimum: int = 100) -> int:
    return max(minimum, int(n * SCALE))


@dataclass
class Figure:
    """One measured quantity, with every sample kept for min/median/max."""

    name: str
    unit: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def row(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "min": min(self.samples),
            "median": self.median,
            "max": max(self.samples),
            "n": len(self.samples),
        }


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    targets: dict[str, tuple[float, str, float]] = field(default_factory=dict)
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def figure(self, name: str, unit: str, samples: list[float]) -> Figure:
        figure = Figure(name, unit, samples)
        self.figures.append(figure)
        return figure

    def target(self, name: str, value: float, op: str, goal: float) -> None:
        self.targets[name] = (value, op, goal)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "figures": [f.row() for f in self.figures],
                    "targets": {k: list(v) for k, v in self.targets.items()},
                    "series": self.series,
                    "notes": self.notes,
                },
                indent=2,
            )
        )


def timed(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def repeat(function: Callable[[], Any], times: int) -> list[float]:
    return [timed(function) for _ in range(times)]


def fresh_sqlite(name: str) -> str:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def stock_app(url: str) -> AccordApplication:
    """Accord's application on `url` with eventsourcing's own mapper and recorder: the
    baselines' side of the write benchmarks."""
    return AccordApplication(database_from_url(url).eventsourcing_env, audit_key=b"bench")
