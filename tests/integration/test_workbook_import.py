"""`accord import FILE.xlsx | FILE.csv --kind K`: every row judged as the API judges it,
in occurredAt order, all before anything is saved; every refusal printed as
`SHEET!CELL: FIELD: CODE: message`, and then nothing recorded."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main
from tests.support.workbooks import fill

FORM = {"occurredAt": "2024-01-01", "name": "Harbour", "purpose": "Care at home"}
PARTNERS = [
    {
        "occurredAt": "2024-01-02",
        "partnerId": "city",
        "name": "City Council",
        "sector": "LOCAL_AUTHORITY",
    },
    {
        "occurredAt": "2024-01-02",
        "partnerId": "trust",
        "name": "Eastfield NHS",
        "sector": "NHS_TRUST",
    },
]
DECISION = {
    "occurredAt": "2024-02-01",
    "title": "Pool the budgets",
    "category": "RESOURCING",
    "significance": 2,
    "method": "CONSENSUS",
    "decidedBy": "city; trust",
}


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def exported(pid: str, url: str) -> list[dict[str, Any]]:
    code, text = accord("export", pid, "--database", url)
    assert code == 0
    return [json.loads(line) for line in text.splitlines()]


def nothing_recorded(url: str) -> bool:
    return accord("verify", "--database", url) == (0, "")


def base(tmp_path: Path, **more: list[dict[str, Any]]) -> Path:
    rows: dict[str, list[dict[str, Any]]] = {"formPartnership": [FORM], "joinPartner": PARTNERS}
    rows.update(more)
    return fill(tmp_path / "registers.xlsx", rows)


def test_a_filled_workbook_is_recorded_and_only_the_id_printed(
    tmp_path: Path, sqlite_url: str
) -> None:
    code, out = accord(
        "import", str(base(tmp_path, recordDecision=[DECISION])), "--database", sqlite_url
    )
    assert code == 0, out
    pid = out.strip()
    assert len(pid) == 36 and out == pid + "\n"
    events = exported(pid, sqlite_url)
    assert [e["type"] for e in events] == [
        "PARTNERSHIP_FORMED",
        "PARTNER_JOINED",
        "PARTNER_JOINED",
        "DECISION_RECORDED",
    ]
    assert events[3]["data"]["decidedBy"] == ["city", "trust"]
    assert events[3]["data"]["significance"] == 2
    assert events[3]["recordedBy"] == "local"


def test_entries_are_judged_in_occurred_at_order_ties_by_sheet_then_row(
    tmp_path: Path, sqlite_url: str
) -> None:
    # The decision's sheet comes after the partners' but its row is earlier in time than
    # the second partner joining: it is judged (and recorded) before it.
    late_partner = {**PARTNERS[1], "occurredAt": "2024-03-01"}
    early = {**DECISION, "decidedBy": "city", "occurredAt": "2024-02-01"}
    path = fill(
        tmp_path / "order.xlsx",
        {
            "formPartnership": [FORM],
            "joinPartner": [late_partner, PARTNERS[0]],
            "recordDecision": [early],
        },
    )
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    types = [(e["type"], e["data"].get("partnerId")) for e in exported(out.strip(), sqlite_url)]
    assert types == [
        ("PARTNERSHIP_FORMED", None),
        ("PARTNER_JOINED", "city"),
        ("DECISION_RECORDED", None),
        ("PARTNER_JOINED", "trust"),
    ]


def test_date_cells_are_bare_dates_and_date_time_cells_are_read_in_the_time_zone(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = fill(
        tmp_path / "dates.xlsx",
        {
            "formPartnership": [{**FORM, "occurredAt": date(2024, 1, 1)}],
            "joinPartner": [
                {**PARTNERS[0], "occurredAt": datetime(2024, 7, 1, 9, 30)},  # BST
                {**PARTNERS[1], "occurredAt": datetime(2024, 12, 1, 9, 30)},  # GMT
            ],
        },
        number_formats={"occurredAt": "yyyy-mm-dd hh:mm"},
    )
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    occurred = [e["occurredAt"] for e in exported(out.strip(), sqlite_url)]
    assert occurred == [
        "2024-01-01T00:00:00+00:00",
        "2024-07-01T08:30:00+00:00",
        "2024-12-01T09:30:00+00:00",
    ]
    code, out = accord("import", str(path), "--timezone", "UTC", "--database", sqlite_url)
    assert [e["occurredAt"] for e in exported(out.strip(), sqlite_url)][1] == (
        "2024-07-01T09:30:00+00:00"
    )


def test_a_date_only_cell_is_the_start_of_that_day_in_utc(tmp_path: Path, sqlite_url: str) -> None:
    path = fill(
        tmp_path / "day.xlsx",
        {"formPartnership": [{**FORM, "occurredAt": datetime(2024, 7, 1)}]},
        number_formats={"occurredAt": "dd/mm/yyyy"},
    )
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    assert exported(out.strip(), sqlite_url)[0]["occurredAt"] == "2024-07-01T00:00:00+00:00"


def test_text_beginning_with_our_escaping_quote_loses_it(tmp_path: Path, sqlite_url: str) -> None:
    path = base(
        tmp_path,
        recordDecision=[
            {**DECISION, "title": "'=1+1", "rationale": "'Quoted' wording stays"},
            {**DECISION, "title": '=HYPERLINK("http://example.invalid","x")'},
        ],
    )
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    events = exported(out.strip(), sqlite_url)
    assert events[3]["data"]["title"] == "=1+1"
    assert events[3]["data"]["rationale"] == "'Quoted' wording stays"
    assert events[4]["data"]["title"] == '=HYPERLINK("http://example.invalid","x")'


# ---------------------------------------------------------------- refusals


def refused(path: Path, url: str, *args: str) -> list[str]:
    code, out = accord("import", str(path), *args, "--database", url)
    assert code == 1, out
    return out.splitlines()


def test_a_value_out_of_range_points_at_its_cell(tmp_path: Path, sqlite_url: str) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "significance": 7}])
    assert refused(path, sqlite_url) == [
        "'Record a decision'!E3: significance: VALIDATION: must be from 1 to 3 (got 7)"
    ]
    assert nothing_recorded(sqlite_url)


def test_a_list_item_is_named_by_its_index_at_the_list_cell(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "decidedBy": "city; ghost"}])
    [line] = refused(path, sqlite_url)
    assert line.startswith("'Record a decision'!G3: decidedBy.1: ")
    assert nothing_recorded(sqlite_url)


def test_a_blank_required_field_points_at_its_blank_cell(tmp_path: Path, sqlite_url: str) -> None:
    path = base(tmp_path, recordDecision=[{k: v for k, v in DECISION.items() if k != "title"}])
    assert refused(path, sqlite_url) == ["'Record a decision'!C3: title: VALIDATION: is required"]
    assert nothing_recorded(sqlite_url)


def test_every_row_needs_occurred_at(tmp_path: Path, sqlite_url: str) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "occurredAt": None}])
    assert refused(path, sqlite_url) == [
        "'Record a decision'!A3: occurredAt: VALIDATION: is required in a workbook: when the "
        "entry happened"
    ]
    assert nothing_recorded(sqlite_url)


def test_text_that_is_not_a_date_points_at_occurred_at(tmp_path: Path, sqlite_url: str) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "occurredAt": "1 Feb 2024"}])
    [line] = refused(path, sqlite_url)
    assert line.startswith("'Record a decision'!A3: occurredAt: VALIDATION: ")
    assert nothing_recorded(sqlite_url)


def test_a_rule_of_the_history_is_refused_as_the_api_refuses_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    # The partner has not joined yet on the decision's date.
    path = base(tmp_path, recordDecision=[{**DECISION, "occurredAt": "2024-01-01T12:00:00Z"}])
    [line] = refused(path, sqlite_url)
    assert line.startswith("'Record a decision'!G3: decidedBy.0: ")
    assert nothing_recorded(sqlite_url)


def test_malformed_shares_point_at_the_shares_cell(tmp_path: Path, sqlite_url: str) -> None:
    path = base(
        tmp_path, agreeRiskShares=[{"occurredAt": "2024-02-01", "shares": "city:0.5; trust=0.5"}]
    )
    assert refused(path, sqlite_url) == [
        "'Agree risk shares'!B3: shares.0: VALIDATION: must be written partnerId=share "
        "(got 'city:0.5')"
    ]
    assert nothing_recorded(sqlite_url)


def test_an_unknown_sheet_is_refused_at_its_first_cell(tmp_path: Path, sqlite_url: str) -> None:
    import openpyxl

    path = base(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("Minutes")
    book.save(path)
    [line] = refused(path, sqlite_url)
    assert line.startswith("Minutes!A1: -: VALIDATION: unknown sheet 'Minutes': ")
    assert nothing_recorded(sqlite_url)


def test_an_unknown_column_is_refused_at_its_header(tmp_path: Path, sqlite_url: str) -> None:
    import openpyxl

    path = base(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Add a partner"]["E1"] = "Website"
    book.save(path)
    [line] = refused(path, sqlite_url)
    assert line.startswith("'Add a partner'!E1: -: VALIDATION: unknown column 'Website': ")
    assert nothing_recorded(sqlite_url)


def test_a_second_partnership_row_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    path = fill(tmp_path / "two.xlsx", {"formPartnership": [FORM, {**FORM, "name": "Other"}]})
    [line] = refused(path, sqlite_url)
    assert line.startswith("'Start a partnership'!A4: -: VALIDATION: a new partnership is formed")
    assert nothing_recorded(sqlite_url)


def test_a_kind_the_actor_may_not_record_is_forbidden_at_the_first_cell(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = base(
        tmp_path, grantRole=[{"occurredAt": "2024-01-03", "actor": "bob", "role": "RECORDER"}]
    )
    code, out = accord("import", str(path), "--actor", "alice", "--database", sqlite_url)
    pid = out.strip()
    assert code == 0
    more = fill(
        tmp_path / "more.xlsx",
        {
            "retractEntry": [
                {
                    "occurredAt": "2024-02-02",
                    "eventId": exported(pid, sqlite_url)[1]["id"],
                    "reason": "Wrong",
                }
            ]
        },
    )
    code, out = accord(
        "import", str(more), "--partnership", pid, "--actor", "bob", "--database", sqlite_url
    )
    assert (code, out) == (
        1,
        "'Retract this entry'!A3: -: FORBIDDEN: your role RECORDER does not allow this "
        "(it needs ADMIN)\n",
    )
    assert len(exported(pid, sqlite_url)) == 4


def test_a_spreadsheet_error_value_is_refused_at_its_cell(tmp_path: Path, sqlite_url: str) -> None:
    import openpyxl

    path = base(tmp_path, recordDecision=[DECISION])
    book = openpyxl.load_workbook(path)
    cell = book["Record a decision"]["C3"]
    cell.value = "#DIV/0!"
    cell.data_type = "e"
    book.save(path)
    assert refused(path, sqlite_url) == [
        "'Record a decision'!C3: title: VALIDATION: holds #DIV/0!, not a value"
    ]
    assert nothing_recorded(sqlite_url)


def test_a_column_given_twice_is_refused_at_its_second_header(
    tmp_path: Path, sqlite_url: str
) -> None:
    import openpyxl

    path = base(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Add a partner"]["E1"] = "sector"  # "Sector" already heads D
    book.save(path)
    assert refused(path, sqlite_url) == [
        "'Add a partner'!E1: sector: VALIDATION: the column 'Sector' is given twice"
    ]
    assert nothing_recorded(sqlite_url)


def test_a_value_in_a_column_without_a_header_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    import openpyxl

    path = base(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Add a partner"]["F3"] = "stray note"
    book.save(path)
    assert refused(path, sqlite_url) == [
        "'Add a partner'!F3: -: VALIDATION: a value in a column with no header"
    ]
    assert nothing_recorded(sqlite_url)


def test_an_unknown_partnership_is_refused_as_the_api_refuses_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    more = fill(tmp_path / "decisions.xlsx", {"recordDecision": [DECISION]})
    unknown = "00000000-0000-4000-8000-000000000000"
    code, out = accord("import", str(more), "--partnership", unknown, "--database", sqlite_url)
    assert (code, out) == (1, "")
    assert nothing_recorded(sqlite_url)


def test_every_refusal_is_reported_a_refused_row_left_out_and_nothing_recorded(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = base(
        tmp_path,
        recordDecision=[
            {**DECISION, "significance": 9},
            DECISION,
            {**DECISION, "occurredAt": "2024-03-01", "method": "BY_LOT"},
        ],
        recordTrustCheckIn=[
            {
                "occurredAt": "2024-02-15",
                "respondentId": "city",
                "reliability": 4,
                "openness": 6,
                "respect": 4,
                "sharedOwnership": 4,
            }
        ],
    )
    assert refused(path, sqlite_url) == [
        "'Record a decision'!E3: significance: VALIDATION: must be from 1 to 3 (got 9)",
        "'Check in'!E3: openness: VALIDATION: must be from 1 to 5 (got 6)",
        "'Record a decision'!F5: method: VALIDATION: must be one of CONSENSUS, VOTE, "
        "SINGLE_PARTNER, DELEGATED",
    ]
    assert nothing_recorded(sqlite_url)


def test_at_most_fifty_refusals_are_printed(tmp_path: Path, sqlite_url: str) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "significance": 9}] * 80)
    lines = refused(path, sqlite_url)
    assert len(lines) == 50
    assert (
        lines[-1]
        == "'Record a decision'!E52: significance: VALIDATION: must be from 1 to 3 (got 9)"
    )


# ---------------------------------------------------------------- dry run, --partnership, CSV


def test_a_dry_run_says_what_each_sheet_would_record_and_records_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    later = {**DECISION, "occurredAt": "2025-06-30"}
    path = base(tmp_path, recordDecision=[DECISION, later])
    code, out = accord("import", str(path), "--dry-run", "--database", sqlite_url)
    assert (code, out) == (
        0,
        "Start a partnership: 1 entry, 2024-01-01\n"
        "Add a partner: 2 entries, 2024-01-02\n"
        "Record a decision: 2 entries, 2024-02-01 to 2025-06-30\n",
    )
    assert nothing_recorded(sqlite_url)
    bad = base(tmp_path, recordDecision=[{**DECISION, "significance": 0}])
    code, out = accord("import", str(bad), "--dry-run", "--database", sqlite_url)
    assert code == 1 and out.startswith("'Record a decision'!E3: significance:")
    assert nothing_recorded(sqlite_url)


def test_entries_go_into_an_existing_partnership_with_partnership(
    tmp_path: Path, sqlite_url: str
) -> None:
    code, out = accord("import", str(base(tmp_path)), "--database", sqlite_url)
    pid = out.strip()
    more = fill(tmp_path / "decisions.xlsx", {"recordDecision": [DECISION]})
    code, out = accord(
        "import", str(more), "--partnership", pid, "--dry-run", "--database", sqlite_url
    )
    assert (code, out) == (0, "Record a decision: 1 entry, 2024-02-01\n")
    assert len(exported(pid, sqlite_url)) == 3
    code, out = accord("import", str(more), "--partnership", pid, "--database", sqlite_url)
    assert (code, out) == (0, pid + "\n")
    assert [e["type"] for e in exported(pid, sqlite_url)][-1] == "DECISION_RECORDED"
    again = fill(tmp_path / "again.xlsx", {"formPartnership": [FORM]})
    assert refused(again, sqlite_url, "--partnership", pid) == [
        "'Start a partnership'!A3: -: VALIDATION: the entries go into an existing "
        "partnership: leave this sheet empty"
    ]
    code, out = accord(
        "import", str(more), "--partnership", pid, "--actor", "mallory", "--database", sqlite_url
    )
    assert code == 1 and out == ""
    assert len(exported(pid, sqlite_url)) == 4


def test_a_csv_file_is_one_sheet_of_the_kind_given(tmp_path: Path, sqlite_url: str) -> None:
    code, out = accord("import", str(base(tmp_path)), "--database", sqlite_url)
    pid = out.strip()
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text(
        "When it happened,title,What it is about,HOW IT WAS DECIDED ,Decided by\n"
        "2024-02-01,'=1+1,STRATEGY,CONSENSUS,city; trust\n"
        '2024-02-02,"=HYPERLINK(""http://example.invalid"",""x"")",DELIVERY,VOTE,city\n'
        "2024-02-03,Bad,DELIVERY,VOTE,ghost\n",
        encoding="utf-8",
    )
    args = ("--partnership", pid, "--database", sqlite_url)
    assert accord("import", str(csv_file), "--kind", "recordDecision", *args) == (
        1,
        "decisions!E4: decidedBy.0: VALIDATION: the partner is not active then\n",
    )
    csv_file.write_text("\n".join(csv_file.read_text().splitlines()[:3]) + "\n")
    code, out = accord("import", str(csv_file), "--kind", "Record a decision", *args)
    assert (code, out) == (0, pid + "\n")
    titles = [e["data"]["title"] for e in exported(pid, sqlite_url)[-2:]]
    assert titles == ["=1+1", '=HYPERLINK("http://example.invalid","x")']
    code, text = accord("export", pid, "--format", "csv", "--database", sqlite_url)
    cells = [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]
    assert not [value for value in cells if value.startswith(("=", "+", "-", "@"))]


def test_a_csv_file_needs_its_kind(tmp_path: Path, sqlite_url: str) -> None:
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("title\nA\n")
    assert accord("import", str(csv_file), "--database", sqlite_url) == (2, "")
    assert accord("import", str(csv_file), "--kind", "minutes", "--database", sqlite_url) == (2, "")


@pytest.mark.parametrize("flag", ["--dry-run", "--kind=x", "--partnership=x"])
def test_workbook_flags_are_refused_for_a_steps_file(
    tmp_path: Path, sqlite_url: str, flag: str
) -> None:
    steps = tmp_path / "s.steps.json"
    steps.write_text('{"steps": []}')
    assert accord("import", str(steps), flag, "--database", sqlite_url)[0] == 2


def test_a_dry_run_lists_the_sheets_in_the_workbook_s_order(
    tmp_path: Path, sqlite_url: str
) -> None:
    # The check-in (a later sheet) happened before the decision, and is judged first.
    check_in = {
        "occurredAt": "2024-01-20",
        "respondentId": "city",
        "reliability": 4,
        "openness": 4,
        "respect": 4,
        "sharedOwnership": 4,
    }
    path = base(tmp_path, recordDecision=[DECISION], recordTrustCheckIn=[check_in])
    code, out = accord("import", str(path), "--dry-run", "--database", sqlite_url)
    assert (code, out.splitlines()[2:]) == (
        0,
        ["Record a decision: 1 entry, 2024-02-01", "Check in: 1 entry, 2024-01-20"],
    )
