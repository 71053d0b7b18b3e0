"""The audit hash chain (API.md, Audit): each event's hash covers its predecessor's."""

from __future__ import annotations

import hashlib
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
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()
