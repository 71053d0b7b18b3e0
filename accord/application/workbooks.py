"""Judging a workbook's rows: each row one entry, read from its cells and judged exactly
as the API judges it, in `occurredAt` order, every refusal pointing at a cell.

Whoever reads the file (`accord.web.workbook_files`) gives `Row`s: the row's sheet and
number, its kind (from the catalogue) and, for each input field, the cell it is in and
the value the spreadsheet held there (text, a number, true or false, a date or a
date-time without an offset, or nothing). Here each value becomes the mutation's input
as API.md writes it (lists split at `;`, shares written `partnerId=share; ...`, a date
cell a bare date, a date-time cell read in the import's time zone, our own `'` escaping
taken off), and `read_command` and `Partnership.record` judge it, as the service and
`importing.judge_steps` do. A refused row is left out and judging goes on (so one bad
row does not cascade), up to `REFUSAL_LIMIT` refusals; the import is then refused whole.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from eventsourcing.persistence import IntegrityError

from accord.application.idempotency import fingerprint
from accord.application.oidc_actors import OidcDirectory, with_grantee
from accord.application.service import AccordApplication
from accord.domain.catalogue import PARTNERSHIP_FORMED, Kind
from accord.domain.commands import read_command
from accord.domain.errors import (
    UNKNOWN_PARTNERSHIP,
    DomainError,
    ErrorCode,
    Forbidden,
    VersionConflict,
    invalid,
    not_found,
)
from accord.domain.fields import FieldSpec, Shape, instant
from accord.domain.identity import position_of_event
from accord.domain.instants import format_instant, to_micros
from accord.domain.partnership import Partnership, PartnershipEvent, Sealer, id_text
from accord.projections.cell_text import unescape_formula

EMIT_EVERY = 500
"""Recorded events are handed on in batches of about this many as judging goes on."""
REFUSAL_LIMIT = 50
"""At most this many refusals are reported (and judging stops there)."""

OCCURRED_AT = "occurredAt"
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell as the spreadsheet held it: where it is (`C7`) and its value."""

    ref: str
    value: Any
    """str, int, float, bool, `date` (a date-only cell), naive `datetime` (a date-time
    cell, which carries no offset), or None."""


@dataclass(frozen=True)
class Row:
    """One row of a sheet: one entry of the sheet's kind."""

    sheet: str
    sheet_index: int
    number: int
    kind: Kind
    first: str
    """The row's first cell (`A7`): where a refusal of no one field points."""
    cells: Mapping[str, Cell]
    """Input field name -> its cell (blank cells may be left out)."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Input field name -> its column's letter (where a blank field is pointed at)."""


@dataclass(frozen=True)
class Refusal:
    """A row the API would refuse, and the cell at fault."""

    sheet: str
    cell: str
    field: str
    code: str
    message: str

    @property
    def where(self) -> str:
        """`SHEET!CELL`, the sheet's name quoted as Excel quotes it when it must be."""
        name = self.sheet
        if not name.replace("_", "").isalnum():
            name = "'" + name.replace("'", "''") + "'"
        return f"{name}!{self.cell}"

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.code}: {self.message}"


class WorkbookRefused(Exception):
    """The workbook would not be recorded: every refusal found (up to the limit)."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("\n".join(str(r) for r in refusals))
        self.refusals = refusals

    @property
    def cut(self) -> bool:
        """The limit was reached: judging stopped there, and there may be more."""
        return len(self.refusals) >= REFUSAL_LIMIT

    @property
    def summary(self) -> str:
        """How many refusals, saying so when the list is cut at the limit."""
        count = len(self.refusals)
        if self.cut:
            return f"{count} refusals shown; there may be more: nothing was recorded"
        return f"{count} refusal{'' if count == 1 else 's'}: nothing was recorded"


@dataclass
class SheetSummary:
    """What a sheet would record: how many entries, and when they happened."""

    sheet: str
    entries: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, moment: datetime) -> None:
        self.entries += 1
        self.first = moment if self.first is None else min(self.first, moment)
        self.last = moment if self.last is None else max(self.last, moment)

    def __str__(self) -> str:
        noun = "entry" if self.entries == 1 else "entries"
        if self.first is None or self.last is None:
            return f"{self.sheet}: {self.entries} {noun}"
        span = self.first.date().isoformat()
        if self.last.date() != self.first.date():
            span += f" to {self.last.date().isoformat()}"
        return f"{self.sheet}: {self.entries} {noun}, {span}"


@dataclass
class Judged:
    """A judged workbook: the partnership with its new entries pending, and per sheet
    what they are."""

    partnership: Partnership
    sheets: dict[str, SheetSummary] = field(default_factory=dict)
    """In the workbook's order of sheets."""
    last_notification: int = 0
    """Once recorded: the store's notification id of the last entry (for read-your-writes)."""


# ------------------------------------------------------------------ cell values


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool | date):
        raise invalid(name, "must be text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return unescape_formula(str(value))


def _number(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return value  # the API says what is wrong with it
        if not math.isfinite(number):
            return value
        return int(number) if number.is_integer() and "." not in text else number
    return value


def _integer(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_TRUE = frozenset({"TRUE", "YES", "Y"})
_FALSE = frozenset({"FALSE", "NO", "N"})


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().upper()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return value


def _instant(value: Any, zone: tzinfo) -> Any:
    if isinstance(value, datetime):  # a date-time cell: no offset, read in the zone
        return format_instant(value.replace(tzinfo=zone).astimezone(UTC))
    if isinstance(value, date):  # a date-only cell: that bare date
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _items(value: Any, name: str) -> list[str]:
    if isinstance(value, bool | date):
        raise invalid(name, "must be partner references separated by ';'")
    text = _text(value, name)
    return [item.strip() for item in text.split(";") if item.strip()]


def _shares(value: Any, name: str) -> list[dict[str, Any]]:
    shares: list[dict[str, Any]] = []
    for index, item in enumerate(_items(value, name)):
        partner, equals, share = item.partition("=")
        if not equals:
            raise invalid(f"{name}.{index}", f"must be written partnerId=share (got '{item}')")
        shares.append({"partnerId": partner.strip(), "share": _number(share)})
    return shares


def input_value(spec_shape: Shape, value: Any, name: str, zone: tzinfo) -> Any:
    """A cell's value as the mutation's input takes it (None: left blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = spec_shape.kind
    if kind in ("text", "id"):
        return _text(value, name)
    if kind == "enum":
        return _text(value, name).strip().upper()
    if kind == "integer":
        return _integer(value)
    if kind == "number":
        return _number(value)
    if kind == "boolean":
        return _boolean(value)
    if kind == "instant":
        return _instant(value, zone)
    if kind == "ids":
        return _items(value, name)
    if kind == "shares":
        return _shares(value, name)
    return value  # pragma: no cover - every shape is handled above


def row_input(row: Row, zone: tzinfo) -> dict[str, Any]:
    """The row's input, in the API's names (raises DomainError naming the field)."""
    raw: dict[str, Any] = {}
    occurred = row.cells.get(OCCURRED_AT)
    value = _instant(occurred.value, zone) if occurred is not None else None
    if value is None or value == "":
        raise invalid(OCCURRED_AT, "is required in a workbook: when the entry happened")
    raw[OCCURRED_AT] = value
    spec: FieldSpec
    for spec in row.kind.fields:
        cell = row.cells.get(spec.name)
        if cell is None:
            continue
        given = input_value(spec.shape, cell.value, spec.name, zone)
        if given is not None:
            raw[spec.name] = given
    return raw


# ------------------------------------------------------------------- judging


def _refusal(row: Row, error: DomainError | Forbidden) -> Refusal:
    name = getattr(error, "field", None) or "-"
    root = name.split(".", 1)[0]
    cell = row.cells.get(root)
    letter = row.columns.get(root)
    place = cell.ref if cell else f"{letter}{row.number}" if letter else row.first
    return Refusal(row.sheet, place, name, error.code.value, error.message)


@dataclass
class _Judging:
    actor: str
    first: datetime
    zone: tzinfo
    sealer: Sealer | None
    stored_event: Callable[[int], PartnershipEvent] | None
    enforce_access: bool = True
    directory: OidcDirectory | None = None
    refusals: list[Refusal] = field(default_factory=list)
    recorded: list[PartnershipEvent] = field(default_factory=list)
    base: int = 0
    """The partnership's version before the import."""

    def now(self) -> datetime:
        return self.first + len(self.recorded) * _MICROSECOND

    def refuse(self, refusal: Refusal) -> None:
        self.refusals.append(refusal)
        if len(self.refusals) >= REFUSAL_LIMIT:
            raise WorkbookRefused(self.refusals)

    def target(self, partnership: Partnership, event_id: str) -> PartnershipEvent | None:
        position = position_of_event(partnership.id, event_id)
        if position is None or position > partnership.version:
            return None
        if position > self.base:
            return self.recorded[position - self.base - 1]
        return self.stored_event(position) if self.stored_event else None


def judge_rows(
    rows: Sequence[Row],
    *,
    partnership: Partnership | None,
    actor: str,
    first: datetime,
    zone: tzinfo,
    sealer: Sealer | None = None,
    stored_event: Callable[[int], PartnershipEvent] | None = None,
    form_sheet: str = PARTNERSHIP_FORMED.mutation,
    enforce_access: bool = True,
    emit: Callable[[list[PartnershipEvent]], None] | None = None,
    directory: OidcDirectory | None = None,
) -> Judged:
    """Judge every row: the partnership (`partnership`, as stored, or a new one formed
    by the workbook's one partnership row) with the rows' entries recorded on it,
    pending; raises WorkbookRefused with every refusal found. Row i is recorded at
    `first` + i microseconds; `stored_event(position)` reads an event a retraction
    names; `form_sheet` is the sheet that forms a partnership (where its absence is
    pointed at); `emit` is given the recorded events every `EMIT_EVERY` as judging goes
    on (the rest stay pending on the partnership). A role's grantee is read as the API
    reads it (`oidc_actors.with_grantee`, with `directory`)."""
    judging = _Judging(actor, first, zone, sealer, stored_event, enforce_access, directory)
    forming = [row for row in rows if not row.kind.in_partnership]
    entries = [row for row in rows if row.kind.in_partnership]
    summaries: dict[str, SheetSummary] = {}
    if partnership is None:
        partnership = _form(forming, judging, summaries, form_sheet)
    else:
        for row in forming:
            judging.refuse(
                Refusal(
                    row.sheet,
                    row.first,
                    "-",
                    ErrorCode.VALIDATION.value,
                    "the entries go into an existing partnership: leave this sheet empty",
                )
            )
        judging.base = partnership.version
    ordered: list[tuple[int, int, int, Row, dict[str, Any]]] = []
    for row in entries:
        try:
            raw = row_input(row, zone)
            at = raw[OCCURRED_AT] = instant.check(raw[OCCURRED_AT], OCCURRED_AT)
        except DomainError as error:
            judging.refuse(_refusal(row, error))
            continue
        ordered.append((to_micros(at), row.sheet_index, row.number, row, raw))
    ordered.sort(key=lambda item: item[:3])
    if partnership is None:
        raise WorkbookRefused(judging.refusals)
    for _, _, _, row, raw in ordered:
        _record(partnership, row, raw, judging, summaries)
        if emit is not None and len(partnership.pending_events) >= EMIT_EVERY:
            emit(partnership.collect_events())
    if judging.refusals:
        raise WorkbookRefused(judging.refusals)
    order = {row.sheet: (row.sheet_index, row.sheet) for row in rows}
    in_sheet_order = sorted(summaries, key=lambda sheet: order.get(sheet, (0, sheet)))
    return Judged(partnership, {sheet: summaries[sheet] for sheet in in_sheet_order})


def _form(
    forming: list[Row], judging: _Judging, summaries: dict[str, SheetSummary], form_sheet: str
) -> Partnership | None:
    if len(forming) != 1:
        message = (
            "a new partnership is formed by exactly one row of this sheet "
            "(or give --partnership ID to add to an existing one)"
        )
        sheet, cell = (forming[1].sheet, forming[1].first) if forming else (form_sheet, "A2")
        judging.refuse(Refusal(sheet, cell, "-", ErrorCode.VALIDATION.value, message))
        return None
    row = forming[0]
    try:
        raw = row_input(row, judging.zone)
        command = read_command(row.kind.mutation, raw)
        partnership = Partnership.form(
            command,
            partnership_id=uuid.uuid4(),
            now=judging.now(),
            actor=judging.actor,
            fingerprint=fingerprint(row.kind.mutation, raw),
            sealer=judging.sealer,
        )
    except DomainError as error:
        judging.refuse(_refusal(row, error))
        return None
    event = partnership.pending_events[-1]
    assert isinstance(event, PartnershipEvent)
    judging.recorded.append(event)
    summaries.setdefault(row.sheet, SheetSummary(row.sheet)).add(event.occurred_at)
    return partnership


def _record(
    partnership: Partnership,
    row: Row,
    raw: dict[str, Any],
    judging: _Judging,
    summaries: dict[str, SheetSummary],
) -> None:
    kind = row.kind
    try:
        if judging.enforce_access:  # as the service checks access
            role = partnership.role_of(judging.actor)
            if role is None:
                raise not_found("partnershipId", UNKNOWN_PARTNERSHIP)
            if not role.allows(kind.needs):
                raise Forbidden(
                    f"your role {role.value} does not allow this (it needs {kind.needs.value})"
                )
        raw["partnershipId"] = id_text(partnership.id)
        raw = with_grantee(kind.mutation, raw, judging.directory)
        command = read_command(kind.mutation, raw)
        target = None
        if kind.mutation == "retractEntry":
            target = judging.target(partnership, command.fields["eventId"])
        event = partnership.record(
            command,
            now=judging.now(),
            actor=judging.actor,
            fingerprint=None,
            target=target,
            sealer=judging.sealer,
        )
    except (DomainError, Forbidden) as error:
        judging.refuse(_refusal(row, error))
        return
    judging.recorded.append(event)
    summaries.setdefault(row.sheet, SheetSummary(row.sheet)).add(event.occurred_at)


__all__ = [
    "REFUSAL_LIMIT",
    "Cell",
    "Judged",
    "Refusal",
    "Row",
    "SheetSummary",
    "WorkbookRefused",
    "import_rows",
    "input_value",
    "judge_rows",
    "row_input",
]


# ------------------------------------------------------------------- recording


def import_rows(
    app: AccordApplication,
    rows: list[Row],
    *,
    partnership_id: uuid.UUID | None,
    actor: str,
    zone: tzinfo,
    dry_run: bool = False,
    form_sheet: str = PARTNERSHIP_FORMED.mutation,
    enforce_access: bool = True,
) -> tuple[uuid.UUID, Judged]:
    """Judge every row, and record them all or none (nothing on a dry run): a new
    partnership, or entries added to `partnership_id`, which the actor must have a role
    in (raises DomainError NOT_FOUND otherwise, as the API does). Raises WorkbookRefused
    with every refusal found, or VersionConflict when someone recorded in the meantime;
    then nothing is recorded. With `enforce_access` false (the local, unauthenticated
    mode) no role is checked, as the API does then. The partnership's id and what was
    judged."""
    stored: Partnership | None = None
    if partnership_id is not None:
        current = app.partnership(partnership_id)  # raises NOT_FOUND
        if enforce_access and current.role_of(actor) is None:
            raise not_found("partnershipId", UNKNOWN_PARTNERSHIP)
        # A copy of its own, rebuilt from the store: the service's cached aggregate
        # is never judged on outside the service's lock.
        copy: Any = app.repository.get(partnership_id, version=current.version)
        assert isinstance(copy, Partnership)
        stored = copy

    def stored_event(position: int) -> PartnershipEvent:
        assert partnership_id is not None
        return next(app.stored_events(partnership_id, after=position - 1))

    def judge(first: datetime, emit: Callable[[list[PartnershipEvent]], None] | None) -> Judged:
        if stored is not None:
            first = max(first, stored.modified_on + _MICROSECOND)
        return judge_rows(
            rows,
            partnership=stored,
            actor=actor,
            first=first,
            zone=zone,
            sealer=app.sealer,
            stored_event=stored_event,
            form_sheet=form_sheet,
            enforce_access=enforce_access,
            emit=emit,
            directory=app.directory,
        )

    if dry_run:
        judged = judge(datetime.now(UTC), None)
        return judged.partnership.id, judged
    before = stored.version if stored is not None else 0
    outcome: list[Judged] = []

    def judged_partnership(
        first: datetime, emit: Callable[[list[PartnershipEvent]], None]
    ) -> Partnership:
        outcome.append(judge(first, emit))
        return outcome[0].partnership

    # The service's import writer saves the entries as they are judged (on SQLite a
    # large import is inserted by a second process meanwhile; on PostgreSQL in chunks),
    # committed with the whole history's snapshot, or rolled back.
    try:
        partnership, last = app.record_judged(len(rows), judged_partnership)
    except IntegrityError:
        latest = app.partnership(partnership_id).version if partnership_id else 0
        raise VersionConflict(before, latest) from None
    judged = outcome[0]
    judged.last_notification = last
    return partnership.id, judged
