"""The mutations a partnership's history accepts, and how their input is read.

Each mutation's input is checked for shape here (required fields, blanks, lengths,
enums, ranges, id syntax, instants) before any rule that needs the history; every
problem names its input field with the dotted path of API.md (`decidedBy.1`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, NamedTuple

from accord.domain.errors import DomainError, invalid
from accord.domain.instants import InstantError, parse_instant
from accord.domain.values import (
    ID_PATTERN,
    IDEMPOTENCY_KEY_LIMIT,
    LONG_TEXT_LIMIT,
    SHORT_TEXT_LIMIT,
    AccessRole,
    DecisionCategory,
    DecisionMethod,
    ResourceKind,
    Sector,
)

Reader = Callable[[Any, str], Any]


def storable_text(value: str, field: str) -> str:
    """Text every store keeps as given: PostgreSQL's text and JSON refuse NUL, and a lone
    surrogate is not Unicode text at all (neither can be hashed or stored as UTF-8)."""
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters (U+0000)")
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, "must be Unicode text (it holds a lone surrogate)") from None
    return value


def _text(limit: int) -> Reader:
    def read(value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise invalid(field, "must be a string")
        if not value.strip():
            raise invalid(field, "must not be blank")
        if len(value) > limit:
            raise invalid(field, f"must be at most {limit:,} characters (got {len(value):,})")
        return storable_text(value, field)

    return read


def _optional_text(limit: int) -> Reader:
    def read(value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise invalid(field, "must be a string")
        if len(value) > limit:
            raise invalid(field, f"must be at most {limit:,} characters (got {len(value):,})")
        return storable_text(value, field)

    return read


def _identifier(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    if not ID_PATTERN.match(value):
        raise invalid(field, "must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'")
    return value


def _enum(kind: type[Enum]) -> Reader:
    names = [member.value for member in kind]

    def read(value: Any, field: str) -> str:
        raw = value.value if isinstance(value, Enum) else value
        if raw not in names:
            raise invalid(field, f"must be one of {', '.join(names)}")
        return str(raw)

    return read


def _integer(low: int, high: int | None) -> Reader:
    def read(value: Any, field: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(field, "must be a whole number")
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise invalid(field, f"must be {span} (got {value})")
        return value

    return read


def _positive_number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(field, "must be a number")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise invalid(field, f"must be greater than 0 (got {value})")
    return number


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, "must be true or false")
    return value


def _instant(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise invalid(field, "a date-time needs an offset (e.g. +00:00) or give a bare date")
        return value
    if not isinstance(value, str):
        raise invalid(field, "must be an ISO-8601 date-time with an offset, or a bare date")
    try:
        return parse_instant(value)
    except InstantError as exc:
        raise invalid(field, str(exc)) from exc


def _identifiers(non_empty: bool) -> Reader:
    def read(value: Any, field: str) -> list[str]:
        if not isinstance(value, list | tuple):
            raise invalid(field, "must be a list of partner ids")
        if non_empty and not value:
            raise invalid(field, "must name at least one partner")
        return [_identifier(item, f"{field}.{index}") for index, item in enumerate(value)]

    return read


def _shares(value: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple) or not value:
        raise invalid(field, "must list at least one partner's share")
    shares: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        path = f"{field}.{index}"
        if not isinstance(item, Mapping):
            raise invalid(path, "must be {partnerId, share}")
        if item.get("partnerId") is None:
            raise invalid(f"{path}.partnerId", "is required")
        if item.get("share") is None:
            raise invalid(f"{path}.share", "is required")
        partner = _identifier(item["partnerId"], f"{path}.partnerId")
        share = item["share"]
        if isinstance(share, bool) or not isinstance(share, int | float):
            raise invalid(f"{path}.share", "must be a number")
        if not math.isfinite(float(share)) or share < 0:
            raise invalid(f"{path}.share", f"must be 0 or more (got {share})")
        shares.append({"partnerId": partner, "share": float(share)})
    return shares


@dataclass(frozen=True)
class FieldSpec:
    """One input field: its API name, how to read it, and its default when omitted."""

    name: str
    read: Reader
    required: bool = False
    default: Any = None


SHORT = _text(SHORT_TEXT_LIMIT)
LONG = _text(LONG_TEXT_LIMIT)
OPTIONAL_LONG = _optional_text(LONG_TEXT_LIMIT)
SCORE = _integer(1, 5)


def _req(name: str, read: Reader) -> FieldSpec:
    return FieldSpec(name, read, required=True)


def _opt(name: str, read: Reader, default: Any = None) -> FieldSpec:
    return FieldSpec(name, read, default=default)


@dataclass(frozen=True)
class MutationSpec:
    """A mutation, the event type it records, and its own input fields."""

    mutation: str
    event_type: str
    fields: tuple[FieldSpec, ...]
    needs: AccessRole = AccessRole.RECORDER
    in_partnership: bool = True


MUTATIONS: dict[str, MutationSpec] = {
    spec.mutation: spec
    for spec in (
        MutationSpec(
            "formPartnership",
            "PartnershipFormed",
            (_req("name", SHORT), _req("purpose", LONG)),
            in_partnership=False,
        ),
        MutationSpec(
            "joinPartner",
            "PartnerJoined",
            (_opt("partnerId", _identifier), _req("name", SHORT), _req("sector", _enum(Sector))),
        ),
        MutationSpec(
            "recordPartnerLeaving",
            "PartnerLeft",
            (_req("partnerId", _identifier), _opt("reason", OPTIONAL_LONG)),
        ),
        MutationSpec("setGoal", "GoalSet", (_opt("goalId", _identifier), _req("statement", LONG))),
        MutationSpec(
            "reviseGoal",
            "GoalRevised",
            (_req("goalId", _identifier), _req("statement", LONG), _req("reason", LONG)),
        ),
        MutationSpec(
            "endorseGoal",
            "GoalEndorsed",
            (
                _req("goalId", _identifier),
                _req("partnerId", _identifier),
                _req("version", _integer(1, None)),
                _req("rating", SCORE),
            ),
        ),
        MutationSpec(
            "reaffirmGoal",
            "GoalReaffirmed",
            (_req("goalId", _identifier), _opt("note", OPTIONAL_LONG)),
        ),
        MutationSpec(
            "retireGoal", "GoalRetired", (_req("goalId", _identifier), _req("reason", LONG))
        ),
        MutationSpec(
            "recordDecision",
            "DecisionRecorded",
            (
                _opt("decisionId", _identifier),
                _req("title", SHORT),
                _req("category", _enum(DecisionCategory)),
                _opt("significance", _integer(1, 3), 1),
                _req("method", _enum(DecisionMethod)),
                _req("decidedBy", _identifiers(non_empty=True)),
                _opt("consulted", _identifiers(non_empty=False), ()),
                _opt("dissentedBy", _identifiers(non_empty=False), ()),
                _opt("rationale", OPTIONAL_LONG),
            ),
        ),
        MutationSpec(
            "makeCommitment",
            "CommitmentMade",
            (
                _opt("commitmentId", _identifier),
                _req("partnerId", _identifier),
                _req("kind", _enum(ResourceKind)),
                _req("quantity", _positive_number),
                _opt("unit", SHORT),
                _req("dueAt", _instant),
                _opt("description", OPTIONAL_LONG),
            ),
        ),
        MutationSpec(
            "recordDelivery",
            "CommitmentDelivered",
            (_req("commitmentId", _identifier), _req("quantity", _positive_number)),
        ),
        MutationSpec(
            "releaseCommitment",
            "CommitmentReleased",
            (
                _req("commitmentId", _identifier),
                _req("byAgreement", _boolean),
                _req("reason", LONG),
            ),
        ),
        MutationSpec("agreeRiskShares", "RiskSharesAgreed", (_req("shares", _shares),)),
        MutationSpec(
            "appointLeader",
            "LeaderAppointed",
            (_req("role", SHORT), _req("partnerId", _identifier), _req("person", SHORT)),
        ),
        MutationSpec(
            "recordLeaderDeparture",
            "LeaderDeparted",
            (_req("role", SHORT), _opt("reason", OPTIONAL_LONG)),
        ),
        MutationSpec(
            "recordTrustCheckIn",
            "TrustCheckInRecorded",
            (
                _req("respondentId", _identifier),
                _opt("aboutId", _identifier),
                _req("reliability", SCORE),
                _req("openness", SCORE),
                _req("respect", SCORE),
                _req("sharedOwnership", SCORE),
                _opt("note", OPTIONAL_LONG),
            ),
        ),
        MutationSpec(
            "retractEntry",
            "EntryRetracted",
            (_req("eventId", _identifier), _req("reason", LONG)),
            needs=AccessRole.ADMIN,
        ),
        MutationSpec(
            "grantRole",
            "RoleGranted",
            (_req("actor", SHORT), _req("role", _enum(AccessRole))),
            needs=AccessRole.ADMIN,
        ),
        MutationSpec("revokeRole", "RoleRevoked", (_req("actor", SHORT),), needs=AccessRole.ADMIN),
    )
}

COMMON_FIELDS = ("partnershipId", "occurredAt", "expectedVersion", "idempotencyKey")


class Command(NamedTuple):
    """A mutation's input, read and checked for shape; `fields` uses the API's names.
    (A named tuple: built once per command, a frozen dataclass costs more.)"""

    spec: MutationSpec
    partnership_id: str | None
    fields: dict[str, Any]
    occurred_at: datetime | None
    expected_version: int | None
    idempotency_key: str | None


@cache
def _known_fields(mutation: str) -> frozenset[str]:
    fields = MUTATIONS[mutation].fields
    return frozenset(field.name for field in fields) | frozenset(COMMON_FIELDS)


def read_command(mutation: str, raw: Mapping[str, Any]) -> Command:
    """Read a mutation's input; raises DomainError naming the first field at fault."""
    spec = MUTATIONS.get(mutation)
    if spec is None:
        raise invalid("mutation", f"unknown mutation '{mutation}'")
    known = _known_fields(mutation)
    for name in raw:
        if name not in known:
            raise invalid(name, f"is not an input field of {mutation}")
    partnership_id: str | None = None
    if spec.in_partnership:
        if raw.get("partnershipId") is None:
            raise invalid("partnershipId", "is required")
        partnership_id = str(raw["partnershipId"])
    elif raw.get("partnershipId") is not None or raw.get("expectedVersion") is not None:
        name = "partnershipId" if raw.get("partnershipId") is not None else "expectedVersion"
        raise invalid(name, f"is not an input field of {mutation}")
    key = read_idempotency_key(raw)
    expected = raw.get("expectedVersion")
    if expected is not None:
        expected = _integer(0, None)(expected, "expectedVersion")
    occurred = raw.get("occurredAt")
    occurred_at = _instant(occurred, "occurredAt") if occurred is not None else None
    fields: dict[str, Any] = {}
    for field in spec.fields:
        value = raw.get(field.name)
        if value is None:
            if field.required:
                raise invalid(field.name, "is required")
            fields[field.name] = (
                list(field.default) if isinstance(field.default, tuple) else field.default
            )
            continue
        fields[field.name] = field.read(value, field.name)
    return Command(spec, partnership_id, fields, occurred_at, expected, key)


def read_idempotency_key(raw: Mapping[str, Any]) -> str | None:
    """The input's idempotency key, if any; raises DomainError for one that is not usable."""
    key = raw.get("idempotencyKey")
    if key is None:
        return None
    if not isinstance(key, str) or not key or len(key) > IDEMPOTENCY_KEY_LIMIT:
        raise invalid("idempotencyKey", f"must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters")
    return storable_text(key, "idempotencyKey")


def input_fingerprint(command: Command) -> dict[str, Any]:
    """What an idempotent retry must repeat: the input as sent, minus version and key."""
    body: dict[str, Any] = {"mutation": command.spec.mutation}
    for name, value in command.fields.items():
        body[name] = value.isoformat() if isinstance(value, datetime) else value
    body["occurredAt"] = command.occurred_at.isoformat() if command.occurred_at else None
    return body


def require_error(error: DomainError | None) -> None:
    if error is not None:
        raise error


__all__ = [
    "MUTATIONS",
    "Command",
    "DomainError",
    "MutationSpec",
    "input_fingerprint",
    "read_command",
    "read_idempotency_key",
    "storable_text",
]
