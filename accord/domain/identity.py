"""Ids the partnership generates: partnerships, events, and omitted client ids.

Event ids are UUIDs that carry their position in the stream (the low 48 bits) beside
bits derived from the partnership, so the service can find an event by id with one
keyed read, and ids stay unique across partnerships.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

_NAMESPACE = uuid.UUID("6f1c2d3e-8a4b-4c5d-9e6f-7a8b9c0d1e2f")
_POSITION_BITS = 48
_POSITION_MASK = (1 << _POSITION_BITS) - 1


def partnership_id_for_key(actor: str, idempotency_key: str) -> uuid.UUID:
    """A `formPartnership` retry with the same key finds the same partnership."""
    return uuid.uuid5(_NAMESPACE, f"formPartnership\x00{actor}\x00{idempotency_key}")


@lru_cache(maxsize=4096)
def _stem(partnership_id: uuid.UUID) -> int:
    return uuid.uuid5(_NAMESPACE, f"events\x00{partnership_id}").int


def event_id(partnership_id: uuid.UUID, position: int) -> str:
    """The id of the event at `position` (1-based) in the partnership's stream."""
    stem = _stem(partnership_id)
    value = (stem & ~_POSITION_MASK) | (position & _POSITION_MASK)
    # Mark it as a version-8 (custom) RFC 4122 UUID.
    value &= ~(0xF << 76)
    value |= 0x8 << 76
    value &= ~(0x3 << 62)
    value |= 0x2 << 62
    digits = f"{value:032x}"  # as str(uuid.UUID(int=value)) writes it
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def position_of_event(partnership_id: uuid.UUID, identifier: str) -> int | None:
    """The position an event id names in this partnership, or None if it is not one of its ids."""
    try:
        value = uuid.UUID(identifier)
    except ValueError:
        return None
    position = value.int & _POSITION_MASK
    if position < 1 or event_id(partnership_id, position) != str(value):
        return None
    return position


def generated_id(kind: str, partnership_id: uuid.UUID, position: int) -> str:
    """An id for a partner, goal, decision or commitment whose id the client omitted."""
    name = "\x00".join((kind, str(partnership_id), str(position)))
    return f"{kind}-{uuid.uuid5(_NAMESPACE, name)}"
