"""Every kind of entry round-trips: the template, filled in, imported, exported (JSON
lines and xlsx) gives back the same entries; and the xlsx export's sheets."""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl

from accord.cli import main
from accord.domain.catalogue import KINDS
from accord.domain.instants import format_instant, parse_instant
from tests.support.scenarios import EVENT_TYPES
from tests.support.workbooks import fill, step_cells

T = "2024-0{}-{:02d}T09:00:00+00:00"

PHASE_1: list[tuple[str, dict[str, Any]]] = [
    ("formPartnership", {"name": "Harbour", "purpose": "Care at home", "occurredAt": "2024-01-01"}),
    ("joinPartner", {"partnerId": "city", "name": "City Council", "sector": "LOCAL_AUTHORITY"}),
    ("joinPartner", {"partnerId": "trust", "name": "Eastfield NHS", "sector": "NHS_TRUST"}),
    ("joinPartner", {"partnerId": "charity", "name": "Age Well", "sector": "VOLUNTARY_SECTOR"}),
    ("setGoal", {"goalId": "fewer-admissions", "statement": "Fewer emergency admissions"}),
    ("setGoal", {"goalId": "old-goal", "statement": "A goal soon retired"}),
    (
        "agreeRiskShares",
        {
            "shares": [
                {"partnerId": "city", "share": 0.6},
                {"partnerId": "trust", "share": 0.25},
                {"partnerId": "charity", "share": 0.15},
            ]
        },
    ),
    (
        "reviseGoal",
        {
            "goalId": "fewer-admissions",
            "statement": "Fewer admissions of older people",
            "reason": "Narrowed",
        },
    ),
    ("endorseGoal", {"goalId": "fewer-admissions", "partnerId": "city", "version": 2, "rating": 4}),
    ("reaffirmGoal", {"goalId": "fewer-admissions", "note": "Still holds"}),
    ("retireGoal", {"goalId": "old-goal", "reason": "Done"}),
    (
        "recordDecision",
        {
            "decisionId": "d1",
            "title": "Pool the budgets",
            "category": "RESOURCING",
            "significance": 3,
            "method": "VOTE",
            "decidedBy": ["city", "trust"],
            "consulted": ["charity"],
            "dissentedBy": ["trust"],
            "rationale": "Cheaper",
        },
    ),
    (
        "makeCommitment",
        {
            "commitmentId": "c1",
            "partnerId": "city",
            "kind": "FUNDING",
            "quantity": 1000.5,
            "dueAt": "2024-12-31T00:00:00+00:00",
            "description": "Grant",
        },
    ),
    (
        "makeCommitment",
        {
            "commitmentId": "c2",
            "partnerId": "trust",
            "kind": "STAFF",
            "quantity": 6,
            "unit": "FTE_MONTHS",
            "dueAt": "2024-11-30T00:00:00+00:00",
        },
    ),
    ("recordDelivery", {"commitmentId": "c1", "quantity": 400}),
    ("releaseCommitment", {"commitmentId": "c2", "byAgreement": True, "reason": "Plans changed"}),
    (
        "appointLeader",
        {"role": "Programme director", "partnerId": "city", "person": "Ada Lovelace"},
    ),
    ("recordLeaderDeparture", {"role": "Programme director", "reason": "Retired"}),
    (
        "recordTrustCheckIn",
        {
            "respondentId": "city",
            "aboutId": "trust",
            "reliability": 4,
            "openness": 3,
            "respect": 5,
            "sharedOwnership": 2,
            "note": "Fine",
        },
    ),
    ("recordPartnerLeaving", {"partnerId": "charity", "reason": "Funding ended"}),
    ("grantRole", {"actor": "bob", "role": "RECORDER"}),
    ("revokeRole", {"actor": "bob"}),
]
"""One entry of every kind but retraction, each a day after the last (from 2024-01-01)."""


def accord(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _dated() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for index, (mutation, given) in enumerate(PHASE_1):
        day = datetime(2024, 1, 1 + index, 9, tzinfo=None)
        stamp = given.get("occurredAt") or day.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        out.append((mutation, {**given, "occurredAt": stamp}))
    return out


def _workbook(path: Path, entries: list[tuple[str, dict[str, Any]]]) -> Path:
    rows: dict[str, list[dict[str, Any]]] = {}
    for mutation, given in entries:
        rows.setdefault(mutation, []).append(step_cells(given))
    return fill(path, rows)


def _same(given: dict[str, Any], event: dict[str, Any]) -> None:
    assert parse_instant(given["occurredAt"]) == parse_instant(event["occurredAt"])
    for name, value in given.items():
        if name != "occurredAt":
            assert event["data"][name] == value, (name, event)


def test_every_kind_round_trips_through_the_template_import_and_export(
    tmp_path: Path, sqlite_url: str
) -> None:
    entries = _dated()
    code, out = accord(
        "import", str(_workbook(tmp_path / "one.xlsx", entries)), "--database", sqlite_url
    )
    assert code == 0, out
    pid = out.strip()
    _, lines = accord("export", pid, "--database", sqlite_url)
    events = [json.loads(line) for line in lines.splitlines()]
    assert [e["type"] for e in events] == [EVENT_TYPES[m] for m, _ in entries]
    for (_, given), event in zip(entries, events, strict=True):
        _same(given, event)

    between = format_instant(datetime.now(UTC))
    time.sleep(0.01)
    retraction = (
        "retractEntry",
        {"eventId": events[14]["id"], "reason": "Recorded twice", "occurredAt": "2024-02-01"},
    )
    code, out = accord(
        "import",
        str(_workbook(tmp_path / "two.xlsx", [retraction])),
        "--partnership",
        pid,
        "--database",
        sqlite_url,
    )
    assert (code, out) == (0, pid + "\n")
    _, lines = accord("export", pid, "--database", sqlite_url)
    events = [json.loads(line) for line in lines.splitlines()]
    _same(retraction[1], events[-1])
    assert events[14]["retracted"] is True
    covered = {e["type"] for e in events}
    assert covered == {kind.type_name for kind in KINDS}

    xlsx = tmp_path / "out.xlsx"
    code, out = accord(
        "export", pid, "--format", "xlsx", "--output", str(xlsx), "--database", sqlite_url
    )
    assert (code, out) == (0, f"{xlsx}\n")
    book = openpyxl.load_workbook(xlsx)
    history = list(book["History"].iter_rows(values_only=True))
    assert history[0] == tuple(events[0])  # every Event field, in API.md's order
    for row, event in zip(history[1:], events, strict=True):
        record = dict(zip(history[0], row, strict=True))
        assert record["id"] == event["id"] and record["position"] == event["position"]
        assert json.loads(record["data"]) == event["data"]
        assert record["retracted"] == event["retracted"]
        assert isinstance(record["occurredAt"], datetime)
        assert (
            abs(
                record["occurredAt"] - parse_instant(event["occurredAt"]).replace(tzinfo=None)
            ).total_seconds()
            < 0.001
        )

    # As known before the retraction was recorded: no retraction, nothing retracted.
    earlier = tmp_path / "earlier.xlsx"
    accord(
        "export",
        pid,
        "--format",
        "xlsx",
        "--output",
        str(earlier),
        "--known-at",
        between,
        "--database",
        sqlite_url,
    )
    known = list(openpyxl.load_workbook(earlier)["History"].iter_rows(min_row=2, values_only=True))
    assert len(known) == len(events) - 1
    assert not any(row[8] for row in known)  # retracted


def test_the_xlsx_export_has_its_registers_and_a_monthly_health_series(
    tmp_path: Path, sqlite_url: str
) -> None:
    _, out = accord(
        "import", str(_workbook(tmp_path / "one.xlsx", _dated())), "--database", sqlite_url
    )
    pid = out.strip()
    xlsx = tmp_path / "out.xlsx"
    accord(
        "export",
        pid,
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        "--as-of",
        "2024-06-30",
        "--database",
        sqlite_url,
    )
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == [
        "History",
        "Partners",
        "Goals",
        "Decisions",
        "Commitments",
        "Leadership",
        "CheckIns",
        "Health",
    ]
    for ws in book:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width > 5
    partners = list(book["Partners"].iter_rows(values_only=True))
    assert [row[0] for row in partners[1:]] == ["city", "trust"]  # charity has left
    decisions = list(book["Decisions"].iter_rows(values_only=True))
    assert decisions[1][0] == "d1" and decisions[1][4] == 3 and decisions[1][6] == "city; trust"
    commitments = {
        row[0]: row for row in book["Commitments"].iter_rows(min_row=2, values_only=True)
    }
    assert commitments["c1"][3] == 1000.5 and commitments["c1"][6] == 400
    assert commitments["c2"][7] == "RELEASED"
    health = list(book["Health"].iter_rows(values_only=True))
    months = [row[0].date().isoformat() for row in health[1:]]
    assert months == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
    ]
    header = health[0]
    assert "power.decisionCount" in header and "trust.index" in header
    assert health[-1][header.index("power.decisionCount")] == 1


def test_a_workbook_imports_on_postgresql_too(tmp_path: Path, postgres_url: str) -> None:
    entries = _dated()
    path = _workbook(tmp_path / "one.xlsx", entries)
    code, out = accord("import", str(path), "--database", postgres_url)
    assert code == 0, out
    pid = out.strip()
    _, lines = accord("export", pid, "--database", postgres_url)
    events = [json.loads(line) for line in lines.splitlines()]
    for (_, given), event in zip(entries, events, strict=True):
        _same(given, event)
    assert accord("verify", pid, "--database", postgres_url) == (0, f"{pid} valid {len(entries)}\n")
