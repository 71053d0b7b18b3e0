"""The workbook reader (`accord.web.xlsx_values`) on packages written by hand, as other
spreadsheets write them: shared strings with rich text and phonetic runs, inline strings,
booleans, errors, ISO dates, date and date-time styles, the 1904 calendar, prefixed
element names, cells without references, and formulas (their value, never their code)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from accord.web.xlsx_values import CellError, XlsxError, open_book, sheet_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(sheet: str, *, date1904: bool = False, prefix: str = "") -> zipfile.ZipFile:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    files = {
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/styles" Target="/xl/styles.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<{p}workbook {ns} xmlns:r="{REL}">'
            f'<{p}workbookPr date1904="{1 if date1904 else 0}"/>'
            f'<{p}sheets><{p}sheet name="Record a decision" sheetId="1" r:id="rId1"/></{p}sheets>'
            f"</{p}workbook>"
        ),
        "xl/sharedStrings.xml": (
            f"<{p}sst {ns}><{p}si><{p}t>plain</{p}t></{p}si>"
            f"<{p}si><{p}r><{p}t>rich </{p}t></{p}r><{p}r><{p}t>text</{p}t></{p}r>"
            f"<{p}rPh><{p}t>ignored</{p}t></{p}rPh></{p}si></{p}sst>"
        ),
        "xl/styles.xml": (
            f'<{p}styleSheet {ns}><{p}numFmts count="1">'
            f'<{p}numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></{p}numFmts>'
            f'<{p}cellStyleXfs count="1"><{p}xf numFmtId="14"/></{p}cellStyleXfs>'
            f'<{p}cellXfs count="4"><{p}xf numFmtId="0"/><{p}xf numFmtId="14"/>'
            f'<{p}xf numFmtId="164"/><{p}xf numFmtId="21"/></{p}cellXfs></{p}styleSheet>'
        ),
        "xl/worksheets/sheet1.xml": (
            f"<{p}worksheet {ns}><{p}sheetData>{sheet}</{p}sheetData></{p}worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def rows(sheet: str, **options: object) -> list[tuple[int, list[tuple[str, object]]]]:
    archive = package(sheet, **options)  # type: ignore[arg-type]
    book = open_book(archive)
    assert [part.title for part in book.sheets] == ["Record a decision"]
    return list(sheet_rows(archive, book, book.sheets[0]))


def test_every_kind_of_value_is_read_as_a_spreadsheet_shows_it() -> None:
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>inline</t></is></c><c r="D1" t="b"><v>1</v></c>'
        '<c r="E1"><v>42</v></c><c r="F1"><v>0.25</v></c><c r="G1" t="e"><v>#DIV/0!</v></c>'
        '<c r="H1" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="I1"><f>1+1</f></c></row>'
        '<row r="7"><c r="B7" s="1"><v>45383</v></c><c r="C7" s="2"><v>45383.5</v></c>'
        '<c r="D7" s="3"><v>0.5</v></c><c r="E7" t="d"><v>2024-04-01T09:30:00</v></c></row>'
    )
    assert rows(sheet) == [
        (
            1,
            [
                ("A", "plain"),
                ("B", "rich text"),
                ("C", "inline"),
                ("D", True),
                ("E", 42),
                ("F", 0.25),
                ("G", CellError("#DIV/0!")),
                ("H", "ab"),
            ],
        ),
        (
            7,
            [
                ("B", date(2024, 4, 1)),
                ("C", datetime(2024, 4, 1, 12, 0)),
                ("D", CellError("a time of day without a date")),
                ("E", datetime(2024, 4, 1, 9, 30)),
            ],
        ),
    ]


def test_the_1904_calendar_prefixed_names_and_cells_without_references() -> None:
    sheet = (
        '<x:row><x:c s="1"><x:v>0</x:v></x:c><x:c><x:v>3</x:v></x:c>'
        '<x:c s="1"><x:v>43921</x:v></x:c></x:row>'
    )
    assert rows(sheet, date1904=True, prefix="x") == [
        (1, [("A", date(1904, 1, 1)), ("B", 3), ("C", date(2024, 4, 1))])
    ]


def test_a_document_type_declaration_is_refused() -> None:
    archive = package('<row r="1"><c r="A1"><v>1</v></c></row>')
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as out:
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + data
            out.writestr(item, data)
    archive = zipfile.ZipFile(io.BytesIO(bomb.getvalue()))
    book = open_book(archive)
    with pytest.raises(XlsxError, match="document type"):
        list(sheet_rows(archive, book, book.sheets[0]))
