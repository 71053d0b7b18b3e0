"""A workbook large enough for the store's parallel import writer (on SQLite, a second
process inserts while the rows are judged): all of it recorded, or, when one row is
refused, none of it."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from accord.cli import main
from accord.storage.sqlite import PARALLEL_IMPORT_STEPS
from bench.generate import generate_history
from bench.workbooks import write_workbook


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_a_large_workbook_is_recorded_whole_or_not_at_all(tmp_path: Path, sqlite_url: str) -> None:
    history = generate_history(PARALLEL_IMPORT_STEPS + 300, seed=5)["steps"]
    steps = [step for step in history if step["mutation"] != "retractEntry"]
    assert len(steps) > PARALLEL_IMPORT_STEPS
    bad = [*steps, {**steps[-1], "input": {**steps[-1]["input"], "occurredAt": "1999-01-01"}}]
    write_workbook(tmp_path / "bad.xlsx", bad)
    code, out = accord("import", str(tmp_path / "bad.xlsx"), "--database", sqlite_url)
    assert code == 1
    assert "occurredAt: VALIDATION: is before the partnership was formed" in out
    assert accord("verify", "--database", sqlite_url) == (0, "")
    write_workbook(tmp_path / "good.xlsx", steps)
    code, out = accord("import", str(tmp_path / "good.xlsx"), "--database", sqlite_url)
    assert code == 0, out
    pid = out.strip()
    assert accord("verify", "--database", sqlite_url) == (0, f"{pid} valid {len(steps)}\n")
