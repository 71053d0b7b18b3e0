"""Input fields: how each mutation's input values are read and checked for shape.

Required fields, blanks, lengths, enums, ranges, id syntax and instants are checked here,
before any rule that needs the history; every problem names its input field with the
dotted path of API.md (`decidedBy.1`). The catalogue says which fields each kind takes.

Each reader carries the `Shape` it accepts (text and its limit, a number and its bounds,
an enum's values, ...) and each field says what it `Refers` to (a partner, a goal, ...),
so that whoever describes a field (the page's forms, `accord.web.forms`) reads both from
here instead of restating them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Literal

from accord.domain.errors import invalid
from accord.domain.instants import InstantError, parse_instant
from accord.domain.values import ID_PATTERN, LONG_TEXT_LIMIT, SHORT_TEXT_LIMIT

Check = Callable[[Any, str], Any]

ShapeKind = Literal[
    "text", "integer", "number", "boolean", "instant", "id", "ids", "enum", "shares", "items"
]


@dataclass(frozen=True)
class Shape:
    """What a reader accepts, for those who describe a field rather than read it."""

    kind: ShapeKind
    max_length: int | None = None
    """text: at most this many characters."""
    blank: bool = False
    """text: whether blank text is accepted."""
    low: float | None = None
    """integer, number: the least value accepted."""
    high: float | None = None
    """integer, number: the greatest value accepted."""
    low_excluded: bool = False
    """number: whether `low` itself is refused (greater than `low`)."""
    values: tuple[str, ...] = ()
    """enum: the values accepted, in the enum's order."""
    enum: type[Enum] | None = None
    """enum: the domain's enum."""
    non_empty: bool = False
    """ids, shares: whether at least one item is needed."""
    items: tuple[FieldSpec, ...] = ()
    """shares: the fields of one item."""


@dataclass(frozen=True)
class Reader:
    """A field's reader: `read(value, field)` checks and returns the value; `shape` says
    what it accepts."""

    check: Check
    shape: Shape

    def __call__(self, value: Any, field: str) -> Any:
        return self.check(value, field)


def shaped(shape: Shape) -> Callable[[Check], Reader]:
    """Make a check function a `Reader` of that shape."""

    def wrap(check: Check) -> Reader:
        return Reader(check, shape)

    return wrap


class Refers(StrEnum):
    """What an input field's value names: something already in the partnership's record
    (or, for ACTOR, someone with access to it)."""

    PARTNER = "PARTNER"
    """A partner's id (a list of them for a list field)."""
    GOAL = "GOAL"
    COMMITMENT = "COMMITMENT"
    LEADERSHIP_ROLE = "LEADERSHIP_ROLE"
    """A leadership role's name: an existing one, or a new one for an appointment."""
    EVENT = "EVENT"
    ACTOR = "ACTOR"
    """An actor's name, as their access token names them."""


def storable_text(value: str, field: str) -> str:
    """Text every store keeps as given: PostgreSQL's text and JSON refuse NUL, and a lone
    surrogate is not Unicode text at all (neither can be hashed or stored as UTF-8)."""
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters (U+0000)")
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, "must be Unicode text (it holds a lone surrogate)") from None
    return value


def _text(limit: int) -> Reader:
    @shaped(Shape("text", max_length=limit))
    def read(value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise invalid(field, "must be a string")
        if not value.strip():
            raise invalid(field, "must not be blank")
        if len(value) > limit:
            raise invalid(field, f"must be at most {limit:,} characters (got {len(value):,})")
        return storable_text(value, field)

    return read


def _optional_text(limit: int) -> Reader:
    @shaped(Shape("text", max_length=limit, blank=True))
    def read(value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise invalid(field, "must be a string")
        if len(value) > limit:
            raise invalid(field, f"must be at most {limit:,} characters (got {len(value):,})")
        return storable_text(value, field)

    return read


@shaped(Shape("id"))
def identifier(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if not ID_PATTERN.match(value):
        raise invalid(field, "must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'")
    return value


def one_of(kind: type[Enum]) -> Reader:
    names = [member.value for member in kind]

    @shaped(Shape("enum", values=tuple(names), enum=kind))
    def read(value: Any, field: str) -> str:
        raw = value.value if isinstance(value, Enum) else value
        if raw not in names:
            raise invalid(field, f"must be one of {', '.join(names)}")
        return str(raw)

    return read


def integer(low: int, high: int | None) -> Reader:
    @shaped(Shape("integer", low=low, high=high))
    def read(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(field, "must be a whole number")
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise invalid(field, f"must be {span} (got {value})")
        return value

    return read


@shaped(Shape("number", low=0, low_excluded=True))
def positive_number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(field, "must be a number")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise invalid(field, f"must be greater than 0 (got {value})")
    return number


@shaped(Shape("boolean"))
def boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, "must be true or false")
    return value


@shaped(Shape("instant"))
def instant(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise invalid(field, "a date-time needs an offset (e.g. +00:00) or give a bare date")
        return value
    if not isinstance(value, str):
        raise invalid(field, "must be an ISO-8601 date-time with an offset, or a bare date")
    try:
        return parse_instant(value)
    except InstantError as exc:
        raise invalid(field, str(exc)) from exc


def identifiers(non_empty: bool) -> Reader:
    @shaped(Shape("ids", non_empty=non_empty))
    def read(value: Any, field: str) -> list[str]:
        if not isinstance(value, list | tuple):
            raise invalid(field, "must be a list of partner ids")
        if non_empty and not value:
            raise invalid(field, "must name at least one partner")
        ids = list(value)
        for index, item in enumerate(ids):
            if not (isinstance(item, str) and ID_PATTERN.match(item)):
                identifier(item, f"{field}.{index}")  # raises, naming the item
        return ids

    return read


@shaped(Shape("number", low=0))
def share(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(field, "must be a number")
    if not math.isfinite(float(value)) or value < 0:
        raise invalid(field, f"must be 0 or more (got {value})")
    return float(value)


def _risk_shares(value: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple) or not value:
        raise invalid(field, "must list at least one partner's share")
    shares: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        path = f"{field}.{index}"
        if not isinstance(item, Mapping):
            raise invalid(path, "must be {partnerId, share}")
        if item.get("partnerId") is None:
            raise invalid(f"{path}.partnerId", "is required")
        if item.get("share") is None:
            raise invalid(f"{path}.share", "is required")
        partner = identifier(item["partnerId"], f"{path}.partnerId")
        shares.append({"partnerId": partner, "share": share(item["share"], f"{path}.share")})
    return shares


@dataclass(frozen=True)
class FieldSpec:
    """One input field: its API name, how to read it, its default when omitted, and what
    its value names (None: a value of its own, or an id the client chooses)."""

    name: str
    read: Reader
    required: bool = False
    default: Any = None
    refers: Refers | None = field(default=None, kw_only=True)

    @property
    def shape(self) -> Shape:
        return self.read.shape


SHORT = _text(SHORT_TEXT_LIMIT)
LONG = _text(LONG_TEXT_LIMIT)
OPTIONAL_LONG = _optional_text(LONG_TEXT_LIMIT)
SCORE = integer(1, 5)


def required(name: str, read: Reader, *, refers: Refers | None = None) -> FieldSpec:
    return FieldSpec(name, read, required=True, refers=refers)


def optional(
    name: str, read: Reader, default: Any = None, *, refers: Refers | None = None
) -> FieldSpec:
    return FieldSpec(name, read, default=default, refers=refers)


SHARE_ITEM = (required("partnerId", identifier, refers=Refers.PARTNER), required("share", share))
"""The fields of one item of `shares`."""
risk_shares = Reader(_risk_shares, Shape("shares", non_empty=True, items=SHARE_ITEM))


def items_of(*specs: FieldSpec, non_empty: bool = True) -> Reader:
    """A list of objects, each with the fields `specs` (all required); problems are named
    `field.index.name`."""

    def read(value: Any, field: str) -> list[dict[str, Any]]:
        if not isinstance(value, list | tuple):
            raise invalid(field, "must be a list")
        if non_empty and not value:
            raise invalid(field, "must have at least one item")
        items: list[dict[str, Any]] = []
        for index, item in enumerate(value):
            path = f"{field}.{index}"
            if not isinstance(item, Mapping):
                raise invalid(path, f"must be {{{', '.join(spec.name for spec in specs)}}}")
            unknown = [name for name in item if name not in {spec.name for spec in specs}]
            if unknown:
                raise invalid(f"{path}.{unknown[0]}", "is not a field of this item")
            read_item: dict[str, Any] = {}
            for spec in specs:
                if item.get(spec.name) is None:
                    raise invalid(f"{path}.{spec.name}", "is required")
                read_item[spec.name] = spec.read.check(item[spec.name], f"{path}.{spec.name}")
            items.append(read_item)
        return items

    return Reader(read, Shape("items", non_empty=non_empty, items=specs))


ROUND_INVITATION = (
    required("partnerId", identifier, refers=Refers.PARTNER),
    required("count", integer(1, 10_000)),
)
"""One partner's invitations in a check-in round: how many people are asked."""
ROUND_PARTNER = (
    required("partnerId", identifier, refers=Refers.PARTNER),
    required("invited", integer(1, 10_000)),
    required("answered", integer(0, 10_000)),
)
"""One partner's part of a closed check-in round."""
