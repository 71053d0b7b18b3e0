"""Instants as sortable integers (microseconds since the epoch) for windowed reads.

The read indexes keep every instant as an int so windows are plain `bisect` look-ups;
a day is exactly 86 400 s (METRICS.md), so "days" figures are `micros / DAY`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from accord.domain.instants import from_micros

DAY: Final = 86_400_000_000
"""One day in microseconds."""

FOREVER: Final = 2**62
"""An instant after every other: "never happens"."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)

__all__ = ["DAY", "FOREVER", "as_datetime", "days", "micros", "window_start"]


def micros(moment: datetime) -> int:
    """The instant (timezone-aware) as microseconds since the epoch; the same as
    `accord.domain.instants.to_micros`, in one step."""
    return (moment - _EPOCH) // _MICROSECOND


def as_datetime(instant: int) -> datetime:
    """The inverse of `micros`."""
    return from_micros(instant)


def days(span: int) -> float:
    """A span of microseconds in days, correctly rounded."""
    return span / DAY


def window_start(at: int, window_days: int) -> int:
    """The open start of the trailing window `(at - W, at]`."""
    return at - window_days * DAY
