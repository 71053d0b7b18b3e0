"""The registers workbook: a sheet per kind of entry, its columns, and the template.

Nothing here is written per kind: each sheet comes from the catalogue of event kinds
(`accord.domain.catalogue`) and the page's wording of its form (`accord.web.forms`):
the sheet's name is the form's title (`Record a decision`), its columns are "When it
happened" and the form's fields, in order, headed by their labels, each header carrying
a comment with the field's help and the format its cells take (from the field's reader
shape), with drop-downs for enumerations and true/false. The importer
(`accord.web.workbook_files`) reads a sheet by that name or by its mutation's
(`recordDecision`), and a column by its label or its input field's name.

Row 2 of each sheet is an example; left as the template wrote it, it is not imported.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from accord.domain.catalogue import KINDS, Kind
from accord.domain.fields import FieldSpec, Refers, Shape
from accord.web.forms import COMMON, KINDS_WORDING, OPTIONS, SECTIONS, wording

OCCURRED_AT = "occurredAt"
INSTRUCTIONS = "Instructions"
EXAMPLE_ROW = 2
VALIDATION_ROWS = 10_000
"""Drop-downs cover this many rows below the header."""
_OCCURRED_HELP = (
    "When the entry happened: every row needs it. Entries are checked in this order, each "
    "against the record as it stood at that moment."
)
_SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
_OPTIONAL = " (optional)"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: an input field (or `occurredAt`), its header and help."""

    name: str
    label: str
    help: str
    spec: FieldSpec | None
    """None for `occurredAt`, which every row has."""

    @property
    def required(self) -> bool:
        return self.spec is None or self.spec.required

    @property
    def shape(self) -> Shape:
        return self.spec.shape if self.spec is not None else Shape("instant")

    @property
    def format(self) -> str:
        """What a cell of this column holds, in plain words."""
        return _format(self)

    @property
    def comment(self) -> str:
        """The header's comment: meaning, format, whether it may be left blank."""
        need = "Required." if self.required else "Optional: leave it blank if it does not apply."
        return f"{self.help}\n\n{self.format}\n\n{need}\n(Input field: {self.name})"


@dataclass(frozen=True)
class Sheet:
    """The sheet for one kind of entry."""

    kind: Kind
    title: str
    help: str
    columns: tuple[Column, ...]

    def column(self, header: str) -> Column | None:
        """The column a header names: its label (with or without "(optional)") or its
        input field's name, case-insensitive, surrounding spaces ignored."""
        return self._by_header().get(_key(header))

    def _by_header(self) -> dict[str, Column]:
        names: dict[str, Column] = {}
        for column in self.columns:
            names[_key(column.name)] = column
            names[_key(column.label)] = column
            names[_key(column.label.removesuffix(_OPTIONAL))] = column
        return names


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sheet(kind: Kind) -> Sheet:
    title, help_ = KINDS_WORDING[kind.mutation]
    if len(title) > 31 or _SHEET_NAME_FORBIDDEN & set(title) or title.startswith("'"):
        msg = f"{kind.mutation}: '{title}' cannot name a worksheet"
        raise ValueError(msg)
    label = COMMON[OCCURRED_AT][0]  # the page's help speaks of a form's "now"
    columns = [Column(OCCURRED_AT, label, _OCCURRED_HELP, None)]
    for spec in kind.fields:
        field_label, field_help = wording(kind, spec)
        columns.append(Column(spec.name, field_label, field_help, spec))
    headers = [_key(column.label) for column in columns]
    if len(set(headers)) != len(headers):
        msg = f"{kind.mutation}: two columns share a label"
        raise ValueError(msg)
    return Sheet(kind, title, help_, tuple(columns))


ENDS_FIRST: dict[str, str] = {"recordLeaderDeparture": "appointLeader"}
"""Entries at one moment are judged in sheet order: a kind placed before another so that
the common case reads right (a role's holder leaves, and a successor is appointed, the
same day)."""


def _in_order(kinds: tuple[Kind, ...]) -> list[Kind]:
    ordered = [kind for kind in kinds if kind.mutation not in ENDS_FIRST]
    for kind in kinds:
        if kind.mutation in ENDS_FIRST:
            before = next(
                i for i, k in enumerate(ordered) if k.mutation == ENDS_FIRST[kind.mutation]
            )
            ordered.insert(before, kind)
    return ordered


SHEETS: tuple[Sheet, ...] = tuple(_sheet(kind) for kind in _in_order(KINDS))
"""A sheet per kind, in the catalogue's order but for `ENDS_FIRST` (the order in which
entries at one moment are judged, unless the workbook's sheets are moved)."""

_BY_NAME: dict[str, Sheet] = {
    **{_key(sheet.kind.mutation): sheet for sheet in SHEETS},
    **{_key(sheet.title): sheet for sheet in SHEETS},
}


def sheet_named(name: str) -> Sheet | None:
    """The sheet a worksheet's name (or a CSV file's `--kind`) names: the template's
    name or the mutation's, case-insensitive."""
    return _BY_NAME.get(_key(name))


def is_instructions(name: str) -> bool:
    return _key(name) == _key(INSTRUCTIONS)


# ------------------------------------------------------------------- formats

_REFERS: dict[Refers, str] = {
    Refers.PARTNER: "A partner's reference, as the partner was added (e.g. city-council).",
    Refers.GOAL: "A goal's reference, as the goal was set (e.g. fewer-admissions).",
    Refers.COMMITMENT: "A commitment's reference, as it was made (e.g. council-funding-2025).",
    Refers.LEADERSHIP_ROLE: "The role's name, as written when someone was appointed to it.",
    Refers.EVENT: "The entry's id, as the history or `accord export` gives it.",
    Refers.ACTOR: "Their sign-in name.",
}

_INSTANT = (
    "A date (2025-03-31, the start of that day in UTC) or a date and time. A date-time "
    "cell carries no zone: it is read in the import's time zone (--timezone, by default "
    "Europe/London). As text, write ISO 8601 with an offset: 2025-03-31T09:30:00+01:00."
)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _format(column: Column) -> str:
    shape, spec = column.shape, column.spec
    refers = spec.refers if spec is not None else None
    kind = shape.kind
    if kind == "instant":
        return _INSTANT
    if kind == "shares":
        return (
            "Each partner's share, written partnerId=share and separated by ';' "
            "(e.g. city-council=0.6; eastfield-trust=0.4); the shares add up to 1."
        )
    if kind == "ids":
        return "Partner references separated by ';' (e.g. city-council; eastfield-trust)."
    if kind == "enum":
        return "One of (the drop-down offers them): " + "; ".join(
            f"{value} = {OPTIONS[value]}" for value in shape.values
        )
    if kind == "integer":
        low = _number(shape.low) if shape.low is not None else None
        if shape.high is not None:
            return f"A whole number from {low} to {_number(shape.high)}."
        return f"A whole number, at least {low}."
    if kind == "number":
        return "A number greater than 0."
    if kind == "boolean":
        return "TRUE or FALSE (the drop-down offers them)."
    if refers is not None:
        return _REFERS[refers]
    if kind == "id":
        return "A reference: 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'."
    return f"Text, up to {shape.max_length:,} characters."


# ------------------------------------------------------------------- examples

_EXAMPLE_REFERENCES: dict[Refers, str] = {
    Refers.PARTNER: "example-partner",
    Refers.GOAL: "example-goal",
    Refers.COMMITMENT: "example-commitment",
    Refers.LEADERSHIP_ROLE: "Example role",
    Refers.EVENT: "00000000-0000-8000-8000-000000000001",
    Refers.ACTOR: "example.person",
}


def example(column: Column) -> Any:
    """The example row's value in this column (what the importer recognises)."""
    shape, spec = column.shape, column.spec
    if spec is None:
        return "2025-04-01T09:30:00+01:00"
    kind = shape.kind
    if kind == "shares":
        return "example-partner=0.6; another-partner=0.4"
    if kind == "ids":
        return "example-partner; another-partner"
    if kind == "enum":
        return shape.values[0]
    if kind == "integer":
        return int(shape.low or 1)
    if kind == "number":
        return 100
    if kind == "boolean":
        return True
    if kind == "instant":
        return "2025-06-30"
    if spec.refers is not None:
        return _EXAMPLE_REFERENCES[spec.refers]
    if kind == "id":
        return f"example-{spec.name.removesuffix('Id')}"
    return f"Example: {column.label.removesuffix(_OPTIONAL).lower()}"


# ------------------------------------------------------------------- template

SAMPLE_REFUSAL = "'Record a decision'!G7: decidedBy.0: VALIDATION: the partner is not active then"
"""The refusal the instructions show: what `accord import` prints for row 7 of the
decisions sheet naming, in 'Decided by', a partner not active on that day (a test
imports such a row and compares)."""

_INSTRUCTIONS_TEXT = (
    "How to fill in this workbook",
    "",
    "Each sheet after this one is one kind of entry in the partnership's record; each row "
    "is one entry. Leave a sheet empty when you have nothing of its kind.",
    "Row 1 of a sheet is its headers: each header has a comment saying what the column "
    "holds and how to write it. Row 2 is an example: leave it as it is (it is not "
    "imported), or write over it.",
    "Every row needs 'When it happened'. Entries are checked in that order (entries at the "
    "same moment: in the order of the sheets, then of the rows), each exactly as the page "
    "and the API check them, before anything is recorded: if any is refused, nothing is "
    "recorded and every refusal is listed with its cell, e.g. " + SAMPLE_REFUSAL,
    "Entries at the same moment are checked in the order of the sheets (a leader leaving "
    "before an appointment, so a successor can be appointed the day the last holder left), "
    "then of the rows: move a sheet to change it.",
    "Lists of partners are separated by ';'. Risk shares are written partnerId=share; ... "
    "Text that begins with ' before =, +, - or @ loses the ' (a spreadsheet's escaping).",
    "To start a new partnership, fill in exactly one row of 'Start a partnership'. To add "
    "entries to an existing one, leave that sheet empty and import with --partnership ID.",
    "Import: accord import registers.xlsx [--partnership ID] [--dry-run] [--actor NAME] "
    "[--timezone ZONE] (a date-and-time cell carries no offset: it is read in ZONE, by "
    "default ACCORD_TIMEZONE or Europe/London; a date-only cell is that day, UTC)",
    "",
    "The sheets",
)


def write_template(out: io.BufferedIOBase | str) -> None:
    """Write the template workbook (`accord template`)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = INSTRUCTIONS
    for line in _INSTRUCTIONS_TEXT:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(["Sheet", "Input name", "What a row records", "Part of the record", "Needs"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        guide.append(
            [
                sheet.title,
                sheet.kind.mutation,
                sheet.help,
                SECTIONS[sheet.kind.about],
                sheet.kind.needs.value,
            ]
        )
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 24
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 30
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    example_font = Font(italic=True, color="808080")
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            head = ws.cell(row=1, column=index, value=column.label)
            head.font = header_font
            head.fill = header_fill
            comment = Comment(column.comment, "Accord")
            comment.width = 320
            comment.height = 220
            head.comment = comment
            cell = ws.cell(row=EXAMPLE_ROW, column=index)
            cell.value = example(column)
            cell.font = example_font
            ws.column_dimensions[letter].width = max(14, min(48, len(column.label) + 6))
            validation = _validation(column, DataValidation)
            if validation is not None:
                ws.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}{VALIDATION_ROWS + 1}")
        ws.freeze_panes = "A2"
    book.save(out)


def _validation(column: Column, make: Any) -> Any:
    shape = column.shape
    prompt = {"showErrorMessage": True, "errorTitle": column.label[:32]}
    if shape.kind == "enum":
        values = ",".join(shape.values)
        return make(
            type="list",
            formula1=f'"{values}"',
            allow_blank=not column.required,
            error="Choose one of the drop-down's values.",
            **prompt,
        )
    if shape.kind == "boolean":
        return make(
            type="list",
            formula1='"TRUE,FALSE"',
            allow_blank=not column.required,
            error="TRUE or FALSE.",
            **prompt,
        )
    if shape.kind == "integer" and shape.low is not None:
        high = int(shape.high) if shape.high is not None else 2_147_483_647
        return make(
            type="whole",
            operator="between",
            formula1=str(int(shape.low)),
            formula2=str(high),
            allow_blank=not column.required,
            error=column.format,
            **prompt,
        )
    return None


__all__ = [
    "EXAMPLE_ROW",
    "INSTRUCTIONS",
    "SAMPLE_REFUSAL",
    "SHEETS",
    "Column",
    "Sheet",
    "example",
    "is_instructions",
    "sheet_named",
    "write_template",
]
