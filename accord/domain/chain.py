"""The audit hash chain (API.md, Audit): each event's hash covers its predecessor's."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import rfc8785

from accord.domain.instants import format_instant_for_hash

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
    occurred = _instant_for_hash(occurred_at)
    recorded = _instant_for_hash(recorded_at)
    try:
        # The body's keys in JCS order, written around the data's canonical JSON.
        text = "".join(
            (
                '{"data":',
                _ENCODE(_plain(data)),
                ',"occurredAt":"',
                occurred,
                '","partnershipId":',
                _string(partnership_id),
                ',"position":',
                _integer(position),
                ',"previousHash":',
                "null" if previous_hash is None else _string(previous_hash),
                ',"recordedAt":"',
                recorded,
                '","recordedBy":',
                _string(recorded_by),
                ',"type":',
                _string(event_type),
                "}",
            )
        )
        body = text.encode("utf-8")
    except _NotPlain:
        body = bytes(
            rfc8785.dumps(
                {
                    "previousHash": previous_hash,
                    "partnershipId": partnership_id,
                    "position": position,
                    "type": event_type,
                    "occurredAt": occurred,
                    "recordedAt": recorded,
                    "recordedBy": recorded_by,
                    "data": data,
                }
            )
        )
    return hashlib.sha256(body).hexdigest()


def _instant_for_hash(moment: datetime) -> str:
    """`format_instant_for_hash`, sooner for the usual UTC instant."""
    if moment.tzinfo is UTC:
        text = moment.isoformat()  # without timespec: faster (docs/PERFORMANCE.md)
        return text if moment.microsecond else f"{text[:19]}.000000{text[19:]}"
    return format_instant_for_hash(moment)


_SAFE_INTEGER = 2**53
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Where Python's shortest float repr and ECMAScript's Number-to-string agree: both write
# the same shortest digits, in plain decimal notation.
_DECIMAL_FLOATS = (1e-4, 1e16)


class _NotPlain(Exception):
    """The fast path cannot write this value exactly as JCS does."""


def _refuse(value: Any) -> Any:
    raise _NotPlain


def _sorted_compact_encoder() -> Callable[[Any], str]:
    """Sorted, compact, non-ASCII-escaping JSON, with one encoder built once (the
    standard library builds one per call)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return lambda value: json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_refuse
        )
    encode = make(None, _refuse, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(encode(value, 0))


_ENCODE = _sorted_compact_encoder()


_QUOTED = json.encoder.encode_basestring  # escapes only what JCS escapes


def _string(value: Any) -> str:
    """A JCS string; raises _NotPlain for anything else."""
    if type(value) is not str or (not value.isascii() and _LONE_SURROGATE.search(value)):
        raise _NotPlain
    return _QUOTED(value)


def _integer(value: Any) -> str:
    """A JCS integer; raises _NotPlain for anything else."""
    if type(value) is not int or not -_SAFE_INTEGER < value < _SAFE_INTEGER:
        raise _NotPlain
    return str(value)


def _fast_canonical(value: Any) -> str:
    """JCS text of `value`; raises _NotPlain where only the `rfc8785` package will do."""
    return _ENCODE(_plain(value))


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
        if _DECIMAL_FLOATS[0] <= abs(value) < _DECIMAL_FLOATS[1]:
            return value
        raise _NotPlain
    if kind is dict:
        plain = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise _NotPlain
            plain[key] = item if type(item) is str and item.isascii() else _plain(item)
        return plain
    if kind is list or kind is tuple:
        return [item if type(item) is str and item.isascii() else _plain(item) for item in value]
    raise _NotPlain


def canonical_json(body: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON.

    The standard library's sorted, compact, non-ASCII-escaping JSON is exactly JCS for
    ASCII keys, strings without lone surrogates, integers (integral floats written as
    integers, as JCS writes them) and floats from 1e-4 to 1e16 (where Python's shortest
    repr and ECMAScript's agree); anything else goes through the `rfc8785` package.
    """
    try:
        return _fast_canonical(body).encode("utf-8")
    except _NotPlain:
        return bytes(rfc8785.dumps(body))
