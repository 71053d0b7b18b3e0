"""Filling in the registers template as a person would, for the workbook tests.

`fill` writes rows below the template's example rows (left in: the importer ignores
them), each row given by input field name as API.md names it; `step_cells` turns a
steps file's input into such a row (lists joined with `;`, shares written
`partnerId=share`). Text is written as text, never as a formula, as a spreadsheet keeps
text typed after a `'`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from accord.web.registers import SHEETS, Sheet, write_template

BY_MUTATION: dict[str, Sheet] = {sheet.kind.mutation: sheet for sheet in SHEETS}


def template(path: Path) -> Path:
    write_template(str(path))
    return path


def fill(
    path: Path,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    source: Path | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> Path:
    """Write `rows` (mutation -> rows, each field name -> value) into the template's sheets
    below their examples; `number_formats` gives a field's cell format (for dates)."""
    if source is None:
        source = template(path.with_name(path.stem + ".template.xlsx"))
    book = openpyxl.load_workbook(source)
    for mutation, entries in rows.items():
        sheet = BY_MUTATION[mutation]
        ws = book[sheet.title]
        places = {column.name: index for index, column in enumerate(sheet.columns, start=1)}
        number = ws.max_row
        for entry in entries:
            number += 1
            for name, value in entry.items():
                cell = ws.cell(row=number, column=places[name])
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even if it begins with '='
                if number_formats and name in number_formats:
                    cell.number_format = number_formats[name]
    book.save(path)
    return path


def step_cells(given: Mapping[str, Any]) -> dict[str, Any]:
    """A step's input as a row's cells."""
    cells: dict[str, Any] = {}
    for name, value in given.items():
        if name == "shares":
            cells[name] = "; ".join(f"{item['partnerId']}={item['share']!r}" for item in value)
        elif isinstance(value, list | tuple):
            cells[name] = "; ".join(value)
        else:
            cells[name] = value
    return cells
