"""The audit hash chain (API.md, Audit): each event's hash covers its predecessor's."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

import rfc8785

from .instants import format_instant_for_hash

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def event_type_name(class_name: str) -> str:
    """`DecisionRecorded` -> `DECISION_RECORDED`, as `Event.type` returns it."""
    return _CAMEL_BOUNDARY.sub("_", class_name).upper()


def chain_hash(
    *,
    previous_hash: str | None,
    partnership_id: str,
    position: int,
    event_type: str,
    occurred_at: datetime,
    recorded_at: datetime,
    recorded_by: str,
    data: dict[str, Any],
) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of the event's audited fields."""
    body = {
        "previousHash": previous_hash,
        "partnershipId": partnership_id,
        "position": position,
        "type": event_type,
        "occurredAt": format_instant_for_hash(occurred_at),
        "recordedAt": format_instant_for_hash(recorded_at),
        "recordedBy": recorded_by,
        "data": data,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


_SAFE_INTEGER = 2**53
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _NotPlain(Exception):
    """The fast path cannot write this value exactly as JCS does."""


def _plain(value: Any) -> Any:
    """`value` with integral floats as ints; raises _NotPlain when only JCS proper will do."""
    kind = type(value)
    if kind is str:
        if not value.isascii() and _LONE_SURROGATE.search(value):
            raise _NotPlain
        return value
    if value is None or kind is bool:
        return value
    if kind is int:
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is float:
        if value.is_integer() and abs(value) < _SAFE_INTEGER:
            return int(value)
        raise _NotPlain
    if kind is dict:
        for key in value:
            if type(key) is not str or not key.isascii():
                raise _NotPlain
        return {key: _plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _NotPlain


def canonical_json(body: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON.

    The standard library's sorted, compact, non-ASCII-escaping JSON is exactly JCS for
    ASCII keys, strings without lone surrogates, and integers (integral floats written
    as integers, as JCS writes them); anything else goes through the `rfc8785` package.
    """
    try:
        plain = _plain(body)
    except _NotPlain:
        return bytes(rfc8785.dumps(body))
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")
