"""A mutation's input, read and checked for shape before any rule that needs the history.

The catalogue (`accord.domain.catalogue`) says which fields each mutation takes and how
each is read (`accord.domain.fields`); every problem names its input field with the
dotted path of API.md (`decidedBy.1`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from accord.domain.catalogue import BY_MUTATION, Kind
from accord.domain.errors import invalid
from accord.domain.fields import instant, integer, storable_text
from accord.domain.values import IDEMPOTENCY_KEY_LIMIT

COMMON_FIELDS = ("partnershipId", "occurredAt", "expectedVersion", "idempotencyKey")


class Command(NamedTuple):
    """A mutation's input, read and checked for shape; `fields` uses the API's names.
    (A named tuple: built once per command, a frozen dataclass costs more.)"""

    kind: Kind
    partnership_id: str | None
    fields: dict[str, Any]
    occurred_at: datetime | None
    expected_version: int | None
    idempotency_key: str | None


@cache
def _known_fields(mutation: str) -> frozenset[str]:
    fields = BY_MUTATION[mutation].fields
    return frozenset(field.name for field in fields) | frozenset(COMMON_FIELDS)


def read_command(mutation: str, raw: Mapping[str, Any]) -> Command:
    """Read a mutation's input; raises DomainError naming the first field at fault."""
    kind = BY_MUTATION.get(mutation)
    if kind is None:
        raise invalid("mutation", f"unknown mutation '{mutation}'")
    known = _known_fields(mutation)
    if not known.issuperset(raw):
        unknown = next(name for name in raw if name not in known)
        raise invalid(unknown, f"is not an input field of {mutation}")
    partnership_id: str | None = None
    if kind.in_partnership:
        if raw.get("partnershipId") is None:
            raise invalid("partnershipId", "is required")
        partnership_id = str(raw["partnershipId"])
    elif raw.get("partnershipId") is not None or raw.get("expectedVersion") is not None:
        name = "partnershipId" if raw.get("partnershipId") is not None else "expectedVersion"
        raise invalid(name, f"is not an input field of {mutation}")
    key = read_idempotency_key(raw)
    expected = raw.get("expectedVersion")
    if expected is not None:
        expected = integer(0, None)(expected, "expectedVersion")
    occurred = raw.get("occurredAt")
    occurred_at = instant.check(occurred, "occurredAt") if occurred is not None else None
    fields: dict[str, Any] = {}
    for field in kind.fields:
        value = raw.get(field.name)
        if value is None:
            if field.required:
                raise invalid(field.name, "is required")
            fields[field.name] = (
                list(field.default) if isinstance(field.default, tuple) else field.default
            )
            continue
        fields[field.name] = field.read.check(value, field.name)  # no Reader.__call__
    return Command(kind, partnership_id, fields, occurred_at, expected, key)


def read_idempotency_key(raw: Mapping[str, Any]) -> str | None:
    """The input's idempotency key, if any; raises DomainError for one that is not usable."""
    key = raw.get("idempotencyKey")
    if key is None:
        return None
    if not isinstance(key, str) or not key or len(key) > IDEMPOTENCY_KEY_LIMIT:
        raise invalid("idempotencyKey", f"must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters")
    return storable_text(key, "idempotencyKey")


__all__ = ["COMMON_FIELDS", "Command", "read_command", "read_idempotency_key"]
