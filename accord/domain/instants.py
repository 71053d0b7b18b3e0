"""Instants as the API writes and reads them (API.md, Conventions).

Output: ISO-8601 in UTC with `+00:00`, fractional seconds only when not zero.
Input: an ISO-8601 date-time with an offset, or a bare date, which means the start of
that day for `occurredAt`, `dueAt` and `from`, and its last microsecond for `asOf`,
`knownAt` and `to`. A date-time without an offset is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAST_MICROSECOND = timedelta(days=1, microseconds=-1)


class InstantError(ValueError):
    """An instant that cannot be read: no offset, or not ISO-8601."""


def format_instant(moment: datetime) -> str:
    """`2025-03-31T09:30:00+00:00`; microseconds only when not zero."""
    utc = moment.astimezone(UTC)
    if utc.microsecond:
        return utc.isoformat(timespec="microseconds")
    return utc.isoformat(timespec="seconds")


def format_instant_for_hash(moment: datetime) -> str:
    """The fixed form the audit hash uses: `2025-03-31T09:30:00.000000+00:00`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_instant(text: str, *, end_of_day: bool = False, zone: tzinfo | None = None) -> datetime:
    """Read an input instant; a bare date is the start (or, with `end_of_day`, the end)
    of that day in UTC, or in `zone` when one is given (the whole local day, whatever
    its length). Raises InstantError for anything else without an offset."""
    text = text.strip()
    if len(text) > 10:  # the usual input: a date-time in UTC, read as below in one step
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is UTC:
                return moment
    if _BARE_DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise InstantError(f"'{text}' is not a valid date") from exc
        if zone is not None:
            return _zoned_day(day, zone, end_of_day=end_of_day)
        start = datetime.combine(day, time(0, 0), tzinfo=UTC)
        return start + _LAST_MICROSECOND if end_of_day else start
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InstantError(
            f"'{text}' is not an ISO-8601 date-time with an offset or a bare date"
        ) from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InstantError(f"'{text}' has no offset: give one (e.g. +00:00) or a bare date")
    return moment.astimezone(UTC)


def _zoned_day(day: date, zone: tzinfo, *, end_of_day: bool) -> datetime:
    """The first (or last) microsecond of `day` in `zone`, in UTC."""
    local = datetime.combine(day, time.max if end_of_day else time(0, 0), tzinfo=zone)
    try:
        return local.astimezone(UTC)
    except OverflowError as exc:
        raise InstantError(f"'{day.isoformat()}' is out of range") from exc


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch: a compact, sortable, JSON-friendly instant."""
    delta = moment - _EPOCH  # aware datetimes subtract in UTC, whatever their offsets
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The inverse of `to_micros`."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
