"""Mutation inputs: one `<Mutation>Input` per mutation (API.md, Mutations).

Shapes are checked by GraphQL (types, required fields, enum values); every rule about
values (blank strings, lengths, ranges, ids, dates, the history) is the domain's, which
answers with a `ValidationError` naming the field. `raw_input` turns an input object
into the plain dict, under API names, that the application service reads.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

from accord.graphql.enums import AccessRole, DecisionCategory, DecisionMethod, ResourceKind, Sector
from accord.graphql.scalars import input_text

_PARTNERSHIP = "The partnership to record into."
_OCCURRED_AT = (
    "When it happened (default: now). Not before the partnership was formed, nor more than "
    "1 day in the future; a bare date means the start of that day."
)
_EXPECTED_VERSION = (
    "Record only if the partnership's `version` is still this; otherwise VERSION_CONFLICT."
)
_IDEMPOTENCY_KEY = (
    "A key for safe retries: the same key with the same input returns the first result and "
    "records nothing; with another input it is DUPLICATE. Scoped to the partnership."
)
_CLIENT_ID = (
    "Optional id: 1 to 64 characters of A-Z a-z 0-9 _ . : -, unique within the partnership; "
    "generated when left out."
)
SHORT = "at most 200 characters"
LONG = "at most 5,000 characters"


@strawberry.input(description="The fields every input recording into a partnership has.")
class PartnershipInput:
    partnership_id: strawberry.ID = strawberry.field(description=_PARTNERSHIP)
    occurred_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description=_OCCURRED_AT
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description=_EXPECTED_VERSION
    )
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET, description=_IDEMPOTENCY_KEY
    )


def _opt(description: str) -> Any:
    return strawberry.field(default=strawberry.UNSET, description=description)


def _req(description: str) -> Any:
    return strawberry.field(description=description)


@strawberry.input(description="Form a new partnership; the actor becomes its ADMIN.")
class FormPartnershipInput:
    name: str = _req(f"The partnership's name ({SHORT}).")
    purpose: str = _req(f"What the partnership is for ({LONG}).")
    occurred_at: datetime | None = _opt(
        "When it was formed (default: now); a bare date means the start of that day."
    )
    idempotency_key: str | None = _opt(
        "A key for safe retries, scoped to the actor: a retry with the same key and input "
        "returns the partnership it formed."
    )


@strawberry.input(description="A partner organisation joins (or, after leaving, joins again).")
class JoinPartnerInput(PartnershipInput):
    partner_id: strawberry.ID | None = _opt(
        _CLIENT_ID + " A partner who left may rejoin under its id."
    )
    name: str = _req(f"The organisation's name ({SHORT}).")
    sector: Sector = _req("The organisation's sector.")


@strawberry.input(description="A partner leaves the partnership.")
class RecordPartnerLeavingInput(PartnershipInput):
    partner_id: strawberry.ID = _req("The partner leaving: active at `occurredAt`.")
    reason: str | None = _opt(f"Why it left ({LONG}).")


@strawberry.input(description="Set a new goal (version 1).")
class SetGoalInput(PartnershipInput):
    goal_id: strawberry.ID | None = _opt(_CLIENT_ID)
    statement: str = _req(f"The goal ({LONG}).")


@strawberry.input(description="Reword a goal: a new version, which needs new endorsements.")
class ReviseGoalInput(PartnershipInput):
    goal_id: strawberry.ID = _req("The goal to revise (not retired).")
    statement: str = _req(f"The new wording ({LONG}).")
    reason: str = _req(f"Why it changed ({LONG}).")


@strawberry.input(description="A partner endorses a goal's current version.")
class EndorseGoalInput(PartnershipInput):
    goal_id: strawberry.ID = _req("The goal endorsed (not retired).")
    partner_id: strawberry.ID = _req("The partner endorsing: active at `occurredAt`.")
    version: int = _req("The goal's current version (endorsing an older one is refused).")
    rating: int = _req("How strongly the partner agrees, from 1 to 5.")


@strawberry.input(description="Confirm a goal still holds, unchanged.")
class ReaffirmGoalInput(PartnershipInput):
    goal_id: strawberry.ID = _req("The goal reaffirmed (not retired).")
    note: str | None = _opt(f"A note ({LONG}).")


@strawberry.input(description="Retire a goal: it is no longer pursued.")
class RetireGoalInput(PartnershipInput):
    goal_id: strawberry.ID = _req("The goal to retire (not already retired).")
    reason: str = _req(f"Why ({LONG}).")


@strawberry.input(description="Record a decision and who took it.")
class RecordDecisionInput(PartnershipInput):
    decision_id: strawberry.ID | None = _opt(_CLIENT_ID)
    title: str = _req(f"What was decided, in a few words ({SHORT}).")
    category: DecisionCategory = _req("What the decision is about.")
    significance: int | None = strawberry.field(
        default=1, description="How much it matters, from 1 to 3 (default 1)."
    )
    method: DecisionMethod = _req("How it was decided (SINGLE_PARTNER: exactly one decider).")
    decided_by: list[strawberry.ID] = _req(
        "The partners who decided: at least one, each active at `occurredAt`, none twice."
    )
    consulted: list[strawberry.ID] | None = _opt(
        "Partners consulted but not deciding: active, none twice, none also in `decidedBy`."
    )
    dissented_by: list[strawberry.ID] | None = _opt("Partners who disagreed: active, none twice.")
    rationale: str | None = _opt(f"Why ({LONG}); decisions with one count as transparent.")


@strawberry.input(description="A partner commits resources, due by a date.")
class MakeCommitmentInput(PartnershipInput):
    commitment_id: strawberry.ID | None = _opt(_CLIENT_ID)
    partner_id: strawberry.ID = _req("The partner committing: active at `occurredAt`.")
    kind: ResourceKind = _req("The kind of resource.")
    quantity: float = _req("How much, in the kind's unit: more than 0.")
    unit: str | None = _opt(
        "The kind's unit, GBP (FUNDING), FTE_MONTHS (STAFF) or DAYS (IN_KIND); may be left out."
    )
    due_at: datetime = _req("When it is due; a bare date means the start of that day.")
    description: str | None = _opt(f"What is committed ({LONG}).")


@strawberry.input(description="Record a delivery against a commitment.")
class RecordDeliveryInput(PartnershipInput):
    commitment_id: strawberry.ID = _req(
        "The commitment delivered against: not released, made by `occurredAt`."
    )
    quantity: float = _req("How much was delivered, in the commitment's unit: more than 0.")


@strawberry.input(description="Release a partner from a commitment.")
class ReleaseCommitmentInput(PartnershipInput):
    commitment_id: strawberry.ID = _req("The commitment released (not already released).")
    by_agreement: bool = _req(
        "Whether the partners agreed to it; a release not by agreement counts as broken."
    )
    reason: str = _req(f"Why ({LONG}).")


@strawberry.input(description="One partner's agreed share of the risk.")
class RiskShareInput:
    partner_id: strawberry.ID = _req("The partner: active at `occurredAt`.")
    share: float = _req("Its share: 0 or more; all shares sum to 1 (within 1e-6).")


@strawberry.input(description="The partners agree how they share risk.")
class AgreeRiskSharesInput(PartnershipInput):
    shares: list[RiskShareInput] = _req("Every partner's share; they sum to 1.")


@strawberry.input(description="Appoint a person from a partner to a leadership role.")
class AppointLeaderInput(PartnershipInput):
    role: str = _req(f"The role ({SHORT}); any previous holder is replaced.")
    partner_id: strawberry.ID = _req("The partner the person is from: active at `occurredAt`.")
    person: str = _req(f"Who is appointed ({SHORT}).")


@strawberry.input(description="A role's holder leaves it; the role becomes vacant.")
class RecordLeaderDepartureInput(PartnershipInput):
    role: str = _req(f"The role left ({SHORT}); it must have a holder.")
    reason: str | None = _opt(f"Why ({LONG}).")


@strawberry.input(description="A partner's answers to a trust check-in.")
class RecordTrustCheckInInput(PartnershipInput):
    respondent_id: strawberry.ID = _req("The partner answering: active at `occurredAt`.")
    about_id: strawberry.ID | None = _opt(
        "The partner it is about (active, not the respondent); left out: the whole partnership."
    )
    reliability: int = _req("They do what they say, from 1 to 5.")
    openness: int = _req("They share information openly, from 1 to 5.")
    respect: int = _req("They respect our views, from 1 to 5.")
    shared_ownership: int = _req("They own the shared goals as we do, from 1 to 5.")
    note: str | None = _opt(f"A note ({LONG}).")


@strawberry.input(
    description=(
        "Retract an entry recorded by mistake (ADMIN only). It stays in the history, marked "
        "retracted, and leaves every figure as known from now on."
    )
)
class RetractEntryInput(PartnershipInput):
    event_id: strawberry.ID = _req(
        "The event to retract: not a formation, retraction or role change; not already "
        "retracted; no unretracted event may depend on it."
    )
    reason: str = _req(f"Why ({LONG}).")


@strawberry.input(description="Give an actor a role in the partnership (ADMIN only).")
class GrantRoleInput(PartnershipInput):
    actor: str = _req(f"The actor ({SHORT}).")
    role: AccessRole = _req("The role it gets (replacing any it had).")


@strawberry.input(description="Take an actor's role in the partnership away (ADMIN only).")
class RevokeRoleInput(PartnershipInput):
    actor: str = _req(f"The actor ({SHORT}).")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return input_text(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if has_object_definition(value):
        return raw_input(value)
    return value


def raw_input(value: Any) -> dict[str, Any]:
    """An input object as the application service reads it: API names, plain values,
    fields left out (or null) absent."""
    raw: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        given = getattr(value, field.name)
        if given is None or given is strawberry.UNSET:
            continue
        raw[to_camel_case(field.name)] = _plain(given)
    return raw
