"""The application service: the only code that loads and saves partnerships.

It runs one command per mutation: access, idempotency key, expectedVersion, then the
aggregate's rules; it records the event with its place in the hash chain, retries on
a concurrent write when no expectedVersion was given, snapshots every 100 events, and
keeps recently used partnerships in memory (commands on one partnership are serialised
within a process, so the cached aggregate is never shared between two commands).
"""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import IntegrityError, Mapper

from accord.application.audit import ChainReport, verify_chain
from accord.application.idempotency import fingerprint
from accord.application.importing import (
    ImportWriterFactory,
    StepError,
    judge_steps,
    recorder_writer,
)
from accord.application.oidc_actors import OidcDirectory, with_grantee
from accord.domain.catalogue import BY_MUTATION
from accord.domain.commands import Command, read_command, read_idempotency_key
from accord.domain.errors import (
    UNKNOWN_PARTNERSHIP,
    DomainError,
    Forbidden,
    VersionConflict,
    duplicate,
    not_found,
)
from accord.domain.identity import partnership_id_for_key, position_of_event
from accord.domain.partnership import Partnership, PartnershipEvent
from accord.domain.seal import make_sealer
from accord.domain.values import AccessRole

Clock = Callable[[], datetime]
MapperFactory = Callable[[Mapper[uuid.UUID]], Mapper[uuid.UUID]]
"""Builds the store's mapper from eventsourcing's default one (the storage layer's)."""
MAX_ATTEMPTS = 20
SNAPSHOT_INTERVAL = 100


@dataclass(frozen=True)
class Outcome:
    """What a command recorded (or, for an idempotent retry, had recorded)."""

    partnership_id: uuid.UUID
    event: PartnershipEvent
    version: int  # the partnership's, after the command
    name: str
    purpose: str
    formed_at: int  # microseconds since the epoch
    replayed: bool = False
    notification_id: int = 0  # the event's place in the store's log; 0 for a replay

    @classmethod
    def of(cls, partnership: Partnership, event: PartnershipEvent, **kwargs: Any) -> Outcome:
        return cls(
            partnership.id,
            event,
            partnership.version,
            partnership.name,
            partnership.purpose,
            partnership.formed_at,
            **kwargs,
        )


_MICROSECOND = timedelta(microseconds=1)


def system_clock() -> datetime:
    return datetime.now(UTC)


class AccordApplication(Application[uuid.UUID]):
    """Accord's write side over an eventsourcing store (SQLite file or PostgreSQL)."""

    name = "Accord"
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "500",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Partnership: SNAPSHOT_INTERVAL}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        clock: Clock = system_clock,
        audit_key: bytes | None = None,
        mapper: MapperFactory | None = None,
        import_writer: ImportWriterFactory | None = None,
    ) -> None:
        self._mapper_factory = mapper  # read by construct_mapper, in super().__init__
        self.import_writer = import_writer or recorder_writer()
        super().__init__(env)
        self.sealer = make_sealer(audit_key) if audit_key else None
        self._clock = clock
        self._last_now = datetime.min.replace(tzinfo=UTC)
        self._clock_lock = threading.Lock()
        self._locks: dict[uuid.UUID, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.listeners: list[Callable[[], None]] = []
        self.directory: OidcDirectory | None = None
        """The OpenID users a grantee may be named by (an e-mail address), for every
        path a role is given on: the API, a steps file and a workbook
        (`application.oidc_actors`); set by the runtime."""

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        mapper = super().construct_mapper()
        return mapper if self._mapper_factory is None else self._mapper_factory(mapper)

    # ---------------------------------------------------------------- commands

    def execute(
        self,
        mutation: str,
        raw: Mapping[str, Any],
        *,
        actor: str,
        enforce_access: bool = True,
    ) -> Outcome:
        """Run one mutation; raises DomainError, VersionConflict or Forbidden when refused.
        A role's grantee may be named by a known OpenID user's e-mail address: the event
        records its actor id."""
        raw = with_grantee(mutation, dict(raw), self.directory)
        print_ = fingerprint(mutation, raw)
        if mutation == "formPartnership":
            return self._form(raw, actor, print_)
        partnership_id = self._partnership_id(raw.get("partnershipId"))
        # The cached aggregate is used as it is: if another process has recorded since,
        # the insert of the next version fails and the command is judged again on a
        # fresh load; a refusal is likewise confirmed on a fresh load before it stands.
        fresh = False
        for _attempt in range(MAX_ATTEMPTS):
            with self._lock_for(partnership_id):
                partnership = self._load(partnership_id, fresh=fresh)
                try:
                    judged = self._judge(partnership, mutation, raw, actor, enforce_access, print_)
                except (DomainError, VersionConflict, Forbidden):
                    if fresh:
                        raise
                    fresh = True
                    continue
                if isinstance(judged, Outcome):
                    return judged
                event, command = judged
                try:
                    recordings = self.save(partnership)
                except IntegrityError:
                    self._evict(partnership_id)
                    if command.expected_version is not None:
                        current = self._load(partnership_id, fresh=True).version
                        raise VersionConflict(command.expected_version, current) from None
                    fresh = True
                    continue
                except BaseException:
                    # The cached aggregate already holds the event, which may not be
                    # stored (the database went away): forget it, or the next command
                    # would build on an event the store never had.
                    self._evict(partnership_id)
                    raise
                outcome = Outcome.of(partnership, event, notification_id=_last_id(recordings))
            self._announce()
            return outcome
        msg = "the partnership is too busy: try again"
        raise RuntimeError(msg)

    def record_commands(
        self, partnership_id: uuid.UUID, commands: Sequence[tuple[Command, str]]
    ) -> list[Outcome]:
        """Record commands the service's own code has read (a check-in round's close and
        the check-ins it makes), each with its actor, all in one save or none. Access is
        the caller's to check; raises DomainError if any is refused."""
        for _attempt in range(MAX_ATTEMPTS):
            with self._lock_for(partnership_id):
                partnership = self._load(partnership_id)
                try:
                    recorded = [
                        partnership.record(
                            command,
                            now=self._now(),
                            actor=actor,
                            fingerprint=None,
                            sealer=self.sealer,
                        )
                        for command, actor in commands
                    ]
                    recordings = self.save(partnership)
                except IntegrityError:
                    self._evict(partnership_id)
                    continue
                except BaseException:
                    # Some of the commands may already be on the cached aggregate.
                    self._evict(partnership_id)
                    raise
                last = _last_id(recordings)
                outcomes = [
                    Outcome.of(partnership, event, notification_id=last) for event in recorded
                ]
            self._announce()
            return outcomes
        msg = "the partnership is too busy: try again"
        raise RuntimeError(msg)

    def check_access(self, partnership_id: uuid.UUID, actor: str, needs: AccessRole) -> None:
        """Raise DomainError NOT_FOUND (no role) or Forbidden unless `actor` may do what
        needs `needs` in the partnership (as the store has it now)."""
        self._check_access(self.partnership(partnership_id), actor, needs)

    def _judge(
        self,
        partnership: Partnership,
        mutation: str,
        raw: Mapping[str, Any],
        actor: str,
        enforce_access: bool,
        print_: str,
    ) -> Outcome | tuple[PartnershipEvent, Command]:
        """A replay's outcome, or the event recorded on the aggregate (not yet saved)."""
        if enforce_access:
            self._check_access(partnership, actor, _needs(mutation))
        replay = self._replayed(partnership, raw.get("idempotencyKey"), print_)
        if replay is not None:
            return replay
        expected = raw.get("expectedVersion")
        if (
            isinstance(expected, int)
            and not isinstance(expected, bool)
            and expected != partnership.version
        ):
            raise VersionConflict(expected, partnership.version)
        command = read_command(mutation, raw)
        target = self._target_of(partnership, command)
        event = partnership.record(
            command,
            now=self._now(),
            actor=actor,
            fingerprint=print_,
            target=target,
            sealer=self.sealer,
        )
        return event, command

    def _form(self, raw: Mapping[str, Any], actor: str, print_: str) -> Outcome:
        key = read_idempotency_key(raw)  # before it derives an id (a lone surrogate cannot)
        if key is not None:
            partnership_id = partnership_id_for_key(actor, key)
            try:
                existing = self._load(partnership_id)
            except DomainError:
                pass
            else:
                replay = self._replayed(existing, key, print_)
                if replay is None:  # pragma: no cover - a derived id always carries its key
                    raise not_found("idempotencyKey", "unexpected partnership for this key")
                return replay
        else:
            partnership_id = uuid.uuid4()
        command = read_command("formPartnership", raw)
        partnership = Partnership.form(
            command,
            partnership_id=partnership_id,
            now=self._now(),
            actor=actor,
            fingerprint=print_,
            sealer=self.sealer,
        )
        event = partnership.pending_events[0]
        assert isinstance(event, PartnershipEvent)
        try:
            recordings = self.save(partnership)
        except IntegrityError:
            # The same key raced us: the other attempt's result is the first result.
            return self._form(raw, actor, print_)
        self._announce()
        return Outcome.of(partnership, event, notification_id=_last_id(recordings))

    def _replayed(self, partnership: Partnership, key: Any, print_: str) -> Outcome | None:
        if not isinstance(key, str) or key not in partnership.idempotency:
            return None
        first_print, position = partnership.idempotency[key]
        if first_print != print_:
            raise duplicate("idempotencyKey", "this key was already used with another input")
        event = self._event_at(partnership.id, int(position))
        return Outcome.of(partnership, event, replayed=True)

    def _check_access(self, partnership: Partnership, actor: str, needs: AccessRole) -> None:
        role = partnership.role_of(actor)
        if role is None:
            raise not_found("partnershipId", UNKNOWN_PARTNERSHIP)
        if not role.allows(needs):
            raise Forbidden(f"your role {role.value} does not allow this (it needs {needs.value})")

    def _target_of(self, partnership: Partnership, command: Command) -> PartnershipEvent | None:
        if command.kind.mutation != "retractEntry":
            return None
        position = position_of_event(partnership.id, command.fields["eventId"])
        if position is None or position > partnership.version:
            return None
        return self._event_at(partnership.id, position)

    # ------------------------------------------------------------------ import

    def import_steps(
        self,
        steps: Sequence[Mapping[str, Any]],
        *,
        actor: str,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[uuid.UUID, int]:
        """Record a steps file: every step is judged first; if any is refused, none is recorded.

        A step is `{"mutation", "input", "eventRef"?}`; `eventRef` N names the event of step N.
        """
        partnership, last = self.record_judged(
            len(steps),
            lambda first, emit: judge_steps(
                steps,
                actor=actor,
                first=first,
                sealer=self.sealer,
                progress=progress,
                emit=emit,
                directory=self.directory,
            ),
        )
        return partnership.id, last

    def record_judged(
        self,
        count: int,
        judge: Callable[[datetime, Callable[[list[PartnershipEvent]], None]], Partnership],
    ) -> tuple[Partnership, int]:
        """Record a batch of `count` entries judged at once (an import): `judge(first,
        emit)` judges them, recorded at `first` + i microseconds, and hands `emit` what
        it has judged as it goes; every event it judged is saved through the import
        writer, with the whole history's snapshot, or none if it raises. The partnership
        and the last notification id."""
        # Judging a long history allocates many small objects that live on; the cyclic
        # collector would rescan them all, again and again, for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            first = self._instants(count)  # one clock read for the whole import
            snapshots = self.snapshots.recorder if self.snapshots is not None else None
            writer = self.import_writer(self.mapper, self.recorder, snapshots, count)
            try:
                partnership = judge(first, writer.write)
                writer.write(partnership.collect_events())
                # The whole history's snapshot, saved with it: no one reads it back in full.
                last = writer.commit(Snapshot.take(partnership) if snapshots else None)
            except BaseException:
                writer.abort()
                raise
        finally:
            if collecting:
                gc.enable()
        self._evict(partnership.id)
        self._announce()
        return partnership, last

    # ------------------------------------------------------------------- reads

    def partnership(self, partnership_id: uuid.UUID) -> Partnership:
        """The partnership as now recorded (raises DomainError NOT_FOUND)."""
        with self._lock_for(partnership_id):
            return self._load(partnership_id)

    def stored_events(
        self, partnership_id: uuid.UUID, after: int = 0
    ) -> Iterator[PartnershipEvent]:
        """The partnership's events after a position, in order."""
        for event in self.events.get(partnership_id, gt=after or None):
            assert isinstance(event, PartnershipEvent)
            yield event

    def partnership_ids(self) -> list[uuid.UUID]:
        """Every partnership in the store, in order of formation."""
        ids: list[uuid.UUID] = []
        seen: set[uuid.UUID] = set()
        start = 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=1000)
            if not page:
                return ids
            for notification in page:
                pid = uuid.UUID(str(notification.originator_id))
                if pid not in seen:
                    seen.add(pid)
                    ids.append(pid)
            start = page[-1].id + 1

    def verify(self, partnership_id: uuid.UUID) -> ChainReport:
        """Recompute the hash chain from the stored events themselves (`audit`)."""
        return verify_chain(
            partnership_id, self.recorder.select_events(partnership_id), self.mapper, self.sealer
        )

    # ----------------------------------------------------------------- helpers

    def _partnership_id(self, value: Any) -> uuid.UUID:
        try:
            return uuid.UUID(str(value))
        except ValueError:
            raise not_found("partnershipId", UNKNOWN_PARTNERSHIP) from None

    def _load(self, partnership_id: uuid.UUID, *, fresh: bool = True) -> Partnership:
        """The partnership: fast-forwarded to the store's latest, or (`fresh` False) as
        this process last knew it, if it is cached."""
        if not fresh and self.repository.cache is not None:
            with suppress(KeyError):
                cached = self.repository.cache.get(partnership_id)
                assert isinstance(cached, Partnership)
                return cached
        try:
            partnership: Any = self.repository.get(partnership_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            raise not_found("partnershipId", UNKNOWN_PARTNERSHIP) from None
        assert isinstance(partnership, Partnership)
        return partnership

    def _event_at(self, partnership_id: uuid.UUID, position: int) -> PartnershipEvent:
        events = list(self.events.get(partnership_id, gt=position - 1, lte=position))
        event = events[0]
        assert isinstance(event, PartnershipEvent)
        return event

    def _evict(self, partnership_id: uuid.UUID) -> None:
        cache = self.repository.cache
        if cache is not None:
            with suppress(KeyError):
                cache.get(partnership_id, evict=True)

    def _lock_for(self, partnership_id: uuid.UUID) -> threading.Lock:
        with self._locks_lock:
            lock = self._locks.get(partnership_id)
            if lock is None:
                lock = self._locks[partnership_id] = threading.Lock()
            return lock

    def _now(self) -> datetime:
        """Recording instants strictly increase within a process."""
        return self._instants(1)

    def _instants(self, count: int) -> datetime:
        """The first of `count` recording instants, a microsecond apart, reserved for
        this caller (an import takes its instants with one clock read)."""
        with self._clock_lock:
            now = self._clock().astimezone(UTC)
            if now <= self._last_now:
                now = self._last_now + _MICROSECOND
            self._last_now = now + (max(count, 1) - 1) * _MICROSECOND
            return now

    def _announce(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _take_snapshots(self, processing_event: Any) -> None:
        for aggregate in processing_event.aggregates.values():
            if not isinstance(aggregate, Partnership):
                continue
            versions = [
                e.originator_version
                for e in processing_event.events
                if e.originator_id == aggregate.id
            ]
            if any(v % SNAPSHOT_INTERVAL == 0 for v in versions):
                self._snapshot(aggregate)

    def _snapshot(self, partnership: Partnership) -> None:
        """Snapshot the aggregate as it is in memory (no reconstruction from the store)."""
        if self.snapshots is not None:
            self.snapshots.put([Snapshot.take(partnership)])


def _last_id(recordings: list[Any]) -> int:
    return max((int(r.notification.id) for r in recordings), default=0)


def _needs(mutation: str) -> AccessRole:
    kind = BY_MUTATION.get(mutation)
    return kind.needs if kind else AccessRole.RECORDER


__all__ = ["AccordApplication", "ChainReport", "Outcome", "StepError", "fingerprint"]
