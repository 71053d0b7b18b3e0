"""The API's own scalars: `DateTime` (instants, or bare dates) and `JSON`.

A `DateTime` input is an ISO-8601 date-time with an offset, or a bare date. Which
instant a bare date stands for depends on the argument (API.md, Conventions): the start
of the day for `occurredAt`, `dueAt` and `from`, its last microsecond for `asOf`,
`knownAt` and `to`. The scalar parses a bare date to a `BareDate` (a datetime at the
start of the day that remembers it was a date); resolvers then call `start_of` or
`end_of`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from accord.domain.instants import InstantError, format_instant, parse_instant

_LAST_MICROSECOND = timedelta(days=1, microseconds=-1)
MAX_DATE_TIME_CHARS = 64
"""Longer than any instant (`2025-03-31T09:30:00.000000+00:00` is 32): refused unread."""


class BareDate(datetime):
    """A `DateTime` input given as a bare date: midnight UTC at the start of that day."""


def parse_date_time(value: object) -> datetime:
    """Read a `DateTime` input value; raises ValueError (a GraphQL input error)."""
    if not isinstance(value, str):
        msg = "DateTime must be a string: an ISO-8601 date-time with an offset, or a date"
        raise ValueError(msg)
    if len(value) > MAX_DATE_TIME_CHARS:
        msg = f"DateTime must be at most {MAX_DATE_TIME_CHARS} characters (got {len(value):,})"
        raise ValueError(msg)
    try:
        moment = parse_instant(value)
    except InstantError as exc:
        raise ValueError(str(exc)) from None
    if len(value.strip()) == len("2025-03-31"):
        return BareDate(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment


def serialize_date_time(value: object) -> str:
    if not isinstance(value, datetime):
        msg = f"DateTime cannot represent {value!r}"
        raise TypeError(msg)
    return format_instant(value)


def start_of(value: datetime) -> datetime:
    """The instant an input stands for where a date means the start of its day."""
    return value.astimezone(UTC)


def end_of(value: datetime) -> datetime:
    """The instant an input stands for where a date means the end of its day."""
    if isinstance(value, BareDate):
        return datetime(value.year, value.month, value.day, tzinfo=UTC) + _LAST_MICROSECOND
    return value.astimezone(UTC)


def input_text(value: datetime) -> str:
    """How a `DateTime` input is handed to the domain: a date stays a date."""
    if isinstance(value, BareDate):
        return value.date().isoformat()
    return value.astimezone(UTC).isoformat()


DATE_TIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=(
        "An instant. Output: ISO-8601 in UTC with `+00:00` (`2025-03-31T09:30:00+00:00`), "
        "fractional seconds only when not zero. Input: an ISO-8601 date-time with an offset, "
        "or a bare date (`2025-03-31`); a date-time without an offset is refused. A bare date "
        "means the start of that day for `occurredAt`, `dueAt` and `from`, and the end of that "
        "day (its last microsecond) for `asOf`, `knownAt` and `to`."
    ),
    serialize=serialize_date_time,
    parse_value=parse_date_time,
)


def _identity(value: Any) -> Any:
    return value


JSON_SCALAR: ScalarDefinition = strawberry.scalar(
    name="JSON",
    description="Any JSON value: an object, a list, a string, a number, a boolean or null.",
    specified_by_url="https://ecma-international.org/publications-and-standards/standards/ecma-404/",
    serialize=_identity,
    parse_value=_identity,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DATE_TIME, JSON: JSON_SCALAR}

__all__ = [
    "JSON",
    "SCALARS",
    "BareDate",
    "end_of",
    "input_text",
    "parse_date_time",
    "serialize_date_time",
    "start_of",
]
