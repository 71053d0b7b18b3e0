"""The values of an .xlsx workbook's sheets, streamed straight from its XML.

openpyxl writes the template and the export; reading goes through this module instead,
for speed: openpyxl's read-only worksheet builds a cell object (and its style) for every
cell, which made reading a 10,000-row workbook take twice as long as judging its
entries. Here expat streams each sheet once and keeps, per cell, only its value: a
shared or inline string, a number, true or false, an error, or a date (a number in a
date format, by the number formats of `styles.xml`, read with openpyxl's own format
rules). Formulas' code (`<f>`) is never read: a formula cell gives its last computed
value (`<v>`), or nothing. A document type declaration (and so any entity) is refused,
so no XML entity bomb is expanded.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.parsers import expat

_CHUNK = 1 << 16

Cells = list[tuple[str, Any]]
"""A row's cells that hold something: (column letter, value)."""


class XlsxError(ValueError):
    """The package is not a workbook this module can read."""


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell holding an error value (#DIV/0!, #REF!, ...) or a time without a date."""

    text: str


@dataclass(frozen=True)
class SheetPart:
    title: str
    path: str


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_doctype(*_: Any) -> None:
    raise XlsxError("its XML declares a document type (entities are never expanded)")


def _parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None] | None = None,
) -> Any:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _parse_all(archive: zipfile.ZipFile, path: str, parser: Any) -> None:
    try:
        with archive.open(path) as member:
            while chunk := member.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise XlsxError(f"{path}: {error}") from None
    except KeyError:
        raise XlsxError(f"it has no {path}") from None


def _relationships(archive: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target path in the package) of a part's relationships."""
    base = posixpath.dirname(posixpath.dirname(path))
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(full))

    _parse_all(archive, path, _parser(start, lambda name: None))
    return found


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


@dataclass
class Book:
    """A workbook's sheets and what reading their cells needs."""

    sheets: list[SheetPart]
    strings: list[str]
    date_styles: dict[int, str]
    """Style index -> 'date', 'datetime' or 'time' for the styles that format dates."""
    epoch_1904: bool


def open_book(archive: zipfile.ZipFile) -> Book:
    """The workbook's parts: its sheets in order, shared strings and date styles."""
    package = _relationships(archive, "_rels/.rels")
    main = next(
        (target for kind, target in package.values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    rels = _relationships(archive, _rels_path(main))
    listed: list[tuple[str, str]] = []
    flags = {"date1904": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            listed.append((attrs.get("name", ""), rid))
        elif local == "workbookPr":
            flags["date1904"] = attrs.get("date1904", "0") in ("1", "true")

    _parse_all(archive, main, _parser(start, lambda name: None))
    sheets = [
        SheetPart(title, rels[rid][1])
        for title, rid in listed
        if rid in rels and rels[rid][0].endswith("/worksheet")
    ]
    strings: list[str] = []
    styles: dict[int, str] = {}
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings"):
            strings = _shared_strings(archive, target)
        elif kind.endswith("/styles"):
            styles = _date_styles(archive, target)
    return Book(sheets, strings, styles, flags["date1904"])


def _shared_strings(archive: zipfile.ZipFile, path: str) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "phonetic": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            parts.clear()
        elif local == "t":
            state["text"] = True
        elif local == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        local = _local(name)
        if local == "t":
            state["text"] = False
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "si":
            strings.append("".join(parts))

    def text(data: str) -> None:
        if state["text"] and not state["phonetic"]:
            parts.append(data)

    _parse_all(archive, path, _parser(start, end, text))
    return strings


def _date_styles(archive: zipfile.ZipFile, path: str) -> dict[int, str]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_datetime

    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"cell_xfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            state["cell_xfs"] = True
        elif local == "xf" and state["cell_xfs"]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            state["cell_xfs"] = False

    _parse_all(archive, path, _parser(start, end))
    styles: dict[int, str] = {}
    for index, number_format in enumerate(formats):
        code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format, "General")
        kind = is_datetime(code)
        if kind:
            styles[index] = kind
    return styles


def _letters(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def sheet_rows(
    archive: zipfile.ZipFile, book: Book, sheet: SheetPart
) -> Iterator[tuple[int, Cells]]:
    """Each row that holds a cell with a value: (its number, its cells)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    epoch = CALENDAR_MAC_1904 if book.epoch_1904 else CALENDAR_WINDOWS_1900
    strings, date_styles = book.strings, book.date_styles
    ready: list[tuple[int, Cells]] = []
    row: Cells = []
    text: list[str] = []
    names: dict[str, str] = {}  # element name -> its local name (without a prefix)
    # The cell being read: its type, style, letter, and whether its text is collected.
    kind, style, letter, previous = "n", 0, "", ""
    collecting, phonetic, number = False, 0, 0

    def local_of(name: str) -> str:
        found = names[name] = name.rpartition(":")[2]
        return found

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal kind, style, letter, collecting, phonetic, number, previous
        local = names.get(name) or local_of(name)
        if local == "c":
            ref = attrs.get("r")
            if ref:
                letter = ref.rstrip("0123456789")
            else:  # no reference: the column after the previous cell's
                letter = _letters(_column_index(previous) + 1 if previous else 1)
            kind = attrs.get("t", "n")
            shown = attrs.get("s")
            style = int(shown) if shown else 0
            text.clear()
        elif local == "v":
            collecting = True
        elif local == "t":
            collecting = kind == "inlineStr" and not phonetic
        elif local == "row":
            given = attrs.get("r")
            number = int(given) if given else number + 1
            previous = ""
            row.clear()
        elif local == "rPh":
            phonetic += 1

    def end(name: str) -> None:
        nonlocal collecting, phonetic, previous
        local = names.get(name) or local_of(name)
        if local == "c":
            previous = letter
            value = _value(kind, "".join(text), style)
            if value is not None:
                row.append((letter, value))
        elif local in ("v", "t"):
            collecting = False
        elif local == "row":
            if row:
                ready.append((number, list(row)))
        elif local == "rPh":
            phonetic -= 1

    def collect(data: str) -> None:
        if collecting:
            text.append(data)

    def _value(kind: str, raw: str, style: int) -> Any:
        if kind == "s":
            return strings[int(raw)] if raw else None
        if kind == "n" and raw and not style:
            return float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        if kind in ("inlineStr", "str"):
            return raw
        if not raw:
            return None
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return CellError(raw)
        if kind == "d":
            moment = datetime.fromisoformat(raw.rstrip("Z"))
            return moment.date() if date_styles.get(style) == "date" else moment
        number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
        shown = date_styles.get(style)
        if shown is None:
            return number
        if shown == "time":
            return CellError("a time of day without a date")
        try:
            moment = from_excel(number, epoch)
        except (OverflowError, ValueError):
            return CellError(f"a date out of range ({raw})")
        if not isinstance(moment, datetime):  # a serial below 1: a time of day
            if not book.epoch_1904:
                return CellError("a time of day without a date")
            moment = datetime.combine(epoch.date(), moment)  # 1904-01-01 is day 0
        return moment.date() if shown == "date" else moment

    parser = _parser(start, end, collect)
    try:
        with archive.open(sheet.path) as member:
            while chunk := member.read(_CHUNK):
                parser.Parse(chunk, False)
                yield from ready
                ready.clear()
            parser.Parse(b"", True)
            yield from ready
    except expat.ExpatError as error:
        raise XlsxError(f"{sheet.path}: {error}") from None
    except KeyError:
        raise XlsxError(f"it has no {sheet.path}") from None


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


__all__ = ["Book", "CellError", "SheetPart", "XlsxError", "open_book", "sheet_rows"]
