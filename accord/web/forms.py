"""The page's forms, described from the catalogue of event kinds (`GET /forms.json`).

What each form holds comes from `accord.domain.catalogue`: its kinds in order, each
kind's mutation, type, what it is about (`section`), the role it needs, and its fields
with their readers' shapes (text limits, number bounds, enum values) and what they refer
to (a partner, a goal, ...). Only the wording is written here, in the partnership's
plain language: a label and help for each field name (`FIELDS`, with per-kind
`OVERRIDES`), a title and help for each kind (`KINDS`), a short label for each kind
offered beside one goal (`ITEM_ACTIONS`), a label for each enum value (`OPTIONS`). No
form is written by hand; `describe()` builds them all (API.md, Forms).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from accord.domain.catalogue import KINDS, About, Kind
from accord.domain.fields import FieldSpec, Refers, Shape
from accord.domain.values import SHORT_TEXT_LIMIT

CONTROLS = (
    "text",
    "textarea",
    "select",
    "integer",
    "number",
    "boolean",
    "datetime",
    "id",
    "partner",
    "partners",
    "goal",
    "commitment",
    "role",
    "event",
    "actor",
    "shares",
)
"""Every control a field can have."""

Wording = tuple[str, str]
"""(label, help)."""

COMMON: dict[str, Wording] = {
    "occurredAt": (
        "When it happened",
        "Leave it as now, or set an earlier date and time to backdate the entry. A "
        "backdated entry is checked against the record as it stood at that moment, and "
        "changes what the partnership's figures say for every date from then on; the "
        "record still shows when it was written down.",
    ),
}
"""The fields every form has that a person fills in (the page sets `partnershipId`,
`expectedVersion` and `idempotencyKey` itself)."""

FIELDS: dict[str, Wording] = {
    "name": ("Name", "The name as people know it."),
    "purpose": ("Purpose", "What the partnership is for, in a sentence or two."),
    "partnerId": ("Partner", "The partner organisation."),
    "sector": ("Sector", "The kind of organisation it is."),
    "reason": ("Reason", "Why, in a sentence or two."),
    "goalId": ("Goal", "The goal this is about."),
    "statement": ("Goal", "What the partnership means to achieve, in plain words."),
    "version": ("Wording endorsed", "The version of the goal's wording being endorsed."),
    "rating": (
        "How strongly they agree",
        "From 1 (hardly at all) to 5 (completely).",
    ),
    "note": ("Note (optional)", "Anything worth keeping with the entry."),
    "decisionId": (
        "Reference (optional)",
        "A short reference for the decision, such as 'board-2025-03-1'. Leave it blank "
        "and one is made up.",
    ),
    "title": ("Title", "What was decided, in a few words."),
    "category": ("What it is about", "The kind of decision."),
    "significance": (
        "How much it matters",
        "From 1 (routine) to 3 (major). Weightier decisions count for more when the "
        "partnership's balance of power is measured.",
    ),
    "method": ("How it was decided", "The way the decision was taken."),
    "decidedBy": (
        "Decided by",
        "Every partner that took part in deciding: at least one, each a member then.",
    ),
    "consulted": (
        "Consulted (optional)",
        "Partners asked for their view who did not take part in deciding.",
    ),
    "dissentedBy": (
        "Disagreed (optional)",
        "Partners who disagreed with the decision.",
    ),
    "rationale": ("Why (optional)", "The reasons given for the decision."),
    "commitmentId": ("Commitment", "The commitment this is about."),
    "kind": ("What is committed", "Money, staff time, or anything else given in kind."),
    "quantity": ("Amount", "How much, in the unit of what is committed."),
    "unit": (
        "Unit (optional)",
        "Leave it blank: money is counted in GBP, staff time in FTE_MONTHS and anything "
        "given in kind in DAYS. If you fill it in, it must be that unit.",
    ),
    "dueAt": ("Due by", "When it is due to be delivered in full."),
    "description": ("Description (optional)", "What the commitment is for."),
    "byAgreement": (
        "Released by agreement",
        "Tick if the partners agreed to release it; leave unticked if it was dropped "
        "without agreement.",
    ),
    "shares": (
        "Risk shares",
        "Each partner's share of the risk, as a fraction: the shares must add up to 1 "
        "(for example 0.5, 0.3 and 0.2).",
    ),
    "role": (
        "Leadership role",
        "The role, such as 'Programme director'. Choose one already in use or type a new one.",
    ),
    "person": ("Person", "Who holds the role."),
    "respondentId": ("Answering partner", "The partner answering the check-in."),
    "aboutId": (
        "About partner (optional)",
        "The partner the answers are about; leave it blank if they are about the "
        "partnership as a whole.",
    ),
    "reliability": ("Reliability", "Do partners do what they say they will? 1 (rarely) to 5."),
    "openness": ("Openness", "Do partners share what they know? 1 (rarely) to 5."),
    "respect": ("Respect", "Are all partners' views taken seriously? 1 (rarely) to 5."),
    "sharedOwnership": (
        "Shared ownership",
        "Do partners own the work together? 1 (rarely) to 5.",
    ),
    "eventId": ("Entry", "The entry recorded by mistake."),
    "actor": (
        "Person",
        "Their sign-in name: the name their access token was issued for.",
    ),
}
"""A label and help for each field name, whichever form it is in."""

OVERRIDES: dict[tuple[str, str], Wording] = {
    ("formPartnership", "name"): ("Partnership name", "The name the partnership goes by."),
    ("joinPartner", "partnerId"): (
        "Reference (optional)",
        "A short reference for the partner, such as 'city-council'. Leave it blank and one "
        "is made up. To record that a partner which left has joined again, use its "
        "reference.",
    ),
    ("joinPartner", "name"): ("Organisation", "The organisation's name."),
    ("recordPartnerLeaving", "partnerId"): ("Partner leaving", "The partner that left."),
    ("recordPartnerLeaving", "reason"): ("Why it left (optional)", "The reason, if known."),
    ("setGoal", "goalId"): (
        "Reference (optional)",
        "A short reference for the goal, such as 'fewer-admissions'. Leave it blank and "
        "one is made up.",
    ),
    ("reviseGoal", "statement"): ("New wording", "The goal as it is now worded."),
    ("reviseGoal", "reason"): ("Why it changed", "Why the wording was changed."),
    ("endorseGoal", "partnerId"): ("Partner endorsing", "The partner endorsing the goal."),
    ("retireGoal", "reason"): ("Why it is retired", "Why the partnership no longer pursues it."),
    ("makeCommitment", "commitmentId"): (
        "Reference (optional)",
        "A short reference for the commitment, such as 'council-funding-2025'. Leave it "
        "blank and one is made up.",
    ),
    ("makeCommitment", "partnerId"): ("Partner committing", "The partner making the commitment."),
    ("makeCommitment", "quantity"): (
        "Amount committed",
        "How much, in the unit of what is committed: more than 0.",
    ),
    ("recordDelivery", "quantity"): (
        "Amount delivered",
        "How much was delivered this time, in the commitment's unit: more than 0.",
    ),
    ("releaseCommitment", "reason"): ("Why it is released", "The reason for the release."),
    ("appointLeader", "partnerId"): ("From partner", "The partner the person comes from."),
    ("appointLeader", "person"): ("Person appointed", "Who now holds the role."),
    ("recordLeaderDeparture", "role"): (
        "Leadership role",
        "The role whose holder left; it is vacant until someone is appointed.",
    ),
    ("recordLeaderDeparture", "reason"): ("Why they left (optional)", "The reason, if known."),
    ("recordTrustCheckIn", "note"): ("Note (optional)", "Anything the partner added."),
    ("retractEntry", "reason"): ("Why it was a mistake", "What was wrong with the entry."),
    ("grantRole", "role"): ("Access", "What they may do in this partnership's record."),
    ("revokeRole", "actor"): ("Person", "The person whose access to this record ends."),
}
"""A label and help for a field in one form, by (mutation, field name)."""

SHARE_ITEM: dict[str, Wording] = {
    "partnerId": ("Partner", "The partner bearing this share."),
    "share": ("Share", "Its share of the risk, from 0 to 1."),
}
"""A label and help for the fields of one row of `shares`."""

KINDS_WORDING: dict[str, Wording] = {
    "formPartnership": (
        "Start a partnership",
        "Start a new partnership's record. You become its administrator; then add its partners.",
    ),
    "joinPartner": (
        "Add a partner",
        "Record that an organisation joined the partnership, or joined it again.",
    ),
    "recordPartnerLeaving": (
        "Record a partner leaving",
        "Record that a partner organisation left the partnership.",
    ),
    "setGoal": ("Set a goal", "Record a goal the partners share."),
    "reviseGoal": (
        "Revise a goal's wording",
        "Record a new wording for a goal. Partners' endorsements of the old wording no "
        "longer count.",
    ),
    "endorseGoal": (
        "Record an endorsement",
        "Record how strongly a partner agrees with a goal as it is now worded.",
    ),
    "reaffirmGoal": (
        "Reaffirm a goal",
        "Record that the partners looked at a goal again and it still holds unchanged.",
    ),
    "retireGoal": ("Retire a goal", "Record that the partnership no longer pursues a goal."),
    "recordDecision": (
        "Record a decision",
        "Record a decision the partnership took: who decided, who was consulted and who disagreed.",
    ),
    "makeCommitment": (
        "Make a commitment",
        "Record money, staff time or anything else a partner promised, and when it is due.",
    ),
    "recordDelivery": (
        "Record a delivery",
        "Record that part or all of a commitment was delivered.",
    ),
    "releaseCommitment": (
        "Release a commitment",
        "Record that a partner no longer has to deliver a commitment.",
    ),
    "agreeRiskShares": (
        "Agree risk shares",
        "Record how the partners agreed to share the partnership's risks.",
    ),
    "appointLeader": (
        "Appoint a leader",
        "Record that someone was appointed to a leadership role.",
    ),
    "recordLeaderDeparture": (
        "Record a leader leaving",
        "Record that the holder of a leadership role left it.",
    ),
    "recordTrustCheckIn": (
        "Check in",
        "Record a partner's answers to the trust check-in: how far partners can be relied "
        "on, are open, show respect and share ownership.",
    ),
    "retractEntry": (
        "Retract this entry",
        "Take out an entry recorded by mistake. It stays in the record, marked retracted, "
        "and no longer counts in any figure.",
    ),
    "grantRole": (
        "Give someone a role",
        "People and roles: let someone see this partnership's record, record entries in "
        "it, or administer it. A role replaces any they had.",
    ),
    "revokeRole": (
        "Take a role away",
        "People and roles: end someone's access to this partnership's record.",
    ),
}
"""A title and help for each form, by mutation."""

ITEM_ACTIONS: dict[str, str] = {
    "reviseGoal": "Revise",
    "endorseGoal": "Endorse",
    "reaffirmGoal": "Reaffirm",
    "retireGoal": "Retire",
}
"""A short label for a form about one goal, offered beside each goal the page lists (the
goal chosen already): every kind with a field referring to one goal has one."""

SECTIONS: dict[About, str] = {
    About.PARTNERS: "Partners",
    About.GOALS: "Goals",
    About.DECISIONS: "Decisions",
    About.COMMITMENTS: "Commitments",
    About.LEADERSHIP: "Leadership",
    About.TRUST: "Trust",
    About.RECORD: "The record: retractions, people and roles",
}
"""A heading for each section of the page a form belongs to."""

OPTIONS: dict[str, str] = {
    # Sector
    "NHS_TRUST": "NHS trust",
    "LOCAL_AUTHORITY": "Local authority (council)",
    "PRIMARY_CARE": "Primary care (GP practices, federations, networks)",
    "VOLUNTARY_SECTOR": "Charity or community organisation",
    "ACADEMIC": "University or research body",
    "PRIVATE": "Private company",
    "OTHER": "Other",
    # DecisionCategory
    "STRATEGY": "Strategy: direction and priorities",
    "GOVERNANCE": "Governance: how the partnership runs itself",
    "DELIVERY": "Delivery: doing the work",
    "RESOURCING": "Resourcing: money, staff and assets",
    # DecisionMethod
    "CONSENSUS": "By consensus: everyone deciding agreed",
    "VOTE": "By a vote",
    "SINGLE_PARTNER": "By one partner alone",
    "DELEGATED": "By those it was delegated to",
    # ResourceKind
    "FUNDING": "Money (GBP)",
    "STAFF": "Staff time (FTE months)",
    "IN_KIND": "Given in kind (days)",
    # AccessRole
    "VIEWER": "Viewer: can see the record",
    "RECORDER": "Recorder: can also record entries",
    "ADMIN": "Administrator: can also retract entries and give roles",
}
"""A label for each enum value a form offers."""

REFERS_CONTROL: dict[Refers, str] = {
    Refers.PARTNER: "partner",
    Refers.GOAL: "goal",
    Refers.COMMITMENT: "commitment",
    Refers.LEADERSHIP_ROLE: "role",
    Refers.EVENT: "event",
    Refers.ACTOR: "actor",
}


def control(spec: FieldSpec) -> str:
    """The control for a field: from what it refers to, else from its reader's shape."""
    shape = spec.shape
    if shape.kind == "shares":
        return "shares"
    if spec.refers is not None:
        chosen = REFERS_CONTROL[spec.refers]
        if shape.kind == "ids":
            if spec.refers is not Refers.PARTNER:
                msg = f"{spec.name}: no control for a list of {spec.refers.value}"
                raise ValueError(msg)
            return "partners"
        return chosen
    by_kind = {
        "enum": "select",
        "integer": "integer",
        "number": "number",
        "boolean": "boolean",
        "instant": "datetime",
        "id": "id",
    }
    if shape.kind in by_kind:
        return by_kind[shape.kind]
    if shape.kind == "text":
        limit = shape.max_length or 0
        return "text" if limit <= SHORT_TEXT_LIMIT else "textarea"
    msg = f"{spec.name}: no control for a {shape.kind} with nothing it refers to"
    raise ValueError(msg)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _limits(shape: Shape) -> dict[str, Any]:
    """What the shape bounds: maxLength, min, max, exclusiveMin, minItems, options."""
    out: dict[str, Any] = {}
    if shape.max_length is not None:
        out["maxLength"] = shape.max_length
    if shape.low is not None:
        out["min"] = _number(shape.low)
        if shape.low_excluded:
            out["exclusiveMin"] = True
    if shape.high is not None:
        out["max"] = _number(shape.high)
    if shape.non_empty:
        out["minItems"] = 1
    if shape.kind == "enum":
        out["options"] = [{"value": value, "label": OPTIONS[value]} for value in shape.values]
    return out


def field(spec: FieldSpec, wording: Wording) -> dict[str, Any]:
    """One field of a form."""
    label, help_ = wording
    out: dict[str, Any] = {
        "name": spec.name,
        "label": label,
        "help": help_,
        "control": control(spec),
        "required": spec.required,
    }
    out.update(_limits(spec.shape))
    if spec.default is not None:
        out["default"] = _json(spec.default)
    if spec.shape.kind == "shares":
        out["items"] = [field(item, SHARE_ITEM[item.name]) for item in spec.shape.items]
    return out


def wording(kind: Kind, spec: FieldSpec) -> Wording:
    """A field's label and help in one kind's form."""
    return OVERRIDES.get((kind.mutation, spec.name)) or FIELDS[spec.name]


def form(kind: Kind) -> dict[str, Any]:
    """One kind's form."""
    title, help_ = KINDS_WORDING[kind.mutation]
    out: dict[str, Any] = {
        "mutation": kind.mutation,
        "type": kind.type_name,
        "title": title,
        "help": help_,
        "section": kind.about.value,
        "needs": kind.needs.value,
        "inPartnership": kind.in_partnership,
        "retractable": kind.retractable,
        "fields": [field(spec, wording(kind, spec)) for spec in kind.fields],
    }
    if kind.mutation in ITEM_ACTIONS:
        out["action"] = ITEM_ACTIONS[kind.mutation]
    return out


def describe(time_zone: str) -> dict[str, Any]:
    """Every form, in the catalogue's order: the body of `GET /forms.json`."""
    label, help_ = COMMON["occurredAt"]
    return {
        "timeZone": time_zone,
        "common": [
            {
                "name": "occurredAt",
                "label": label,
                "help": help_,
                "control": "datetime",
                "required": False,
            }
        ],
        "sections": [{"name": about.value, "label": SECTIONS[about]} for about in About],
        "kinds": [form(kind) for kind in KINDS],
    }
