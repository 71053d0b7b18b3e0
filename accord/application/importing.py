"""Importing a steps file (tests/scenarios/README.md): every step judged first, on a new
aggregate; if any is refused, nothing is recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import AggregateRecorder, Mapper, StoredEvent

from accord.application.idempotency import fingerprint
from accord.application.oidc_actors import OidcDirectory, with_grantee
from accord.domain.catalogue import BY_MUTATION
from accord.domain.commands import read_command
from accord.domain.errors import DomainError, invalid, not_found
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
    steps: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    first: datetime,
    sealer: Sealer | None,
    progress: Callable[[int], None] | None = None,
    emit: Callable[[list[PartnershipEvent]], None] | None = None,
    emit_every: int = 2_000,
    directory: OidcDirectory | None = None,
) -> Partnership:
    """The partnership the steps record; raises StepError.

    A step is `{"mutation", "input", "eventRef"?}`; `eventRef` N names the event of step
    N. Step N is recorded at `first` + N microseconds. A role's grantee is read as the
    API reads it (`oidc_actors.with_grantee`, with `directory`). With `emit`, every `emit_every`
    steps the events judged since are handed to it (taken from the partnership's pending
    events, which keep the rest).
    """
    partnership: Partnership | None = None
    partnership_text = ""
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
                partnership_text = id_text(partnership.id)
                continue
            assert partnership is not None
            raw["partnershipId"] = partnership_text
            target = None
            if "eventRef" in step:
                ref = int(step["eventRef"])
                if not 0 <= ref < len(events):
                    raise not_found("eventRef", f"no step {ref} before this one")
                target = events[ref]
                raw["eventId"] = target.event_id
            kind = BY_MUTATION.get(mutation)
            if kind is not None and kind.own_mutation:
                raise invalid(
                    "mutation",
                    f"{mutation} is recorded by a check-in round itself, never imported",
                )
            raw = with_grantee(mutation, raw, directory)
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
        if emit is not None and (index + 1) % emit_every == 0:
            assert partnership is not None
            emit(partnership.collect_events())
    if partnership is None:
        raise StepError(0, not_found("steps", "the file has no steps"))
    return partnership


class ImportWriter(Protocol):
    """Where an import's events go as they are judged: `write` them (a writer may insert
    them at once, in a transaction no one sees until `commit`), `commit` when every step
    was judged, with the snapshot of the whole history if the store keeps snapshots (the
    last notification id), `abort` when one was refused (nothing of the import is
    recorded)."""

    def write(self, events: Sequence[PartnershipEvent]) -> None: ...

    def commit(self, snapshot: Snapshot | None) -> int: ...

    def abort(self) -> None: ...


ImportWriterFactory = Callable[
    [Mapper[uuid.UUID], AggregateRecorder, AggregateRecorder | None, int], ImportWriter
]
"""An import's writer, given the event store's mapper, its recorder, the snapshots'
recorder (if any) and the number of steps."""


class RecorderWriter:
    """An import saved straight through the recorders once judged (no per-event recording
    objects): in one insert, or in chunks of `chunk` events where the store needs them
    (a crash between chunks leaves a valid prefix of the history); then the snapshot."""

    def __init__(
        self,
        mapper: Mapper[uuid.UUID],
        recorder: AggregateRecorder,
        snapshots: AggregateRecorder | None,
        chunk: int | None = None,
    ) -> None:
        self.mapper = mapper
        self.recorder = recorder
        self.snapshots = snapshots
        self.chunk = chunk
        self.stored: list[StoredEvent] = []

    def write(self, events: Sequence[PartnershipEvent]) -> None:
        to_stored = self.mapper.to_stored_event
        self.stored.extend([to_stored(e) for e in events])

    def commit(self, snapshot: Snapshot | None) -> int:
        stored, self.stored = self.stored, []
        size = self.chunk or max(1, len(stored))
        ids: list[int] = []
        for start in range(0, len(stored), size):
            ids.extend(self.recorder.insert_events(stored[start : start + size]) or ())
        if snapshot is not None and self.snapshots is not None:
            self.snapshots.insert_events([self.mapper.to_stored_event(snapshot)])
        return max(ids, default=0)

    def abort(self) -> None:
        self.stored = []


def recorder_writer(chunk: int | None = None) -> ImportWriterFactory:
    """A factory of `RecorderWriter`s inserting in chunks of `chunk` events (or in one)."""
    return lambda mapper, recorder, snapshots, steps: RecorderWriter(
        mapper, recorder, snapshots, chunk
    )
