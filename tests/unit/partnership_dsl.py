"""Given events, when a command, then events or an error: the domain test language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.domain.commands import read_command
from accord.domain.errors import DomainError, ErrorCode
from accord.domain.partnership import Partnership, PartnershipEvent

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def day(n: int) -> str:
    """An occurredAt n days after 2025-01-01."""
    return (datetime(2025, 1, 1, 9, tzinfo=UTC) + n * DAY).isoformat()


class Given:
    """A partnership built from commands, each judged exactly as the service would."""

    def __init__(self) -> None:
        command = read_command(
            "formPartnership", {"name": "Test", "purpose": "Testing", "occurredAt": day(0)}
        )
        self.partnership = Partnership.form(
            command, partnership_id=uuid.uuid4(), now=NOW, actor="tester", fingerprint=None
        )
        self.events: list[PartnershipEvent] = [self.partnership.pending_events[-1]]  # type: ignore[list-item]

    def when(self, mutation: str, **fields: Any) -> PartnershipEvent:
        raw = {"partnershipId": str(self.partnership.id), **fields}
        command = read_command(mutation, raw)
        target = None
        if mutation == "retractEntry":
            target = next((e for e in self.events if e.event_id == fields["eventId"]), None)
        event = self.partnership.record(
            command, now=NOW, actor="tester", fingerprint=None, target=target
        )
        self.events.append(event)
        return event

    def refused(self, mutation: str, code: ErrorCode, field: str, **fields: Any) -> DomainError:
        version = self.partnership.version
        with pytest.raises(DomainError) as caught:
            self.when(mutation, **fields)
        assert caught.value.code == code, caught.value
        assert caught.value.field == field, caught.value
        assert self.partnership.version == version
        return caught.value

    def partners(self, *ids: str, at: int = 1) -> Given:
        for pid in ids:
            self.when(
                "joinPartner", partnerId=pid, name=pid.title(), sector="OTHER", occurredAt=day(at)
            )
        return self
