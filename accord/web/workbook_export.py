"""A partnership's history and registers as an Excel workbook (`accord export --format
xlsx`), for people and for Power BI.

Sheets: History (every field of API.md's `Event`, one row per event), Partners, Goals,
Decisions, Commitments, Leadership, CheckIns (each as of `as_of`, as known at
`known_at`, as the API's reads are), and Health: a monthly series (each month's end, then
`as_of`) of every health figure as a column. Instants are real date-times in UTC (Excel
has no zones), numbers are numbers, each sheet's header row is frozen with filters on and
its columns sized. Text is always written as text: a value beginning with `=` is never
a formula (and characters XML cannot hold become U+FFFD).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

from accord.projections import event_types as types
from accord.projections import state
from accord.projections.event_json import event_json
from accord.projections.health import DEFAULT_WINDOW_DAYS, health_at, health_to_json, prepare
from accord.projections.records import IndexedEvent
from accord.projections.visibility import known_events

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_DATE_TIME = "yyyy-mm-dd hh:mm:ss"

Rows = list[list[Any]]


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


def _joined(value: Any) -> str | None:
    return "; ".join(str(item) for item in value) if isinstance(value, list) and value else None


def _history(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = [
        "id",
        "type",
        "position",
        "occurredAt",
        "recordedAt",
        "recordedBy",
        "summary",
        "data",
        "retracted",
        "hash",
        "previousHash",
    ]
    rows: Rows = []
    for event in events:
        if event.recorded_at > known_at or event.occurred_at > as_of:
            continue
        row = event_json(event, known_at)
        row["occurredAt"] = _utc(event.occurred_at)
        row["recordedAt"] = _utc(event.recorded_at)
        row["data"] = json.dumps(row["data"], ensure_ascii=False, sort_keys=True)
        rows.append([row[name] for name in headers])
    return headers, rows


def _of_type(
    events: Sequence[IndexedEvent], type_name: str, as_of: datetime, known_at: datetime
) -> list[IndexedEvent]:
    return [
        e for e in known_events(events, known_at) if e.type == type_name and e.occurred_at <= as_of
    ]


def _partners(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = ["partnerId", "name", "sector", "joinedAt"]
    rows: Rows = [
        [p.id, p.name, p.sector, _utc(p.joined_at)] for p in state.partners(events, as_of, known_at)
    ]
    return headers, rows


def _goals(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = ["goalId", "statement", "version", "setAt", "revisedAt", "endorsements", "meanRating"]
    rows: Rows = []
    for goal in state.goals(events, as_of, known_at):
        ratings = [e.rating for e in goal.endorsements]
        mean = sum(ratings) / len(ratings) if ratings else None
        rows.append(
            [
                goal.id,
                goal.statement,
                goal.version,
                _utc(goal.set_at),
                _utc(goal.revised_at),
                len(ratings),
                mean,
            ]
        )
    return headers, rows


def _decisions(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = [
        "decisionId",
        "occurredAt",
        "title",
        "category",
        "significance",
        "method",
        "decidedBy",
        "consulted",
        "dissentedBy",
        "rationale",
    ]
    rows: Rows = []
    for event in _of_type(events, types.DECISION_RECORDED, as_of, known_at):
        data = event.data
        rows.append(
            [
                data.get("decisionId"),
                _utc(event.occurred_at),
                data.get("title"),
                data.get("category"),
                data.get("significance"),
                data.get("method"),
                _joined(data.get("decidedBy")),
                _joined(data.get("consulted")),
                _joined(data.get("dissentedBy")),
                data.get("rationale"),
            ]
        )
    return headers, rows


def _commitments(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = [
        "commitmentId",
        "partnerId",
        "kind",
        "quantity",
        "unit",
        "dueAt",
        "delivered",
        "status",
    ]
    rows: Rows = [
        [
            c.id,
            c.partner_id,
            c.kind,
            c.quantity,
            c.unit,
            _utc(c.due_at),
            c.delivered,
            c.status.value,
        ]
        for c in state.commitments(events, as_of, known_at)
    ]
    return headers, rows


def _leadership(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    headers = ["role", "partnerId", "person", "since", "vacant"]
    rows: Rows = [
        [r.role, r.partner_id, r.person, _utc(r.since), r.vacant]
        for r in state.leadership(events, as_of, known_at)
    ]
    return headers, rows


def _check_ins(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime
) -> tuple[list[str], Rows]:
    fields = [
        "respondentId",
        "aboutId",
        "reliability",
        "openness",
        "respect",
        "sharedOwnership",
        "note",
        "responses",
        "roundId",
    ]
    rows: Rows = [
        [_utc(e.occurred_at), *(e.data.get(name) for name in fields)]
        for e in _of_type(events, types.TRUST_CHECK_IN_RECORDED, as_of, known_at)
    ]
    return ["occurredAt", *fields], rows


def export_file_name(partnership_name: str, as_of: datetime, zone: str = "UTC") -> str:
    """`harbour-coast-care-2025-06-30.xlsx`: the partnership's name in plain letters and
    the day it is read as of in `zone` (ACCORD_TIMEZONE: the day that was asked for),
    for the command line's default and the page's download."""
    slug = re.sub(r"[^a-z0-9]+", "-", partnership_name.casefold()).strip("-")
    day = as_of.astimezone(ZoneInfo(zone)).date()
    return f"{slug[:60] or 'partnership'}-{day.isoformat()}.xlsx"


def month_ends(start: datetime, end: datetime) -> list[datetime]:
    """The last microsecond of each calendar month (UTC) from `start`'s to before `end`,
    then `end`."""
    moments: list[datetime] = []
    year, month = start.year, start.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        moment = datetime(year, month, 1, tzinfo=UTC) - timedelta(microseconds=1)
        if moment >= end:
            break
        moments.append(moment)
    return [*moments, end]


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    """Every figure of a health JSON under a dotted name; a list of objects keyed by the
    partner, kind, role or question each is about (`power.shares[p1].decisionShare`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, out)
        return
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            for item in value:
                key = _item_key(item)
                rest = {k: v for k, v in item.items() if k not in _KEYS}
                _flatten(rest, f"{prefix}[{key}]", out)
        return  # a list of sentences (evidence) is not a figure
    out[prefix] = value


_KEYS = ("partner", "kind", "role", "question")


def _item_key(item: dict[str, Any]) -> str:
    for key in _KEYS:
        if key in item:
            found = item[key]
            return str(found["id"] if isinstance(found, dict) else found)
    return "?"


def _health(
    events: Sequence[IndexedEvent], as_of: datetime, known_at: datetime, window_days: int
) -> tuple[list[str], Rows]:
    known = [e for e in events if e.recorded_at <= known_at]
    if not known:
        return ["asOf"], []
    history = prepare(events, known_at)
    series: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    for moment in month_ends(known[0].occurred_at, as_of):
        figures: dict[str, Any] = {}
        body = health_to_json(health_at(history, moment, window_days))
        for name in ("asOf", "knownAt", "windowDays"):
            body.pop(name)
        _flatten(body, "", figures)
        figures = {k: v for k, v in figures.items() if not isinstance(v, dict | list)}
        columns.update(dict.fromkeys(figures))
        series.append({"asOf": moment.date(), **figures})  # the month's last day
    headers = ["asOf", *columns]
    return headers, [[row.get(name) for name in headers] for row in series]


SHEETS: tuple[
    tuple[str, Callable[[Sequence[IndexedEvent], datetime, datetime], tuple[list[str], Rows]]], ...
] = (
    ("History", _history),
    ("Partners", _partners),
    ("Goals", _goals),
    ("Decisions", _decisions),
    ("Commitments", _commitments),
    ("Leadership", _leadership),
    ("CheckIns", _check_ins),
)
"""The sheets before Health, each (name, how its header and rows are made)."""


def write_export(
    out: Any,
    events: Sequence[IndexedEvent],
    *,
    as_of: datetime,
    known_at: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> None:
    """Write the workbook to `out` (a path or a binary file). Its bytes depend only on
    the events and the arguments, never on the clock: the document's created and
    modified dates are the newest entry recorded by `known_at`, each part of the file
    is dated 1980-01-01 (as reproducible builds do), so one ETag names one file."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, make in SHEETS:
        headers, rows = make(events, as_of, known_at)
        _sheet(book, name, headers, rows)
    headers, rows = _health(events, as_of, known_at, window_days)
    _sheet(book, "Health", headers, rows)
    made = max((e.recorded_at for e in events if e.recorded_at <= known_at), default=_EPOCH)
    stamp = made.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    book.properties.created = stamp
    saved = io.BytesIO()
    book.save(saved)
    fixed = _fixed_dates(saved.getvalue(), stamp)
    if isinstance(out, str | PathLike):
        Path(out).write_bytes(fixed)
    else:
        out.write(fixed)


_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_dates(xlsx: bytes, stamp: datetime) -> bytes:
    """`xlsx` with every part dated 1980-01-01 and `stamp` as its modified date
    (openpyxl writes the clock's time in both)."""
    out = io.BytesIO()
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with ZipFile(io.BytesIO(xlsx)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m.group(1) + when + m.group(2), content)
            target.writestr(ZipInfo(item.filename, _ZIP_DATE), content, ZIP_DEFLATED)
    return out.getvalue()


def _sheet(book: Any, name: str, headers: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = list(rows)
    ws = book.create_sheet(name)
    widths = [len(h) for h in headers]
    for row in rows:
        for index, value in enumerate(row):
            size = (
                19 if isinstance(value, datetime) else len(str(value)) if value is not None else 0
            )
            widths[index] = max(widths[index], min(size, 60))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width + 2
    ws.freeze_panes = "A2"
    last = f"{get_column_letter(max(1, len(headers)))}{len(rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=_text(header))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell(ws, value, WriteOnlyCell) for value in row])


def _text(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value)


def _cell(ws: Any, value: Any, make: Any) -> Any:
    if isinstance(value, str):
        cell = make(ws, value=_text(value))
        cell.data_type = "s"  # text, never a formula, whatever it begins with
        return cell
    cell = make(ws, value=value)
    if isinstance(value, datetime):
        cell.number_format = _DATE_TIME
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


__all__ = ["SHEETS", "export_file_name", "month_ends", "write_export"]
