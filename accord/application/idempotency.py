"""What an idempotent retry must repeat: the input's fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from accord.domain.commands import COMMON_FIELDS
from accord.domain.instants import InstantError, parse_instant


def _normal(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Mapping):
        return {str(k): _normal(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def fingerprint(mutation: str, raw: Mapping[str, Any]) -> str:
    """The input as sent, minus partnership, version and key: what a retry must repeat."""
    body = {k: v for k, v in raw.items() if k not in COMMON_FIELDS or k == "occurredAt"}
    for name in ("occurredAt", "dueAt"):
        if isinstance(body.get(name), str):
            with suppress(InstantError):
                body[name] = parse_instant(body[name])
    text = json.dumps([mutation, _normal(body)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
