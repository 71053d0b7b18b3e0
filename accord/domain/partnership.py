"""The Partnership aggregate: one partnership's history, and the rules it keeps.

Each event class is declared explicitly, named in the past tense, and carries
`occurred_at`, `recorded_at`, `recorded_by`, its own `event_id`, and its place in the
audit chain (`hash`, `previous_hash`) beside its own fields. Commands judge input as of
its `occurredAt` (see `timelines`); the aggregate never reads the clock: `now` is given.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from accord.domain import timelines as tl
from accord.domain.chain import chain_hash, event_type_name
from accord.domain.commands import Command
from accord.domain.errors import DomainError, ErrorCode, duplicate, invalid, not_found
from accord.domain.identity import event_id as event_id_at
from accord.domain.identity import generated_id
from accord.domain.instants import format_instant, to_micros
from accord.domain.values import FUTURE_TOLERANCE_DAYS, SHARE_TOLERANCE, UNIT_OF_KIND, AccessRole

_SNAKE_BOUNDARY = re.compile(r"_([a-z])")
NOT_RETRACTABLE = frozenset(
    {"PARTNERSHIP_FORMED", "ENTRY_RETRACTED", "ROLE_GRANTED", "ROLE_REVOKED"}
)
Subjects = list[tuple[str, tl.Entry, str]]
# Per timeline an event changes: (subject, entry, where it goes, the state after it when
# it goes last).
Steps = list[tuple[str, tl.Entry, int | None, "tl.State | None"]]
Sealer = Callable[[str], str]


@cache
def camel(name: str) -> str:
    return _SNAKE_BOUNDARY.sub(lambda match: match.group(1).upper(), name)


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class PartnershipEvent(Aggregate.Event):
    """What every partnership event carries beside its own fields."""

    class_version: ClassVar[int] = 1
    COMMON: ClassVar[frozenset[str]] = frozenset(
        {
            "originator_id",
            "originator_version",
            "timestamp",
            "originator_topic",
            "occurred_at",
            "recorded_at",
            "recorded_by",
            "event_id",
            "hash",
            "previous_hash",
            "idempotency_key",
            "fingerprint",
            "seal",
        }
    )
    INTERNAL: ClassVar[frozenset[str]] = frozenset()
    DATA_NAMES: ClassVar[dict[str, str]] = {}

    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    event_id: str
    hash: str
    previous_hash: str | None
    idempotency_key: str | None
    fingerprint: str | None
    seal: str | None  # HMAC of `hash` under the server's audit key (kept outside the store)

    @classmethod
    def type_name(cls) -> str:
        return _type_name(cls)

    @classmethod
    def data_fields(cls) -> tuple[str, ...]:
        return _data_fields(cls)

    @classmethod
    def data_names(cls) -> tuple[tuple[str, str], ...]:
        """(attribute, API name) for each of the event's input fields."""
        return _data_names(cls)

    @property
    def position(self) -> int:
        return int(self.originator_version)

    @property
    def data(self) -> dict[str, Any]:
        """The event's input fields under their API names (API.md, Conventions)."""
        data: dict[str, Any] = {}
        for name, key in _data_names(type(self)):
            value = getattr(self, name)
            data[key] = format_instant(value) if type(value) is datetime else value
        return data

    def apply(self, aggregate: Any) -> None:
        aggregate._apply_event(self)


@cache
def _type_name(event_class: type[PartnershipEvent]) -> str:
    return event_type_name(event_class.__name__)


@cache
def _data_names(event_class: type[PartnershipEvent]) -> tuple[tuple[str, str], ...]:
    """(attribute, API name) for each data field."""
    return tuple(
        (name, event_class.DATA_NAMES.get(name, camel(name))) for name in _data_fields(event_class)
    )


@lru_cache(maxsize=4096)
def id_text(partnership_id: uuid.UUID) -> str:
    """`str(partnership_id)`, once per partnership."""
    return str(partnership_id)


@dataclasses.dataclass(frozen=True)
class _Recipe:
    """What `record` needs to know about an event type, worked out once."""

    event_class: type[PartnershipEvent]
    attribute: dict[str, str]  # API name -> attribute, where not simply snake_case
    judge: str  # the method that applies the type's own rules


@cache
def _recipe(event_type: str) -> _Recipe:
    event_class: type[PartnershipEvent] = getattr(Partnership, event_type)
    return _Recipe(
        event_class,
        {api: name for name, api in event_class.DATA_NAMES.items()},
        f"_judge_{snake(event_type)}",
    )


@cache
def _data_fields(event_class: type[PartnershipEvent]) -> tuple[str, ...]:
    skip = event_class.COMMON | event_class.INTERNAL
    return tuple(f.name for f in dataclasses.fields(event_class) if f.name not in skip)


def event_data(event_class: type[PartnershipEvent], values: dict[str, Any]) -> dict[str, Any]:
    """The event's input fields under their API names, instants as text (as `data`)."""
    return {
        key: format_instant(value) if type(value) is datetime else value
        for name, key in event_class.data_names()
        for value in (values[name],)
    }


class Partnership(Aggregate):
    """A health-and-care partnership's whole recorded history."""

    class PartnershipFormed(PartnershipEvent, Aggregate.Created):
        name: str
        purpose: str

    class PartnerJoined(PartnershipEvent):
        partner_id: str
        name: str
        sector: str

    class PartnerLeft(PartnershipEvent):
        partner_id: str
        reason: str | None

    class GoalSet(PartnershipEvent):
        goal_id: str
        statement: str

    class GoalRevised(PartnershipEvent):
        goal_id: str
        statement: str
        reason: str

    class GoalEndorsed(PartnershipEvent):
        goal_id: str
        partner_id: str
        version: int
        rating: int

    class GoalReaffirmed(PartnershipEvent):
        goal_id: str
        note: str | None

    class GoalRetired(PartnershipEvent):
        goal_id: str
        reason: str

    class DecisionRecorded(PartnershipEvent):
        decision_id: str
        title: str
        category: str
        significance: int
        method: str
        decided_by: list[str]
        consulted: list[str]
        dissented_by: list[str]
        rationale: str | None

    class CommitmentMade(PartnershipEvent):
        commitment_id: str
        partner_id: str
        kind: str
        quantity: float
        unit: str
        due_at: datetime
        description: str | None

    class CommitmentDelivered(PartnershipEvent):
        commitment_id: str
        quantity: float

    class CommitmentReleased(PartnershipEvent):
        commitment_id: str
        by_agreement: bool
        reason: str

    class RiskSharesAgreed(PartnershipEvent):
        shares: list[dict[str, Any]]

    class LeaderAppointed(PartnershipEvent):
        role: str
        partner_id: str
        person: str

    class LeaderDeparted(PartnershipEvent):
        role: str
        reason: str | None

    class TrustCheckInRecorded(PartnershipEvent):
        respondent_id: str
        about_id: str | None
        reliability: int
        openness: int
        respect: int
        shared_ownership: int
        note: str | None

    class EntryRetracted(PartnershipEvent):
        INTERNAL: ClassVar[frozenset[str]] = frozenset(
            {"target_position", "target_at", "target_subjects"}
        )
        DATA_NAMES: ClassVar[dict[str, str]] = {"target_event_id": "eventId"}
        target_event_id: str
        reason: str
        target_position: int
        target_at: int  # the target's occurredAt, in microseconds
        target_subjects: list[str]  # the timelines the target has entries in

    class RoleGranted(PartnershipEvent):
        actor: str
        role: str

    class RoleRevoked(PartnershipEvent):
        actor: str

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
        data = event_data(
            cls.PartnershipFormed,
            {"name": command.fields["name"], "purpose": command.fields["purpose"]},
        )
        common = _common(
            cls.PartnershipFormed, partnership_id, 1, None, occurred_at, now, actor, data, sealer
        )
        return cls._create(
            cls.PartnershipFormed,
            id=partnership_id,
            timestamp=now,
            name=command.fields["name"],
            purpose=command.fields["purpose"],
            idempotency_key=command.idempotency_key,
            fingerprint=fingerprint,
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
        recipe = _recipe(command.spec.event_type)
        event_class = recipe.event_class
        attribute = recipe.attribute
        values = {
            attribute.get(name) or snake(name): value for name, value in command.fields.items()
        }
        position = self.version + 1
        getattr(self, recipe.judge)(values, position, target)
        subjects = entries_of(event_class, values, at, position)
        steps = self._check_timelines(subjects)
        data = event_data(event_class, values)
        common = _common(
            event_class, self.id, position, self.head_hash, occurred_at, now, actor, data, sealer
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
        self._apply_event(event, steps)
        self.version = position
        self.modified_on = now
        self._pending_events.append(event)
        return event

    # ------------------------------------------------------------ per-type rules

    def _fill_id(self, values: dict[str, Any], name: str, kind: str, position: int) -> None:
        if values.get(name) is None:
            values[name] = generated_id(kind, self.id, position)

    def _judge_partner_joined(self, values: dict[str, Any], position: int, _: Any) -> None:
        self._fill_id(values, "partner_id", "partner", position)

    def _judge_partner_left(self, values: dict[str, Any], position: int, _: Any) -> None:
        if f"partner:{values['partner_id']}" not in self.timelines:
            raise invalid("partnerId", f"'{values['partner_id']}' has never been a partner")

    def _judge_goal_set(self, values: dict[str, Any], position: int, _: Any) -> None:
        self._fill_id(values, "goal_id", "goal", position)
        self._check_unused("goal", values["goal_id"], "goalId")

    def _known_goal(self, values: dict[str, Any], *_: Any) -> None:
        if values["goal_id"] not in self.ids["goal"]:
            raise not_found("goalId", f"no goal '{values['goal_id']}' in this partnership")

    _judge_goal_revised = _known_goal
    _judge_goal_endorsed = _known_goal
    _judge_goal_reaffirmed = _known_goal
    _judge_goal_retired = _known_goal

    def _judge_decision_recorded(self, values: dict[str, Any], position: int, _: Any) -> None:
        self._fill_id(values, "decision_id", "decision", position)
        self._check_unused("decision", values["decision_id"], "decisionId")
        named: set[str] = set()
        for list_name in ("decided_by", "consulted"):
            for index, partner in enumerate(values[list_name]):
                if partner in named:
                    raise invalid(f"{camel(list_name)}.{index}", f"names '{partner}' twice")
                named.add(partner)
        dissent: set[str] = set()
        for index, partner in enumerate(values["dissented_by"]):
            if partner in dissent:
                raise invalid(f"dissentedBy.{index}", f"names '{partner}' twice")
            dissent.add(partner)
        if values["method"] == "SINGLE_PARTNER" and len(values["decided_by"]) > 1:
            raise invalid("decidedBy", "a SINGLE_PARTNER decision has exactly one decider")

    def _judge_commitment_made(self, values: dict[str, Any], position: int, _: Any) -> None:
        self._fill_id(values, "commitment_id", "commitment", position)
        self._check_unused("commitment", values["commitment_id"], "commitmentId")
        unit = UNIT_OF_KIND[values["kind"]]
        if values.get("unit") not in (None, unit):
            raise invalid("unit", f"{values['kind']} is counted in {unit}, not {values['unit']}")
        values["unit"] = unit

    def _known_commitment(self, values: dict[str, Any], *_: Any) -> None:
        identifier = values["commitment_id"]
        if identifier not in self.ids["commitment"] or not self.timelines.get(
            f"commitment:{identifier}", {}
        ).get("entries"):
            raise not_found("commitmentId", f"no commitment '{identifier}' in this partnership")

    _judge_commitment_delivered = _known_commitment
    _judge_commitment_released = _known_commitment

    def _judge_risk_shares_agreed(self, values: dict[str, Any], position: int, _: Any) -> None:
        seen: set[str] = set()
        for index, share in enumerate(values["shares"]):
            if share["partnerId"] in seen:
                raise invalid(f"shares.{index}.partnerId", f"names '{share['partnerId']}' twice")
            seen.add(share["partnerId"])
        total = sum(share["share"] for share in values["shares"])
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise invalid("shares", f"shares must sum to 1 (they sum to {total:.6f})")

    def _judge_leader_appointed(self, *_: Any) -> None:
        return None

    def _judge_leader_departed(self, *_: Any) -> None:
        return None

    def _judge_trust_check_in_recorded(self, values: dict[str, Any], *_: Any) -> None:
        if values.get("about_id") is not None and values["about_id"] == values["respondent_id"]:
            raise invalid("aboutId", "a check-in cannot be about the respondent itself")

    def _judge_entry_retracted(
        self, values: dict[str, Any], position: int, target: PartnershipEvent | None
    ) -> None:
        if target is None:
            raise not_found(
                "eventId", f"no event '{values['target_event_id']}' in this partnership"
            )
        if target.type_name() in NOT_RETRACTABLE:
            raise invalid("eventId", f"a {target.type_name()} event cannot be retracted")
        if str(target.position) in self.retracted:
            raise invalid("eventId", "the event is already retracted")
        values["target_position"] = target.position
        values["target_at"] = to_micros(target.occurred_at)
        values["target_subjects"] = [subject for subject, _, _ in _entries_of_event(target)]
        for subject in values["target_subjects"]:
            timeline = self._without(subject, values["target_at"], target.position)
            if timeline is None:
                continue
            _, entry, problem = tl.fold(subject, timeline)
            if entry is not None and problem is not None:
                dependant = event_id_at(self.id, int(entry[1]))
                raise invalid(
                    "eventId",
                    f"the recorded event {dependant} depends on it ({problem.reason}); "
                    "retract that first",
                )

    def _judge_role_granted(self, values: dict[str, Any], *_: Any) -> None:
        return None

    def _judge_role_revoked(self, values: dict[str, Any], *_: Any) -> None:
        actor = values["actor"]
        if actor not in self.access:
            raise not_found("actor", f"'{actor}' has no role in this partnership")
        admins = [name for name, role in self.access.items() if role == AccessRole.ADMIN.value]
        if admins == [actor]:
            raise invalid("actor", "the partnership must keep at least one ADMIN")

    # ---------------------------------------------------------------- checks

    def _check_occurred_at(self, occurred_at: datetime, now: datetime, at: int) -> None:
        if at < self.formed_at:
            raise invalid("occurredAt", "is before the partnership was formed")
        _check_not_future(occurred_at, now)

    def _check_unused(self, kind: str, identifier: str, field: str) -> None:
        if identifier in self.ids[kind]:
            raise duplicate(field, f"the {kind} id '{identifier}' is already used")

    def _check_timelines(self, subjects: Subjects) -> Steps:
        """Raise DomainError if an entry is invalid where it falls, or would make a later
        recorded one invalid; else how each timeline changes (for `_apply_event`)."""
        steps: Steps = []
        for subject, entry, field in subjects:
            timeline = self.timelines.get(subject)
            entries: list[tl.Entry] = timeline["entries"] if timeline else []
            index = tl.insertion_index(entries, entry)
            state: tl.State | None = None
            if index == len(entries):
                state = dict(timeline["tail"]) if timeline else {}
                problem = tl.step(subject, state, entry)
                failing = entry if problem else None
            else:
                _, failing, problem = tl.fold(subject, [*entries[:index], entry, *entries[index:]])
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

    def _without(self, subject: str, at: int, position: int) -> list[tl.Entry] | None:
        """A timeline as it would be without the entry at (at, position); None when that
        entry does not change the subject's state, so nothing after it can depend on it.

        Retracting a commitment's making takes its deliveries and release with it."""
        entries = self.timelines.get(subject, {}).get("entries", [])
        index = tl.insertion_index(entries, [at, position, ""]) - 1
        if index < 0 or int(entries[index][1]) != position:
            return None
        kind = entries[index][2]
        if kind == tl.MADE:
            return []
        if kind not in tl.STATEFUL:
            return None
        return [*entries[:index], *entries[index + 1 :]]

    # ------------------------------------------------------------------ state

    def _remember_key(self, key: str | None, fingerprint: str | None, position: int) -> None:
        if key is not None:
            self.idempotency[key] = [fingerprint, position]

    def _apply_event(self, event: PartnershipEvent, steps: Steps | None = None) -> None:
        if isinstance(event, Partnership.PartnershipFormed):
            return
        self.head_hash = event.hash
        self._remember_key(event.idempotency_key, event.fingerprint, event.position)
        if isinstance(event, Partnership.EntryRetracted):
            self._apply_retraction(event)
            return
        if isinstance(event, Partnership.RoleGranted):
            self.access[event.actor] = event.role
            return
        if isinstance(event, Partnership.RoleRevoked):
            self.access.pop(event.actor, None)
            return
        named = _NAMES_AN_ID.get(type(event))
        if named is not None:
            kind, name = named
            self.ids[kind][getattr(event, name)] = event.position
        if steps is None:  # replayed, not just judged by `record`
            steps = [(subject, entry, None, None) for subject, entry, _ in _entries_of_event(event)]
        for subject, entry, known_index, stepped in steps:
            timeline = self.timelines.setdefault(subject, {"entries": [], "tail": {}})
            entries = timeline["entries"]
            index = tl.insertion_index(entries, entry) if known_index is None else known_index
            entries.insert(index, entry)
            if index == len(entries) - 1:
                if stepped is None:
                    tl.step(subject, timeline["tail"], entry)
                else:
                    timeline["tail"] = stepped
            else:
                timeline["tail"] = tl.fold(subject, entries)[0]

    def _apply_retraction(self, event: Partnership.EntryRetracted) -> None:
        self.retracted[str(event.target_position)] = event.position
        for subject in event.target_subjects:
            timeline = self.timelines.get(subject)
            if timeline is None:
                continue
            entries = timeline["entries"]
            index = tl.insertion_index(entries, [event.target_at, event.target_position, ""]) - 1
            if index < 0 or int(entries[index][1]) != event.target_position:
                continue
            kind = entries[index][2]
            if kind == tl.MADE:
                timeline["entries"] = []
                timeline["tail"] = {}
                continue
            del entries[index]
            if kind in tl.STATEFUL:
                timeline["tail"] = tl.fold(subject, entries)[0]


_NAMES_AN_ID: dict[type[PartnershipEvent], tuple[str, str]] = {
    Partnership.GoalSet: ("goal", "goal_id"),
    Partnership.DecisionRecorded: ("decision", "decision_id"),
    Partnership.CommitmentMade: ("commitment", "commitment_id"),
}
_FUTURE_TOLERANCE = timedelta(days=FUTURE_TOLERANCE_DAYS)


def _check_not_future(occurred_at: datetime, now: datetime) -> None:
    if occurred_at > now + _FUTURE_TOLERANCE:
        raise invalid("occurredAt", "is more than 1 day in the future")


def _common(
    event_class: type[PartnershipEvent],
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
        event_type=event_class.type_name(),
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


def _entries_of_event(event: PartnershipEvent) -> Subjects:
    values = {name: getattr(event, name) for name in type(event).data_fields()}
    return entries_of(type(event), values, to_micros(event.occurred_at), event.position)


def entries_of(
    event_class: type[PartnershipEvent], values: dict[str, Any], at: int, position: int
) -> Subjects:
    """The timeline entries an event makes: (subject, entry, input field)."""
    name = event_class.__name__

    def partner(pid: str, field: str, kind: str = tl.NAMED) -> tuple[str, tl.Entry, str]:
        return (f"partner:{pid}", [at, position, kind], field)

    if name == "PartnerJoined":
        return [partner(values["partner_id"], "partnerId", tl.JOIN)]
    if name == "PartnerLeft":
        return [partner(values["partner_id"], "partnerId", tl.LEAVE)]
    goal_kinds = {
        "GoalSet": tl.SET,
        "GoalRevised": tl.REVISE,
        "GoalReaffirmed": tl.REAFFIRM,
        "GoalRetired": tl.RETIRE,
    }
    if name in goal_kinds:
        return [(f"goal:{values['goal_id']}", [at, position, goal_kinds[name]], "goalId")]
    if name == "GoalEndorsed":
        return [
            (f"goal:{values['goal_id']}", [at, position, tl.ENDORSE, values["version"]], "goalId"),
            partner(values["partner_id"], "partnerId"),
        ]
    if name == "DecisionRecorded":
        return [
            partner(pid, f"{camel(list_name)}.{index}")
            for list_name in ("decided_by", "consulted", "dissented_by")
            for index, pid in enumerate(values[list_name])
        ]
    if name == "CommitmentMade":
        return [
            (f"commitment:{values['commitment_id']}", [at, position, tl.MADE], "commitmentId"),
            partner(values["partner_id"], "partnerId"),
        ]
    if name in ("CommitmentDelivered", "CommitmentReleased"):
        kind = tl.DELIVER if name == "CommitmentDelivered" else tl.RELEASE
        return [(f"commitment:{values['commitment_id']}", [at, position, kind], "commitmentId")]
    if name == "RiskSharesAgreed":
        return [
            partner(share["partnerId"], f"shares.{index}.partnerId")
            for index, share in enumerate(values["shares"])
        ]
    if name == "LeaderAppointed":
        return [
            (f"role:{values['role']}", [at, position, tl.APPOINT], "role"),
            partner(values["partner_id"], "partnerId"),
        ]
    if name == "LeaderDeparted":
        return [(f"role:{values['role']}", [at, position, tl.DEPART], "role")]
    if name == "TrustCheckInRecorded":
        subjects = [partner(values["respondent_id"], "respondentId")]
        if values.get("about_id") is not None:
            subjects.append(partner(values["about_id"], "aboutId"))
        return subjects
    return []


EVENT_CLASSES: dict[str, type[PartnershipEvent]] = {
    event_type_name(cls.__name__): cls
    for cls in vars(Partnership).values()
    if isinstance(cls, type) and issubclass(cls, PartnershipEvent)
}

__all__ = ["EVENT_CLASSES", "ErrorCode", "Partnership", "PartnershipEvent"]
