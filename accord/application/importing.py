"""Importing a steps file (tests/scenarios/README.md): every step judged first, on a new
aggregate; if any is refused, nothing is recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.persistence import AggregateRecorder, Mapper

from accord.application.idempotency import fingerprint
from accord.domain.commands import read_command
from accord.domain.errors import DomainError, not_found
from accord.domain.identity import position_of_event
from accord.domain.partnership import Partnership, PartnershipEvent, Sealer, id_text

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class StepError(Exception):
    """An import step that would be refused: nothing of the import was recorded."""

    step: int
    error: DomainError

    def __str__(self) -> str:
        return (
            f"step {self.step}: {self.error.field}: {self.error.code.value}: {self.error.message}"
        )


def judge_steps(
    steps: list[Mapping[str, Any]],
    *,
    actor: str,
    first: datetime,
    sealer: Sealer | None,
    progress: Callable[[int], None] | None = None,
) -> Partnership:
    """The partnership the steps record, its events pending; raises StepError.

    A step is `{"mutation", "input", "eventRef"?}`; `eventRef` N names the event of step
    N. Step N is recorded at `first` + N microseconds.
    """
    partnership: Partnership | None = None
    events: list[PartnershipEvent] = []
    for index, step in enumerate(steps):
        now = first + index * _MICROSECOND
        mutation = str(step.get("mutation"))
        raw = dict(step.get("input") or {})
        try:
            if index == 0:
                if mutation != "formPartnership":
                    raise not_found("mutation", "the first step must be formPartnership")
                command = read_command(mutation, raw)
                partnership = Partnership.form(
                    command,
                    partnership_id=uuid.uuid4(),
                    now=now,
                    actor=actor,
                    fingerprint=fingerprint(mutation, raw),
                    sealer=sealer,
                )
                events.append(partnership.pending_events[-1])  # type: ignore[arg-type]
                continue
            assert partnership is not None
            raw["partnershipId"] = id_text(partnership.id)
            target = None
            if "eventRef" in step:
                ref = int(step["eventRef"])
                if not 0 <= ref < len(events):
                    raise not_found("eventRef", f"no step {ref} before this one")
                target = events[ref]
                raw["eventId"] = target.event_id
            command = read_command(mutation, raw)
            if target is None and mutation == "retractEntry":
                position = position_of_event(partnership.id, command.fields["eventId"])
                if position is not None and position <= len(events):
                    target = events[position - 1]
            event = partnership.record(
                command,
                now=now,
                actor=actor,
                fingerprint=fingerprint(mutation, raw) if command.idempotency_key else None,
                target=target,
                sealer=sealer,
            )
            events.append(event)
        except DomainError as error:
            raise StepError(index, error) from None
        if progress is not None:
            progress(index + 1)
    if partnership is None:
        raise StepError(0, not_found("steps", "the file has no steps"))
    return partnership


def save_judged(
    partnership: Partnership,
    mapper: Mapper[uuid.UUID],
    recorder: AggregateRecorder,
    chunk: int | None,
) -> int:
    """Save a judged import straight through the recorder (no per-event recording
    objects): in one insert, or in chunks of `chunk` events where the store needs them
    (a crash between chunks leaves a valid prefix of the history). The last
    notification id."""
    stored = [mapper.to_stored_event(e) for e in partnership.collect_events()]
    size = chunk or max(1, len(stored))
    ids: list[int] = []
    for start in range(0, len(stored), size):
        ids.extend(recorder.insert_events(stored[start : start + size]) or ())
    return max(ids, default=0)
