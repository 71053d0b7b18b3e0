"""The audit hash chain (API.md, Audit): each event's hash covers its predecessor's."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import orjson
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
    body: dict[str, Any] = {
        "data": data,
        "occurredAt": _instant_for_hash(occurred_at),
        "partnershipId": partnership_id,
        "position": position,
        "previousHash": previous_hash,
        "recordedAt": _instant_for_hash(recorded_at),
        "recordedBy": recorded_by,
        "type": event_type,
    }
    if (
        type(partnership_id) is str
        and type(recorded_by) is str
        and type(event_type) is str
        and (previous_hash is None or type(previous_hash) is str)
        and type(position) is int
        and -_SAFE_INTEGER < position < _SAFE_INTEGER
    ):  # the usual event: only its data needs a look
        try:
            plain = _plain(data)
            text = orjson.dumps(
                body if plain is data else {**body, "data": plain},
                default=_refuse,
                option=_ORJSON_OPTIONS,
            )
        except (_NotPlain, orjson.JSONEncodeError):
            text = bytes(rfc8785.dumps(body))
    else:
        text = canonical_json(body)
    return hashlib.sha256(text).hexdigest()


def _instant_for_hash(moment: datetime) -> str:
    """`format_instant_for_hash`, sooner for the usual UTC instant: orjson writes it as
    isoformat() does (microseconds only when not zero), in half the time."""
    if moment.tzinfo is UTC:
        text = orjson.dumps(moment).decode()
        return text[1:-1] if moment.microsecond else f"{text[1:20]}.000000{text[20:-1]}"
    return format_instant_for_hash(moment)


_SAFE_INTEGER = 2**53
# Where Python's shortest float repr, orjson's and ECMAScript's Number-to-string agree:
# all write the same shortest digits, in plain decimal notation.
_DECIMAL_FLOATS = (1e-4, 1e16)
# Sorted keys; an instant, a dataclass or a subclass of a JSON type goes to `default`,
# which refuses it (orjson would write those its own way; JCS does not know them).
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


class _NotPlain(Exception):
    """The fast path cannot write this value exactly as JCS does."""


def _refuse(value: Any) -> Any:
    raise _NotPlain


def _plain(value: Any) -> Any:
    """`value` with integral floats as ints (the same object if it has none); raises
    _NotPlain for what orjson would not write as JCS does: a number outside the ranges
    where they agree, a non-ASCII key (orjson sorts by code point, JCS by UTF-16 unit),
    or a type JSON does not have. Strings need no look: orjson writes them as JCS does
    and refuses lone surrogates itself."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is dict:
        for key in value:
            if type(key) is not str or not key.isascii():
                raise _NotPlain
        slots: Any = value.items()
    elif kind is list or kind is tuple:
        slots = enumerate(value)
    else:
        return _plain_number(value)
    changed: Any = None
    for slot, item in slots:
        of = type(item)
        if of is str or item is None or of is bool:
            continue
        if of is int:  # checked here: most numbers are small integers
            if -_SAFE_INTEGER < item < _SAFE_INTEGER:
                continue
            raise _NotPlain
        plain = _plain(item)
        if plain is not item:
            if changed is None:
                changed = dict(value) if kind is dict else list(value)
            changed[slot] = plain
    return value if changed is None else changed


def _plain_number(value: Any) -> Any:
    """A number as JCS writes it (an integral float as an int); raises _NotPlain for
    anything else, or a number outside the ranges where orjson and JCS agree."""
    kind = type(value)
    if kind is int:
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is float:
        if value.is_integer():  # JCS writes one past 2**53 in its own digits
            if abs(value) < _SAFE_INTEGER:
                return int(value)
        elif _DECIMAL_FLOATS[0] <= abs(value) < _DECIMAL_FLOATS[1]:
            return value
        raise _NotPlain
    raise _NotPlain


def canonical_json(body: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS) canonical JSON.

    orjson's sorted, compact output is exactly JCS for ASCII keys, strings without lone
    surrogates, integers (integral floats written as integers, as JCS writes them) and
    floats from 1e-4 to 1e16 (where its shortest digits and ECMAScript's agree;
    tests/unit/test_canonical_json.py checks it against the `rfc8785` package); anything
    else goes through the `rfc8785` package.
    """
    try:
        return orjson.dumps(_plain(body), default=_refuse, option=_ORJSON_OPTIONS)
    except (_NotPlain, orjson.JSONEncodeError):
        return bytes(rfc8785.dumps(body))
