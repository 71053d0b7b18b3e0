"""The shared scenarios written as workbooks and imported: phase 1 as a new partnership,
then phase 2 (backdated decisions, retractions by event id) with `--partnership`. The
health at every probe, as known after each phase, equals the expected files."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main
from accord.domain.instants import format_instant, parse_instant
from tests.support.probes import Probe, check_probes
from tests.support.scenarios import EVENT_TYPES, SCENARIO_NAMES, load_steps
from tests.support.workbooks import fill, step_cells


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def workbook(path: Path, steps: list[dict[str, Any]], event_ids: list[str | None]) -> Path:
    """The steps as a filled template; a retraction's `eventRef` as the event's id."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        given = dict(step["input"])
        if "eventRef" in step:
            target = event_ids[step["eventRef"]]
            assert target is not None
            given["eventId"] = target
        rows.setdefault(step["mutation"], []).append(step_cells(given))
    return fill(path, rows)


def event_ids_of_steps(
    steps: list[dict[str, Any]], events: list[dict[str, Any]]
) -> list[str | None]:
    """The id of the event each step recorded, found by its type, occurredAt and input
    (an import records in occurredAt order, not in the steps' order)."""
    unclaimed = list(events)
    found: list[str | None] = []
    for step in steps:
        given = step["input"]
        at = parse_instant(given["occurredAt"])
        match = next(
            event
            for event in unclaimed
            if event["type"] == EVENT_TYPES[step["mutation"]]
            and parse_instant(event["occurredAt"]) == at
            and all(
                event["data"].get(name) == _blank_as_none(value)
                for name, value in given.items()
                if name not in ("occurredAt", "dueAt")
            )
        )
        unclaimed.remove(match)
        found.append(match["id"])
    return found


def _blank_as_none(value: Any) -> Any:
    """A blank cell is no value: blank optional text is recorded as none."""
    return None if isinstance(value, str) and not value.strip() else value


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_a_scenario_imported_as_two_workbooks_matches_every_probe(
    tmp_path: Path, sqlite_url: str, name: str
) -> None:
    steps = load_steps(name)
    phase_1 = [step for step in steps if step.get("phase", 1) == 1]
    phase_2 = [step for step in steps if step.get("phase", 1) == 2]
    assert steps == phase_1 + phase_2

    code, out = accord(
        "import", str(workbook(tmp_path / "one.xlsx", phase_1, [])), "--database", sqlite_url
    )
    assert code == 0, out
    pid = out.strip()
    known = {1: format_instant(datetime.now(UTC))}
    time.sleep(0.01)

    _, lines = accord("export", pid, "--database", sqlite_url)
    events = [json.loads(line) for line in lines.splitlines()]
    assert len(events) == len(phase_1)
    ids = event_ids_of_steps(phase_1, events)
    code, out = accord(
        "import",
        str(workbook(tmp_path / "two.xlsx", phase_2, ids)),
        "--partnership",
        pid,
        "--database",
        sqlite_url,
    )
    assert (code, out) == (0, pid + "\n")
    known[2] = format_instant(datetime.now(UTC))
    _, lines = accord("export", pid, "--database", sqlite_url)
    assert len(lines.splitlines()) == len(steps)

    def read(probe: Probe) -> dict[str, Any]:
        code, text = accord(
            "health",
            pid,
            "--as-of",
            probe.as_of,
            "--known-at",
            known[probe.known_phase],
            "--window-days",
            str(probe.window_days),
            "--json",
            "--database",
            sqlite_url,
        )
        assert code == 0
        health: dict[str, Any] = json.loads(text)
        return health

    check_probes(name, read, phases=[1, 2])
