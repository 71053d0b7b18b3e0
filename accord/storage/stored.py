"""What the views need from a stored event, read straight from its stored JSON.

Rebuilding the views reads every event in the store. Decoding each into a domain object
only to write it out again as an index row costs more than the read itself, so the
projector reads the stored state's JSON directly. Anything the fast reading does not
recognise (a cipher or compressor, an upcast, a value type other than an instant) is
decoded by the application's own mapper instead, to the same row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import resolve_topic

from accord.domain.instants import format_instant
from accord.domain.partnership import Partnership, PartnershipEvent
from accord.projections.records import indexed
from accord.storage.log import LogRecord
from accord.storage.views import data_json, row_of

_NESTED = (dict, list)
_UTC = "+00:00"


class Projected(NamedTuple):
    """One event as the views take it: its index row and, for the kinds that change the
    directory or access, the few values those changes need."""

    row: tuple[Any, ...]
    kind: type[PartnershipEvent]
    extra: tuple[Any, ...] = ()


class _NotPlain(Exception):
    """A stored value the fast reading leaves to the mapper."""


@dataclass(frozen=True, slots=True)
class _Kind:
    """How to read one event class's stored state."""

    event_class: type[PartnershipEvent]
    type_name: str
    keys: tuple[str, ...]  # the data fields' API names
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # the data fields' stored values
    encoded: tuple[int, ...]  # the data fields that may hold encoded values (instants)
    extras: Callable[[dict[str, Any]], tuple[Any, ...]]
    extra_instant: bool
    system: tuple[tuple[str, str], ...]  # (attribute, API name): in the data when not None


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """`lambda state: tuple(state[name] for name in names)`, in C."""
    if not names:
        return lambda state: ()
    if len(names) == 1:
        only = names[0]
        return lambda state: (state[only],)
    return itemgetter(*names)


def _is_plain(event_class: type[PartnershipEvent], name: str) -> bool:
    """Whether the field's stored JSON is already its value (no encoded instants)."""
    annotation = str(event_class.__dataclass_fields__[name].type)
    return annotation.replace(" | None", "") in {"str", "int", "float", "bool", "list[str]"}


EXTRA_NAMES: dict[type[PartnershipEvent], tuple[str, ...]] = {
    Partnership.PartnershipFormed: ("name", "purpose", "occurred_at"),
    Partnership.EntryRetracted: ("target_position",),
    Partnership.RoleGranted: ("actor", "role"),
    Partnership.RoleRevoked: ("actor",),
}


@cache
def _kind(topic: str) -> _Kind | None:
    try:
        event_class = resolve_topic(topic)
    except Exception:  # a topic from elsewhere: the mapper decides
        return None
    if not (isinstance(event_class, type) and issubclass(event_class, PartnershipEvent)):
        return None
    names = event_class.data_names()
    extras = EXTRA_NAMES.get(event_class, ())
    return _Kind(
        event_class,
        event_class.type_name(),
        tuple(key for _, key in names),
        _getter(tuple(name for name, _ in names)),
        tuple(i for i, (name, _) in enumerate(names) if not _is_plain(event_class, name)),
        _getter(extras),
        not all(_is_plain(event_class, name) for name in extras),
        event_class.system_names(),
    )


def projected(record: LogRecord, mapper: Mapper[Any]) -> Projected | None:
    """The event's row and extras; None for an event that is not a partnership's."""
    if mapper.cipher is None and mapper.compressor is None:
        fast = read_plainly(record)
        if fast is not None:
            return fast
    _, originator_id, version, topic, state = record
    stored = StoredEvent(uuid.UUID(originator_id), version, topic, bytes(state))
    event = mapper.to_domain_event(stored)
    return from_event(event) if isinstance(event, PartnershipEvent) else None


def read_plainly(record: LogRecord) -> Projected | None:
    """The row and extras from plain (neither enciphered nor compressed) stored JSON;
    None when the fast reading does not recognise the event."""
    kind = _kind(record[3])
    if kind is None:
        return None
    try:
        state = orjson.loads(record[4])
        if type(state) is not dict:
            return None
        return _from_state(record, kind, state)
    except (_NotPlain, KeyError, TypeError, ValueError):  # orjson's errors are ValueErrors
        return None


def from_event(event: PartnershipEvent) -> Projected:
    """The same, from a decoded domain event."""
    extras = tuple(
        _instant(value) if isinstance(value, datetime) else value
        for value in (getattr(event, name) for name in EXTRA_NAMES.get(type(event), ()))
    )
    return Projected(row_of(indexed(event)), type(event), extras)


def _from_state(record: LogRecord, kind: _Kind, state: dict[str, Any]) -> Projected:
    if "class_version" in state and state["class_version"] != kind.event_class.class_version:
        raise _NotPlain
    values: Sequence[Any] = kind.values(state)
    if kind.encoded:
        decoded = list(values)
        for index in kind.encoded:
            decoded[index] = _plain(decoded[index])
        values = decoded
    extras = kind.extras(state)
    if kind.extra_instant:
        extras = tuple(_text_of(v) if type(v) is dict else v for v in extras)
    data = dict(zip(kind.keys, values))  # noqa: B905 (one length by construction)
    for name, key in kind.system:
        value = state.get(name)
        if value is not None:
            data[key] = _plain(value)
    partnership_id = record[1]
    if len(partnership_id) != 36:
        partnership_id = _dashed(partnership_id)
    return Projected(
        (
            partnership_id,
            record[2],
            state["event_id"],
            kind.type_name,
            _stamp(state["occurred_at"]),
            _stamp(state["recorded_at"]),
            state["recorded_by"],
            data_json(data),
            state["hash"],
            state["previous_hash"],
            None,
            None,
        ),
        kind.event_class,
        extras,
    )


_DASHED: dict[str, str] = {}


def _dashed(originator_id: str) -> str:
    """A partnership id in its canonical form (SQLite keeps it as 32 hex digits)."""
    dashed = _DASHED.get(originator_id)
    if dashed is None:
        if len(_DASHED) >= 10_000:
            _DASHED.clear()
        dashed = _DASHED[originator_id] = str(uuid.UUID(originator_id))
    return dashed


def _text_of(value: dict[str, Any]) -> str:
    """An encoded instant as `format_instant` writes it (the form a UTC instant's
    `isoformat()` already has)."""
    if value.get("_type_") != "datetime_iso" or len(value) != 2:
        raise _NotPlain
    text = value["_data_"]
    if not (type(text) is str and text.endswith(_UTC)):
        raise _NotPlain
    return text


def _instant(moment: datetime) -> str:
    return format_instant(moment)


def _stamp(value: Any) -> str:
    """A stored `occurred_at`/`recorded_at` as the index keeps it (`_fixed_width`)."""
    if type(value) is dict and value.get("_type_") == "datetime_iso":
        text = value.get("_data_")
        if type(text) is str and len(text) == 32 and text.endswith(_UTC):
            return text
    return _fixed_width(_text_of(value))


def _fixed_width(text: str) -> str:
    """`...T09:30:00+00:00` as the index keeps it: `...T09:30:00.000000+00:00`."""
    if len(text) == 32:
        return text
    if len(text) == 25:
        return f"{text[:19]}.000000{_UTC}"
    return datetime.fromisoformat(text).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    if type(value) not in _NESTED:
        return value
    return _nested(value)


def _nested(value: Any) -> Any:
    """A list or object value as the API shows it: instants as text, nothing else
    encoded (anything else is left to the mapper)."""
    if type(value) is list:
        return [_plain(item) for item in value]
    if "_type_" in value:
        if value.get("_type_") == "datetime_iso":
            return _text_of(value)
        raise _NotPlain
    return {k: _plain(v) for k, v in value.items()}
