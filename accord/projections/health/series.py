"""Sample instants of a health series (METRICS.md, Series)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved on by calendar months, keeping its day of month (clamped to the
    last day of a shorter month) and its time of day."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _nth_sample(start: datetime, interval: Interval, index: int) -> datetime:
    if interval is Interval.DAY:
        return start + timedelta(days=index)
    if interval is Interval.WEEK:
        return start + timedelta(days=7 * index)
    if interval is Interval.MONTH:
        return add_months(start, index)
    return add_months(start, 3 * index)


def sample_instants(start: datetime, end: datetime, interval: Interval | str) -> list[datetime]:
    """Samples `i = 0, 1, ...` from `start` while `<= end`: every day, week, month or
    quarter; each month-based sample keeps `start`'s day of month (clamped) and time."""
    step = Interval(interval)

    def samples() -> Iterator[datetime]:
        index = 0
        while (moment := _nth_sample(start, step, index)) <= end:
            yield moment
            index += 1

    return list(samples())
