"""A faster encoding of events' (and snapshots') stored state, for the event store's mapper.

eventsourcing's JSON transcoder walks each event in Python (a hook call per instant)
and builds an encoder per call; saving a history spends more time there than in the
database. This writes the same JSON document with orjson, in eventsourcing's own form
for instants (`{"_type_": "datetime_iso", "_data_": ...}`), so the stock mapper reads
it back unchanged. Anything it is not sure of is left to the transcoder. A snapshot (the
one an import takes of a whole history, say) is written the same way, its aggregate's
state one level down.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME  # a nested instant is refused, not guessed


def _refuse(value: Any) -> Any:
    raise TypeError


def encode_event_state(state: dict[str, Any]) -> bytes | None:
    """The state's JSON as the transcoder would decode it; None to use the transcoder."""
    plain = _instants_written(state)
    return None if plain is None else _dumps(plain)


def encode_snapshot_state(state: dict[str, Any]) -> bytes | None:
    """A snapshot's JSON as the transcoder would decode it (the aggregate's own state, its
    `state`, written as an event's is); None to use the transcoder."""
    aggregate = state.get("state")
    plain = _instants_written(state)
    if type(aggregate) is not dict or plain is None:
        return None
    plain["state"] = _instants_written(aggregate)
    return None if plain["state"] is None else _dumps(plain)


def _instants_written(state: dict[str, Any]) -> dict[str, Any] | None:
    """The state with its instants in the transcoder's form; None if it holds an id or an
    instant not in UTC (the transcoder writes those its own way)."""
    plain: dict[str, Any] = {}
    written: dict[int, dict[str, str]] = {}  # an event's timestamp is its recordedAt
    for name, value in state.items():
        kind = type(value)
        if kind is datetime:
            if value.tzinfo is not UTC:
                return None
            instant = written.get(id(value))
            if instant is None:
                # orjson writes a UTC instant as isoformat() does, in less time.
                text = orjson.dumps(value)[1:-1].decode()
                instant = written[id(value)] = {"_type_": "datetime_iso", "_data_": text}
            value = instant
        elif kind is uuid.UUID:
            return None  # the transcoder writes ids its own way
        plain[name] = value
    return plain


def _dumps(plain: dict[str, Any]) -> bytes | None:
    try:
        return orjson.dumps(plain, default=_refuse, option=_OPTIONS)
    except TypeError:  # lone surrogates, integers past 64 bits, anything unexpected
        return None
