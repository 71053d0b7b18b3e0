"""Reading a registers workbook (.xlsx) or one sheet of it as CSV, safely, into rows.

A file is checked before it is parsed: a macro-enabled workbook (`.xlsm`, or any with a
`vbaProject.bin` or a macro-enabled content type) and an encrypted one are refused with
a message saying what to do; what the file unpacks to is bounded by the sizes its
archive declares (which Python's zipfile holds it to), so a zip bomb is refused before
anything is inflated; and the entries read are bounded too. The sheets' values are then
streamed from their XML (`accord.web.xlsx_values`: values only, never a formula's code,
no document type declarations). Each sheet is named for a kind of entry and each column
for an input field (`accord.web.registers`); unknown sheets and columns are refusals,
as a refused row is, with their cells.

The rows go to `accord.application.workbooks`, which reads their values as the API's
input and judges them.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from accord.application.workbooks import REFUSAL_LIMIT, Cell, Refusal, Row, WorkbookRefused
from accord.domain.errors import ErrorCode
from accord.web.registers import EXAMPLE_ROW, SHEETS, Column, Sheet, example, is_instructions
from accord.web.registers import sheet_named as _sheet_named
from accord.web.xlsx_values import CellError, Cells, open_book, sheet_rows

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
    reading = _Reading(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = open_book(archive)
            for index, part in enumerate(book.sheets):
                if is_instructions(part.title):
                    continue
                sheet = _sheet_named(part.title)
                if sheet is None:
                    reading.refuse(
                        Refusal(part.title, "A1", "-", _VALIDATION, _unknown_sheet(part.title))
                    )
                    continue
                reading.sheet(part.title, index, sheet, sheet_rows(archive, book, part))
    except (UnreadableFile, WorkbookRefused):
        raise
    except Exception as error:  # a damaged package or part raises many kinds
        raise UnreadableFile(_unreadable(name, error)) from None
    return reading.done()


def _unreadable(name: str, error: BaseException) -> str:
    if "document type" in str(error):
        return (
            f"{name} cannot be read as a workbook: its XML declares entities or a DTD "
            "(an XML bomb?), which are never expanded"
        )
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{name} cannot be read as a workbook: {first}"


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
        rows: Iterator[tuple[int, Cells]],
    ) -> None:
        """Read one sheet's rows, (row number, cells with a value), in order."""
        first = next(rows, None)
        if first is None:
            return
        header, pending = (first[1], []) if first[0] == 1 else ([], [first])
        columns: dict[str, Column] = {}
        for letter, value in header:
            if not str(value).strip():
                continue
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
        for number, cells in itertools.chain(pending, rows):
            found: dict[str, Cell] = {}
            for letter, value in cells:
                if isinstance(value, str) and not value.strip():
                    continue
                ref = f"{letter}{number}"
                column = columns.get(letter)
                if column is None:
                    self.refuse(
                        Refusal(title, ref, "-", _VALIDATION, "a value in a column with no header")
                    )
                    continue
                if isinstance(value, CellError):
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


def _csv_rows(rows: Iterable[list[str]]) -> Iterator[tuple[int, Cells]]:
    from openpyxl.utils import get_column_letter

    for number, row in enumerate(rows, start=1):
        if len(row) > _CSV_COLUMNS:
            raise UnreadableFile(f"a row of the CSV file has {len(row):,} cells: not a sheet")
        cells = [
            (get_column_letter(index + 1), value) for index, value in enumerate(row) if value != ""
        ]
        if cells:
            yield number, cells


__all__ = [
    "Limits",
    "UnreadableFile",
    "check_workbook",
    "read_csv",
    "read_file",
    "read_workbook",
]
