"""Reading a registers workbook (.xlsx) or one sheet of it as CSV, safely, into rows.

A file is checked before it is parsed: a macro-enabled workbook (`.xlsm`, or any with a
`vbaProject.bin`) and an encrypted one are refused with a message saying what to do;
what the file unpacks to is bounded by the sizes its archive declares (which Python's
zipfile holds it to), so a zip bomb is refused before anything is inflated; and the rows
read are bounded too. openpyxl then reads values only (`data_only`: a formula's last
computed value, never its code; XML through defusedxml). Each sheet is named for a kind
of entry and each column for an input field (`accord.web.registers`); unknown sheets and
columns are refusals, as a refused row is, with their cells.

The rows go to `accord.application.workbooks`, which reads their values as the API's
input and judges them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from accord.application.workbooks import REFUSAL_LIMIT, Cell, Refusal, Row, WorkbookRefused
from accord.domain.errors import ErrorCode
from accord.web.registers import EXAMPLE_ROW, SHEETS, Column, Sheet, example, is_instructions
from accord.web.registers import sheet_named as _sheet_named

MiB = 1024 * 1024
_VALIDATION = ErrorCode.VALIDATION.value
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
_CSV_COLUMNS = 1_000


@dataclass(frozen=True)
class Limits:
    """What one file may be: its size, what it unpacks to, and its rows."""

    file_bytes: int = 20 * MiB
    unpacked_bytes: int = 200 * MiB
    rows: int = 100_000
    """Entries (rows with a value, examples aside) in the whole file."""
    columns: int = 64
    zip_members: int = 10_000


class UnreadableFile(Exception):
    """A file that is not read at all: the message says why, and what to do."""


def read_file(path: Path, *, kind: str | None = None, limits: Limits | None = None) -> list[Row]:
    """The rows of a workbook (`.xlsx`) or, with `kind`, of a CSV file holding one sheet.
    Raises UnreadableFile, or WorkbookRefused for unknown sheets and columns."""
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise UnreadableFile(
                f"{path.name} is {size / MiB:.1f} MiB: at most {limits.file_bytes // MiB} MiB "
                "is imported at once (split the workbook)"
            )
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    if path.suffix.casefold() == ".csv":
        if kind is None:
            raise UnreadableFile(
                "a CSV file holds one sheet: say which kind of entry with --kind "
                "(e.g. --kind recordDecision)"
            )
        return read_csv(data, sheet=path.stem, kind=kind, limits=limits)
    if kind is not None:
        raise UnreadableFile("--kind is for a CSV file: a workbook's sheets say their kinds")
    return read_workbook(data, name=path.name, limits=limits)


# ----------------------------------------------------------------- workbooks


def check_workbook(data: bytes, name: str, limits: Limits) -> None:
    """Refuse, before parsing, what is not a plain .xlsx workbook, or unpacks too far."""
    lowered = name.casefold()
    if lowered.endswith(_MACRO_SUFFIXES):
        raise UnreadableFile(
            f"{name} is a macro-enabled workbook: macros are never opened. Save it as an "
            "Excel Workbook (.xlsx) and import that"
        )
    if len(data) > limits.file_bytes:
        raise UnreadableFile(
            f"{name} is {len(data) / MiB:.1f} MiB: at most {limits.file_bytes // MiB} MiB "
            "is imported at once (split the workbook)"
        )
    if data.startswith(_OLE2):
        raise UnreadableFile(
            f"{name} is encrypted (password-protected) or an old .xls workbook: save it as "
            "an Excel Workbook (.xlsx) without a password and import that"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFile(f"{name} is not an .xlsx workbook (nor CSV, which ends .csv)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > limits.zip_members:
            raise UnreadableFile(f"{name} holds {len(members):,} files: not a workbook")
        if any(member.flag_bits & 0x1 for member in members):
            raise UnreadableFile(
                f"{name} is encrypted: save it without a password (.xlsx) and import that"
            )
        if any(member.filename.casefold().endswith("vbaproject.bin") for member in members):
            raise UnreadableFile(
                f"{name} contains macros (a VBA project): macros are never opened. Save it "
                "as an Excel Workbook (.xlsx), without macros, and import that"
            )
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.unpacked_bytes:
            raise UnreadableFile(
                f"{name} unpacks to {unpacked / MiB:,.0f} MiB: at most "
                f"{limits.unpacked_bytes // MiB} MiB is read (a zip bomb, or too big a "
                "workbook: split it)"
            )
        try:
            types = archive.read("[Content_Types].xml")
        except KeyError:
            raise UnreadableFile(f"{name} is not an .xlsx workbook") from None
        if b"macroEnabled" in types:
            raise UnreadableFile(
                f"{name} is a macro-enabled workbook: macros are never opened. Save it as "
                "an Excel Workbook (.xlsx) and import that"
            )


def read_workbook(
    data: bytes, *, name: str = "workbook.xlsx", limits: Limits | None = None
) -> list[Row]:
    """Every entry of a workbook, sheet by sheet (examples left out)."""
    limits = limits or Limits()
    check_workbook(data, name, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl and the XML parser raise many kinds
        raise UnreadableFile(_unreadable(name, error)) from None
    reading = _Reading(limits)
    try:
        for index, ws in enumerate(book.worksheets):
            title = str(ws.title)
            if is_instructions(title):
                continue
            sheet = _sheet_named(title)
            if sheet is None:
                reading.refuse(Refusal(title, "A1", "-", _VALIDATION, _unknown_sheet(title)))
                continue
            reading.sheet(title, index, sheet, _xlsx_rows(ws.iter_rows()))
    except UnreadableFile:
        raise
    except WorkbookRefused:
        raise
    except Exception as error:
        raise UnreadableFile(_unreadable(name, error)) from None
    finally:
        book.close()
    return reading.done()


def _unreadable(name: str, error: BaseException) -> str:
    cause = error.__cause__ or error.__context__ or error
    if type(cause).__module__.startswith("defusedxml"):
        return (
            f"{name} cannot be read as a workbook: its XML declares entities or a DTD "
            "(an XML bomb?), which are never expanded"
        )
    return f"{name} cannot be read as a workbook: {str(error).splitlines()[0]}"


def _xlsx_rows(rows: Iterable[Any]) -> Iterator[list[tuple[str, Any] | None]]:
    """Each row as (column letter, value) per cell (None where empty), values as the
    judging reads them: a date-only cell a `date`, a date-time cell a naive `datetime`."""
    from openpyxl.styles.numbers import is_datetime
    from openpyxl.utils import get_column_letter

    letters: list[str] = []
    for row in rows:
        out: list[tuple[str, Any] | None] = []
        for index, cell in enumerate(row):
            while len(letters) <= index:
                letters.append(get_column_letter(len(letters) + 1))
            value = cell.value
            if value is None:
                out.append(None)
                continue
            if getattr(cell, "data_type", None) == "e":
                value = _SpreadsheetError(str(value))
            elif isinstance(value, datetime):
                if is_datetime(cell.number_format) == "date":
                    value = value.date()
            elif isinstance(value, time):
                value = _SpreadsheetError("a time of day without a date")
            out.append((letters[index], value))
        yield out


@dataclass(frozen=True)
class _SpreadsheetError:
    """A cell holding an error (#VALUE!, #REF!, ...) or something no field takes."""

    text: str


def _unknown_sheet(title: str) -> str:
    return (
        f"unknown sheet '{title}': a sheet is named for a kind of entry as in the template "
        f"(e.g. '{SHEETS[8].title}') or by its input's name (e.g. {SHEETS[8].kind.mutation})"
    )


class _Reading:
    """Rows read so far, and refusals of the file's shape (sheets, columns)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows: list[Row] = []
        self.refusals: list[Refusal] = []

    def refuse(self, refusal: Refusal) -> None:
        self.refusals.append(refusal)
        if len(self.refusals) >= REFUSAL_LIMIT:
            raise WorkbookRefused(self.refusals)

    def sheet(
        self,
        title: str,
        index: int,
        sheet: Sheet,
        rows: Iterator[list[tuple[str, Any] | None]],
    ) -> None:
        header = next(rows, None)
        if not header:
            return
        columns: dict[str, Column] = {}
        for place in header:
            if place is None or not str(place[1]).strip():
                continue
            letter, value = place
            if len(columns) >= self.limits.columns:
                self.refuse(Refusal(title, f"{letter}1", "-", _VALIDATION, "too many columns"))
                break
            column = sheet.column(str(value))
            if column is None:
                known = ", ".join(f"'{c.label}'" for c in sheet.columns)
                self.refuse(
                    Refusal(
                        title,
                        f"{letter}1",
                        "-",
                        _VALIDATION,
                        f"unknown column '{str(value).strip()}': this sheet's columns are {known}",
                    )
                )
            elif column in columns.values():
                self.refuse(
                    Refusal(
                        title,
                        f"{letter}1",
                        column.name,
                        _VALIDATION,
                        f"the column '{column.label}' is given twice",
                    )
                )
            else:
                columns[letter] = column
        letters = {column.name: letter for letter, column in columns.items()}
        for number, cells in enumerate(rows, start=2):
            found: dict[str, Cell] = {}
            for place in cells:
                if place is None:
                    continue
                letter, value = place
                if isinstance(value, str) and not value.strip():
                    continue
                ref = f"{letter}{number}"
                column = columns.get(letter)
                if column is None:
                    self.refuse(
                        Refusal(title, ref, "-", _VALIDATION, "a value in a column with no header")
                    )
                    continue
                if isinstance(value, _SpreadsheetError):
                    self.refuse(
                        Refusal(
                            title, ref, column.name, _VALIDATION, f"holds {value.text}, not a value"
                        )
                    )
                    continue
                found[column.name] = Cell(ref, value)
            if not found:
                continue
            if number == EXAMPLE_ROW and _is_example(found, columns.values()):
                continue
            if len(self.rows) >= self.limits.rows:
                raise UnreadableFile(
                    f"more than {self.limits.rows:,} entries: split the file (sheet '{title}', "
                    f"row {number})"
                )
            self.rows.append(Row(title, index, number, sheet.kind, f"A{number}", found, letters))

    def done(self) -> list[Row]:
        if self.refusals:
            raise WorkbookRefused(self.refusals)
        return self.rows


def _is_example(found: dict[str, Cell], columns: Iterable[Column]) -> bool:
    """Whether a row is the template's example, as the template wrote it."""
    return all((found[c.name].value if c.name in found else None) == example(c) for c in columns)


# ---------------------------------------------------------------------- CSV


def read_csv(data: bytes, *, sheet: str, kind: str, limits: Limits | None = None) -> list[Row]:
    """Every entry of a CSV file holding one sheet of kind `kind` (its template name or
    its input's name). Its cells are text, read as the workbook's text cells are."""
    limits = limits or Limits()
    found = _sheet_named(kind)
    if found is None:
        raise UnreadableFile(
            f"--kind {kind}: not a kind of entry (the kinds: "
            + ", ".join(s.kind.mutation for s in SHEETS)
            + ")"
        )
    if len(data) > limits.file_bytes:
        raise UnreadableFile(
            f"the file is {len(data) / MiB:.1f} MiB: at most {limits.file_bytes // MiB} MiB"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("the CSV file is not UTF-8 text: save it as 'CSV UTF-8'") from None
    reading = _Reading(limits)
    try:
        reading.sheet(sheet, 0, found, _csv_rows(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as error:
        raise UnreadableFile(f"the CSV file cannot be read: {error}") from None
    return reading.done()


def _csv_rows(rows: Iterable[list[str]]) -> Iterator[list[tuple[str, Any] | None]]:
    from openpyxl.utils import get_column_letter

    for row in rows:
        if len(row) > _CSV_COLUMNS:
            raise UnreadableFile(f"a row of the CSV file has {len(row):,} cells: not a sheet")
        yield [
            (get_column_letter(index + 1), value) if value != "" else None
            for index, value in enumerate(row)
        ]


__all__ = [
    "Limits",
    "UnreadableFile",
    "check_workbook",
    "read_csv",
    "read_file",
    "read_workbook",
]
