"""Argument types shared by several fields, with their descriptions, and how to read them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from accord.graphql.connections import check_first
from accord.graphql.context import AccordContext
from accord.graphql.errors import bad_argument
from accord.graphql.limits import MAX_WINDOW_DAYS
from accord.graphql.scalars import end_of, start_of

AsOf = Annotated[
    datetime | None,
    strawberry.argument(
        description="The moment described (default: now); a bare date means the end of that day."
    ),
]
KnownAt = Annotated[
    datetime | None,
    strawberry.argument(
        description=(
            "Take into account only what was recorded by this instant, and the retractions "
            "recorded by then (default: now); a bare date means the end of that day."
        )
    ),
]
From = Annotated[
    datetime | None,
    strawberry.argument(
        name="from",
        description=(
            "Only from this instant on (inclusive); a bare date means the start of that day."
        ),
    ),
]
To = Annotated[
    datetime | None,
    strawberry.argument(
        description="Only up to this instant (inclusive); a bare date means the end of that day."
    ),
]
TimelineAsOf = Annotated[
    datetime | None,
    strawberry.argument(
        name="asOf",
        description=(
            "Where a tenure still open (as known at `knownAt`) ends (default: now); a bare "
            "date means the end of that day. A client fetching a view window by window "
            "passes the same `asOf` to each, so the windows agree."
        ),
    ),
]
WindowDays = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "The trailing window, in days, for windowed figures: the interval (asOf - window, "
            f"asOf]. From 1 to {MAX_WINDOW_DAYS:,}."
        )
    ),
]
First = Annotated[
    int | None,
    strawberry.argument(description="How many items to return: at most 500."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (an `endCursor`)."),
]


def given(value: Any) -> Any:
    """None for an argument left out (UNSET) or given as null."""
    return None if value is strawberry.UNSET else value


def upper(context: AccordContext, value: datetime | None) -> datetime:
    """`asOf`, `knownAt`, `to`: a bare date is its end; left out is now."""
    value = given(value)
    return end_of(value) if value is not None else context.now()


def upper_or_none(value: datetime | None) -> datetime | None:
    value = given(value)
    return end_of(value) if value is not None else None


def lower_or_none(value: datetime | None) -> datetime | None:
    value = given(value)
    return start_of(value) if value is not None else None


def ordered_span(start: datetime | None, end: datetime | None) -> None:
    """Refuse `from` after `to` (each read as its field reads it: a bare date's start and
    end), as a `from` argument error."""
    if start is not None and end is not None and start > end:
        raise bad_argument(
            "from", f"must not be after `to` (from {start.isoformat()}, to {end.isoformat()})"
        )


def window(value: int | None) -> int:
    value = given(value)
    if value is None:
        return 365
    if not 1 <= value <= MAX_WINDOW_DAYS:
        raise bad_argument("windowDays", f"must be from 1 to {MAX_WINDOW_DAYS:,} (got {value})")
    return int(value)


def page_size(value: int | None, default: int) -> int:
    value = given(value)
    size = default if value is None else int(value)
    check_first(size)
    return size
