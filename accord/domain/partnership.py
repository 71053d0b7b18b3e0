"""The Partnership aggregate: one partnership's history, and the rules it keeps.

Commands judge input as of its `occurredAt` (see `timelines`); the aggregate never reads
the clock: `now` is given. Every kind of event is handled one way, through its entry in
the catalogue (`accord.domain.catalogue`): its judge decides, its timeline entries are
checked where they fall, and the event evolves the aggregate (its timelines, then what
its kind changes beyond them). The events are `accord.domain.events`', kept here as
nested classes (`Partnership.GoalSet`), where stored events find them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from eventsourcing.domain import Aggregate

from accord.domain import events
from accord.domain import timelines as tl
from accord.domain.catalogue import BY_CLASS, PARTNERSHIP_FORMED, Kind
from accord.domain.chain import chain_hash
from accord.domain.commands import Command
from accord.domain.errors import DomainError, ErrorCode, invalid
from accord.domain.events import PartnershipEvent, event_data
from accord.domain.identity import event_id as event_id_at
from accord.domain.instants import to_micros
from accord.domain.rules import Subjects
from accord.domain.values import FUTURE_TOLERANCE_DAYS, AccessRole

# Per timeline an event changes: (subject, entry, where it goes, the timeline's state with
# it, as judging worked it out).
Steps = list[tuple[str, tl.Entry, int | None, "tl.State | None"]]
Sealer = Callable[[str], str]


@lru_cache(maxsize=4096)
def id_text(partnership_id: uuid.UUID) -> str:
    """`str(partnership_id)`, once per partnership."""
    return str(partnership_id)


class Partnership(Aggregate):
    """A health-and-care partnership's whole recorded history."""

    # The events, as nested classes: stored events' topics name them so. With `Event`
    # their own base, eventsourcing takes them as they are (no redefined subclasses).
    Event = PartnershipEvent
    PartnershipFormed = events.PartnershipFormed
    PartnerJoined = events.PartnerJoined
    PartnerLeft = events.PartnerLeft
    GoalSet = events.GoalSet
    GoalRevised = events.GoalRevised
    GoalEndorsed = events.GoalEndorsed
    GoalReaffirmed = events.GoalReaffirmed
    GoalRetired = events.GoalRetired
    DecisionRecorded = events.DecisionRecorded
    CommitmentMade = events.CommitmentMade
    CommitmentDelivered = events.CommitmentDelivered
    CommitmentReleased = events.CommitmentReleased
    RiskSharesAgreed = events.RiskSharesAgreed
    LeaderAppointed = events.LeaderAppointed
    LeaderDeparted = events.LeaderDeparted
    TrustCheckInRecorded = events.TrustCheckInRecorded
    EntryRetracted = events.EntryRetracted
    RoleGranted = events.RoleGranted
    RoleRevoked = events.RoleRevoked
    CheckInRoundOpened = events.CheckInRoundOpened
    CheckInRemindersSent = events.CheckInRemindersSent
    CheckInRoundClosed = events.CheckInRoundClosed

    def __init__(
        self,
        name: str,
        purpose: str,
        occurred_at: datetime,
        recorded_by: str,
        hash: str,
        idempotency_key: str | None,
        fingerprint: str | None,
    ) -> None:
        self.name = name
        self.purpose = purpose
        self.formed_at = to_micros(occurred_at)
        self.head_hash: str = hash
        self.timelines: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, dict[str, int]] = {"goal": {}, "decision": {}, "commitment": {}}
        self.retracted: dict[str, int] = {}
        self.idempotency: dict[str, list[Any]] = {}
        self.access: dict[str, str] = {recorded_by: AccessRole.ADMIN.value}
        self.rounds: dict[str, dict[str, Any]] = {}  # check-in rounds (`rules.rounds_of`)
        self._remember_key(idempotency_key, fingerprint, 1)

    # ------------------------------------------------------------------ commands

    @classmethod
    def form(
        cls,
        command: Command,
        *,
        partnership_id: uuid.UUID,
        now: datetime,
        actor: str,
        fingerprint: str | None,
        sealer: Sealer | None = None,
    ) -> Partnership:
        """Record a new partnership; its former becomes its ADMIN."""
        occurred_at = command.occurred_at or now
        _check_not_future(occurred_at, now)
        values = _values(PARTNERSHIP_FORMED, command)
        data = event_data(events.PartnershipFormed, values)
        common = _common(
            PARTNERSHIP_FORMED, partnership_id, 1, None, occurred_at, now, actor, data, sealer
        )
        return cls._create(
            events.PartnershipFormed,
            id=partnership_id,
            timestamp=now,
            idempotency_key=command.idempotency_key,
            fingerprint=fingerprint,
            **values,
            **common,
        )

    def collect_events(self) -> list[Any]:
        """The pending events, oldest first (eventsourcing's own pops them one at a time
        from the front: quadratic in an import of a long history)."""
        collected, self._pending_events = self._pending_events, []
        return collected

    def role_of(self, actor: str) -> AccessRole | None:
        role = self.access.get(actor)
        return AccessRole(role) if role else None

    def record(
        self,
        command: Command,
        *,
        now: datetime,
        actor: str,
        fingerprint: str | None,
        target: PartnershipEvent | None = None,
        sealer: Sealer | None = None,
    ) -> PartnershipEvent:
        """Judge a command as of its occurredAt and record its event, or raise DomainError.

        `target` is the event a retraction names, read by the service from the store.
        """
        occurred_at = command.occurred_at or now
        at = to_micros(occurred_at)
        self._check_occurred_at(occurred_at, now, at)
        kind = command.kind
        values = _values(kind, command)
        position = self.version + 1
        kind.decide(self, values, position, target)
        steps = self._check_timelines(kind.touches(values, at, position))
        event_class = kind.event_class
        data = event_data(event_class, values)
        common = _common(
            kind, self.id, position, self.head_hash, occurred_at, now, actor, data, sealer
        )
        # What trigger_event does, without its generic keyword handling and the frozen
        # dataclass's per-field __init__ (the store's mapper builds events the same way).
        event = object.__new__(event_class)
        object.__setattr__(
            event,
            "__dict__",
            {
                "originator_id": self.id,
                "originator_version": position,
                "timestamp": now,
                **common,
                "idempotency_key": command.idempotency_key,
                "fingerprint": fingerprint,
                **values,
            },
        )
        # What the event's `mutate` does, with the timeline steps judged above.
        self._apply_event(event, steps, kind)
        self.version = position
        self.modified_on = now
        self._pending_events.append(event)
        return event

    # -------------------------------------------------------------- the catalogue

    @staticmethod
    def kind_of(event: PartnershipEvent) -> Kind:
        """The catalogue's entry for the event's kind."""
        return BY_CLASS[type(event)]

    @staticmethod
    def entries_of(event: PartnershipEvent) -> Subjects:
        """The timeline entries a recorded event makes: (subject, entry, input field)."""
        return BY_CLASS[type(event)].touches(
            event.__dict__, to_micros(event.occurred_at), event.position
        )

    # ---------------------------------------------------------------- checks

    def _check_occurred_at(self, occurred_at: datetime, now: datetime, at: int) -> None:
        if at < self.formed_at:
            raise invalid("occurredAt", "is before the partnership was formed")
        _check_not_future(occurred_at, now)

    def _check_timelines(self, subjects: Subjects) -> Steps:
        """Raise DomainError if an entry is invalid where it falls, or would make a later
        recorded one invalid; else how each timeline changes (for `_apply_event`)."""
        steps: Steps = []
        for subject, entry, field in subjects:
            timeline = self.timelines.get(subject)
            entries: list[tl.Entry] = timeline["entries"] if timeline else []
            index = tl.insertion_index(entries, entry)
            if index == len(entries):
                state = dict(timeline["tail"]) if timeline else {}
                problem = tl.step(subject, state, entry)
                failing = entry if problem else None
            else:  # backdated: the whole timeline again, which gives its new state too
                state, failing, problem = tl.fold(
                    subject, [*entries[:index], entry, *entries[index:]]
                )
            if problem is None or failing is None:
                steps.append((subject, entry, index, state))
                continue
            if failing is entry:
                own_field = field if subject.startswith("partner:") else problem.field
                raise DomainError(problem.code, own_field, problem.reason)
            other = event_id_at(self.id, int(failing[1]))
            raise invalid(
                "occurredAt",
                f"would make the recorded event {other} invalid ({problem.reason})",
            )
        return steps

    # ------------------------------------------------------------------ state

    def _remember_key(self, key: str | None, fingerprint: str | None, position: int) -> None:
        if key is not None:
            self.idempotency[key] = [fingerprint, position]

    def _apply_event(
        self, event: PartnershipEvent, steps: Steps | None = None, kind: Kind | None = None
    ) -> None:
        """Evolve: the event's timeline entries (as judged by `record`, or found again
        when replayed), then what its kind changes beyond them."""
        if kind is None:
            kind = BY_CLASS[type(event)]
        self.head_hash = event.hash
        self._remember_key(event.idempotency_key, event.fingerprint, event.position)
        if steps is None:  # replayed, not just judged by `record`
            made = kind.touches(event.__dict__, to_micros(event.occurred_at), event.position)
            steps = [(subject, entry, None, None) for subject, entry, _ in made]
        for subject, entry, known_index, stepped in steps:
            timeline = self.timelines.setdefault(subject, {"entries": [], "tail": {}})
            entries = timeline["entries"]
            index = tl.insertion_index(entries, entry) if known_index is None else known_index
            entries.insert(index, entry)
            if stepped is not None:
                timeline["tail"] = stepped
            elif index == len(entries) - 1:
                tl.step(subject, timeline["tail"], entry)
            else:
                timeline["tail"] = tl.fold(subject, entries)[0]
        if kind.evolve is not None:
            kind.evolve(self, event)


_FUTURE_TOLERANCE = timedelta(days=FUTURE_TOLERANCE_DAYS)


def _check_not_future(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now + _FUTURE_TOLERANCE:
        raise invalid("occurredAt", "is more than 1 day in the future")


def _values(kind: Kind, command: Command) -> dict[str, Any]:
    """The command's fields under the event's attribute names."""
    fields = command.fields
    values = {name: fields[api] for api, name in kind.attributes}
    for name, api in kind.event_class.system_names():
        values[name] = fields.get(api)
    return values


def _common(
    kind: Kind,
    partnership_id: uuid.UUID,
    position: int,
    previous_hash: str | None,
    occurred_at: datetime,
    now: datetime,
    actor: str,
    data: dict[str, Any],
    sealer: Sealer | None,
) -> dict[str, Any]:
    digest = chain_hash(
        previous_hash=previous_hash,
        partnership_id=id_text(partnership_id),
        position=position,
        event_type=kind.type_name,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by=actor,
        data=data,
    )
    return {
        "occurred_at": occurred_at,
        "recorded_at": now,
        "recorded_by": actor,
        "event_id": event_id_at(partnership_id, position),
        "previous_hash": previous_hash,
        "hash": digest,
        "seal": sealer(digest) if sealer else None,
    }


__all__ = ["ErrorCode", "Partnership", "PartnershipEvent"]
