"""`accord import FILE.xlsx | FILE.csv --kind K`: every row judged as the API judges it,
in occurredAt order, all before anything is saved; every refusal printed as
`SHEET!CELL: FIELD: CODE: message`, and then nothing recorded."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from accord.cli import main
from accord.web.registers import SAMPLE_REFUSAL
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
    assert refused(path, sqlite_url) == [
        "'Record a decision'!G3: decidedBy.1: VALIDATION: the partner is not active then"
    ]
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
    assert refused(path, sqlite_url) == [
        "'Record a decision'!G3: decidedBy.0: VALIDATION: the partner is not active then"
    ]
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


# ---------------------------------------------------------------- one test per refusal kind


def test_the_instructions_sample_refusal_is_what_the_importer_prints(
    tmp_path: Path, sqlite_url: str
) -> None:
    import openpyxl

    # Row 7 of the decisions sheet names a partner not active then, as the sample says.
    decisions = [DECISION] * 4 + [{**DECISION, "decidedBy": "ghost"}]
    path = base(tmp_path, recordDecision=decisions)
    assert refused(path, sqlite_url) == [SAMPLE_REFUSAL]
    assert nothing_recorded(sqlite_url)
    guide = openpyxl.load_workbook(path)["Instructions"]
    lines = [str(row[0]) for row in guide.iter_rows(max_col=1, values_only=True) if row[0]]
    assert any(line.endswith("e.g. " + SAMPLE_REFUSAL) for line in lines)
    [command] = [line for line in lines if line.startswith("Import: accord import ")]
    assert "--timezone ZONE" in command and "--partnership ID" in command


@pytest.mark.parametrize(
    ("more", "line"),
    [
        (
            {
                "joinPartner": [
                    *PARTNERS,
                    {**PARTNERS[0], "occurredAt": "2024-01-05", "name": "Again"},
                ]
            },
            "'Add a partner'!B5: partnerId: DUPLICATE: the partner is already active",
        ),
        (
            {
                "recordDecision": [
                    {**DECISION, "decisionId": "pool"},
                    {**DECISION, "decisionId": "pool", "occurredAt": "2024-02-02"},
                ]
            },
            "'Record a decision'!B4: decisionId: DUPLICATE: the decision id 'pool' is already used",
        ),
    ],
    ids=["partner", "decision"],
)
def test_an_id_used_twice_is_a_duplicate_at_its_second_cell(
    tmp_path: Path, sqlite_url: str, more: dict[str, list[dict[str, Any]]], line: str
) -> None:
    path = base(tmp_path, **more)
    assert refused(path, sqlite_url) == [line]
    assert nothing_recorded(sqlite_url)


@pytest.mark.parametrize(
    ("more", "line"),
    [
        (
            {
                "endorseGoal": [
                    {
                        "occurredAt": "2024-02-01",
                        "goalId": "ghost",
                        "partnerId": "city",
                        "version": 1,
                        "rating": 4,
                    }
                ]
            },
            "'Record an endorsement'!B3: goalId: NOT_FOUND: no goal 'ghost' in this partnership",
        ),
        (
            {
                "recordDelivery": [
                    {"occurredAt": "2024-02-01", "commitmentId": "ghost", "quantity": 1}
                ]
            },
            "'Record a delivery'!B3: commitmentId: NOT_FOUND: no commitment 'ghost' in this "
            "partnership",
        ),
        (
            {"retractEntry": [{"occurredAt": "2024-02-01", "eventId": "ghost", "reason": "Wrong"}]},
            "'Retract this entry'!B3: eventId: NOT_FOUND: no event 'ghost' in this partnership",
        ),
        (
            {"revokeRole": [{"occurredAt": "2024-02-01", "actor": "nobody"}]},
            "'Take a role away'!B3: actor: NOT_FOUND: 'nobody' has no role in this partnership",
        ),
    ],
    ids=["goal", "commitment", "event", "actor"],
)
def test_a_row_naming_what_is_not_there_is_not_found_at_its_cell(
    tmp_path: Path, sqlite_url: str, more: dict[str, list[dict[str, Any]]], line: str
) -> None:
    path = base(tmp_path, **more)
    assert refused(path, sqlite_url) == [line]
    assert nothing_recorded(sqlite_url)


def test_an_unknown_event_id_in_a_retraction_into_a_partnership_is_not_found(
    tmp_path: Path, sqlite_url: str
) -> None:
    code, out = accord("import", str(base(tmp_path)), "--database", sqlite_url)
    assert code == 0, out
    pid = out.strip()
    known = exported(pid, sqlite_url)[1]["id"]
    unknown = known[:-1] + ("1" if known.endswith("0") else "0")  # the id's form, no event's
    more = fill(
        tmp_path / "retract.xlsx",
        {"retractEntry": [{"occurredAt": "2024-02-01", "eventId": unknown, "reason": "Wrong"}]},
    )
    assert refused(more, sqlite_url, "--partnership", pid) == [
        f"'Retract this entry'!B3: eventId: NOT_FOUND: no event '{unknown}' in this partnership"
    ]
    assert len(exported(pid, sqlite_url)) == 3


def test_a_partnership_the_actor_has_no_role_in_is_not_found_as_the_api_says(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = accord("import", str(base(tmp_path)), "--actor", "alice", "--database", sqlite_url)
    pid = out.strip()
    capsys.readouterr()
    more = fill(tmp_path / "decisions.xlsx", {"recordDecision": [DECISION]})
    code, out = accord(
        "import", str(more), "--partnership", pid, "--actor", "mallory", "--database", sqlite_url
    )
    assert (code, out) == (1, "")
    said = capsys.readouterr().err
    assert said == (
        f"accord: --partnership {pid}: NOT_FOUND: no partnership with this id "
        "(or mallory has no role in it; --actor NAME)\n"
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    code, out = accord(
        "import", str(more), "--partnership", unknown, "--actor", "alice", "--database", sqlite_url
    )
    assert (code, out) == (1, "")
    assert capsys.readouterr().err == said.replace(pid, unknown).replace("mallory", "alice")
    assert len(exported(pid, sqlite_url)) == 3


def test_at_the_refusal_limit_the_user_is_told_there_may_be_more(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = base(tmp_path, recordDecision=[{**DECISION, "significance": 9}] * 80)
    capsys.readouterr()
    assert len(refused(path, sqlite_url)) == 50
    assert capsys.readouterr().err == (
        "accord: 50 refusals shown; there may be more: nothing was recorded\n"
    )
    few = base(tmp_path, recordDecision=[{**DECISION, "significance": 9}] * 2)
    assert len(refused(few, sqlite_url)) == 2
    assert capsys.readouterr().err == "accord: 2 refusals: nothing was recorded\n"
    assert nothing_recorded(sqlite_url)


# ---------------------------------------------------------------- ties across sheets


def leaders(pid: str, url: str, tmp_path: Path) -> list[tuple[Any, ...]]:
    import openpyxl

    out = tmp_path / f"{pid}.xlsx"
    code, _ = accord("export", pid, "--format", "xlsx", "--output", str(out), "--database", url)
    assert code == 0
    return list(openpyxl.load_workbook(out)["Leadership"].iter_rows(values_only=True))


def test_a_leader_leaving_and_a_successor_appointed_at_the_same_moment(
    tmp_path: Path, sqlite_url: str
) -> None:
    import openpyxl

    first = {"occurredAt": "2024-02-01", "role": "CHAIR", "partnerId": "city", "person": "Ann"}
    leaving = {"occurredAt": "2024-06-01T09:00:00Z", "role": "CHAIR", "reason": "Retired"}
    successor = {**first, "occurredAt": "2024-06-01T09:00:00Z", "person": "Bea"}
    path = base(tmp_path, appointLeader=[first, successor], recordLeaderDeparture=[leaving])
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    in_order = out.strip()
    events = exported(in_order, sqlite_url)[3:]
    assert [(e["type"], e["data"].get("person")) for e in events] == [
        ("LEADER_APPOINTED", "Ann"),
        ("LEADER_DEPARTED", None),
        ("LEADER_APPOINTED", "Bea"),
    ]

    # Move the appointments' sheet before the departures': at the same instant the
    # successor is now judged first, and the departure that follows ends Bea's term.
    book = openpyxl.load_workbook(path)
    appoint = book["Appoint a leader"]
    book.move_sheet(
        appoint, offset=book.index(book["Record a leader leaving"]) - book.index(appoint)
    )
    moved = tmp_path / "moved.xlsx"
    book.save(moved)
    code, out = accord("import", str(moved), "--database", sqlite_url)
    assert code == 0, out
    swapped = out.strip()
    events = exported(swapped, sqlite_url)[3:]
    assert [(e["type"], e["data"].get("person")) for e in events] == [
        ("LEADER_APPOINTED", "Ann"),
        ("LEADER_APPOINTED", "Bea"),
        ("LEADER_DEPARTED", None),
    ]
    since = datetime(2024, 6, 1, 9, 0)
    assert leaders(in_order, sqlite_url, tmp_path)[1:] == [("CHAIR", "city", "Bea", since, False)]
    assert leaders(swapped, sqlite_url, tmp_path)[1:] == [("CHAIR", None, None, since, True)]


def test_a_partner_joining_and_a_decision_naming_them_at_the_same_instant(
    tmp_path: Path, sqlite_url: str
) -> None:
    at = "2024-03-01T10:00:00Z"
    joins = {
        "occurredAt": at,
        "partnerId": "hospice",
        "name": "Hospice",
        "sector": "VOLUNTARY_SECTOR",
    }
    naming = {**DECISION, "occurredAt": at, "decidedBy": "city; hospice"}
    path = fill(
        tmp_path / "tie.xlsx",
        {"formPartnership": [FORM], "joinPartner": [*PARTNERS, joins], "recordDecision": [naming]},
    )
    code, out = accord("import", str(path), "--database", sqlite_url)
    assert code == 0, out
    events = exported(out.strip(), sqlite_url)
    assert [e["type"] for e in events][-2:] == ["PARTNER_JOINED", "DECISION_RECORDED"]
    assert events[-1]["occurredAt"] == events[-2]["occurredAt"] == "2024-03-01T10:00:00+00:00"


# ---------------------------------------------------------------- export's default name


def test_an_xlsx_export_without_output_is_named_for_the_partnership_and_date(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    named = {**FORM, "name": "Harbour & Coast: Care at Home"}
    path = fill(tmp_path / "named.xlsx", {"formPartnership": [named], "joinPartner": PARTNERS})
    code, out = accord("import", str(path), "--database", sqlite_url)
    pid = out.strip()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    days = {datetime.now(UTC).date().isoformat()}
    code, out = accord("export", pid, "--format", "xlsx", "--database", sqlite_url)
    days.add(datetime.now(UTC).date().isoformat())
    assert code == 0
    assert out in {f"harbour-coast-care-at-home-{day}.xlsx\n" for day in days}
    assert [p.name for p in work.iterdir()] == [out.strip()]
    book = openpyxl.load_workbook(work / out.strip())
    assert book["History"].max_row == 4  # the header and three events
    code, out = accord(
        "export", pid, "--format", "xlsx", "--as-of", "2024-06-30", "--database", sqlite_url
    )
    assert (code, out) == (0, "harbour-coast-care-at-home-2024-06-30.xlsx\n")
    assert (work / out.strip()).is_file()
