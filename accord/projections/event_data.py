"""Typed reads of an event's `data` (API input names, camelCase, defaults filled).

The data comes from JSON, so every value is checked on the way in; a missing
optional field reads as None (or an empty list), as the index promises.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from accord.domain.instants import parse_instant

Data = Mapping[str, Any]


class EventDataError(ValueError):
    """An event's data lacks a field the read functions need, or has the wrong type."""


def text(data: Data, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise EventDataError(f"'{key}' should be a string, not {value!r}")
    return value


def optional_text(data: Data, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventDataError(f"'{key}' should be a string or null, not {value!r}")
    return value


def is_blank(value: str | None) -> bool:
    return value is None or not value.strip()


def number(data: Data, key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EventDataError(f"'{key}' should be a number, not {value!r}")
    return float(value)


def integer(data: Data, key: str, default: int | None = None) -> int:
    value = data.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise EventDataError(f"'{key}' should be an integer, not {value!r}")
    return int(value)


def flag(data: Data, key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise EventDataError(f"'{key}' should be true or false, not {value!r}")
    return value


def id_list(data: Data, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EventDataError(f"'{key}' should be a list of ids, not {value!r}")
    return list(value)


def objects(data: Data, key: str) -> list[Data]:
    """A list of objects (`[{partnerId, count}]`); missing reads as an empty list."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise EventDataError(f"'{key}' should be a list of objects, not {value!r}")
    return list(value)


def instant(data: Data, key: str) -> datetime:
    """An instant written in the data (`dueAt`); a bare date is the start of its day."""
    return parse_instant(text(data, key))


def shares(data: Data, key: str = "shares") -> dict[str, float]:
    """`[{partnerId, share}]` as partner id -> share (a repeated partner adds up)."""
    value = data.get(key)
    if not isinstance(value, list):
        raise EventDataError(f"'{key}' should be a list, not {value!r}")
    result: dict[str, float] = {}
    for item in value:
        if not isinstance(item, Mapping):
            raise EventDataError(f"'{key}' entries should be objects, not {item!r}")
        partner = text(item, "partnerId")
        result[partner] = result.get(partner, 0.0) + number(item, "share")
    return result
