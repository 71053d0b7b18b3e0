"""`accord template`: the registers workbook, a sheet per kind of entry, derived from the
catalogue and the page's wording of its forms."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import openpyxl

from accord.cli import main
from accord.domain.catalogue import KINDS
from accord.web.forms import KINDS_WORDING, wording
from accord.web.registers import EXAMPLE_ROW, SHEETS, example


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _template(tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "registers.xlsx"
    assert accord("template", "--output", str(path)) == (0, f"{path}\n")
    return openpyxl.load_workbook(path)


def test_there_is_an_instructions_sheet_then_a_sheet_per_kind_named_as_its_form(
    tmp_path: Path,
) -> None:
    book = _template(tmp_path)
    titles = [KINDS_WORDING[k.mutation][0] for k in KINDS]
    assert book.sheetnames[0] == "Instructions"
    assert sorted(book.sheetnames[1:]) == sorted(titles)
    # The catalogue's order, but a leader leaving comes before an appointment: entries
    # at one moment are judged in sheet order, and a successor is often appointed the
    # day the last holder leaves.
    departure, appointment = (
        titles.index("Record a leader leaving"),
        titles.index("Appoint a leader"),
    )
    titles.insert(appointment, titles.pop(departure))
    assert book.sheetnames[1:] == titles
    guide = book["Instructions"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "Row 2 is an example" in text
    for kind in KINDS:
        assert kind.mutation in text


def test_each_header_is_its_field_label_with_a_comment_on_meaning_and_format(
    tmp_path: Path,
) -> None:
    book = _template(tmp_path)
    for kind in KINDS:
        ws = book[KINDS_WORDING[kind.mutation][0]]
        headers = [cell.value for cell in ws[1]]
        assert headers == ["When it happened"] + [wording(kind, spec)[0] for spec in kind.fields]
        assert ws.freeze_panes == "A2"
        for cell, name in zip(ws[1], ["occurredAt", *(s.name for s in kind.fields)], strict=True):
            assert cell.comment is not None
            assert f"(Input field: {name})" in cell.comment.text
    decision = book["Record a decision"]
    assert "separated by ';'" in decision["G1"].comment.text  # decidedBy
    assert "from 1 to 3" in decision["E1"].comment.text  # significance
    assert "Required." in decision["C1"].comment.text  # title
    shares = book["Agree risk shares"]
    assert "partnerId=share" in shares["B1"].comment.text


def test_enumerations_and_true_or_false_have_drop_downs(tmp_path: Path) -> None:
    book = _template(tmp_path)
    lists = {}
    for sheet in SHEETS:
        ws = book[sheet.title]
        for validation in ws.data_validations.dataValidation:
            if validation.type == "list":
                lists[(sheet.kind.mutation, str(validation.sqref).split(":")[0])] = (
                    validation.formula1
                )
    assert lists[("recordDecision", "D2")] == '"STRATEGY,GOVERNANCE,DELIVERY,RESOURCING"'
    assert lists[("recordDecision", "F2")] == '"CONSENSUS,VOTE,SINGLE_PARTNER,DELEGATED"'
    assert lists[("joinPartner", "D2")].startswith('"NHS_TRUST,LOCAL_AUTHORITY,')
    assert lists[("makeCommitment", "D2")] == '"FUNDING,STAFF,IN_KIND"'
    assert lists[("releaseCommitment", "C2")] == '"TRUE,FALSE"'
    assert lists[("grantRole", "C2")] == '"VIEWER,RECORDER,ADMIN"'
    enum_fields = sum(
        1 for kind in KINDS for spec in kind.fields if spec.shape.kind in ("enum", "boolean")
    )
    assert len(lists) == enum_fields


def test_row_two_of_each_sheet_is_its_example(tmp_path: Path) -> None:
    book = _template(tmp_path)
    for sheet in SHEETS:
        ws = book[sheet.title]
        assert [c.value for c in ws[EXAMPLE_ROW]] == [example(c) for c in sheet.columns]
        assert ws.max_row == EXAMPLE_ROW


def test_the_untouched_template_imports_nothing_and_says_where_to_start(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "registers.xlsx"
    accord("template", "--output", str(path))
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 1
    assert out == (
        "'Start a partnership'!A2: -: VALIDATION: a new partnership is formed by exactly one "
        "row of this sheet (or give --partnership ID to add to an existing one)\n"
    )
    assert accord("verify", "--database", sqlite_url) == (0, "")
