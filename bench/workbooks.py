"""A workbook import against the same entries as a JSON steps file (`xlsx_import_ratio`).

The same generated history (10,000 entries at scale 1; its retractions left out, since a
workbook names a retraction's target by an event id that exists only once recorded) is
written once as a steps file and once as a filled registers workbook. Each round imports
both into fresh SQLite stores, from the file on disk to the saved history, the order
alternating between rounds; the target is the median of the rounds' ratios of the steps
file's time to the workbook's (>= 0.5: a workbook within twice the time).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from accord.application.workbooks import import_rows
from accord.settings import database_from_url
from accord.storage.event_store import open_application
from accord.web.registers import SHEETS
from accord.web.workbook_files import read_file
from bench.common import DATA, Results, fresh_sqlite, scaled
from bench.generate import generate_history

ZONE = ZoneInfo("Europe/London")


def write_workbook(path: Path, steps: list[dict[str, Any]]) -> None:
    """The steps as the template's sheets, filled in (header row, then one row a step),
    saved as a spreadsheet saves (shared strings, each sheet's dimension)."""
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    by_mutation = {sheet.kind.mutation: sheet for sheet in SHEETS}
    sheets = {}
    rows = dict.fromkeys(by_mutation, 1)  # the last row written in each sheet
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        ws.append([column.label for column in sheet.columns])
        sheets[sheet.kind.mutation] = ws
    for step in steps:
        sheet = by_mutation[step["mutation"]]
        ws = sheets[step["mutation"]]
        given = step["input"]
        number = rows[step["mutation"]] = rows[step["mutation"]] + 1
        for index, column in enumerate(sheet.columns, start=1):
            value = given.get(column.name)
            if column.name == "shares" and value is not None:
                value = "; ".join(f"{item['partnerId']}={item['share']!r}" for item in value)
            elif isinstance(value, list):
                value = "; ".join(value)
            if value is None:
                continue
            cell = ws.cell(row=number, column=index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)


def _steps_import(url: str, path: Path) -> float:
    app = open_application(database_from_url(url), key=b"bench")
    started = time.perf_counter()
    steps = json.loads(path.read_text(encoding="utf-8"))["steps"]
    app.import_steps(steps, actor="bench")
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def _workbook_import(url: str, path: Path) -> float:
    app = open_application(database_from_url(url), key=b"bench")
    started = time.perf_counter()
    rows = read_file(path)
    import_rows(app, rows, partnership_id=None, actor="bench", zone=ZONE)
    elapsed = time.perf_counter() - started
    app.close()
    return elapsed


def xlsx_import_ratio(results: Results, entries: int, rounds: int = 5) -> float:
    history = generate_history(entries, seed=11)["steps"]
    steps = [step for step in history if step["mutation"] != "retractEntry"]
    DATA.mkdir(parents=True, exist_ok=True)
    steps_file = DATA / "workbook-bench.steps.json"
    steps_file.write_text(json.dumps({"steps": steps}), encoding="utf-8")
    workbook = DATA / "workbook-bench.xlsx"
    write_workbook(workbook, steps)
    json_times: list[float] = []
    xlsx_times: list[float] = []
    for round_ in range(rounds):
        sides = [
            (json_times, lambda: _steps_import(fresh_sqlite("steps.db"), steps_file)),
            (xlsx_times, lambda: _workbook_import(fresh_sqlite("workbook.db"), workbook)),
        ]
        for times, run in sides[:: -1 if round_ % 2 else 1]:
            times.append(run())
    ratios = [mine / theirs for mine, theirs in zip(json_times, xlsx_times, strict=True)]
    results.figure(f"workbook import, {len(steps):,} entries: steps file", "s", json_times)
    results.figure(f"workbook import, {len(steps):,} entries: workbook", "s", xlsx_times)
    results.figure("workbook import: ratio per round", "ratio", ratios)
    return statistics.median(ratios)


def run(results: Results) -> None:
    ratio = xlsx_import_ratio(results, scaled(10_000, 500))
    results.target("xlsx_import_ratio", ratio, ">=", 0.5)
