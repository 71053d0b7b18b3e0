"""Relay connections: opaque cursors, `first` (at most 500) and `after`."""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

import strawberry

from accord.graphql.errors import bad_argument
from accord.graphql.limits import MAX_PAGE
from accord.graphql.types import Decision, Event

HistoryKey = tuple[int, int]
"""(occurredAt in microseconds, position): the order of `history` and `decisions`."""


@strawberry.type(description="Where a page of a list stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item: pass it as `after` for the next page."
    )


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    text = json.dumps([kind, *key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> list[Any]:
    """The key a cursor of this list holds; a top-level error for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or not value or value[0] != kind:
        raise bad_argument("after", "not a cursor of this list")
    return value[1:]


def check_first(first: int) -> None:
    if first < 0:
        raise bad_argument("first", "must not be negative")
    if first > MAX_PAGE:
        raise bad_argument("first", f"at most {MAX_PAGE} items per page (got {first})")


def history_after(kind: str, after: str | None) -> HistoryKey | None:
    if after is None:
        return None
    key = decode_cursor(kind, after)
    if len(key) != 2 or not all(isinstance(part, int) for part in key):
        raise bad_argument("after", "not a cursor of this list")
    return (key[0], key[1])


def page_bounds(keys: Sequence[HistoryKey], after: HistoryKey | None, first: int) -> range:
    """Indexes of the page: the `first` items after the cursor's key."""
    start = bisect_right(keys, after) if after is not None else 0
    return range(start, min(start + first, len(keys)))


def page_info(kind: str, keys: Sequence[HistoryKey], bounds: range, after: object) -> PageInfo:
    return PageInfo(
        has_next_page=bounds.stop < len(keys),
        has_previous_page=after is not None and bounds.start > 0,
        start_cursor=encode_cursor(kind, keys[bounds.start]) if bounds else None,
        end_cursor=encode_cursor(kind, keys[bounds.stop - 1]) if bounds else None,
    )


@strawberry.type(description="A decision and its cursor.")
class DecisionEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list what follows.")
    node: Decision = strawberry.field(description="The decision.")


@strawberry.type(description="A page of decisions, by `occurredAt` then position.")
class DecisionConnection:
    edges: list[DecisionEdge] = strawberry.field(description="The decisions on this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    total_count: int = strawberry.field(description="How many decisions match, on all pages.")


@strawberry.type(description="An event and its cursor.")
class EventEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list what follows.")
    node: Event = strawberry.field(description="The event.")


@strawberry.type(description="A page of events, by `occurredAt` then position.")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The events on this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    total_count: int = strawberry.field(description="How many events match, on all pages.")
